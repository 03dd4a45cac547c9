/**
 * Once per breach (docs/alerts.md): every evaluator reports observations — a value against a threshold in
 * a scope — and this module turns them into raises. An alert fires when an eligible value reaches its
 * threshold while the alert is ok; it stays firing (raising nothing more) until the value falls below
 * REARM_FRACTION of the threshold; a new breach within ALERT_COOLDOWN_MS of the last raise is recorded
 * but not raised. The dedupe key names the breach: org, alert, scope and the breach's start.
 */
import type { Db } from "../../db/client";
import { claimBreach, listAlertStates, releaseBreach, updateAlertStateQuery, type AlertStateRow } from "../../db/alerts";
import { ALERT_COOLDOWN_MS, REARM_FRACTION } from "../../lib/alert-thresholds";
import type { RaiseFn, RaiseRequest } from "./raise";

export interface Observation {
  alertKey: string;
  scope: string;
  value: number;
  threshold: number;
  /** False when the value is not to be judged (below the minimum volume): the state stays as it is. */
  eligible: boolean;
  /** The notification a breach raises (org and dedupe key are added). */
  raise: Omit<RaiseRequest, "orgId" | "dedupeKey">;
  /** Done once per breach, after the claim and before the raise (auto-pause); may add to the payload. */
  act?: () => Promise<Record<string, unknown> | void>;
}

export const dedupeKeyOf = (orgId: string, alertKey: string, scope: string, breachStart: number) => `${orgId}:${alertKey}:${scope}:${breachStart}`;

const stateKey = (alertKey: string, scope: string) => `${alertKey}\u0000${scope}`;

export async function loadAlertStates(db: Db, orgId: string): Promise<Map<string, AlertStateRow>> {
  return new Map((await listAlertStates(db, orgId)).map((r) => [stateKey(r.alertKey, r.scope), r]));
}

/** Applies the observations; returns how many raised. `states`: the org's rows (loadAlertStates), read once per evaluation. */
export async function applyObservations(db: Db, orgId: string, observations: readonly Observation[], raise: RaiseFn, at: number, states?: Map<string, AlertStateRow>): Promise<number> {
  const known = states ?? (await loadAlertStates(db, orgId));
  const updates = [];
  let raised = 0;
  for (const o of observations) {
    const key = { orgId, alertKey: o.alertKey, scope: o.scope };
    const prev = known.get(stateKey(o.alertKey, o.scope));
    if (prev?.state === "firing") {
      if (o.eligible && o.value < o.threshold * REARM_FRACTION) updates.push(updateAlertStateQuery(db, key, { state: "ok", since: at, lastValue: o.value, updatedAt: at }));
      else if (o.eligible && prev.lastValue !== o.value) updates.push(updateAlertStateQuery(db, key, { lastValue: o.value, updatedAt: at }));
      continue;
    }
    if (!o.eligible || o.value < o.threshold) continue;
    const inCooldown = prev?.lastRaisedAt != null && at - prev.lastRaisedAt < ALERT_COOLDOWN_MS;
    if (!(await claimBreach(db, { ...key, value: o.value, at, raised: !inCooldown }))) continue;
    if (inCooldown) continue;
    try {
      const extra = o.act ? await o.act() : undefined;
      const payload = extra || o.raise.payload ? { ...o.raise.payload, ...extra } : undefined;
      await raise({ ...o.raise, ...(payload ? { payload } : {}), orgId, dedupeKey: dedupeKeyOf(orgId, o.alertKey, o.scope, at) });
      raised++;
    } catch (err) {
      await releaseBreach(db, prev, key, at);
      throw err;
    }
  }
  if (updates.length) await db.batch(updates as [(typeof updates)[number], ...typeof updates]);
  return raised;
}
