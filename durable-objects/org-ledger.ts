import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env";
import type { EventType } from "../worker/db/schema";
import { RETENTION_DAYS } from "../worker/services/retention";
import type { Rules } from "../worker/services/classification/rules";
import type { LedgerSettings, ListQuery } from "../worker/services/classification/types";
import { UndeliverableStore } from "./undeliverable";

/**
 * One per org, addressed by `env.ORG_LEDGER.idFromName(orgId)`. Holds the org's qualifying events —
 * bounces (any type), complaints and rejects — in its SQLite storage, one row per (event, recipient),
 * keyed by the ingest `event_key`, so recording is idempotent. The ingest consumer forwards every
 * qualifying row of a batch after its D1 commit (new rows and duplicates alike: a retry after a failed
 * call still gets them here). The undeliverable classification reads these rows.
 *
 * RPC API:
 *   recordQualifying(rows: QualifyingRow[]) → { stored }   stored = rows not seen before
 *   listQualifying({ email?, since?, limit? }) → QualifyingRow[]   newest first
 *   undeliverable*(settings, …) → the Undeliverable list (durable-objects/undeliverable.ts), which
 *   recordQualifying also feeds; alarm() lets its rolling windows and retention lapse.
 *
 * Storage (table `qualifying_events`): event_key PK, email, at, event_type, bounce_type, sub_type,
 * diagnostic, message_id, channel_id; indexes (email, at), (at). Rows older than the longest plan
 * retention (365 days) are pruned as new rows are recorded.
 */

/** One qualifying (event, recipient) as forwarded by the ingest consumer. */
export interface QualifyingRow {
  eventKey: string;
  /** Recipient address, lowercase. */
  email: string;
  /** The event's own timestamp (epoch ms). */
  at: number;
  /** The ingest consumer forwards only bounce, complaint and reject rows. */
  eventType: EventType;
  /** Permanent | Transient | Undetermined for bounces, else null. */
  bounceType: string | null;
  /** Bounce sub-type for bounces, complaint feedback type for complaints, null for rejects. */
  subType: string | null;
  /** The recipient's SMTP diagnostic (bounces) or the reject reason. */
  diagnostic: string | null;
  messageId: string;
  channelId: string | null;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS qualifying_events (
    event_key TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    at INTEGER NOT NULL,
    event_type TEXT NOT NULL,
    bounce_type TEXT,
    sub_type TEXT,
    diagnostic TEXT,
    message_id TEXT NOT NULL,
    channel_id TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS qualifying_events_email_at ON qualifying_events (email, at)`,
  `CREATE INDEX IF NOT EXISTS qualifying_events_at ON qualifying_events (at)`,
];

/** Rows older than the longest plan retention are pruned as new rows arrive, a bounded number at a time. */
const KEEP_MS = Math.max(...Object.values(RETENTION_DAYS)) * 86_400_000;
const PRUNE_PER_CALL = 1000;

interface StoredRow extends Record<string, SqlStorageValue> {
  event_key: string;
  email: string;
  at: number;
  event_type: string;
  bounce_type: string | null;
  sub_type: string | null;
  diagnostic: string | null;
  message_id: string;
  channel_id: string | null;
}

export class OrgLedger extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    for (const q of SCHEMA) this.sql.exec(q);
  }

  private ul: UndeliverableStore | undefined;
  private get undeliverable(): UndeliverableStore {
    return (this.ul ??= new UndeliverableStore(this.ctx.storage, this.env.DB));
  }

  /** Stores each row once (by event key); replays and duplicates change nothing. */
  async recordQualifying(rows: QualifyingRow[]): Promise<{ stored: number }> {
    let stored = 0;
    this.ctx.storage.transactionSync(() => {
      for (const r of rows) {
        const cursor = this.sql.exec(
          `INSERT INTO qualifying_events (event_key, email, at, event_type, bounce_type, sub_type, diagnostic, message_id, channel_id)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_key) DO NOTHING`,
          r.eventKey,
          r.email.toLowerCase(),
          r.at,
          r.eventType,
          r.bounceType,
          r.subType,
          r.diagnostic,
          r.messageId,
          r.channelId,
        );
        stored += cursor.rowsWritten > 0 ? 1 : 0;
      }
      this.sql.exec(
        "DELETE FROM qualifying_events WHERE rowid IN (SELECT rowid FROM qualifying_events WHERE at < ? ORDER BY at LIMIT ?)",
        Date.now() - KEEP_MS,
        PRUNE_PER_CALL,
      );
    });
    await this.undeliverable.record(rows);
    return { stored };
  }

  /** Qualifying rows, newest first, optionally for one address and/or since a time. */
  listQualifying(q: { email?: string; since?: number; limit?: number } = {}): QualifyingRow[] {
    const limit = Math.min(Math.max(q.limit ?? 1000, 1), 10_000);
    const rows = this.sql
      .exec<StoredRow>(
        `SELECT * FROM qualifying_events WHERE (?1 IS NULL OR email = ?1) AND at >= ?2 ORDER BY at DESC, event_key LIMIT ?3`,
        q.email?.toLowerCase() ?? null,
        q.since ?? 0,
        limit,
      )
      .toArray();
    return rows.map((r) => ({
      eventKey: r.event_key,
      email: r.email,
      at: r.at,
      eventType: r.event_type as EventType,
      bounceType: r.bounce_type,
      subType: r.sub_type,
      diagnostic: r.diagnostic,
      messageId: r.message_id,
      channelId: r.channel_id,
    }));
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
