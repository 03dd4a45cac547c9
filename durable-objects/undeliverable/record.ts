import { normaliseEmail } from "../../worker/db/accounts";
import { categorize, windowStart } from "../../worker/classification/evaluate";
import { MAX_EVENTS, reasonOfRank, reasonRank } from "../../worker/classification/rules";
import type { QualifyingRow } from "../../worker/classification/types";
import { LOCKED_RANKS, loadByEmail, type AddressRow } from "./addresses";
import { readSettings } from "./meta";
import { enqueue } from "./outbox";
import { ensureSchema } from "./schema";
import { refreshRow } from "./windows";

/**
 * Stores qualifying events (idempotent by event key) and re-evaluates each touched address once.
 * Returns how many were new. An operator's Allow a new failure ended goes to the outbox, for D1.
 */
export function recordEvents(sql: SqlStorage, rows: readonly QualifyingRow[], now: number): { stored: number } {
  ensureSchema(sql);
  const cutoff = windowStart(now, readSettings(sql).retentionDays);
  // Each touched address is loaded once, updated in memory and written once by refreshRow.
  const touched = new Map<string, { row: AddressRow; newestAt: number }>();
  let stored = 0;
  for (const r of rows) {
    const c = categorize(r);
    if (!c || r.at < cutoff) continue;
    const email = normaliseEmail(r.email);
    let entry = touched.get(email);
    if (!entry) {
      const row =
        loadByEmail(sql, email) ??
        sql.exec<AddressRow>("INSERT INTO ul_addresses (address, last_change) VALUES (?, ?) RETURNING *", email, r.at).one();
      entry = { row, newestAt: r.at };
      touched.set(email, entry);
    }
    const { row } = entry;
    const cat = reasonRank(c.reason);
    const inserted = sql
      .exec(
        `INSERT INTO ul_events (event_key, addr_id, cat, sub, at, diagnostic, message_id, channel_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_key) DO NOTHING RETURNING 1`,
        r.eventKey,
        row.id,
        cat,
        r.subType,
        r.at,
        r.diagnostic,
        r.messageId,
        r.channelId,
      )
      .toArray().length;
    if (!inserted) continue;
    if (cat > LOCKED_RANKS) {
      const newer = sql.exec<{ n: number }>(
        `SELECT count(*) AS n FROM ul_events INDEXED BY ul_events_rank
         WHERE addr_id = ? AND cat = ? AND pos IS NOT NULL AND (at > ? OR (at = ? AND event_key > ?))`,
        row.id,
        cat,
        r.at,
        r.at,
        r.eventKey,
      ).one().n;
      if (newer < MAX_EVENTS) {
        // Older events move one place back; the one pushed past the 100th leaves the ranking for good.
        sql.exec(
          "UPDATE ul_events INDEXED BY ul_events_rank SET pos = CASE WHEN pos >= ? THEN NULL ELSE pos + 1 END WHERE addr_id = ? AND cat = ? AND pos > ?",
          MAX_EVENTS,
          row.id,
          cat,
          newer,
        );
        sql.exec("UPDATE ul_events SET pos = ? WHERE event_key = ?", newer + 1, r.eventKey);
      }
    }
    row.events++;
    row.oldest_at = Math.min(row.oldest_at ?? r.at, r.at);
    row.last_at = Math.max(row.last_at ?? r.at, r.at);
    if (r.diagnostic && r.at >= (row.diagnostic_at ?? r.at)) [row.last_diagnostic, row.diagnostic_at] = [r.diagnostic, r.at];
    if (c.reason === "permanent_bounce" && r.at >= (row.perm_at ?? r.at)) [row.perm_at, row.perm_sub] = [r.at, c.subType];
    if (c.reason === "complaint" && r.at >= (row.complaint_at ?? r.at)) [row.complaint_at, row.complaint_sub] = [r.at, c.subType];
    if (c.reason === "rejected") row.reject_at = Math.max(row.reject_at ?? r.at, r.at);
    entry.newestAt = Math.max(entry.newestAt, r.at);
    stored++;
  }
  for (const [email, { row, newestAt }] of touched) {
    const ended = refreshRow(sql, row, now, newestAt);
    // An ended exclusion means a rule matches: the row has its reason.
    if (ended) enqueue(sql, { email, ...ended, at: now, reason: reasonOfRank(row.reason!), subType: row.sub, events: row.events });
  }
  return { stored };
}
