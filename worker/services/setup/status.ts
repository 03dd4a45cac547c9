/**
 * The AWS status badge in the sidebar header (troubleshooting__connection-issues.md): one of seven
 * states, from the saved connection, the latest validation run and the account status.
 */
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { findAwsConnection } from "../../db/aws";
import { findLatestValidation } from "../../db/setup";
import { stackUpdateUrl } from "../../aws/stack/links";
import { STACK_NAMES } from "../../aws/stack/template";
import type { AwsRegion } from "../../aws/regions";
import { DEMO_AWS } from "../demo";
import { parseAccountStatus } from "./account-status";
import { templateUrlOf } from "./integration";
import { VALIDATION_STUCK_AFTER } from "./validation";
import type { AwsBadgeState, AwsStatusView } from "./views";

export async function getAwsStatus(env: Env, org: Pick<OrgContext, "orgId" | "isDemo">, at = Date.now()): Promise<AwsStatusView> {
  if (org.isDemo) {
    return {
      state: "connected",
      region: DEMO_AWS.region,
      awsAccountId: DEMO_AWS.accountId,
      mode: "production",
      quota: { max24HourSend: 50_000, maxSendRate: 14, sentLast24Hours: 0 },
      lastValidatedAt: null,
      stackUpdateUrl: null,
    };
  }
  const db = getDb(env.DB);
  const [connection, run] = await Promise.all([findAwsConnection(db, org.orgId), findLatestValidation(db, org.orgId)]);
  const account = parseAccountStatus(connection?.accountJson ?? null);
  const region = (connection?.region ?? null) as AwsRegion | null;
  const updateAvailable = run !== undefined && (run.status === "failed" || run.status === "passed") && (JSON.parse(run.missingActionsJson) as string[]).length > 0;
  let state: AwsBadgeState;
  if (!connection?.roleArn) state = "not_connected";
  else if (connection.lastValidatedAt === null) state = "connecting";
  else if (run && (run.status === "queued" || run.status === "running") && run.createdAt >= at - VALIDATION_STUCK_AFTER) state = "validating";
  else if (connection.status === "failed") state = "error";
  else if (updateAvailable) state = "update_available";
  else if (run?.status === "failed") state = "error";
  else if (account?.mode === "sandbox") state = "sandbox";
  else state = "connected";
  return {
    state,
    region,
    awsAccountId: connection?.roleArn?.split(":")[4] ?? null,
    mode: account?.mode ?? null,
    quota: account?.quota ?? null,
    lastValidatedAt: connection?.lastValidatedAt ?? null,
    stackUpdateUrl: updateAvailable && region ? stackUpdateUrl({ region, templateUrl: templateUrlOf(env), stackName: STACK_NAMES.stack }) : null,
  };
}
