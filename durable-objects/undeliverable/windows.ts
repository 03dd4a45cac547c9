import { evaluateDigest, windowStart, type AddressDigest } from "../../worker/classification/evaluate";
import { reasonRank, type ConfigurableRule } from "../../worker/classification/rules";
import { DAY } from "../../worker/lib/time";
import { EXCLUDED, LISTED, loadById, mirror, type AddressRow } from "./addresses";
import { readSettings } from "./meta";
import { ensureSchema } from "./schema";

/**
 * Re-evaluation of addresses as time passes: each address's `next_check` is the moment its outcome can
 * next change by itself (a window or the retention lapsing); the alarm processes those that are due.
 */

function digestOfRow(sql: SqlStorage, row: AddressRow): AddressDigest {
  const nth = new Map<string, number>();
  for (const e of sql.exec<{ cat: number; pos: number; at: number }>(
    "SELECT cat, pos, at FROM ul_events INDEXED BY ul_events_rank WHERE addr_id = ? AND pos IS NOT NULL",
    row.id,
  )) {
    nth.set(`${e.cat}:${e.pos}`, e.at);
  }
  const latest: AddressDigest["latest"] = {};
  if (row.perm_at !== null) latest.permanent_bounce = { at: row.perm_at, subType: row.perm_sub };
  if (row.complaint_at !== null) latest.complaint = { at: row.complaint_at, subType: row.complaint_sub };
  if (row.reject_at !== null) latest.rejected = { at: row.reject_at, subType: null };
  return { latest, nthRecent: (rule: ConfigurableRule, n: number) => nth.get(`${reasonRank(rule)}:${n}`) };
}

/** Brings one address up to date at `now` (see `refreshRow`). */
export function refresh(sql: SqlStorage, id: number, now: number): void {
  const row = loadById(sql, id);
  if (row) refreshRow(sql, row, now);
}

/** The operator's Allow a new failure ended: its time and note. */
export type EndedExclusion = { allowedAt: number; note: string | null };

/**
 * Brings one address up to date at `now`: drops its events that left the retention window, evaluates
 * the saved rules, and saves the row (or deletes it once nothing is left and no exclusion holds).
 * `newestAt` is the newest event just ingested for it: a failure after an operator's Allow that lists
 * the address again ends the exclusion, which is returned.
 */
export function refreshRow(sql: SqlStorage, row: AddressRow, now: number, newestAt?: number): EndedExclusion | null {
  const id = row.id;
  const { retentionDays, rules } = readSettings(sql);
  const cutoff = windowStart(now, retentionDays);
  if (row.oldest_at !== null && row.oldest_at < cutoff) {
    sql.exec("DELETE FROM ul_events WHERE addr_id = ? AND at < ?", id, cutoff);
    const left = sql.exec<{ n: number; oldest: number | null }>(
      "SELECT count(*) AS n, min(at) AS oldest FROM ul_events WHERE addr_id = ?",
      id,
    ).one();
    row.events = left.n;
    row.oldest_at = left.oldest;
    // Each column holds its category's latest event: older than the cutoff means none is left.
    if (row.perm_at !== null && row.perm_at < cutoff) [row.perm_at, row.perm_sub] = [null, null];
    if (row.complaint_at !== null && row.complaint_at < cutoff) [row.complaint_at, row.complaint_sub] = [null, null];
    if (row.reject_at !== null && row.reject_at < cutoff) row.reject_at = null;
  }
  if (row.events === 0 && row.excluded_at === null) {
    sql.exec("DELETE FROM ul_addresses WHERE id = ?", id);
    mirror(sql, id, 0, null, 0);
    return null;
  }
  const ev = evaluateDigest(digestOfRow(sql, row), rules, now, retentionDays);
  let ended: EndedExclusion | null = null;
  if (row.excluded_at !== null && newestAt !== undefined && newestAt > row.excluded_at && ev.reason !== null) {
    ended = { allowedAt: row.excluded_at, note: row.excluded_note };
    [row.excluded_at, row.excluded_note, row.excluded_by] = [null, null, null];
  }
  row.reason = ev.reason === null ? null : reasonRank(ev.reason);
  row.sub = ev.subType;
  row.status = row.excluded_at !== null ? EXCLUDED : ev.reason !== null ? LISTED : 0;
  row.last_change = row.excluded_at ?? row.last_at ?? now;
  const retentionLapse = row.oldest_at === null ? null : row.oldest_at + retentionDays * DAY + 1;
  const checks = [ev.nextChange, retentionLapse].filter((t): t is number => t !== null);
  row.next_check = checks.length ? Math.min(...checks) : null;
  sql.exec(
    `UPDATE ul_addresses SET events = ?, oldest_at = ?, last_at = ?, last_diagnostic = ?, diagnostic_at = ?,
       perm_at = ?, perm_sub = ?, complaint_at = ?, complaint_sub = ?, reject_at = ?, reason = ?, sub = ?,
       status = ?, last_change = ?, excluded_at = ?, excluded_note = ?, excluded_by = ?, next_check = ?
     WHERE id = ?`,
    row.events,
    row.oldest_at,
    row.last_at,
    row.last_diagnostic,
    row.diagnostic_at,
    row.perm_at,
    row.perm_sub,
    row.complaint_at,
    row.complaint_sub,
    row.reject_at,
    row.reason,
    row.sub,
    row.status,
    row.last_change,
    row.excluded_at,
    row.excluded_note,
    row.excluded_by,
    row.next_check,
    id,
  );
  mirror(sql, id, row.status, row.reason, row.events);
  return ended;
}

/** The earliest `next_check`: when the DO's alarm should fire. */
export function nextDueAt(sql: SqlStorage): number | null {
  ensureSchema(sql);
  // The IS NOT NULL lets SQLite answer from the partial index instead of scanning every address.
  return sql.exec<{ t: number | null }>("SELECT min(next_check) AS t FROM ul_addresses WHERE next_check IS NOT NULL").one().t;
}

/** Alarm work: re-evaluates addresses whose windows or retention lapsed. `more` = call again. */
export function processDue(sql: SqlStorage, now: number, limit = 2000): { processed: number; more: boolean } {
  ensureSchema(sql);
  const due = sql
    .exec<{ id: number }>("SELECT id FROM ul_addresses WHERE next_check <= ? ORDER BY next_check LIMIT ?", now, limit + 1)
    .toArray();
  for (const { id } of due.slice(0, limit)) refresh(sql, id, now);
  return { processed: Math.min(due.length, limit), more: due.length > limit };
}
