import { useState, type FormEvent, type ReactNode } from "react";
import { AWS_REGIONS, type AwsRegion } from "../../../worker/aws/regions";
import { useConnectAws, useRevalidateAws, type AwsConnectionView } from "../api/aws";
import { formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";
import { blockerFor } from "../lib/blocker";
import { useWorkspace } from "../workspace";
import { Alert } from "./alert";
import { fieldError, FormError, TextField } from "./form";
import { GuardedButton } from "./guarded-button";
import "./aws.css";

/**
 * The pieces of connecting a role that Settings → AWS Connection and the Setup Guide's AWS Integration
 * phase share: the Role ARN form with Validate / Re-validate, and the outcome with what to check.
 */

export const regionLabel = (code: string | null) => {
  const region = AWS_REGIONS.find((r) => r.code === code);
  return region ? `${region.name} (${region.code})` : (code ?? "—");
};

/** Shown when the operator has not given this deployment an AWS identity: no role can be assumed yet. */
export function AwsNotConfigured() {
  return (
    <Alert variant="warning" title="This deployment has no AWS account configured">
      The operator must set SENDOPS_AWS_ACCOUNT_ID and the AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY secrets before roles can be assumed.
    </Alert>
  );
}

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

/** Connected (Role ARN and region), failed (the AWS error and the checks), or not connected yet. */
export function ConnectionStatus({ view, notConnected }: { view: AwsConnectionView; notConnected?: ReactNode }) {
  const tz = useTimeZone();
  if (view.status === "connected")
    return (
      <Alert variant="success" title="AWS account connected" role="status">
        Role <code>{view.roleArn}</code> in {regionLabel(view.region)}.
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
      {notConnected ?? (
        <>
          Create the SendOps role in your AWS account (CloudFormation stack or manual IAM role) with the values below, then paste its Role
          ARN and click Validate. SendOps calls <code>sts:AssumeRole</code> to check it; it never asks for access keys.
        </>
      )}
    </Alert>
  );
}

/**
 * Role ARN → Validate (saves role and region, then AssumeRole), or Re-validate when nothing changed on
 * a connected role. `regionField` is the region control when the form shows it itself.
 */
export function RoleArnForm({ view, region, regionField }: { view: AwsConnectionView; region: AwsRegion; regionField?: ReactNode }) {
  const scope = useWorkspace();
  const connect = useConnectAws(scope.workspace.id);
  const revalidate = useRevalidateAws(scope.workspace.id);
  const [roleArn, setRoleArn] = useState(view.roleArn ?? "");
  const unchanged = roleArn.trim() === view.roleArn && region === view.region;
  const blocker = blockerFor(scope, "aws.manage", "change the AWS connection");
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (unchanged && view.roleArn) revalidate.mutate();
    else connect.mutate({ roleArn: roleArn.trim(), region });
  };
  const label = view.status === "connected" && unchanged ? "Re-validate" : "Validate";
  return (
    <form className="stack" onSubmit={submit} noValidate>
      {regionField}
      <TextField
        label="Role ARN"
        hint="From the CloudFormation stack's RoleARN output, or the IAM console."
        placeholder="arn:aws:iam::123456789012:role/SendOpsRole"
        value={roleArn}
        onValueChange={setRoleArn}
        error={fieldError(connect.error, "roleArn") ?? fieldError(connect.error, "region")}
        spellCheck={false}
        disabled={blocker !== null}
      />
      <FormError error={connect.error ?? revalidate.error} fieldNames={["roleArn", "region"]} />
      <div className="form-actions">
        <GuardedButton blocker={blocker} type="submit" className="btn btn-primary" disabled={connect.isPending || revalidate.isPending}>
          {(connect.isPending || revalidate.isPending) && <span className="spinner" aria-hidden="true" />}
          {label}
        </GuardedButton>
      </div>
    </form>
  );
}
