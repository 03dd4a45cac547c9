import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { alertEvaluations, alertStates, alertThresholds } from "./schema";

/* Data access of the alert evaluators (worker/services/alerts): alert states, thresholds, the debounce mark. */

export type AlertStateRow = typeof alertStates.$inferSelect;
export type AlertThresholdRow = typeof alertThresholds.$inferSelect;

export function listAlertStates(db: Db, orgId: string) {
  return db.select().from(alertStates).where(eq(alertStates.orgId, orgId)).all();
}

/**
 * ok (or no row) → firing, claimed by one conditional write: of several evaluations running alongside,
 * exactly one gets the row back. `raised`: the claim raises now (stamps `last_raised_at`), or it falls in
 * the cooldown and only records the breach.
 */
export async function claimBreach(db: Db, r: { orgId: string; alertKey: string; scope: string; value: number; at: number; raised: boolean }): Promise<boolean> {
  const rows = await db.all<{ since: number }>(sql`INSERT INTO alert_states (org_id, alert_key, scope, state, since, last_value, last_raised_at, updated_at)
    VALUES (${r.orgId}, ${r.alertKey}, ${r.scope}, 'firing', ${r.at}, ${r.value}, ${r.raised ? r.at : null}, ${r.at})
    ON CONFLICT (org_id, alert_key, scope) DO UPDATE SET state = 'firing', since = excluded.since, last_value = excluded.last_value,
      last_raised_at = COALESCE(excluded.last_raised_at, alert_states.last_raised_at), updated_at = excluded.updated_at
    WHERE alert_states.state = 'ok'
    RETURNING since`);
  return rows.length === 1;
}

/** Undoes a claim whose raise failed, so the next evaluation tries again. */
export function releaseBreach(db: Db, prev: AlertStateRow | undefined, key: { orgId: string; alertKey: string; scope: string }, claimedAt: number) {
  const where = and(eq(alertStates.orgId, key.orgId), eq(alertStates.alertKey, key.alertKey), eq(alertStates.scope, key.scope), eq(alertStates.since, claimedAt));
  if (!prev) return db.delete(alertStates).where(where).run();
  return db.update(alertStates).set({ state: prev.state, since: prev.since, lastRaisedAt: prev.lastRaisedAt, updatedAt: prev.updatedAt }).where(where).run();
}

/** firing → ok (re-armed), or a new last value for a row that stays as it is. */
export function updateAlertStateQuery(db: Db, key: { orgId: string; alertKey: string; scope: string }, set: Partial<Pick<AlertStateRow, "state" | "since" | "lastValue" | "updatedAt">>) {
  return db
    .update(alertStates)
    .set(set)
    .where(and(eq(alertStates.orgId, key.orgId), eq(alertStates.alertKey, key.alertKey), eq(alertStates.scope, key.scope)));
}

export function listAlertThresholds(db: Db, orgId: string) {
  return db.select().from(alertThresholds).where(eq(alertThresholds.orgId, orgId)).all();
}

export function upsertAlertThresholdsQuery(db: Db, row: AlertThresholdRow) {
  const { orgId: _o, channelId: _c, ...set } = row;
  return db.insert(alertThresholds).values(row).onConflictDoUpdate({ target: [alertThresholds.orgId, alertThresholds.channelId], set });
}

export function deleteAlertThresholdsQuery(db: Db, orgId: string, channelId: string) {
  return db.delete(alertThresholds).where(and(eq(alertThresholds.orgId, orgId), eq(alertThresholds.channelId, channelId)));
}

/** Claims the workspace's next evaluation slot: true when none was queued in the last `debounceMs`. */
export async function claimEvaluationSlot(db: Db, orgId: string, at: number, debounceMs: number): Promise<boolean> {
  const rows = await db.all<{ queued_at: number }>(sql`INSERT INTO alert_evaluations (org_id, queued_at) VALUES (${orgId}, ${at})
    ON CONFLICT (org_id) DO UPDATE SET queued_at = excluded.queued_at
    WHERE alert_evaluations.queued_at IS NULL OR alert_evaluations.queued_at <= ${at - debounceMs}
    RETURNING queued_at`);
  return rows.length === 1;
}

export function markEvaluatedQuery(db: Db, orgId: string, at: number) {
  return db.insert(alertEvaluations).values({ orgId, evaluatedAt: at }).onConflictDoUpdate({ target: alertEvaluations.orgId, set: { evaluatedAt: at } });
}

/** Workspaces with any activity to evaluate: those that received events since `since`, or have firing alerts. */
export async function orgsToSweep(db: Db, since: number): Promise<string[]> {
  const rows = await db.all<{ org_id: string }>(sql`SELECT org_id FROM alert_evaluations WHERE queued_at >= ${since}
    UNION SELECT DISTINCT org_id FROM alert_states WHERE state = 'firing'`);
  return rows.map((r) => r.org_id);
}

/** Additions to the suppression list copy in [from, to) (by SES's last update time, on its index). */
export async function countSuppressionsUpdated(db: Db, orgId: string, from: number, to: number): Promise<number> {
  const rows = await db.all<{ n: number }>(sql`SELECT COUNT(*) AS n FROM suppressed_destinations
    WHERE org_id = ${orgId} AND last_update_time >= ${from} AND last_update_time < ${to}`);
  return Number(rows[0]?.n ?? 0);
}

/** The workspace's sending domains: domain identities that are not archived. */
export async function listSendingDomains(db: Db, orgId: string): Promise<string[]> {
  const rows = await db.all<{ identity: string }>(sql`SELECT identity FROM identities
    WHERE org_id = ${orgId} AND kind = 'domain' AND archived_at IS NULL ORDER BY identity`);
  return rows.map((r) => r.identity);
}

/** Workspaces with at least one sending domain (the daily blocklist check). */
export async function orgsWithSendingDomains(db: Db): Promise<string[]> {
  const rows = await db.all<{ org_id: string }>(sql`SELECT DISTINCT i.org_id FROM identities i JOIN orgs o ON o.id = i.org_id
    WHERE i.kind = 'domain' AND i.archived_at IS NULL AND o.is_demo = 0`);
  return rows.map((r) => r.org_id);
}

/** Claims a digest period once per workspace: true only for the first claim of a period later than the last one. */
export async function claimPeriod(db: Db, orgId: string, alertKey: string, periodStart: number, at: number): Promise<boolean> {
  const rows = await db.all<{ since: number }>(sql`INSERT INTO alert_states (org_id, alert_key, scope, state, since, last_value, last_raised_at, updated_at)
    VALUES (${orgId}, ${alertKey}, 'workspace', 'ok', ${periodStart}, NULL, ${at}, ${at})
    ON CONFLICT (org_id, alert_key, scope) DO UPDATE SET since = excluded.since, last_raised_at = excluded.last_raised_at, updated_at = excluded.updated_at
    WHERE alert_states.since < excluded.since
    RETURNING since`);
  return rows.length === 1;
}

/** Workspaces (not the demo) with any counted activity in [from, to) (day rollups). */
export async function orgsActiveBetween(db: Db, from: number, to: number): Promise<string[]> {
  const rows = await db.all<{ org_id: string }>(sql`SELECT DISTINCT r.org_id FROM rollup_all_totals r JOIN orgs o ON o.id = r.org_id
    WHERE r.bucket_size = 'day' AND r.bucket_start >= ${from} AND r.bucket_start < ${to} AND o.is_demo = 0`);
  return rows.map((r) => r.org_id);
}
