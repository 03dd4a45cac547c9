import { normaliseEmail } from "../../worker/db/accounts";
import { windowStart } from "../../worker/classification/evaluate";
import { reasonOfRank, reasonRank, type Reason } from "../../worker/classification/rules";
import type { AddressView, ListedAddress, ListQuery, QualifyingRow } from "../../worker/classification/types";
import { EXCLUDED, LISTED, loadByEmail, view, type AddressRow } from "./addresses";
import { readSettings } from "./meta";
import { ensureSchema } from "./schema";

/** Reads: one address, a page of the list, the stored events. */

export function getAddress(sql: SqlStorage, email: string): AddressView | null {
  ensureSchema(sql);
  const row = loadByEmail(sql, email);
  return row ? view(row) : null;
}

/** One page, newest change first; `nextAfter` is the keyset for the following page (null at the end). */
export function listAddresses(sql: SqlStorage, q: ListQuery): { rows: ListedAddress[]; nextAfter: ListQuery["after"] | null } {
  ensureSchema(sql);
  const where: string[] = [];
  const binds: (string | number)[] = [];
  if (q.status === "all") where.push("status > 0");
  else {
    where.push("status = ?");
    binds.push(q.status === "listed" ? LISTED : EXCLUDED);
  }
  if (q.reason) {
    where.push("reason = ?");
    binds.push(reasonRank(q.reason));
  }
  if (q.search) {
    where.push("address LIKE ? ESCAPE '\\'");
    binds.push(`%${q.search.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  }
  if (q.after) {
    where.push("(last_change < ? OR (last_change = ? AND address > ?))");
    binds.push(q.after.lastChange, q.after.lastChange, q.after.email);
  }
  const rows = sql
    .exec<AddressRow>(
      `SELECT * FROM ul_addresses WHERE ${where.join(" AND ")} ORDER BY last_change DESC, address LIMIT ?`,
      ...binds,
      q.limit + 1,
    )
    .toArray();
  // The WHERE clause admits only status 1 and 2.
  const page = rows.slice(0, q.limit).map((r) => view(r) as ListedAddress);
  const last = page[page.length - 1];
  return { rows: page, nextAfter: rows.length > q.limit && last ? { lastChange: last.lastChange, email: last.email } : null };
}

/** The event type and bounce type of each category's events: `categorize` gives each pair one category. */
const SIGNALS: Record<Reason, Pick<QualifyingRow, "eventType" | "bounceType">> = {
  permanent_bounce: { eventType: "bounce", bounceType: "Permanent" },
  complaint: { eventType: "complaint", bounceType: null },
  rejected: { eventType: "reject", bounceType: null },
  repeated_transient: { eventType: "bounce", bounceType: "Transient" },
  undetermined: { eventType: "bounce", bounceType: "Undetermined" },
  soft_bounce_accumulation: { eventType: "bounce", bounceType: "Transient" },
};

type EventRow = {
  event_key: string;
  address: string;
  at: number;
  cat: number;
  sub: string | null;
  diagnostic: string | null;
  message_id: string;
  channel_id: string | null;
};

/**
 * Stored events newest first (ties by event key), of one address (an index range) or of all (a scan:
 * for tests and diagnostics). Events past retention that the alarm has not dropped yet are left out.
 */
export function listEvents(sql: SqlStorage, q: { email?: string; since?: number; limit: number }, now: number): QualifyingRow[] {
  ensureSchema(sql);
  const from = Math.max(q.since ?? 0, windowStart(now, readSettings(sql).retentionDays));
  const select = `SELECT e.event_key, a.address, e.at, e.cat, e.sub, e.diagnostic, e.message_id, e.channel_id
    FROM ul_events e JOIN ul_addresses a ON a.id = e.addr_id`;
  const order = "ORDER BY e.at DESC, e.event_key LIMIT ?";
  const rows =
    q.email === undefined
      ? sql.exec<EventRow>(`${select} WHERE e.at >= ? ${order}`, from, q.limit)
      : sql.exec<EventRow>(`${select} WHERE a.address = ? AND e.at >= ? ${order}`, normaliseEmail(q.email), from, q.limit);
  return rows.toArray().map((r) => ({
    eventKey: r.event_key,
    email: r.address,
    at: r.at,
    ...SIGNALS[reasonOfRank(r.cat)],
    subType: r.sub,
    diagnostic: r.diagnostic,
    messageId: r.message_id,
    channelId: r.channel_id,
  }));
}
