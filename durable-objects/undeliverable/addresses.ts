import { normaliseEmail } from "../../worker/db/accounts";
import { reasonOfRank } from "../../worker/classification/rules";
import type { AddressStatus, AddressView } from "../../worker/classification/types";

/** Rows of `ul_addresses` (schema.ts), how they read as views, and their in-memory mirror for previews. */

/** Reason ranks 1–3 are the locked rules; above are the configurable ones (ranked events). */
export const LOCKED_RANKS = 3;
export const LISTED = 1;
export const EXCLUDED = 2;
/** Status values: 0 = known but not listed, 1 = listed, 2 = excluded by an operator. */
const STATUS_NAMES: Record<number, AddressStatus> = { 0: "clear", 1: "listed", 2: "excluded" };

export type AddressRow = {
  id: number;
  address: string;
  events: number;
  oldest_at: number | null;
  last_at: number | null;
  last_diagnostic: string | null;
  diagnostic_at: number | null;
  perm_at: number | null;
  perm_sub: string | null;
  complaint_at: number | null;
  complaint_sub: string | null;
  reject_at: number | null;
  reason: number | null;
  sub: string | null;
  status: number;
  last_change: number;
  excluded_at: number | null;
  excluded_note: string | null;
  excluded_by: string | null;
  next_check: number | null;
};

export const loadById = (sql: SqlStorage, id: number) => sql.exec<AddressRow>("SELECT * FROM ul_addresses WHERE id = ?", id).toArray()[0];
export const loadByEmail = (sql: SqlStorage, email: string) =>
  sql.exec<AddressRow>("SELECT * FROM ul_addresses WHERE address = ?", normaliseEmail(email)).toArray()[0];

export function view(row: AddressRow): AddressView {
  return {
    email: row.address,
    status: STATUS_NAMES[row.status]!,
    reason: row.reason === null ? null : reasonOfRank(row.reason),
    subType: row.sub,
    events: row.events,
    lastChange: row.last_change,
    lastDiagnostic: row.last_diagnostic,
    note: row.excluded_note,
    excludedAt: row.excluded_at,
    excludedBy: row.excluded_by,
  };
}

/**
 * Status, reason rank (0: none) and event count per address id, mirrored in memory for previews:
 * counting a candidate rule's matches is then a scan of one index plus array lookups, never a join.
 * Loaded on first use; every write of those columns goes through `mirror()`.
 */
type StateMirror = { status: Uint8Array; reason: Uint8Array; events: Uint32Array };
const mirrors = new WeakMap<SqlStorage, StateMirror>();

export function stateMirror(sql: SqlStorage): StateMirror {
  let m = mirrors.get(sql);
  if (m) return m;
  const maxId = sql.exec<{ id: number | null }>("SELECT max(id) AS id FROM ul_addresses").one().id ?? 0;
  m = sized(maxId + 1);
  for (const [id, status, reason, events] of sql
    .exec<{ id: number; status: number; reason: number; events: number }>("SELECT id, status, coalesce(reason, 0), events FROM ul_addresses")
    .raw<[number, number, number, number]>()) {
    [m.status[id], m.reason[id], m.events[id]] = [status, reason, events];
  }
  mirrors.set(sql, m);
  return m;
}

const sized = (n: number): StateMirror => ({ status: new Uint8Array(n), reason: new Uint8Array(n), events: new Uint32Array(n) });

/** Records an address's new state in the mirror (if loaded); a deleted address is all zeros. */
export function mirror(sql: SqlStorage, id: number, status: number, reason: number | null, events: number): void {
  let m = mirrors.get(sql);
  if (!m) return;
  if (id >= m.status.length) {
    const grown = sized(Math.max(id + 1, m.status.length * 2));
    grown.status.set(m.status);
    grown.reason.set(m.reason);
    grown.events.set(m.events);
    mirrors.set(sql, (m = grown));
  }
  [m.status[id], m.reason[id], m.events[id]] = [status, reason ?? 0, events];
}

/** Drops the mirror, so it is reloaded from what storage actually holds (after a rolled-back write). */
export function forgetMirror(sql: SqlStorage): void {
  mirrors.delete(sql);
}
