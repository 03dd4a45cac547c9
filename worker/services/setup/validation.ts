/**
 * Connection Validation (the Setup Guide's phase 2; troubleshooting__connection-issues.md): a background
 * job on the jobs queue runs the eleven checks through the workspace's role — the stack's resources
 * (configuration set, EventBridge rule, webhook target), four permission probes (channel management,
 * channel settings, email templates, contact lists) and the SES account (sending enabled, sandbox,
 * limits, verified identities) — and stores each pass / warn / fail with its message and fix. A probe
 * that fails while the deployed template is older than the current one shows the stack-update card.
 */
import type { Actor, OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { findAwsConnection, updateAwsConnectionQuery } from "../../db/aws";
import { findLatestValidation, insertValidationQuery, updateValidationQuery, type AwsValidationRow } from "../../db/setup";
import { AwsError } from "../../aws/common";
import type { EventBridgeClient } from "../../aws/events";
import type { SesClient } from "../../aws/ses";
import { missingActions, TEMPLATE_VERSION } from "../../aws/stack/permissions";
import { STACK_NAMES, templateVersionOf } from "../../aws/stack/template";
import { stackUpdateUrl } from "../../aws/stack/links";
import { AppError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { MINUTE } from "../../lib/time";
import { awsForOrg, explainAwsError } from "../aws-connection";
import { accountStatusOf } from "./account-status";
import { completePhaseQuery } from "./progress";
import { templateUrlOf } from "./integration";
import { VALIDATION_CHECK_IDS, type SesAccountStatus, type ValidationCheckId, type ValidationCheckView, type ValidationRunView } from "./views";

/** A run still queued or running after this long is taken as lost: Run Validation starts a new one. */
export const VALIDATION_STUCK_AFTER = 5 * MINUTE;

const STACK_FIX =
  "The CloudFormation stack likely did not deploy successfully. Check the stack's status in the CloudFormation console, delete any failed stack, and re-launch it from the Setup Guide.";
const PARTIAL_STACK_FIX = "The stack may have partially deployed. Delete the sendops stack in the CloudFormation console and re-create it from the Setup Guide.";
const { configurationSet: BASE_CONFIGURATION_SET, rule: EVENT_RULE_NAME, apiDestination: API_DESTINATION_NAME } = STACK_NAMES;

const PROBE_FIX =
  "Your CloudFormation stack may be running an older template version: update it to the latest template (the update card below links to it), then click Re-validate. With a manually created role, add the action to its SendOpsSESAccess policy.";
const CONSOLE_FIX = "This is an AWS-side setting: open the SES console (Account dashboard) in this region to see why.";

/** Each check's label, as the page lists it; probes name the IAM action they exercise. */
export const VALIDATION_CHECKS: Record<ValidationCheckId, { label: string; probe?: string }> = {
  configuration_set: { label: "SES Configuration Set" },
  event_rule: { label: "EventBridge Rule" },
  webhook_target: { label: "Webhook Target" },
  channel_management: { label: "Channel Management", probe: "ses:ListConfigurationSets" },
  channel_settings: { label: "Channel Settings", probe: "ses:PutConfigurationSetDeliveryOptions" },
  email_templates: { label: "Email Templates", probe: "ses:ListEmailTemplates" },
  contact_lists: { label: "Contact Lists", probe: "ses:ListContactLists" },
  ses_enabled: { label: "SES enabled in region" },
  account_status: { label: "Account status" },
  sending_limits: { label: "Sending limits" },
  verified_identities: { label: "Verified identities" },
};

/** A name no configuration set has: probing a write on it needs the permission but changes nothing. */
const PROBE_CONFIGURATION_SET = "sendops-permission-probe";

export interface ValidationJob {
  kind: "aws.validate";
  orgId: string;
  runId: string;
}

type Outcome = Pick<ValidationCheckView, "status" | "message" | "fix">;
const pass = (message: string): Outcome => ({ status: "pass", message, fix: null });
const warn = (message: string, fix: string | null = null): Outcome => ({ status: "warn", message, fix });
const fail = (message: string, fix: string): Outcome => ({ status: "fail", message, fix });

const pendingChecks = (): ValidationCheckView[] =>
  VALIDATION_CHECK_IDS.map((id) => ({ id, label: VALIDATION_CHECKS[id].label, status: "pending", message: "Not run yet.", fix: null }));

const isAccessDenied = (err: unknown) => err instanceof AwsError && (err.code === "AccessDeniedException" || err.code === "AccessDenied");
const isNotFound = (err: unknown) => err instanceof AwsError && (err.code === "NotFoundException" || err.code === "ResourceNotFoundException");

/** A failure nothing more specific explains: AWS's error name and what to do. */
function unexpected(err: unknown, env: Env, region: string): Outcome {
  if (err instanceof AwsError) return fail(explainAwsError(err, env, region), "Fix the cause AWS names, then click Retry Validation.");
  throw err;
}

/** Runs one check; throttling that outlasted the client's retries is thrown, so the job is retried. */
async function check(run: () => Promise<Outcome>, onError: (err: unknown) => Outcome): Promise<Outcome> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof AwsError && err.throttled) throw err;
    return onError(err);
  }
}

/** A permission probe: any answer but AccessDenied means the role holds the action. */
function probe(id: ValidationCheckId, call: () => Promise<unknown>, found: (result: unknown) => string, env: Env, region: string) {
  const action = VALIDATION_CHECKS[id].probe!;
  return check(
    async () => pass(found(await call())),
    (err) => {
      if (isNotFound(err)) return pass(`The role may call ${action}.`);
      if (isAccessDenied(err)) return fail(`The role may not call ${action}.`, PROBE_FIX);
      return unexpected(err, env, region);
    },
  );
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

function accountChecks(account: SesAccountStatus, region: string): Record<"ses_enabled" | "account_status" | "sending_limits", Outcome> {
  const review = account.reviewStatus === "PENDING" ? " Your production access request is pending review." : "";
  let status: Outcome;
  if (account.enforcementStatus === "SHUTDOWN") status = fail("SES has shut down sending for this account.", CONSOLE_FIX);
  else if (account.enforcementStatus === "PROBATION") status = warn("The account is on probation: SES is reviewing its sending.", CONSOLE_FIX);
  else if (account.mode === "sandbox") {
    status = warn(
      `Sandbox mode active — you can only send to verified email addresses.${review}`,
      "Request production access in the SES console (Account dashboard → Request production access) when you are ready to send to any recipient.",
    );
  } else status = pass("Production access: you can send to any recipient.");
  const q = account.quota;
  const limit = (n: number, one: string, many: string) => (n < 0 ? "unlimited" : plural(n, one, many));
  return {
    ses_enabled: account.sendingEnabled
      ? pass(`SES sending is enabled in ${region}.`)
      : fail(`SES sending is disabled in ${region} for this account.`, CONSOLE_FIX),
    account_status: status,
    sending_limits: q
      ? pass(
          `Daily quota ${limit(q.max24HourSend, "email", "emails")}, max send rate ${limit(q.maxSendRate, "email", "emails")} per second; ${plural(q.sentLast24Hours, "email", "emails")} sent in the last 24 hours.`,
        )
      : warn("SES did not report sending limits."),
  };
}

interface Findings {
  checks: Record<ValidationCheckId, Outcome>;
  deployedVersion: number | null;
  account: SesAccountStatus | null;
}

async function runChecks(env: Env, ses: SesClient, events: EventBridgeClient, region: string): Promise<Findings> {
  const other = (err: unknown) => unexpected(err, env, region);
  let deployedVersion: number | null = null;
  let ruleFound = false;

  const configuration_set = await check(
    async () => {
      await ses.getConfigurationSet(BASE_CONFIGURATION_SET);
      const destinations = await ses.getConfigurationSetEventDestinations(BASE_CONFIGURATION_SET);
      if (!destinations.some((d) => d.enabled && d.eventBridgeBusArn)) {
        return fail(`Configuration set ${BASE_CONFIGURATION_SET} has no enabled EventBridge event destination.`, PARTIAL_STACK_FIX);
      }
      return pass(`Configuration set ${BASE_CONFIGURATION_SET} exists in ${region} and publishes its events to EventBridge.`);
    },
    (err) =>
      isNotFound(err)
        ? fail(`Configuration set ${BASE_CONFIGURATION_SET} not found in ${region}.`, STACK_FIX)
        : isAccessDenied(err)
          ? fail(`The role may not read configuration set ${BASE_CONFIGURATION_SET}.`, PROBE_FIX)
          : other(err),
  );

  const event_rule = await check(
    async () => {
      const rule = await events.describeRule(EVENT_RULE_NAME);
      ruleFound = true;
      deployedVersion = templateVersionOf(rule.description);
      if (rule.state !== "ENABLED") {
        return fail(
          `Rule ${EVENT_RULE_NAME} exists but is ${rule.state.toLowerCase()}.`,
          `Enable the ${EVENT_RULE_NAME} rule in the EventBridge console. EventBridge only forwards events while the rule is enabled; events from a disabled period are lost.`,
        );
      }
      return pass(`Rule ${EVENT_RULE_NAME} exists and is enabled.`);
    },
    (err) =>
      isNotFound(err)
        ? fail(`EventBridge rule ${EVENT_RULE_NAME} not found in ${region}.`, STACK_FIX)
        : isAccessDenied(err)
          ? fail("The role may not call events:DescribeRule.", PROBE_FIX)
          : other(err),
  );

  const webhook_target = ruleFound
    ? await check(
        async () => {
          const targets = await events.listTargetsByRule(EVENT_RULE_NAME);
          const target = targets.find((t) => t.arn.includes(`:api-destination/${API_DESTINATION_NAME}/`));
          return target
            ? pass(`Rule ${EVENT_RULE_NAME} sends events to the SendOps API destination (${API_DESTINATION_NAME}).`)
            : fail(`Rule ${EVENT_RULE_NAME} has no target pointing to the SendOps API destination (${API_DESTINATION_NAME}).`, PARTIAL_STACK_FIX);
        },
        (err) => (isAccessDenied(err) ? fail("The role may not call events:ListTargetsByRule.", PROBE_FIX) : other(err)),
      )
    : fail("Not checked: the EventBridge rule was not found.", STACK_FIX);

  const channel_management = await probe("channel_management", () => ses.listConfigurationSets(), (sets) => `The role may list and manage configuration sets (${plural((sets as string[]).length, "set", "sets")} found).`, env, region);
  const channel_settings = await probe(
    "channel_settings",
    () => ses.putConfigurationSetDeliveryOptions(PROBE_CONFIGURATION_SET, {}),
    () => "The role may change configuration set settings.",
    env,
    region,
  );
  const email_templates = await probe("email_templates", () => ses.listEmailTemplates(1), () => "The role may list and manage email templates.", env, region);
  const contact_lists = await probe(
    "contact_lists",
    () => ses.listContactLists(1),
    (lists) => `The role may read your contact lists (${plural((lists as unknown[]).length, "list", "lists")} found).`,
    env,
    region,
  );

  let account: SesAccountStatus | null = null;
  let accountOutcomes: ReturnType<typeof accountChecks>;
  try {
    account = accountStatusOf(await ses.getAccount());
    accountOutcomes = accountChecks(account, region);
  } catch (err) {
    if (err instanceof AwsError && err.throttled) throw err;
    const outcome = isAccessDenied(err) ? fail("The role may not call ses:GetAccount.", PROBE_FIX) : other(err);
    accountOutcomes = { ses_enabled: outcome, account_status: outcome, sending_limits: outcome };
  }

  const verified_identities = await check(
    async () => {
      const ids = (await ses.listEmailIdentities()).filter((i) => i.verificationStatus === "SUCCESS");
      if (!ids.length) return warn("No verified identities yet.", "Add and verify a domain or an email address in the Identities phase.");
      const domains = ids.filter((i) => i.type !== "EMAIL_ADDRESS").length;
      return pass(
        `${plural(ids.length, "verified identity", "verified identities")} (${plural(domains, "domain", "domains")}, ${plural(ids.length - domains, "email address", "email addresses")}).`,
      );
    },
    (err) => (isAccessDenied(err) ? fail("The role may not call ses:ListEmailIdentities.", PROBE_FIX) : other(err)),
  );

  return {
    checks: { configuration_set, event_rule, webhook_target, channel_management, channel_settings, email_templates, contact_lists, ...accountOutcomes, verified_identities },
    deployedVersion,
    account,
  };
}

function viewOf(env: Env, row: AwsValidationRow, region: string | null): ValidationRunView {
  const missingActions = JSON.parse(row.missingActionsJson) as string[];
  return {
    id: row.id,
    status: row.status,
    checks: JSON.parse(row.checksJson) as ValidationCheckView[],
    requestedBy: row.requestedByName,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    stack: {
      deployedVersion: row.deployedTemplateVersion,
      currentVersion: TEMPLATE_VERSION,
      updateAvailable: missingActions.length > 0,
      missingActions,
      updateUrl: stackUpdateUrl({ region: region ?? "us-east-1", templateUrl: templateUrlOf(env), stackName: STACK_NAMES.stack }),
    },
  };
}

export async function getLatestValidation(env: Env, org: Pick<OrgContext, "orgId">): Promise<ValidationRunView | null> {
  const db = getDb(env.DB);
  const [row, connection] = await Promise.all([findLatestValidation(db, org.orgId), findAwsConnection(db, org.orgId)]);
  return row ? viewOf(env, row, connection?.region ?? null) : null;
}

const inFlight = (row: AwsValidationRow | undefined, at: number) =>
  row !== undefined && (row.status === "queued" || row.status === "running") && row.createdAt >= at - VALIDATION_STUCK_AFTER;

/** Run Validation: queues the job (unless one is in flight) and answers the run the page polls. */
export async function startValidation(env: Env, org: OrgContext, at = Date.now()): Promise<ValidationRunView> {
  const db = getDb(env.DB);
  const connection = await findAwsConnection(db, org.orgId);
  if (connection?.status !== "connected") {
    throw new AppError("AWS_NOT_CONNECTED", 409, "Validate an IAM role in the AWS Integration phase first: the checks run through it.");
  }
  const latest = await findLatestValidation(db, org.orgId);
  if (inFlight(latest, at)) return viewOf(env, latest!, connection.region);
  const row = {
    id: newId("val", at),
    orgId: org.orgId,
    status: "queued" as const,
    checksJson: JSON.stringify(pendingChecks()),
    missingActionsJson: "[]",
    requestedByUserId: org.actor.userId,
    requestedByName: org.actor.name,
    createdAt: at,
  };
  await insertValidationQuery(db, row);
  const job: ValidationJob = { kind: "aws.validate", orgId: org.orgId, runId: row.id };
  await env.JOBS_QUEUE.send(job, { contentType: "json" });
  return viewOf(env, { ...row, deployedTemplateVersion: null, startedAt: null, finishedAt: null }, connection.region);
}

/** The job: runs the checks, stores them, the account status and (when all passed) the phase, with one audit entry. */
export async function runValidation(env: Env, job: ValidationJob, at = Date.now()): Promise<void> {
  const db = getDb(env.DB);
  const [run, connection] = await Promise.all([findLatestValidation(db, job.orgId), findAwsConnection(db, job.orgId)]);
  if (!run || run.id !== job.runId || run.status === "passed" || run.status === "failed") return;
  await updateValidationQuery(db, job.orgId, run.id, { status: "running", startedAt: at });
  const region = connection?.region ?? "";
  let findings: Findings;
  try {
    const { ses, events } = await awsForOrg(env, job.orgId);
    findings = await runChecks(env, ses, events, region);
  } catch (err) {
    if (err instanceof AwsError && err.throttled) throw err;
    if (!(err instanceof AppError)) throw err;
    // The role could not be assumed (or the connection is gone): every check fails with that reason.
    const outcome = fail(err.message, "Go Back to AWS Integration and validate the Role ARN again.");
    findings = { checks: Object.fromEntries(VALIDATION_CHECK_IDS.map((id) => [id, outcome])) as Findings["checks"], deployedVersion: null, account: null };
  }
  const checks = VALIDATION_CHECK_IDS.map((id) => ({ id, label: VALIDATION_CHECKS[id].label, ...findings.checks[id] }));
  const failed = checks.filter((c) => c.status === "fail");
  // An older stack is offered the update even when every probe passes: the actions it lacks serve
  // features the probes do not exercise (a v2 stack cannot run drift detection).
  const missing = findings.deployedVersion !== null && findings.deployedVersion < TEMPLATE_VERSION ? missingActions(findings.deployedVersion) : [];
  const status = failed.length ? ("failed" as const) : ("passed" as const);
  const actor: Actor = { userId: run.requestedByUserId, name: run.requestedByName ?? "AWS validation", email: "" };
  await db.batch([
    updateValidationQuery(db, job.orgId, run.id, {
      status,
      checksJson: JSON.stringify(checks),
      deployedTemplateVersion: findings.deployedVersion,
      missingActionsJson: JSON.stringify(missing),
      finishedAt: at,
    }),
    ...(findings.account ? [updateAwsConnectionQuery(db, job.orgId, { accountJson: JSON.stringify(findings.account) })] : []),
    ...(status === "passed" ? [completePhaseQuery(db, job.orgId, "validation", at)] : []),
    auditInsert(db, {
      orgId: job.orgId,
      actor,
      resourceType: "aws_connection",
      resourceId: job.orgId,
      operation: "validate_stack",
      summary:
        status === "passed"
          ? `Connection validation passed (${checks.length} checks${checks.some((c) => c.status === "warn") ? `, warnings: ${checks.filter((c) => c.status === "warn").map((c) => c.label).join(", ")}` : ""})`
          : `Connection validation failed: ${failed.map((c) => c.label).join(", ")}`,
      after: { runId: run.id, status, failed: failed.map((c) => c.id), deployedTemplateVersion: findings.deployedVersion },
      at,
    }),
  ]);
}
