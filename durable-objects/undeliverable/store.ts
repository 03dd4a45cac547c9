import type { Preview } from "../../worker/classification/preview";
import type { Rules } from "../../worker/classification/rules";
import type { LedgerSettings, ListQuery, QualifyingRow } from "../../worker/classification/types";
import { forgetMirror } from "./addresses";
import { excludeAddress, relistAddress } from "./exclusions";
import { forgetSettings } from "./meta";
import { acknowledge, pendingEntries, type OutboxEntry } from "./outbox";
import { previewRules } from "./preview";
import { recordEvents } from "./record";
import { syncSettings } from "./settings";
import { getAddress, listAddresses, listEvents } from "./views";
import { nextDueAt, processDue } from "./windows";

/**
 * What the OrgLedger exposes for the Undeliverable list, so its RPC methods are one-line delegations.
 * Every Worker call brings the current settings; due re-evaluations run before answering, so a read
 * never shows an address whose window lapsed a moment before the alarm fired.
 */
export class UndeliverableStore {
  private readonly sql: SqlStorage;
  /** The alarm as last set or read (undefined: not read yet), so ingest rarely waits on storage for it. */
  private alarmAt: number | null | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    /** The time every re-evaluation is made at: the DO's clock, which tests set instead of waiting. */
    private readonly clock: () => number,
  ) {
    this.sql = storage.sql;
  }

  /**
   * Runs `fn` as one SQLite transaction: all of it or none. On failure the in-memory caches of this
   * storage are dropped too, so they are reloaded from what was actually committed.
   */
  private atomically<T>(fn: () => T): T {
    try {
      return this.storage.transactionSync(fn);
    } catch (err) {
      forgetSettings(this.sql);
      forgetMirror(this.sql);
      throw err;
    }
  }

  private catchUp(settings: LedgerSettings | null): void {
    const now = this.clock();
    this.atomically(() => {
      if (settings) syncSettings(this.sql, settings, now);
      while (processDue(this.sql, now).more);
    });
  }

  /** Points the alarm at the next due re-evaluation unless it already fires earlier. */
  async schedule(): Promise<void> {
    const next = nextDueAt(this.sql);
    if (next === null) return;
    if (this.alarmAt === undefined) this.alarmAt = await this.storage.getAlarm();
    if (this.alarmAt === null || next < this.alarmAt) {
      await this.storage.setAlarm(next);
      this.alarmAt = next;
    }
  }

  /** Records the rows; answers with the outbox entries D1 has not acknowledged yet, new or older. */
  async record(rows: readonly QualifyingRow[]): Promise<{ stored: number; outbox: OutboxEntry[] }> {
    const { stored } = this.atomically(() => recordEvents(this.sql, rows, this.clock()));
    await this.schedule();
    return { stored, outbox: pendingEntries(this.sql) };
  }

  /** D1 holds these entries: they leave the outbox. Answers with the next ones still pending. */
  acknowledge(keys: readonly string[]): OutboxEntry[] {
    this.atomically(() => acknowledge(this.sql, keys));
    return pendingEntries(this.sql);
  }

  events(q: { email?: string; since?: number; limit: number }): QualifyingRow[] {
    return listEvents(this.sql, q, this.clock());
  }

  /** The alarm's share of the work: lapse windows and retention, then re-arm. */
  async alarm(): Promise<void> {
    // The alarm that is running is spent; schedule() sets the next one.
    this.alarmAt = null;
    this.catchUp(null);
    await this.schedule();
  }

  async sync(settings: LedgerSettings): Promise<void> {
    this.catchUp(settings);
    await this.schedule();
  }

  async list(settings: LedgerSettings, q: ListQuery) {
    this.catchUp(settings);
    await this.schedule();
    return listAddresses(this.sql, q);
  }

  async get(settings: LedgerSettings, email: string) {
    this.catchUp(settings);
    await this.schedule();
    return getAddress(this.sql, email);
  }

  async exclude(settings: LedgerSettings, email: string, e: { at: number; note: string | null; by: string }) {
    this.catchUp(settings);
    return this.atomically(() => excludeAddress(this.sql, email, e));
  }

  async relist(settings: LedgerSettings, email: string) {
    this.catchUp(settings);
    const view = this.atomically(() => relistAddress(this.sql, email, this.clock()));
    await this.schedule();
    return view;
  }

  async preview(settings: LedgerSettings, candidate: Rules): Promise<Preview> {
    this.catchUp(settings);
    await this.schedule();
    return previewRules(this.sql, candidate, this.clock());
  }
}
