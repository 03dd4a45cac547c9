import { sameRules } from "../../worker/classification/rules";
import type { LedgerSettings } from "../../worker/classification/types";
import { LOCKED_RANKS } from "./addresses";
import { readSettings, writeMeta } from "./meta";
import { candidateMatches } from "./preview";
import { ensureSchema } from "./schema";
import { refresh } from "./windows";

/**
 * Applies the Worker's view of the org. A rules change re-evaluates the addresses it can affect; a
 * retention change (plan change) re-evaluates everything.
 */
export function syncSettings(sql: SqlStorage, s: LedgerSettings, now: number): void {
  ensureSchema(sql);
  const cur = readSettings(sql);
  if (cur.orgId !== s.orgId) writeMeta(sql, "org_id", s.orgId);
  const rulesChanged = !sameRules(cur.rules, s.rules);
  if (rulesChanged) writeMeta(sql, "rules", JSON.stringify(s.rules));
  if (cur.retentionDays !== s.retentionDays) {
    writeMeta(sql, "retention_days", String(s.retentionDays));
    for (const { id } of sql.exec<{ id: number }>("SELECT id FROM ul_addresses").toArray()) refresh(sql, id, now);
  } else if (rulesChanged) {
    const ids = new Set(candidateMatches(sql, s.rules, s.retentionDays, now));
    for (const { id } of sql.exec<{ id: number }>("SELECT id FROM ul_addresses WHERE reason > ?", LOCKED_RANKS).toArray()) ids.add(id);
    for (const id of ids) refresh(sql, id, now);
  }
}
