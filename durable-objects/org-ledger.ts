import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env";
import { now } from "../worker/lib/time";
import type { Rules } from "../worker/classification/rules";
import type { LedgerSettings, ListQuery, QualifyingRow } from "../worker/classification/types";
import type { OutboxEntry } from "./undeliverable/outbox";
import { UndeliverableStore } from "./undeliverable/store";

export type { OutboxEntry, QualifyingRow };

/**
 * One per org, addressed by `env.ORG_LEDGER.idFromName(orgId)`. Holds the org's qualifying events —
 * bounces, complaints and rejects — in its SQLite storage, one row per (event, recipient), keyed by the
 * ingest `event_key`, so recording is idempotent. The ingest consumer forwards every qualifying row of a
 * batch after its D1 commit (new rows and duplicates alike: a retry after a failed call still gets them
 * here). The events live once, in the Undeliverable list's storage (durable-objects/undeliverable/:
 * `ul_events` with `ul_addresses`), which also prunes them after the plan's retention.
 *
 * The ledger writes only its own storage. What D1 must learn of its changes (a new failure ended an
 * operator's Allow) it records in an outbox, in the same transaction as the change; the caller applies
 * those entries to D1 and acknowledges them (worker/services/org-ledger.ts).
 *
 * RPC API:
 *   recordQualifying(rows: QualifyingRow[]) → { stored, outbox }   stored = rows not seen before (one
 *     transaction); outbox = entries D1 has not acknowledged yet (at most OUTBOX_PAGE), new or older
 *   ackOutbox(keys) → the next pending entries
 *   listQualifying({ email?, since?, limit? }) → QualifyingRow[]   newest first
 *   undeliverable*(settings, …) → the Undeliverable list; alarm() lets its rolling windows and retention lapse.
 */
export class OrgLedger extends DurableObject<Env> {
  /**
   * The ledger's time: windows lapse, retention expires and the alarm re-evaluates against it. The
   * runtime constructs the object, so this field is the seam: tests set it (runInDurableObject) to move
   * time instead of waiting.
   */
  clock: () => number = now;

  private ul: UndeliverableStore | undefined;
  private get undeliverable(): UndeliverableStore {
    return (this.ul ??= new UndeliverableStore(this.ctx.storage, () => this.clock()));
  }

  /** Stores each row once (by event key); replays and duplicates change nothing. */
  recordQualifying(rows: QualifyingRow[]): Promise<{ stored: number; outbox: OutboxEntry[] }> {
    return this.undeliverable.record(rows);
  }

  /** The caller wrote these outbox entries to D1: they are dropped; answers with the next pending ones. */
  ackOutbox(keys: string[]): OutboxEntry[] {
    return this.undeliverable.acknowledge(keys);
  }

  /** Stored qualifying rows, newest first, optionally for one address and/or since a time. */
  listQualifying(q: { email?: string; since?: number; limit?: number } = {}): QualifyingRow[] {
    return this.undeliverable.events({ ...q, limit: Math.min(Math.max(q.limit ?? 1000, 1), 10_000) });
  }

  override async alarm(): Promise<void> {
    await this.undeliverable.alarm();
  }

  undeliverableList(settings: LedgerSettings, q: ListQuery) {
    return this.undeliverable.list(settings, q);
  }

  undeliverableGet(settings: LedgerSettings, email: string) {
    return this.undeliverable.get(settings, email);
  }

  undeliverableExclude(settings: LedgerSettings, email: string, e: { at: number; note: string | null; by: string }) {
    return this.undeliverable.exclude(settings, email, e);
  }

  undeliverableRelist(settings: LedgerSettings, email: string) {
    return this.undeliverable.relist(settings, email);
  }

  undeliverablePreview(settings: LedgerSettings, candidate: Rules) {
    return this.undeliverable.preview(settings, candidate);
  }

  undeliverableSync(settings: LedgerSettings) {
    return this.undeliverable.sync(settings);
  }
}
