import { useState } from "react";
import { AWS_REGIONS, type AwsRegion } from "../../../worker/aws/regions";
import { useAwsConnection, useDisconnectAws, type AwsConnectionView } from "../api/aws";
import { AwsNotConfigured, ConnectionStatus, RoleArnForm } from "../components/aws-connection";
import { FormError, SelectField } from "../components/form";
import { GuardedButton } from "../components/guarded-button";
import { CopyButton } from "../components/ingest/copy-button";
import { Alert } from "../components/alert";
import { Card, PageHeader } from "../components/page";
import { QueryView } from "../components/states";
import { blockerFor } from "../lib/blocker";
import { formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";

const REGION_OPTIONS = AWS_REGIONS.map((r) => ({ value: r.code, label: `${r.name} — ${r.code}` }));

function ConnectionForm({ view }: { view: AwsConnectionView }) {
  const scope = useWorkspace();
  const [region, setRegion] = useState<AwsRegion>(view.region ?? "us-east-1");
  return (
    <RoleArnForm
      view={view}
      region={region}
      regionField={
        <SelectField
          label="AWS Region"
          hint="The region where your SES sending is configured."
          value={region}
          onValueChange={(v) => setRegion(v as AwsRegion)}
          options={REGION_OPTIONS}
          disabled={blockerFor(scope, "aws.manage", "change the AWS connection") !== null}
        />
      }
    />
  );
}

/** The daily drift check of the SendOps stack: what it found, or why it could not check (an older stack: update it). */
function StackDriftCard({ drift }: { drift: NonNullable<AwsConnectionView["stackDrift"]> }) {
  const tz = useTimeZone();
  return (
    <Card title="Stack drift" description={`CloudFormation drift detection on the ${drift.stackName} stack, once a day. Last checked ${formatDateTime(drift.checkedAt, tz)}.`}>
      {drift.driftStatus === "IN_SYNC" && <Alert variant="success">The stack matches its template.</Alert>}
      {drift.driftStatus === "DRIFTED" && (
        <Alert variant="warning" title="The stack has drifted">
          <p>These resources were changed outside CloudFormation; update the stack (or undo the changes) so SendOps keeps receiving events:</p>
          <ul>
            {drift.drifted.map((d) => (
              <li key={d.logicalId}>
                <code>{d.logicalId}</code> ({d.resourceType}) {d.status.toLowerCase()}
              </li>
            ))}
          </ul>
        </Alert>
      )}
      {drift.problem && (
        <Alert variant={drift.driftStatus ? "info" : "warning"} title={drift.driftStatus ? undefined : "Drift detection is not available"}>
          <p>{drift.problem.message}</p>
          {drift.updateUrl && (
            <a className="btn btn-sm" href={drift.updateUrl} target="_blank" rel="noreferrer">
              Update the stack in the AWS console
            </a>
          )}
        </Alert>
      )}
    </Card>
  );
}

/** Settings → AWS Connection: the trust policy's values, the role and region, validation and its outcome. */
export function AwsConnectionPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const blocker = blockerFor(scope, "aws.manage", "change the AWS connection");
  const connection = useAwsConnection(workspace.id);
  const disconnect = useDisconnectAws(workspace.id);
  return (
    <div className="stack">
      <PageHeader
        title="AWS Connection"
        description="SendOps reads your SES account through a cross-account IAM role: sts:AssumeRole with your workspace's External ID, short-lived credentials, no access keys."
      />
      <QueryView query={connection} loadingLabel="Loading the AWS connection…" errorTitle="Could not load the AWS connection">
        {(view) => (
          <>
            <ConnectionStatus view={view} />
            <Card title="Trust policy values" description="The role's trust policy must name SendOps' AWS account, conditioned on this External ID.">
              {view.sendOpsAccountId === null && <AwsNotConfigured />}
              <dl className="kv">
                <dt>SendOps Account ID</dt>
                <dd>
                  <code>{view.sendOpsAccountId ?? "—"}</code> {view.sendOpsAccountId && <CopyButton text={view.sendOpsAccountId} what="SendOps Account ID" className="btn btn-sm" />}
                </dd>
                <dt>External ID</dt>
                <dd>
                  <code data-testid="external-id">{view.externalId}</code> <CopyButton text={view.externalId} what="External ID" className="btn btn-sm" />
                </dd>
              </dl>
            </Card>
            <Card title="IAM role">
              <ConnectionForm key={`${view.roleArn}|${view.region}`} view={view} />
            </Card>
            {view.stackDrift && <StackDriftCard drift={view.stackDrift} />}
            {view.roleArn && (
              <Card title="Disconnect" description="SendOps forgets the role and region and its copy of your suppression list. Your AWS resources stay as they are.">
                <FormError error={disconnect.error} />
                <GuardedButton blocker={blocker} className="btn btn-danger" onClick={() => disconnect.mutate()} disabled={disconnect.isPending}>
                  Disconnect AWS
                </GuardedButton>
              </Card>
            )}
          </>
        )}
      </QueryView>
    </div>
  );
}
