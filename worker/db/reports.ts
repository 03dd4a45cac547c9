import { sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import type { MessageStatus } from "./schema";
import type { StoredJson } from "../lib/deflate";

/*
 * Data access for reports (docs/reports.md). Reports read only the rollup tables; message search and the
 * event log read `messages` / `events` through their (org, …, time) indexes with keyset pagination.
 * Table and column names are constants (of this module and worker/lib/metrics.ts), never request input.
 */

/** One bucket to read: its size and start, the interval it counts towards, and +1 / −1. */
export type RollupPart = readonly [size: "hour" | "day", start: number, idx: number, sign: 1 | -1];

/** Each rollup: its per-channel table (ingest) and its all-channel sum (worker/db/schema/reports.ts). */
export const ROLLUP_TABLES = {
  totals: { table: "rollup_totals", all: "rollup_all_totals", dims: [] },
  providers: { table: "rollup_providers", all: "rollup_all_providers", dims: ["provider"] },
  templates: { table: "rollup_templates", all: "rollup_all_templates", dims: ["template"] },
  domains: { table: "rollup_domains", all: "rollup_all_domains", dims: ["recipient_domain"] },
  bounceReasons: { table: "rollup_bounce_reasons", all: "rollup_all_bounce_reasons", dims: ["bounce_type", "bounce_sub_type"] },
  complaintReasons: { table: "rollup_complaint_reasons", all: "rollup_all_complaint_reasons", dims: ["feedback_type"] },
  latency: { table: "rollup_latency", all: "rollup_all_latency", dims: ["bucket"] },
  // Totals of every channel at once, one row per channel (read without a channel filter): the alert
  // evaluators judge each channel's rates from one read (worker/services/alerts/deliverability.ts).
  channelTotals: { table: "rollup_totals", all: "rollup_totals", dims: ["channel_id"] },
} as const;
export type RollupTable = keyof typeof ROLLUP_TABLES;

export interface RollupRead {
  which: RollupTable;
  orgId: string;
  /** Channel id; undefined = every channel (and no channel). */
  channel: string | undefined;
  parts: readonly RollupPart[];
  /** Output name → column (or `+` of columns) summed, signed by the part. */
  sums: Readonly<Record<string, string>>;
}

/** A row of a rollup read: the interval index, the dimension values `d0`, `d1`…, and the sums by output name. */
export interface RollupRow {
  idx: number;
  d0: string | number;
  d1: string | number;
  [sum: string]: string | number;
}

/**
 * Signed sums per (interval, dimension values) over the given buckets. Without a channel filter the
 * all-channel table is read (one row per bucket and dimension value), with one the per-channel table.
 * The parts drive the join (CROSS JOIN keeps them the outer loop), so each part is one seek into the
 * table's primary key (org, size, start[, channel], …).
 */
function rollupStatement(d1: D1Database, read: RollupRead): D1PreparedStatement {
  const { table, all, dims } = ROLLUP_TABLES[read.which];
  const dimSel = dims.map((d, i) => `, r.${d} AS d${i}`).join("");
  const dimGroup = dims.map((d) => `, r.${d}`).join("");
  const sums = Object.entries(read.sums)
    .map(([name, col]) => `, SUM(p.sign * (${col.replace(/\b([a-z_]+)\b/g, "r.$1")})) AS ${name}`)
    .join("");
  // MATERIALIZED: the parts are decoded from JSON once, not once per joined row.
  const text = `WITH p(size, start, idx, sign) AS MATERIALIZED (
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3 FROM json_each(?1)
  )
  SELECT p.idx AS idx${dimSel}${sums}
  FROM p CROSS JOIN ${read.channel === undefined ? all : table} r
  WHERE r.org_id = ?2 AND r.bucket_size = p.size AND r.bucket_start = p.start${read.channel === undefined ? "" : " AND r.channel_id = ?3"}
  GROUP BY p.idx${dimGroup}`;
  const parts = JSON.stringify(read.parts);
  return read.channel === undefined ? d1.prepare(text).bind(parts, read.orgId) : d1.prepare(text).bind(parts, read.orgId, read.channel);
}

/** The D1 binding behind a drizzle client (`drizzle()` sets `$client`; the shared `Db` type does not name it). */
const d1Of = (db: Db) => (db as Db & { $client: D1Database }).$client;

/** Several rollup reads in one D1 round trip (one batch); one row list per read, in order. */
export async function sumRollups(db: Db, reads: readonly RollupRead[]): Promise<RollupRow[][]> {
  const d1 = d1Of(db);
  const live = reads.filter((r) => r.parts.length > 0).map((r) => rollupStatement(d1, r));
  const results = live.length ? await d1.batch<RollupRow>(live) : [];
  let next = 0;
  return reads.map((r) => (r.parts.length > 0 ? results[next++]!.results : []));
}

// ---- messages

export interface MessageRowDb {
  org_id: string;
  message_id: string;
  recipient: string;
  recipient_domain: string;
  provider: string;
  from_address: string | null;
  subject: string | null;
  channel_id: string | null;
  channel_name: string | null;
  configuration_set: string | null;
  template: string | null;
  status: MessageStatus;
  sent_at: number;
  delivered_at: number | null;
  latency_ms: number | null;
  first_open_at: number | null;
  first_click_at: number | null;
  open_count: number;
  click_count: number;
  bounced_at: number | null;
  bounce_type: string | null;
  bounce_sub_type: string | null;
  complained_at: number | null;
  complaint_feedback_type: string | null;
  rejected_at: number | null;
  first_delay_at: number | null;
  rendering_failed_at: number | null;
  last_diagnostic: string | null;
  last_diagnostic_at: number | null;
  last_event_at: number;
  event_count: number;
}

/**
 * `column` starts with `prefix`, as a range on the column's own index: [prefix, prefix with its last
 * character incremented). Addresses are stored lowercase under the BINARY collation, which orders by
 * code point, so the range holds exactly the addresses with that beginning. (`LIKE 'abc%'` could use
 * the index only under NOCASE collation, or with case_sensitive_like, which D1 does not offer.)
 */
function startsWith(column: SQL, prefix: string): SQL {
  const chars = Array.from(prefix);
  const last = chars.pop()!;
  const upper = chars.join("") + String.fromCodePoint(last.codePointAt(0)! + 1);
  return sql`${column} >= ${prefix} AND ${column} < ${upper}`;
}

export interface MessageFilter {
  orgId: string;
  from?: number;
  to?: number;
  channel?: string;
  status?: MessageStatus;
  /** Exact, lowercase address. */
  recipient?: string;
  /** The beginning of the address, lowercase, not empty. */
  recipientPrefix?: string;
  /** Keyset: rows strictly after this (sent_at, message_id, recipient) in newest-first order. */
  after?: readonly [sentAt: number, messageId: string, recipient: string];
  limit: number;
}

/**
 * One page of messages, newest first. Exactly one index serves each query — the most selective filter
 * present (recipient: an address, or a range of addresses by their beginning; then status, then
 * channel, else time); the other equality filters are written `+column` so the planner cannot pick
 * their index instead.
 */
export function listMessagesPage(db: Db, f: MessageFilter): Promise<MessageRowDb[]> {
  return db.all<MessageRowDb>(messagesPageQuery(f));
}

/**
 * Where a query of this module runs: D1, or an event shard (durable-objects/event-shard.ts), which holds
 * the same `events` and `messages` columns but no `channels` (the caller adds the names), names its
 * indexes without the org (one org per shard) and numbers its events from 1: a shard's event ids are
 * offset by its `idBase` (`shardIdBase`) so they stay unique across the org's shards.
 */
export type QueryTarget = { shard: false } | { shard: true; idBase: number };
const D1_TARGET: QueryTarget = { shard: false };

const channelJoin = (t: QueryTarget, alias: "m" | "e") =>
  t.shard ? { name: sql.raw("NULL AS channel_name"), join: sql.raw("") } : { name: sql.raw("c.name AS channel_name"), join: sql.raw(` LEFT JOIN channels c ON c.id = ${alias}.channel_id`) };
const eventId = (t: QueryTarget) => (t.shard ? sql`(${t.idBase} + e.id)` : sql.raw("e.id"));

/**
 * The org condition of a page query. A shard holds one org, so there it must not steer the plan: an
 * equality on `org_id` makes SQLite pick the index it leads (the event key, the messages' primary key)
 * and sort the whole shard for a newest-first page; `+` keeps it out of index choice, and the time, type,
 * status, channel or recipient index serves the page.
 */
const orgIs = (alias: string, orgId: string, target: QueryTarget) => (target.shard ? sql`+${sql.raw(alias)}.org_id = ${orgId}` : sql`${sql.raw(alias)}.org_id = ${orgId}`);

/** The query of listMessagesPage (tests read its plan). */
export function messagesPageQuery(f: MessageFilter, target: QueryTarget = D1_TARGET): SQL {
  const byRecipient = f.recipient !== undefined || f.recipientPrefix !== undefined;
  const lead = byRecipient ? "recipient" : f.status !== undefined ? "status" : f.channel !== undefined ? "channel" : "time";
  const col = (name: string, leadName: string) => sql.raw(lead === leadName ? `m.${name}` : `+m.${name}`);
  const where: SQL[] = [orgIs("m", f.orgId, target)];
  if (f.recipient !== undefined) where.push(sql`m.recipient = ${f.recipient}`);
  if (f.recipientPrefix !== undefined) where.push(startsWith(sql.raw("m.recipient"), f.recipientPrefix));
  if (f.status !== undefined) where.push(sql`${col("status", "status")} = ${f.status}`);
  if (f.channel !== undefined) where.push(sql`${col("channel_id", "channel")} = ${f.channel}`);
  if (f.from !== undefined) where.push(sql`m.sent_at >= ${f.from}`);
  if (f.to !== undefined) where.push(sql`m.sent_at < ${f.to}`);
  if (f.after) {
    const [at, id, rcpt] = f.after;
    where.push(sql`m.sent_at <= ${at} AND (m.sent_at < ${at} OR (m.message_id, m.recipient) < (${id}, ${rcpt}))`);
  }
  // Between a range of addresses and a range of send times the planner prefers the time index (no sort
  // needed), which reads every message of the range: the recipient index is named instead.
  const index = target.shard ? "messages_recipient_sent" : "messages_org_recipient_sent";
  const from = sql.raw(f.recipientPrefix !== undefined ? `messages m INDEXED BY ${index}` : "messages m");
  const channel = channelJoin(target, "m");
  return sql`SELECT m.*, ${channel.name}
    FROM ${from}${channel.join}
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY m.sent_at DESC, m.message_id DESC, m.recipient DESC
    LIMIT ${f.limit}`;
}

export async function findMessage(db: Db, orgId: string, messageId: string, recipient: string): Promise<MessageRowDb | undefined> {
  const rows = await db.all<MessageRowDb>(messageQuery(orgId, messageId, recipient));
  return rows[0];
}

export function messageQuery(orgId: string, messageId: string, recipient: string, target: QueryTarget = D1_TARGET): SQL {
  const channel = channelJoin(target, "m");
  return sql`SELECT m.*, ${channel.name}
    FROM messages m${channel.join}
    WHERE m.org_id = ${orgId} AND m.message_id = ${messageId} AND m.recipient = ${recipient}`;
}

export interface MessageEventRowDb {
  id: number;
  type: string;
  at: number;
  /** The SES detail as stored: read it with inflateJson (worker/lib/deflate.ts). */
  detail: StoredJson;
}

/** Every stored event of one message and recipient, in time order (ties in arrival order). */
export function listMessageEvents(db: Db, orgId: string, messageId: string, recipient: string): Promise<MessageEventRowDb[]> {
  return db.all<MessageEventRowDb>(messageEventsQuery(orgId, messageId, recipient));
}

export function messageEventsQuery(orgId: string, messageId: string, recipient: string, target: QueryTarget = D1_TARGET): SQL {
  return sql`SELECT ${eventId(target)} AS id, e.type, e.at, e.detail FROM events e
    WHERE e.org_id = ${orgId} AND e.message_id = ${messageId} AND e.recipient = ${recipient}
    ORDER BY e.at, e.id`;
}

// ---- event log

export interface EventLogRowDb {
  id: number;
  at: number;
  type: string;
  recipient: string;
  message_id: string;
  channel_id: string | null;
  channel_name: string | null;
  provider: string;
  template: string | null;
  bounce_type: string | null;
  bounce_sub_type: string | null;
  complaint_feedback_type: string | null;
  delay_type: string | null;
  smtp_status: string | null;
  diagnostic: string | null;
  reason: string | null;
  link: string | null;
  latency_ms: number | null;
}

export interface EventFilter {
  orgId: string;
  from?: number;
  to?: number;
  channel?: string;
  /** Normalised types (events.type). */
  types?: readonly string[];
  recipient?: string;
  /** The beginning of the address, lowercase, not empty. */
  recipientPrefix?: string;
  /** Keyset: rows strictly after this (at, id) in newest-first order. */
  after?: readonly [at: number, id: number];
  limit: number;
}

/**
 * One page of the event log, newest first (at, then row id). Index choice as for messages: recipient,
 * then a single type, then channel, else time; several types filter the time-ordered scan.
 */
export function listEventsPage(db: Db, f: EventFilter): Promise<EventLogRowDb[]> {
  return db.all<EventLogRowDb>(eventsPageQuery(f));
}

/** The query of listEventsPage (tests read its plan). */
export function eventsPageQuery(f: EventFilter, target: QueryTarget = D1_TARGET): SQL {
  const oneType = f.types?.length === 1;
  const byRecipient = f.recipient !== undefined || f.recipientPrefix !== undefined;
  const lead = byRecipient ? "recipient" : oneType ? "type" : f.channel !== undefined ? "channel" : "time";
  const col = (name: string, leadName: string) => sql.raw(lead === leadName ? `e.${name}` : `+e.${name}`);
  const where: SQL[] = [orgIs("e", f.orgId, target)];
  if (f.recipient !== undefined) where.push(sql`e.recipient = ${f.recipient}`);
  if (f.recipientPrefix !== undefined) where.push(startsWith(sql.raw("e.recipient"), f.recipientPrefix));
  if (f.types?.length) {
    where.push(
      sql`${col("type", "type")} IN (${sql.join(
        f.types.map((t) => sql`${t}`),
        sql`, `,
      )})`,
    );
  }
  if (f.channel !== undefined) where.push(sql`${col("channel_id", "channel")} = ${f.channel}`);
  if (f.from !== undefined) where.push(sql`e.at >= ${f.from}`);
  if (f.to !== undefined) where.push(sql`e.at < ${f.to}`);
  if (f.after) {
    const [at, id] = f.after;
    where.push(sql`e.at <= ${at} AND (e.at < ${at} OR ${eventId(target)} < ${id})`);
  }
  const index = target.shard ? "events_recipient_at" : "events_org_recipient_at";
  const channel = channelJoin(target, "e");
  return sql`SELECT ${eventId(target)} AS id, e.at, e.type, e.recipient, e.message_id, e.channel_id, ${channel.name},
      e.provider, e.template, e.bounce_type, e.bounce_sub_type, e.complaint_feedback_type, e.delay_type, e.smtp_status,
      e.diagnostic, e.reason, e.link, e.latency_ms
    FROM ${sql.raw(f.recipientPrefix !== undefined ? `events e INDEXED BY ${index}` : "events e")}${channel.join}
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY e.at DESC, e.id DESC
    LIMIT ${f.limit}`;
}

// ---- filters: channels and identities

export function listChannelsOfOrg(db: Db, orgId: string, afterId: string | undefined, limit: number) {
  return db.all<{ id: string; name: string; configuration_set_name: string; created_at: number }>(sql`SELECT id, name, configuration_set_name, created_at
    FROM channels WHERE org_id = ${orgId}${afterId === undefined ? sql`` : sql` AND id > ${afterId}`}
    ORDER BY id LIMIT ${limit}`);
}

export interface IdentityListRow {
  id: string;
  identity: string;
  kind: "domain" | "email";
  origin: "sendops" | "ses";
  verification_status: string;
  dkim_status: string | null;
  configuration_set_name: string | null;
  channel_id: string | null;
  created_at: number;
  detached_at: number | null;
  archived_at: number | null;
  disconnected_at: number | null;
}

/** Identities by id, each with the channel its configuration set belongs to (null: none). */
export function listIdentitiesOfOrg(db: Db, orgId: string, afterId: string | undefined, limit: number) {
  return db.all<IdentityListRow>(sql`SELECT i.id, i.identity, i.kind, i.origin, i.verification_status, i.dkim_status, i.configuration_set_name,
      c.id AS channel_id, i.created_at, i.detached_at, i.archived_at, i.disconnected_at
    FROM identities i LEFT JOIN channels c ON c.org_id = i.org_id AND c.configuration_set_name = i.configuration_set_name
    WHERE i.org_id = ${orgId}${afterId === undefined ? sql`` : sql` AND i.id > ${afterId}`}
    ORDER BY i.id LIMIT ${limit}`);
}
