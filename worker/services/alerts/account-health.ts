/**
 * SES account health (docs/alerts.md), from what the account sync reads with GetAccount:
 * - `sending_quota_approaching` at ≥ 85 % of the 24-hour quota, `sending_quota_reached` at 100 %
 *   (SendQuota; an unlimited quota, -1, never alerts);
 * - `account_review_probation` while EnforcementStatus is not HEALTHY (PROBATION: under review;
 *   SHUTDOWN: sending paused by AWS);
 * - `sandbox_status_change` when ProductionAccessEnabled flips between two syncs;
 * - `ses_config_sync_failure` once per run of failed syncs (re-armed by the next successful one).
 * Each is an alert state per region (or a one-off raise for the sandbox flip, keyed by the sync).
 */
import type { Db } from "../../db/client";
import type { SesAccountStatus } from "../setup/views";
import type { RaiseFn } from "./raise";
import { applyObservations, dedupeKeyOf, type Observation } from "./state";

export const QUOTA_APPROACHING_PERCENT = 85;
const LINK = "aws-connection";

const ENFORCEMENT_WORDS: Record<string, string> = { PROBATION: "review (probation)", SHUTDOWN: "shutdown (sending paused by AWS)" };
const modeWords = (m: SesAccountStatus["mode"]) => (m === "production" ? "in production" : "in the sandbox");

export function accountHealthObservations(region: string, account: SesAccountStatus): Observation[] {
  const scope = `region:${region}`;
  const out: Observation[] = [];
  const q = account.quota;
  if (q && q.max24HourSend > 0) {
    const used = (q.sentLast24Hours * 100) / q.max24HourSend;
    const params = { percent: `${Math.floor(used)}%`, sent: q.sentLast24Hours, quota: q.max24HourSend, region };
    out.push(
      { alertKey: "ses_account_health.sending_quota_approaching", scope, value: used, threshold: QUOTA_APPROACHING_PERCENT, eligible: true, raise: { type: "ses_account_health.sending_quota_approaching", params, payload: { ...q, region }, link: LINK } },
      { alertKey: "ses_account_health.sending_quota_reached", scope, value: used, threshold: 100, eligible: true, raise: { type: "ses_account_health.sending_quota_reached", params, payload: { ...q, region }, link: LINK } },
    );
  }
  if (account.enforcementStatus !== null) {
    const status = ENFORCEMENT_WORDS[account.enforcementStatus] ?? account.enforcementStatus.toLowerCase();
    out.push({
      alertKey: "ses_account_health.account_review_probation",
      scope,
      value: account.enforcementStatus === "HEALTHY" ? 0 : 1,
      threshold: 1,
      eligible: true,
      raise: { type: "ses_account_health.account_review_probation", params: { status, region }, payload: { enforcementStatus: account.enforcementStatus, region }, link: LINK },
    });
  }
  return out;
}

/** After a successful sync: the levels above, the sandbox flip against the previous sync, and the failure alert re-armed. */
export async function evaluateAccountHealth(db: Db, orgId: string, region: string, previous: SesAccountStatus | null, account: SesAccountStatus, raise: RaiseFn, at: number): Promise<void> {
  await applyObservations(db, orgId, [...accountHealthObservations(region, account), syncFailureObservation(region, null)], raise, at);
  if (previous && previous.mode !== account.mode) {
    await raise({
      orgId,
      type: "ses_account_health.sandbox_status_change",
      params: { region, status: modeWords(account.mode), previous: modeWords(previous.mode) },
      payload: { region, mode: account.mode, previousMode: previous.mode },
      link: LINK,
      dedupeKey: dedupeKeyOf(orgId, "ses_account_health.sandbox_status_change", `region:${region}`, at),
    });
  }
}

function syncFailureObservation(region: string, error: string | null): Observation {
  return {
    alertKey: "ses_account_health.ses_config_sync_failure",
    scope: `region:${region}`,
    value: error === null ? 0 : 1,
    threshold: 1,
    eligible: true,
    raise: { type: "ses_account_health.ses_config_sync_failure", params: { error: error ?? "" }, payload: { region, error }, link: LINK },
  };
}

/** After a failed sync: raised once until a sync succeeds again. */
export async function evaluateSyncFailure(db: Db, orgId: string, region: string, error: string, raise: RaiseFn, at: number): Promise<void> {
  await applyObservations(db, orgId, [syncFailureObservation(region, error)], raise, at);
}
