import "../components/aws.css";
import { useState, type FormEvent } from "react";
import { can, ROLE_LABELS, ROLES } from "../../../worker/auth/permissions";
import { AWS_REGIONS, type AwsRegion } from "../../../worker/aws/regions";
import { useAwsConnection, useConnectAws, useDisconnectAws, useRevalidateAws, type AwsConnectionView } from "../api/aws";
import { Alert } from "../components/alert";
import { fieldError, FormError, SelectField, SubmitButton, TextField } from "../components/form";
import { CopyButton } from "../components/ingest/copy-button";
import { GuardedButton } from "../components/ingest/ingest-header";
import { Card, PageHeader } from "../components/page";
import { QueryView } from "../components/states";
import { formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";

const MANAGERS = new Intl.ListFormat("en", { type: "conjunction" }).format(ROLES.filter((r) => can(r, "aws.manage")).map((r) => `${ROLE_LABELS[r]}s`));
const REGION_OPTIONS = AWS_REGIONS.map((r) => ({ value: r.code, label: `${r.name} — ${r.code}` }));

/** What to check when AssumeRole fails (product docs: connecting-aws, troubleshooting connection issues). */
function Hints({ view }: { view: AwsConnectionView }) {
  return (
    <ul className="hint-list">
      <li>
        The <strong>SendOps Account ID</strong> in the role's trust policy (<code>Principal.AWS</code>) is exactly{" "}
        <code>{view.sendOpsAccountId ?? "—"}</code>.
      </li>
      <li>
        The <code>sts:ExternalId</code> condition of the trust policy is exactly <code>{view.externalId}</code> — copy and paste it to avoid
        typos.
      </li>
      <li>The role's permissions policy (<code>SendOpsSESAccess</code>) is attached, not just the trust policy.</li>
      <li>The selected AWS Region is the region where the role and your SES are configured.</li>
      <li>The Role ARN matches an existing role in your account (IAM console → Roles → SendOpsRole → ARN).</li>
    </ul>
  );
}

function ConnectionForm({ view }: { view: AwsConnectionView }) {
  const { workspace, can: allowed } = useWorkspace();
  const connect = useConnectAws(workspace.id);
  const revalidate = useRevalidateAws(workspace.id);
  const [roleArn, setRoleArn] = useState(view.roleArn ?? "");
  const [region, setRegion] = useState<AwsRegion>(view.region ?? "us-east-1");
  const unchanged = roleArn.trim() === view.roleArn && region === view.region;
  const blocker = allowed("aws.manage") ? null : `Only ${MANAGERS} can change the AWS connection; your role is ${ROLE_LABELS[workspace.role]}.`;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (unchanged && view.roleArn) revalidate.mutate();
    else connect.mutate({ roleArn: roleArn.trim(), region });
  };
  const pending = connect.isPending || revalidate.isPending;
  const readOnly = blocker !== null || view.isDemo;
  return (
    <form className="stack" onSubmit={submit} noValidate>
      <SelectField label="AWS Region" hint="The region where your SES sending is configured." value={region} onValueChange={(v) => setRegion(v as AwsRegion)} options={REGION_OPTIONS} disabled={readOnly} />
      <TextField
        label="Role ARN"
        hint="From the CloudFormation stack's RoleARN output, or the IAM console."
        placeholder="arn:aws:iam::123456789012:role/SendOpsRole"
        value={roleArn}
        onValueChange={setRoleArn}
        error={fieldError(connect.error, "roleArn") ?? fieldError(connect.error, "region")}
        spellCheck={false}
        disabled={readOnly}
      />
      <FormError error={connect.error ?? revalidate.error} fieldNames={["roleArn", "region"]} />
      <div className="form-actions">
        {blocker ? (
          <GuardedButton blocker={blocker} className="btn btn-primary" onClick={() => undefined}>
            {view.roleArn ? "Re-validate" : "Validate"}
          </GuardedButton>
        ) : (
          <SubmitButton pending={pending} disabled={view.isDemo}>
            {view.status === "connected" && unchanged ? "Re-validate" : "Validate"}
          </SubmitButton>
        )}
      </div>
    </form>
  );
}

function ConnectionStatus({ view }: { view: AwsConnectionView }) {
  const tz = useTimeZone();
  const region = AWS_REGIONS.find((r) => r.code === view.region);
  if (view.status === "connected")
    return (
      <Alert variant="success" title="AWS account connected" role="status">
        Role <code>{view.roleArn}</code> in {region ? `${region.name} (${region.code})` : view.region}.
        {view.isDemo
          ? " This is the demo workspace's sample connection: SendOps never calls AWS for it."
          : view.lastValidatedAt && ` Validated ${formatDateTime(view.lastValidatedAt, tz)}${view.updatedBy ? ` by ${view.updatedBy}` : ""}.`}
      </Alert>
    );
  if (view.status === "failed" && view.lastError)
    return (
      <Alert variant="danger" title={`Connection failed: ${view.lastError.code}`} role="alert">
        <p>{view.lastError.message}</p>
        <p>Double-check:</p>
        <Hints view={view} />
      </Alert>
    );
  return (
    <Alert title="Not connected">
      Create the SendOps role in your AWS account (CloudFormation stack or manual IAM role) with the values below, then paste its Role ARN
      and click Validate. SendOps calls <code>sts:AssumeRole</code> to check it; it never asks for access keys.
    </Alert>
  );
}

/** Settings → AWS Connection: the trust policy's values, the role and region, validation and its outcome. */
export function AwsConnectionPage() {
  const { workspace, can: allowed } = useWorkspace();
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
              {view.sendOpsAccountId === null && (
                <Alert variant="warning" title="This deployment has no AWS account configured">
                  The operator must set SENDOPS_AWS_ACCOUNT_ID and the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY secrets before roles can be
                  assumed.
                </Alert>
              )}
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
            {view.roleArn && !view.isDemo && allowed("aws.manage") && (
              <Card title="Disconnect" description="SendOps forgets the role and region and its copy of your suppression list. Your AWS resources stay as they are.">
                <FormError error={disconnect.error} />
                <button type="button" className="btn btn-danger" onClick={() => disconnect.mutate()} disabled={disconnect.isPending}>
                  Disconnect AWS
                </button>
              </Card>
            )}
          </>
        )}
      </QueryView>
    </div>
  );
}
