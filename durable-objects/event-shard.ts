import { DurableObject } from "cloudflare:workers";
import { ensureSchema } from "./sqlite-schema";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { SQL } from "drizzle-orm";
import type { Env } from "../worker/env";
import { CREDITED_CTE, ENGAGEMENT_TYPES, eventInsertSql, messageSql, type SqlStatement } from "../worker/db/ingest";
import { RollupFold, sendingDomainIncrements, shardIdBase, shardOf, type ShardOutbox } from "../worker/db/event-shards";
import {
  eventsPageQuery,
  messageEventsQuery,
  messageQuery,
  messagesPageQuery,
  type EventFilter,
  type EventLogRowDb,
  type MessageEventRowDb,
  type MessageFilter,
  type MessageRowDb,
  type QueryTarget,
} from "../worker/db/reports";
import type { EventRow } from "../worker/services/ingest/normalise";
import { SHARD_SUPPRESSED_RECIPIENTS_SQL, type SuppressedRecipient } from "../worker/db/suppressions";
import { IMPORTED_EVENT_COLUMNS, IMPORTED_MESSAGE_COLUMNS, type StoredRow } from "../worker/db/event-store-migration";

export type { ShardOutbox };

/** A token the shard has stored and D1 has not confirmed yet, with what it changes in D1. */
export interface PendingToken {
  token: string;
  outbox: ShardOutbox;
}

/**
 * A chunk of one shard's event rows. The caller owns time: `lagBuckets[i]` is row i's ingestion-lag
 * bucket, `counterBucket` the hour and `lagBucketStart` the 5-minute bucket the counts go to.
 */
export interface ShardChunk {
  rows: EventRow[];
  lagBuckets: number[];
  counterBucket: number;
  lagBucketStart: number;
}

/** A message of the shard with every stored event of it (message detail); storage returns blobs as ArrayBuffer. */
export interface ShardMessage {
  row: MessageRowDb;
  events: (Omit<MessageEventRowDb, "detail"> & { detail: ArrayBuffer })[];
}

/** Renders the read queries of worker/db/reports.ts for this storage (the same SQL text D1 runs). */
const dialect = new SQLiteSyncDialect();

export interface ShardWriteResult {
  /** Event keys of the rows newly stored by this call. */
  inserted: string[];
  /** Every token still pending (one per chunk written, each chunk counts its rows), oldest first. */
  pending: PendingToken[];
}

/**
 * The shard's schema, version 1: `events` and `messages` with D1's columns (worker/db/schema/ingest.ts),
 * so the D1 writer's statements run here unchanged, indexed for the reads that follow (the event log by
 * (at, id), by recipient, channel and type; messages by send time, recipient, status and channel), and
 * the outbox tokens not yet confirmed. One org per shard: org_id leads no index.
 */
const SCHEMA_V1 = [
  `CREATE TABLE events (
    id INTEGER PRIMARY KEY, org_id TEXT NOT NULL, event_key TEXT NOT NULL, eventbridge_id TEXT NOT NULL, type TEXT NOT NULL,
    at INTEGER NOT NULL, received_at INTEGER NOT NULL, message_id TEXT NOT NULL, recipient TEXT NOT NULL,
    recipient_domain TEXT NOT NULL, provider TEXT NOT NULL, from_address TEXT, subject TEXT, channel_id TEXT,
    configuration_set TEXT, template TEXT, sending_identity TEXT NOT NULL, sent_at INTEGER NOT NULL, bounce_type TEXT,
    bounce_sub_type TEXT, complaint_feedback_type TEXT, complaint_sub_type TEXT, delay_type TEXT, smtp_status TEXT,
    diagnostic TEXT, reason TEXT, link TEXT, latency_ms INTEGER, latency_bucket INTEGER, detail BLOB NOT NULL)`,
  "CREATE UNIQUE INDEX events_org_event_key ON events (org_id, event_key)",
  "CREATE INDEX events_at ON events (at, id)",
  "CREATE INDEX events_recipient_at ON events (recipient, at)",
  "CREATE INDEX events_channel_at ON events (channel_id, at)",
  "CREATE INDEX events_type_at ON events (type, at)",
  `CREATE TABLE messages (
    org_id TEXT NOT NULL, message_id TEXT NOT NULL, recipient TEXT NOT NULL, recipient_domain TEXT NOT NULL,
    provider TEXT NOT NULL, from_address TEXT, subject TEXT, channel_id TEXT, configuration_set TEXT, template TEXT,
    status TEXT NOT NULL, sent_at INTEGER NOT NULL, delivered_at INTEGER, latency_ms INTEGER, first_open_at INTEGER,
    first_click_at INTEGER, open_count INTEGER NOT NULL DEFAULT 0, click_count INTEGER NOT NULL DEFAULT 0,
    reported_first_open_at INTEGER, reported_first_click_at INTEGER, reported_open_count INTEGER NOT NULL DEFAULT 0,
    reported_click_count INTEGER NOT NULL DEFAULT 0, bounced_at INTEGER, bounce_type TEXT, bounce_sub_type TEXT,
    complained_at INTEGER, complaint_feedback_type TEXT, rejected_at INTEGER, first_delay_at INTEGER,
    rendering_failed_at INTEGER, last_diagnostic TEXT, last_diagnostic_at INTEGER, last_event_at INTEGER NOT NULL,
    event_count INTEGER NOT NULL, PRIMARY KEY (org_id, message_id, recipient))`,
  "CREATE INDEX messages_sent ON messages (sent_at)",
  "CREATE INDEX messages_recipient_sent ON messages (recipient, sent_at)",
  "CREATE INDEX messages_status_sent ON messages (status, sent_at)",
  "CREATE INDEX messages_channel_sent ON messages (channel_id, sent_at)",
  "CREATE TABLE pending_outbox (seq INTEGER PRIMARY KEY, token TEXT NOT NULL UNIQUE, outbox TEXT NOT NULL)",
];
const SCHEMA_VERSION = 1;

const IMPORT_EVENT_SQL = `INSERT INTO events (${IMPORTED_EVENT_COLUMNS.join(", ")}) VALUES (${IMPORTED_EVENT_COLUMNS.map(() => "?").join(", ")})`;
const IMPORT_MESSAGE_SQL = `INSERT INTO messages (${IMPORTED_MESSAGE_COLUMNS.join(", ")}) VALUES (${IMPORTED_MESSAGE_COLUMNS.map(() => "?").join(", ")})
  ON CONFLICT (org_id, message_id, recipient) DO UPDATE SET ${IMPORTED_MESSAGE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ")}
  WHERE excluded.event_count > messages.event_count`;

/** A stored message's columns its unique opens and clicks are counted under (the D1 triggers' NEW/OLD). */
type EngagementKey = {
  org_id: string;
  message_id: string;
  recipient: string;
  first_open_at: number | null;
  first_click_at: number | null;
  channel_id: string | null;
  provider: string;
  template: string | null;
  recipient_domain: string;
};

/** An open or click the engagement credit selects (CREDITED_CTE), with its rollup keys. */
type CreditedRow = Pick<EngagementKey, "org_id" | "channel_id" | "provider" | "template" | "recipient_domain"> & { type: string; at: number };

const ENGAGEMENT_KEYS_SQL = `SELECT m.org_id, m.message_id, m.recipient, m.first_open_at, m.first_click_at, m.channel_id, m.provider,
  m.template, m.recipient_domain
FROM (SELECT DISTINCT j.value ->> 0 AS org_id, j.value ->> 1 AS message_id, j.value ->> 2 AS recipient FROM json_each(?1) AS j) AS k
JOIN messages AS m ON m.org_id = k.org_id AND m.message_id = k.message_id AND m.recipient = k.recipient`;

/**
 * One per org and UTC day of `mail.timestamp`, addressed by `env.EVENT_SHARDS.idFromName("<orgId>:<YYYY-MM-DD>")`
 * (worker/db/event-shards.ts `shardOf`): every event of a message lands in the shard of its send day,
 * so the messages upsert, the engagement credit and the unique opens and clicks run here with the D1
 * writer's SQL. The shard writes only its own storage; what D1 must add up it returns as an outbox under
 * a token (docs/scaling.md, Shards: the write path).
 *
 * RPC API:
 *   write(chunk) → { inserted, pending }   in one storage transaction: stores the rows not
 *     stored before, folds the rollup increments (the sending-domain rollup's too), counters and
 *     lag of exactly those (and the duplicates' count) into a new pending token; returns every
 *     pending token, older ones first
 *   confirm(tokens) → { pending }   D1 holds these tokens: they are dropped; how many are left
 *   import(events, messages) → { imported, rows }   the event store migration's copy of D1 rows
 * and the reads of worker/db/reports.ts, on this shard (`day` is the shard's own, for its event ids):
 *   messagesPage(day, filter), eventsPage(day, filter) → one keyset page, newest first
 *   message(day, orgId, messageId, recipient) → the message and its events, or null
 *   suppressedRecipients() → per recipient that bounced permanently or complained: reason (a
 *     complaint wins) and latest time (the demo's suppression list copy)
 *   destroy()   deletes all of its storage (retention, closing the workspace)
 */
export class EventShard extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  /** The schema is in storage (false after `destroy`, until the next call needs it again). */
  private ready = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.schema();
  }

  private schema() {
    if (this.ready) return;
    ensureSchema(this.ctx.storage, SCHEMA_V1, SCHEMA_VERSION);
    this.ready = true;
  }

  write(chunk: ShardChunk): ShardWriteResult {
    this.schema();
    const inserted = this.ctx.storage.transactionSync(() => this.store(chunk));
    return { inserted, pending: this.pending() };
  }

  confirm(tokens: string[]): { pending: number } {
    this.schema();
    this.sql.exec("DELETE FROM pending_outbox WHERE token IN (SELECT value FROM json_each(?1))", JSON.stringify(tokens));
    return { pending: this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM pending_outbox").one().n };
  }

  /**
   * The event store migration (docs/scaling.md, Shards: migrating existing data): D1 rows as they are, in
   * one transaction — the events whose key the shard does not hold, in the order given (D1's id order,
   * which the shard's own ids then keep), and the messages of them, each replacing the shard's row only
   * when it counts more events: while D1 takes the writes its row is the newest, and a shard row with
   * more events was written after the switch. No outbox: D1's rollups already count these events.
   * Returns how many events it newly stored and how many the shard holds.
   */
  import(events: StoredRow[], messages: StoredRow[]): { imported: number; rows: number } {
    this.schema();
    const imported = this.ctx.storage.transactionSync(() => {
      const stored = new Set(
        this.sql
          .exec<{ org_id: string; event_key: string }>(
            "SELECT e.org_id, e.event_key FROM json_each(?1) AS j JOIN events AS e ON e.org_id = j.value ->> 0 AND e.event_key = j.value ->> 1",
            JSON.stringify(events.map((e) => [e.org_id, e.event_key])),
          )
          .toArray()
          .map((r) => `${r.org_id}\u0000${r.event_key}`),
      );
      let n = 0;
      for (const e of events) {
        const key = `${e.org_id}\u0000${e.event_key}`;
        if (stored.has(key)) continue;
        stored.add(key);
        this.sql.exec(IMPORT_EVENT_SQL, ...IMPORTED_EVENT_COLUMNS.map((c) => e[c] ?? null));
        n++;
      }
      for (const m of messages) this.sql.exec(IMPORT_MESSAGE_SQL, ...IMPORTED_MESSAGE_COLUMNS.map((c) => m[c] ?? null));
      return n;
    });
    return { imported, rows: this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM events").one().n };
  }

  messagesPage(day: string, f: MessageFilter): MessageRowDb[] {
    return this.read<MessageRowDb>(messagesPageQuery(f, this.target(day)));
  }

  eventsPage(day: string, f: EventFilter): EventLogRowDb[] {
    return this.read<EventLogRowDb>(eventsPageQuery(f, this.target(day)));
  }

  message(day: string, orgId: string, messageId: string, recipient: string): ShardMessage | null {
    const target = this.target(day);
    const row = this.read<MessageRowDb>(messageQuery(orgId, messageId, recipient, target))[0];
    return row ? { row, events: this.read<ShardMessage["events"][number]>(messageEventsQuery(orgId, messageId, recipient, target)) } : null;
  }

  suppressedRecipients(): SuppressedRecipient[] {
    this.schema();
    return this.sql.exec<{ recipient: string; reason: SuppressedRecipient["reason"]; at: number }>(SHARD_SUPPRESSED_RECIPIENTS_SQL).toArray();
  }

  /** Retention and closing a workspace: every row of this shard goes (a shard without storage costs nothing). */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.ready = false;
  }

  private target(day: string): QueryTarget {
    return { shard: true, idBase: shardIdBase(day) };
  }

  private read<T>(query: SQL): T[] {
    this.schema();
    const { sql, params } = dialect.sqlToQuery(query);
    return this.sql.exec(sql, ...(params as SqlStorageValue[])).toArray() as T[];
  }

  private run(s: SqlStatement) {
    this.sql.exec(s.sql, ...(s.params as SqlStorageValue[]));
  }

  /** Stores the rows not stored before and records the outbox of this chunk; returns the stored rows' keys. */
  private store(chunk: ShardChunk): string[] {
    const { rows } = chunk;
    if (!rows.length) return [];
    const offered = JSON.stringify(rows.map((r) => [r.orgId, r.eventKey]));
    const stored = new Set(
      this.sql
        .exec<{ event_key: string }>(
          "SELECT e.event_key FROM json_each(?1) AS j JOIN events AS e ON e.org_id = j.value ->> 0 AND e.event_key = j.value ->> 1",
          offered,
        )
        .toArray()
        .map((r) => r.event_key),
    );
    // A key twice in one chunk is stored once: the second copy is a duplicate.
    const fresh: EventRow[] = [];
    const lags = new Map<number, number>();
    for (const [i, r] of rows.entries()) {
      if (stored.has(r.eventKey)) continue;
      stored.add(r.eventKey);
      fresh.push(r);
      const bucket = chunk.lagBuckets[i]!;
      lags.set(bucket, (lags.get(bucket) ?? 0) + 1);
    }
    const fold = new RollupFold();
    if (fresh.length) this.storeFresh(fresh, fold);

    const { orgId, day } = shardOf(rows[0]!);
    const counters = [
      { counter: "accepted", n: fresh.length },
      { counter: "duplicates", n: rows.length - fresh.length },
    ];
    const outbox: ShardOutbox = {
      orgId,
      day,
      events: fresh.length,
      rollups: [...fold.increments(), ...sendingDomainIncrements(fresh)],
      counters: counters.filter((c) => c.n > 0),
      counterBucket: chunk.counterBucket,
      lags: [...lags].map(([bucket, n]) => ({ bucket, n })),
      lagBucketStart: chunk.lagBucketStart,
    };
    this.sql.exec("INSERT INTO pending_outbox (token, outbox) VALUES (?, ?)", `${orgId}:${day}:${crypto.randomUUID()}`, JSON.stringify(outbox));
    return fresh.map((r) => r.eventKey);
  }

  /**
   * The D1 writer's steps over this storage (worker/db/ingest.ts batchWriteStatements): insert the
   * events; count the non-engagement rows; credit opens and clicks (before the messages upsert, which
   * the credit reads); upsert messages. The unique opens and clicks D1 keeps by triggers on `messages`
   * are the difference of the touched messages' contributions after and before the upsert.
   */
  private storeFresh(fresh: EventRow[], fold: RollupFold) {
    const messageKeys = JSON.stringify(fresh.map((r) => [r.orgId, r.messageId, r.recipient]));
    const before = this.sql.exec<EngagementKey>(ENGAGEMENT_KEYS_SQL, messageKeys).toArray();
    for (const s of eventInsertSql(fresh)) this.run(s);
    fold.addEvents(fresh.filter((r) => !ENGAGEMENT_TYPES.has(r.type)));

    const engaged = fresh.filter((r) => ENGAGEMENT_TYPES.has(r.type)).map((r) => [r.orgId, r.eventKey]);
    const delivered = fresh.filter((r) => r.type === "delivery").map((r) => [r.orgId, r.messageId, r.recipient]);
    if (engaged.length || delivered.length) {
      const credited = this.sql.exec<CreditedRow>(
        `${CREDITED_CTE} SELECT e.org_id, e.type, e.at, e.channel_id, e.provider, e.template, e.recipient_domain FROM credited AS e`,
        JSON.stringify(engaged),
        JSON.stringify(delivered),
      );
      for (const e of credited) {
        const source = this.sourceOf(e);
        fold.add(source, e.at, (r) => (r.rollup.metrics ? { opens: e.type === "open" ? 1 : 0, clicks: e.type === "click" ? 1 : 0 } : null));
      }
    }

    for (const s of messageSql(fresh)) this.run(s);
    const after = this.sql.exec<EngagementKey>(ENGAGEMENT_KEYS_SQL, messageKeys).toArray();
    for (const [rows, sign] of [
      [before, -1],
      [after, 1],
    ] as const) {
      for (const m of rows) {
        const source = this.sourceOf(m);
        for (const [at, col] of [
          [m.first_open_at, "unique_opens"],
          [m.first_click_at, "unique_clicks"],
        ] as const) {
          if (at !== null) fold.add(source, at, (r) => (r.rollup.metrics ? { [col]: sign } : null));
        }
      }
    }
  }

  private sourceOf(m: Pick<EngagementKey, "org_id" | "channel_id" | "provider" | "template" | "recipient_domain">) {
    return {
      orgId: m.org_id,
      type: "open" as const,
      channelId: m.channel_id,
      provider: m.provider,
      template: m.template,
      recipientDomain: m.recipient_domain,
      bounceType: null,
      bounceSubType: null,
      complaintFeedbackType: null,
      latencyBucket: null,
    };
  }

  private pending(): PendingToken[] {
    return this.sql
      .exec<{ token: string; outbox: string }>("SELECT token, outbox FROM pending_outbox ORDER BY seq")
      .toArray()
      .map((r) => ({ token: r.token, outbox: JSON.parse(r.outbox) as ShardOutbox }));
  }
}
