/**
 * A workspace's AWS connection (docs/aws.md): the External ID it shows, the role it assumes and the one
 * region it is connected to; validation is STS AssumeRole + SES GetAccount. Other services reach the
 * customer's SES through `sesForOrg`, which reuses cached temporary credentials.
 */
import { z } from "zod";
import type { OrgContext } from "../context";
import type { Env } from "../env";
import { getDb, type Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { findAwsConnection, insertPendingConnection, updateAwsConnectionQuery, type AwsConnectionRow } from "../db/aws";
import { clearSuppressionsQueries } from "../db/suppressions";
import { clearStackDriftQuery } from "../db/stack-drift";
import { AwsError, type AwsCredentials } from "../aws/common";
import { AWS_REGION_CODES, type AwsRegion } from "../aws/regions";
import { CloudFormationClient } from "../aws/cloudformation";
import { EventBridgeClient } from "../aws/events";
import { SesClient } from "../aws/ses";
import { assumeRoleCached, forgetCredentials } from "../aws/sts";
import { AppError, conflict } from "../lib/errors";
import { toHex, randomBytes } from "../lib/crypto";
import { DEMO_AWS, DEMO_ORG_ID } from "./demo";
import { accountStatusOf } from "./setup/account-status";
import { completePhaseQuery } from "./setup/progress";
import { stackDriftView, type StackDriftView } from "./alerts/drift";

const ROLE_ARN_PATTERN = /^arn:aws:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

export const connectSchema = z.object({
  roleArn: z
    .string()
    .trim()
    .regex(ROLE_ARN_PATTERN, "Enter the ARN of an IAM role, e.g. arn:aws:iam::123456789012:role/SendOpsRole."),
  region: z.enum(AWS_REGION_CODES, { message: "Pick one of the supported AWS regions." }),
});

export interface AwsConnectionView {
  /** The account the role's trust policy must name; null when this deployment has none configured. */
  sendOpsAccountId: string | null;
  externalId: string;
  status: AwsConnectionRow["status"];
  roleArn: string | null;
  region: AwsRegion | null;
  /** The customer's account, from the role ARN. */
  awsAccountId: string | null;
  lastValidatedAt: number | null;
  /** Why the last validation failed: the AWS error name and what to do about it. */
  lastError: { code: string; message: string } | null;
  updatedBy: string | null;
  updatedAt: number | null;
  /** The demo's sample connection: shown as connected, never validated against AWS. */
  isDemo: boolean;
  /** The SendOps stack's drift as the daily check last found it (docs/alerts.md); null before the first check. */
  stackDrift: StackDriftView | null;
}

/** The customer's AWS account, from the role ARN. */
export const accountOf = (roleArn: string | null) => (roleArn && ROLE_ARN_PATTERN.exec(roleArn)?.[1]) ?? null;

function viewOf(env: Env, row: AwsConnectionRow, stackDrift: StackDriftView | null = null): AwsConnectionView {
  return {
    sendOpsAccountId: env.SENDOPS_AWS_ACCOUNT_ID || null,
    externalId: row.externalId,
    status: row.status,
    roleArn: row.roleArn,
    region: row.region as AwsRegion | null,
    awsAccountId: accountOf(row.roleArn),
    lastValidatedAt: row.lastValidatedAt,
    lastError: row.lastErrorCode ? { code: row.lastErrorCode, message: row.lastError ?? "" } : null,
    updatedBy: row.updatedByName,
    updatedAt: row.updatedAt,
    isDemo: false,
    stackDrift: row.roleArn ? stackDrift : null,
  };
}

function demoView(env: Env): AwsConnectionView {
  return {
    sendOpsAccountId: env.SENDOPS_AWS_ACCOUNT_ID || null,
    externalId: DEMO_AWS.externalId,
    status: "connected",
    roleArn: DEMO_AWS.roleArn,
    region: DEMO_AWS.region,
    awsAccountId: DEMO_AWS.accountId,
    lastValidatedAt: null,
    lastError: null,
    updatedBy: null,
    updatedAt: null,
    isDemo: true,
    stackDrift: null,
  };
}

/** The workspace's connection row, created (pending, with a new External ID) on first read. */
export async function connectionRow(db: Db, orgId: string, at = Date.now()): Promise<AwsConnectionRow> {
  const existing = await findAwsConnection(db, orgId);
  if (existing) return existing;
  await insertPendingConnection(db, orgId, `sendops-${toHex(randomBytes(16))}`, at);
  return (await findAwsConnection(db, orgId))!;
}

export async function getAwsConnection(env: Env, org: Pick<OrgContext, "orgId" | "isDemo">): Promise<AwsConnectionView> {
  if (org.isDemo) return demoView(env);
  const row = await connectionRow(getDb(env.DB), org.orgId);
  return viewOf(env, row, await stackDriftView(env, org.orgId, row.region));
}

/** SendOps' own AWS identity, or a 503 naming what the operator must configure. */
function sendOpsCredentials(env: Env): AwsCredentials {
  if (!env.SENDOPS_AWS_ACCOUNT_ID || !env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) {
    throw new AppError(
      "AWS_NOT_CONFIGURED",
      503,
      "This SendOps deployment has no AWS account configured (var SENDOPS_AWS_ACCOUNT_ID, secrets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), so it cannot assume roles. Ask your SendOps operator.",
    );
  }
  return { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
}

/** Cache key of a workspace's temporary credentials: a new role (or External ID) never reuses old ones. */
const credentialsKey = (orgId: string, roleArn: string, externalId: string) => `${orgId}|${roleArn}|${externalId}`;

function rolesCredentials(env: Env, orgId: string, roleArn: string, region: string, externalId: string) {
  return assumeRoleCached(env, sendOpsCredentials(env), credentialsKey(orgId, roleArn, externalId), {
    region,
    roleArn,
    externalId,
    // Shows in the customer's CloudTrail: which SendOps workspace assumed the role.
    sessionName: `sendops-${orgId}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64),
  });
}

/** What a failed validation tells the user: AWS's error name, and the fix the troubleshooting docs give. */
export function explainAwsError(err: AwsError, env: Env, region: string): string {
  const said = ` (AWS said: ${err.message})`;
  switch (err.code) {
    case "AccessDenied":
      return `Access denied — ensure the IAM role ARN is correct and the SendOps account ${env.SENDOPS_AWS_ACCOUNT_ID} is included in the trust policy with the correct External ID.${said}`;
    case "AccessDeniedException":
      return `The role was assumed, but it may not call SES — attach the SendOpsSESAccess permissions policy to the role, not just the trust policy.${said}`;
    case "RegionDisabledException":
      return `STS is not activated in ${region} for your account — activate the region in IAM → Account settings, or pick the region where your SES is.${said}`;
    case "InvalidClientTokenId":
    case "SignatureDoesNotMatch":
    case "UnrecognizedClientException":
    case "InvalidSignatureException":
    case "ExpiredTokenException":
      return `AWS refused SendOps' own credentials (${err.code}). This is a problem of this SendOps deployment, not of your role — contact your SendOps operator.`;
    case "NetworkError":
      return `Could not reach AWS in ${region}. Try again in a minute.${said}`;
    default:
      return err.throttled ? `AWS is throttling requests right now. Try again in a minute.${said}` : `${err.code}: ${err.message}`;
  }
}

const snapshot = (r: Pick<AwsConnectionRow, "roleArn" | "region" | "status">) => ({ roleArn: r.roleArn, region: r.region, status: r.status });

/** AssumeRole (fresh, not from the cache) + GetAccount; stores the outcome with an audit entry. */
async function validateAndStore(env: Env, org: OrgContext, before: AwsConnectionRow, roleArn: string, region: string, operation: "connect" | "validate", at: number) {
  const db = getDb(env.DB);
  forgetCredentials(`${org.orgId}|`);
  let failure: AwsError | null = null;
  let account: string | null = null;
  try {
    const creds = await rolesCredentials(env, org.orgId, roleArn, region, before.externalId);
    account = JSON.stringify(accountStatusOf(await new SesClient(env, creds, region).getAccount()));
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    failure = err;
    forgetCredentials(`${org.orgId}|`);
  }
  const after = {
    roleArn,
    region,
    status: failure ? ("failed" as const) : ("connected" as const),
    lastValidatedAt: at,
    lastErrorCode: failure?.code ?? null,
    lastError: failure ? explainAwsError(failure, env, region) : null,
    updatedByUserId: org.actor.userId,
    updatedByName: org.actor.name,
    updatedAt: at,
    accountJson: account,
  };
  const verb = operation === "connect" ? "Connected" : "Re-validated";
  // The suppression list copy and the stack drift belong to one account + region: another one starts from scratch.
  const moved = before.roleArn !== null && (accountOf(before.roleArn) !== accountOf(roleArn) || before.region !== region);
  await db.batch([
    updateAwsConnectionQuery(db, org.orgId, after),
    ...(moved ? [...clearSuppressionsQueries(db, org.orgId), clearStackDriftQuery(db, org.orgId)] : []),
    ...(failure ? [] : [completePhaseQuery(db, org.orgId, "aws", at)]),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "aws_connection",
      resourceId: org.orgId,
      operation,
      summary: failure ? `AWS connection to ${roleArn} (${region}) failed: ${failure.code}` : `${verb} AWS role ${roleArn} (${region})`,
      before: snapshot(before),
      after: { ...snapshot(after), error: failure?.code ?? null },
      at,
    }),
  ]);
  return viewOf(env, { ...before, ...after }, await stackDriftView(env, org.orgId, region));
}

/** Saves the role and region and validates them (Validate in the dashboard). A failure is stored, not thrown. */
export async function connectAws(env: Env, org: OrgContext, input: z.infer<typeof connectSchema>, at = Date.now()): Promise<AwsConnectionView> {
  sendOpsCredentials(env);
  const before = await connectionRow(getDb(env.DB), org.orgId, at);
  return validateAndStore(env, org, before, input.roleArn, input.region, "connect", at);
}

/** Validates the saved role again (Re-validate), e.g. after fixing its trust policy. */
export async function revalidateAws(env: Env, org: OrgContext, at = Date.now()): Promise<AwsConnectionView> {
  sendOpsCredentials(env);
  const before = await connectionRow(getDb(env.DB), org.orgId, at);
  if (!before.roleArn || !before.region) throw conflict("No IAM role is saved yet: enter the Role ARN and region, then Validate.");
  return validateAndStore(env, org, before, before.roleArn, before.region, "validate", at);
}

/**
 * Forgets the role and region, and the suppression list copy read through them. The External ID stays:
 * the workspace keeps its identity towards AWS.
 */
export async function disconnectAws(env: Env, org: OrgContext, at = Date.now()): Promise<AwsConnectionView> {
  const db = getDb(env.DB);
  const before = await connectionRow(db, org.orgId, at);
  if (!before.roleArn) return viewOf(env, before);
  const after = {
    roleArn: null,
    region: null,
    status: "pending" as const,
    lastValidatedAt: null,
    lastErrorCode: null,
    lastError: null,
    updatedByUserId: org.actor.userId,
    updatedByName: org.actor.name,
    updatedAt: at,
    accountJson: null,
    accountSyncedAt: null,
    accountSyncStartedAt: null,
  };
  await db.batch([
    updateAwsConnectionQuery(db, org.orgId, after),
    ...clearSuppressionsQueries(db, org.orgId),
    clearStackDriftQuery(db, org.orgId),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "aws_connection",
      resourceId: org.orgId,
      operation: "disconnect",
      summary: `Disconnected AWS role ${before.roleArn} (${before.region})`,
      before: snapshot(before),
      after: snapshot(after),
      at,
    }),
  ]);
  forgetCredentials(`${org.orgId}|`);
  return viewOf(env, { ...before, ...after });
}

/** An AWS failure while serving a request: 502 with the AWS error name, so callers can tell it apart from ours. */
export function awsFailure(err: AwsError): AppError {
  return new AppError("AWS_ERROR", 502, `AWS refused the request: ${err.code}: ${err.message}`, { awsCode: err.code, awsStatus: err.status });
}

/** The demo's connection (never stored, see DEMO_AWS): its sample account's role, connected. */
function demoConnectionRow(): AwsConnectionRow {
  return {
    orgId: DEMO_ORG_ID,
    externalId: DEMO_AWS.externalId,
    roleArn: DEMO_AWS.roleArn,
    region: DEMO_AWS.region,
    status: "connected",
    lastValidatedAt: null,
    lastErrorCode: null,
    lastError: null,
    createdAt: 0,
    updatedByUserId: null,
    updatedByName: null,
    updatedAt: 0,
    accountJson: null,
    accountSyncedAt: null,
    accountSyncStartedAt: null,
    accountSyncErrorCode: null,
    accountSyncError: null,
    accountSyncErrorAt: null,
  };
}

/**
 * The workspace's SES, EventBridge and CloudFormation clients (cached temporary credentials), or 409 AWS_NOT_CONNECTED.
 * The demo's are its sample account's (reachable where the AWS stand-in holds it; read-only: the demo
 * refuses every change before a service runs).
 */
export async function awsForOrg(env: Env, orgId: string): Promise<{ ses: SesClient; events: EventBridgeClient; cloudformation: CloudFormationClient; connection: AwsConnectionRow }> {
  const connection = orgId === DEMO_ORG_ID ? demoConnectionRow() : await findAwsConnection(getDb(env.DB), orgId);
  if (!connection?.roleArn || !connection.region || connection.status !== "connected") {
    throw new AppError("AWS_NOT_CONNECTED", 409, "This workspace has no validated AWS connection. Connect AWS in Settings → AWS Connection.");
  }
  try {
    const creds = await rolesCredentials(env, orgId, connection.roleArn, connection.region, connection.externalId);
    return {
      ses: new SesClient(env, creds, connection.region),
      events: new EventBridgeClient(env, creds, connection.region),
      cloudformation: new CloudFormationClient(env, creds, connection.region),
      connection,
    };
  } catch (err) {
    throw err instanceof AwsError ? awsFailure(err) : err;
  }
}

/** The workspace's SES client; see `awsForOrg`. */
export async function sesForOrg(env: Env, orgId: string): Promise<{ ses: SesClient; connection: AwsConnectionRow }> {
  const { ses, connection } = await awsForOrg(env, orgId);
  return { ses, connection };
}
