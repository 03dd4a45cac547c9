import { useState } from "react";
import type { AwsRegion } from "../../../../worker/aws/regions";
import { useAwsConnection, type AwsConnectionView } from "../../api/aws";
import { templateHref, useAwsIntegration, type AwsIntegrationView } from "../../api/setup";
import { AwsNotConfigured, ConnectionStatus, RoleArnForm } from "../../components/aws-connection";
import { CodeBlock } from "../../components/code-block";
import { ChevronRightIcon, DownloadIcon } from "../../components/icons";
import { CopyButton } from "../../components/ingest/copy-button";
import { GuardedButton } from "../../components/guarded-button";
import { Card } from "../../components/page";
import { RegionPicker } from "../../components/region-picker";
import { QueryView } from "../../components/states";
import { Tabs } from "../../components/tabs";
import { useWorkspace } from "../../workspace";
import { DelegateDialog } from "./delegate-dialog";
import { NoAwsAccess, PhaseActions } from "./parts";

type Method = "automated" | "manual";
type Snippet = keyof AwsIntegrationView["manual"];

/** Opens in a new tab and says so to assistive technology. */
function ExternalLink({ href, className, children }: { href: string; className?: string; children: string }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" className={className}>
      {children}
      <span className="sr-only"> (opens in a new tab)</span>
    </a>
  );
}

/** The values the role's trust policy and the stack's parameters carry for this workspace. */
function Parameters({ view, all }: { view: AwsIntegrationView; all: boolean }) {
  return (
    <dl className="kv">
      <dt>SendOpsAccountId</dt>
      <dd>
        <code>{view.sendOpsAccountId ?? "—"}</code>
        {view.sendOpsAccountId && <CopyButton text={view.sendOpsAccountId} what="SendOps Account ID" className="btn btn-sm" />}
      </dd>
      <dt>ExternalId</dt>
      <dd>
        <code>{view.externalId}</code> <CopyButton text={view.externalId} what="External ID" className="btn btn-sm" />
      </dd>
      {all && (
        <>
          <dt>WebhookUrl</dt>
          <dd>
            <code>{view.webhookUrl}</code>
          </dd>
          <dt>WebhookApiKey</dt>
          <dd>
            <span>
              <code>{view.webhookKeyPrefix}…</code> <span className="muted">your ingest key (hidden in the console)</span>
            </span>
          </dd>
        </>
      )}
    </dl>
  );
}

function Automated({ view, connection }: { view: AwsIntegrationView; connection: AwsConnectionView }) {
  const { workspace } = useWorkspace();
  return (
    <div className="stack">
      <ol className="setup-steps">
        <li>
          Click <strong>Launch CloudFormation Stack</strong>: the AWS console opens with the template and all four parameters filled in. Check
          that the console's region is {view.region}.
        </li>
        <li>
          Tick the IAM capabilities acknowledgment and click <strong>Create stack</strong>. It reaches CREATE_COMPLETE in a minute or two.
        </li>
        <li>
          Copy the stack's <code>RoleARN</code> output into the Role ARN field below and click <strong>Validate</strong>.
        </li>
      </ol>
      <div className="row wrap">
        <ExternalLink href={view.launchUrl} className="btn btn-primary">
          Launch CloudFormation Stack
        </ExternalLink>
        <a className="btn" href={templateHref(workspace.id, view.region, "yaml")} download>
          <DownloadIcon size={14} />
          Download template
        </a>
        <a href={templateHref(workspace.id, view.region, "json")} download>
          JSON
        </a>
      </div>
      <dl className="kv">
        <dt>Stack name</dt>
        <dd>
          <code>{view.stackName}</code>
          <span className="muted">keeping the default makes support easier</span>
        </dd>
        <dt>Template version</dt>
        <dd>{view.templateVersion}</dd>
      </dl>
      <details className="disclosure">
        <summary>
          <ChevronRightIcon size={14} />
          Stack parameters
        </summary>
        <Parameters view={view} all />
      </details>
      {view.roleConsoleUrl && connection.roleArn && (
        <div className="row wrap">
          <ExternalLink href={view.roleConsoleUrl} className="btn btn-sm">
            Open the IAM role
          </ExternalLink>
          <ExternalLink href={view.stackConsoleUrl} className="btn btn-sm">
            Check the stack's status
          </ExternalLink>
        </div>
      )}
    </div>
  );
}

function Manual({ view }: { view: AwsIntegrationView }) {
  const [snippet, setSnippet] = useState<Snippet>("cloudformation");
  return (
    <div className="stack">
      <p className="muted">
        Create the role <code>SendOpsRole</code> yourself with this policy; the snippet's placeholders take the values below. The manual role
        does not create the configuration set, the EventBridge rule or the webhook pipeline: only the CloudFormation stack does.
      </p>
      <Parameters view={view} all={false} />
      <Tabs
        label="Policy format"
        small
        value={snippet}
        onChange={setSnippet}
        tabs={[
          { id: "cloudformation", label: "CloudFormation" },
          { id: "terraform", label: "Terraform" },
        ]}
      >
        <CodeBlock
          code={view.manual[snippet]}
          what={snippet === "cloudformation" ? "CloudFormation snippet" : "Terraform snippet"}
        />
      </Tabs>
    </div>
  );
}

function Permissions({ view }: { view: AwsIntegrationView }) {
  return (
    <Card title="Permissions requested" description="Every IAM action the role grants, by category, and why SendOps needs it.">
      <div className="stack">
        <div className="perm-list">
          {view.permissions.map((c) => (
            <details key={c.category} className="perm-category">
              <summary>
                <ChevronRightIcon size={14} />
                <span className="grow">{c.category}</span>
                <span className="badge" aria-label={`${c.actions.length} permissions`}>
                  {c.actions.length}
                </span>
              </summary>
              <ul>
                {c.actions.map((a) => (
                  <li key={a.action}>
                    <code>{a.action}</code>
                    <span className="muted">{a.why}</span>
                  </li>
                ))}
              </ul>
            </details>
          ))}
        </div>
        <div>
          <h3 className="never-heading">Never accessed</h3>
          <ul className="never-list" aria-label="Services SendOps never accesses">
            {view.neverAccessed.map((s) => (
              <li key={s} className="badge">
                {s}
              </li>
            ))}
          </ul>
        </div>
      </div>
    </Card>
  );
}

function Integration({ connection, next }: { connection: AwsConnectionView; next: () => void }) {
  const { workspace } = useWorkspace();
  const [region, setRegion] = useState<AwsRegion>(connection.region ?? "us-east-1");
  const [method, setMethod] = useState<Method>("automated");
  const [delegating, setDelegating] = useState(false);
  const integration = useAwsIntegration(workspace.id, region);
  const connected = connection.status === "connected";
  return (
    <div className="stack">
      <Card>
        <RegionPicker
          value={region}
          onChange={setRegion}
          hint="The region where your SES sending is configured: the stack, its EventBridge rule and the role's checks all live there."
        />
        {connection.region && region !== connection.region && (
          <p className="field-hint">
            Connected in {connection.region}: validating the role with this region moves the connection here.
          </p>
        )}
      </Card>
      <QueryView query={integration} loadingLabel="Loading the integration for this region…" errorTitle="Could not load the AWS integration">
        {(view) => (
          <>
            {view.sendOpsAccountId === null && <AwsNotConfigured />}
            {/* While another region loads, its predecessor's links must not be followed. */}
            <div className={integration.isPlaceholderData ? "is-stale" : undefined} aria-busy={integration.isPlaceholderData || undefined}>
              <Card>
                <Tabs
                  label="Setup method"
                  value={method}
                  onChange={setMethod}
                  tabs={[
                    {
                      id: "automated",
                      label: (
                        <>
                          Automated Setup <span className="badge badge-primary">Recommended</span>
                        </>
                      ),
                    },
                    { id: "manual", label: "Manual Setup" },
                  ]}
                >
                  {method === "automated" ? <Automated view={view} connection={connection} /> : <Manual view={view} />}
                </Tabs>
              </Card>
            </div>
            <Permissions view={view} />
            <Card title="Role ARN" description="Paste the role's ARN; SendOps calls sts:AssumeRole with your External ID to check it.">
              <div className="stack">
                <ConnectionStatus
                  view={connection}
                  notConnected="Create the role with the stack (or by hand), then paste its Role ARN and click Validate. SendOps never asks for access keys."
                />
                <RoleArnForm key={`${connection.roleArn}|${connection.region}`} view={connection} region={region} />
                <button type="button" className="btn-link" onClick={() => setDelegating(true)}>
                  Don't have AWS access? Delegate this step
                </button>
              </div>
            </Card>
            <DelegateDialog open={delegating} view={view} onClose={() => setDelegating(false)} />
          </>
        )}
      </QueryView>
      <PhaseActions>
        <GuardedButton blocker={connected ? null : "Validate a Role ARN first."} className="btn btn-primary" onClick={next}>
          Continue
        </GuardedButton>
      </PhaseActions>
    </div>
  );
}

/** Phase 1: pick the region, create the role (stack or by hand, or delegate it), validate its ARN. */
export function AwsIntegrationPhase({ next }: { next: () => void }) {
  const { can } = useWorkspace();
  return can("aws.view") ? <AwsIntegration next={next} /> : <NoAwsAccess />;
}

function AwsIntegration({ next }: { next: () => void }) {
  const { workspace } = useWorkspace();
  const connection = useAwsConnection(workspace.id);
  return (
    <QueryView query={connection} loadingLabel="Loading the AWS connection…" errorTitle="Could not load the AWS connection">
      {(view) => <Integration connection={view} next={next} />}
    </QueryView>
  );
}
