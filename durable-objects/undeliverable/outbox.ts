import type { Reason } from "../../worker/classification/rules";
import { ensureSchema } from "./schema";

/**
 * `ul_outbox`: what D1 must still be told of the OrgLedger's own changes, written in the same
 * transaction as the change. The Worker applies the entries to D1 (idempotently) and acknowledges them;
 * until then every `recordQualifying` answer offers them again, so a failed D1 write is retried on the
 * queue's retry of the batch (or with the workspace's next qualifying events), never lost.
 */

/** A failure after an operator's Allow listed the address again: D1 must forget that Allow and audit it. */
export interface OutboxEntry {
  /** The change's identity, the address and the Allow's time: an Allow ends at most once. */
  key: string;
  email: string;
  /** The Allow that ended: D1's `allowed_at` (a newer Allow in D1 is left alone). */
  allowedAt: number;
  note: string | null;
  /** When the OrgLedger listed the address again, and what it now shows. */
  at: number;
  reason: Reason;
  subType: string | null;
  events: number;
}

/** Entries handed out per call: one D1 batch of two statements each. */
export const OUTBOX_PAGE = 50;

export function enqueue(sql: SqlStorage, change: Omit<OutboxEntry, "key">): void {
  const entry: OutboxEntry = { key: `${change.email} ${change.allowedAt}`, ...change };
  sql.exec("INSERT INTO ul_outbox (key, entry) VALUES (?, ?)", entry.key, JSON.stringify(entry));
}

/** The oldest entries not acknowledged yet. */
export function pendingEntries(sql: SqlStorage, limit = OUTBOX_PAGE): OutboxEntry[] {
  ensureSchema(sql);
  return sql
    .exec<{ entry: string }>("SELECT entry FROM ul_outbox ORDER BY rowid LIMIT ?", limit)
    .toArray()
    .map((r) => JSON.parse(r.entry) as OutboxEntry);
}

/** D1 holds these: they leave the outbox. An unknown key (acknowledged twice) changes nothing. */
export function acknowledge(sql: SqlStorage, keys: readonly string[]): void {
  ensureSchema(sql);
  for (const key of keys) sql.exec("DELETE FROM ul_outbox WHERE key = ?", key);
}
