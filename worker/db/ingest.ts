import { and, desc, eq, gt, gte, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { retryTransient } from "../lib/transient";
import {
  channels,
  deadLetters,
  identities,
  ingestCounters,
  ingestKeys,
  ingestLag,
  MESSAGE_STATUSES,
  orgs,
  rejectedPayloads,
} from "./schema";
import type { DroppedRow, EventRow, OrgIngestConfig } from "../services/ingest/normalise";
import { bucketStart } from "../lib/time";
import { hexOf } from "../lib/deflate";
import * as metrics from "../lib/metrics";
import { ALERT_METRICS } from "../lib/alert-thresholds";
import { domainOf } from "../services/ingest/identities";

/*
 * Data access for ingest. The consumer writes each chunk of event rows (or of dropped rows) in one D1
 * batch (one transaction), built by `batchWriteStatements`:
 *   1. INSERT the event rows, and the dropped rows' dedupe marks into `dropped_events`, without ON
 *      CONFLICT: a row whose (org_id, event_key) is already stored fails the statement and rolls the whole
 *      transaction back, so whatever commits counts every one of its events exactly once (the consumer
 *      then leaves the stored ones out: `findStoredEventKeys`);
 *   2. one upsert per rollup table, per-channel and all-channel, of increments folded in memory from
 *      exactly these rows: each touched rollup row is written once (unique opens/clicks follow `messages`
 *      through triggers, migrations 0010 and 0018); opens and clicks are credited by
 *      `engagementStatements` instead, only to delivered recipients; then the sending-domain rollup
 *      the alert evaluator reads (`sendingDomainStatement`);
 *   3. the `messages` upsert (commutative merges, so the order of events never matters);
 *   4. the counters (accepted, duplicates, dropped).
 * A failure anywhere rolls the whole transaction back, so no dedupe mark can outlive a failed write.
 */

/** events columns in the order the consumer serialises each row (one JSON array per row). */
const EVENT_COLUMNS: [column: string, field: keyof EventRow][] = [
  ["org_id", "orgId"],
  ["event_key", "eventKey"],
  ["eventbridge_id", "eventbridgeId"],
  ["type", "type"],
  ["at", "at"],
  ["received_at", "receivedAt"],
  ["message_id", "messageId"],
  ["recipient", "recipient"],
  ["recipient_domain", "recipientDomain"],
  ["provider", "provider"],
  ["from_address", "fromAddress"],
  ["subject", "subject"],
  ["channel_id", "channelId"],
  ["configuration_set", "configurationSet"],
  ["template", "template"],
  ["sending_identity", "sendingIdentity"],
  ["sent_at", "sentAt"],
  ["bounce_type", "bounceType"],
  ["bounce_sub_type", "bounceSubType"],
  ["complaint_feedback_type", "complaintFeedbackType"],
  ["complaint_sub_type", "complaintSubType"],
  ["delay_type", "delayType"],
  ["smtp_status", "smtpStatus"],
  ["diagnostic", "diagnostic"],
  ["reason", "reason"],
  ["link", "link"],
  ["latency_ms", "latencyMs"],
  ["latency_bucket", "latencyBucket"],
  ["detail", "detail"],
];

/** A row's value for the JSON parameter: the deflated detail travels as hex (JSON carries no bytes). */
const jsonValueOf = (row: EventRow, field: keyof EventRow) => (field === "detail" ? hexOf(row.detail) : row[field]);

const INSERT_EVENTS_SQL = `INSERT INTO events (${EVENT_COLUMNS.map(([c]) => c).join(", ")})
SELECT ${EVENT_COLUMNS.map(([c], i) => (c === "detail" ? `unhex(j.value ->> ${i})` : `j.value ->> ${i}`)).join(", ")} FROM json_each(?1) AS j`;

/**
 * Rows travel as one JSON parameter per statement, in chunks of at most this many UTF-16 units: at
 * most 3 bytes each in UTF-8, so a parameter stays under D1's 2,000,000-byte value limit.
 */
const EVENTS_CHUNK_CHARS = 600_000;

/** A statement and its parameters, for D1 (`prepared`) or a Durable Object's SQLite (durable-objects/event-shard.ts). */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

export const prepared = (d1: D1Database, s: SqlStatement) => d1.prepare(s.sql).bind(...s.params);

export function eventInsertSql(rows: EventRow[]): SqlStatement[] {
  const out: SqlStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length) out.push({ sql: INSERT_EVENTS_SQL, params: [`[${chunk.join(",")}]`] });
    chunk = [];
    size = 0;
  };
  for (const row of rows) {
    const json = JSON.stringify(EVENT_COLUMNS.map(([, f]) => jsonValueOf(row, f)));
    if (size + json.length > EVENTS_CHUNK_CHARS) flush();
    chunk.push(json);
    size += json.length + 1;
  }
  flush();
  return out;
}

/** One event's identity: its dedupe key is unique per org. */
export const eventIdentity = (r: Pick<EventRow, "orgId" | "eventKey">) => `${r.orgId}\u0000${r.eventKey}`;

type Keyed = Pick<EventRow, "orgId" | "eventKey">;
const keysJson = (rows: Keyed[]) => JSON.stringify(rows.map((r) => [r.orgId, r.eventKey]));

/**
 * The identities (`eventIdentity`) of those of `rows` already in `events` and of those of `drops` already
 * in `dropped_events`. One event is never both in one batch (the batch's configuration decides), so
 * one set serves both.
 */
export async function findStoredEventKeys(d1: D1Database, rows: Keyed[], drops: Keyed[] = []): Promise<Set<string>> {
  if (!rows.length && !drops.length) return new Set();
  const { results } = await d1
    .prepare(
      `SELECT e.org_id AS orgId, e.event_key AS eventKey FROM json_each(?1) AS j
       JOIN events AS e ON e.org_id = j.value ->> 0 AND e.event_key = j.value ->> 1
       UNION ALL
       SELECT d.org_id, d.event_key FROM json_each(?2) AS j
       JOIN dropped_events AS d ON d.org_id = j.value ->> 0 AND d.event_key = j.value ->> 1`,
    )
    .bind(keysJson(rows), keysJson(drops))
    .all<{ orgId: string; eventKey: string }>();
  return new Set(results.map(eventIdentity));
}

/** Dedupe marks of dropped rows (?1: [[org, key, at, reason]]); like the events insert, it fails on a stored one. */
const INSERT_DROPPED_SQL = `INSERT INTO dropped_events (org_id, event_key, at, reason)
SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, j.value ->> 3 FROM json_each(?1) AS j`;

/**
 * The rollup metric columns the writer adds up, each with the event rows it counts (worker/lib/metrics.ts).
 * Unique opens and clicks are not here: they depend on the stored message (its earliest open), so
 * triggers on `messages` keep them.
 */
export const METRICS: [column: string, counts: (r: EventRow) => boolean][] = metrics.EVENT_COUNTED_METRICS.map((m) => [
  metrics.METRICS[m].column,
  (r) => metrics.countsTowards(m, r),
]);

type Dim = string | number;

/**
 * A rollup table: besides org, bucket and channel ('' = none), its key columns and their values for an
 * event row (null = the row does not count here). A metric rollup adds METRICS, a count rollup `count`;
 * a metric rollup also gives its key as SQL over a stored `events` row `e` (`keySql`), for the opens and
 * clicks credited from stored rows (`engagementStatements`).
 */
export interface Rollup {
  table: string;
  keys: string[];
  keyOf: (r: EventRow) => Dim[] | null;
  metrics: boolean;
  keySql?: string[];
}

export const ROLLUPS: Rollup[] = [
  { table: "rollup_totals", keys: [], keyOf: () => [], metrics: true, keySql: [] },
  { table: "rollup_providers", keys: ["provider"], keyOf: (r) => [r.provider], metrics: true, keySql: ["e.provider"] },
  { table: "rollup_templates", keys: ["template"], keyOf: (r) => [r.template ?? ""], metrics: true, keySql: ["COALESCE(e.template, '')"] },
  { table: "rollup_domains", keys: ["recipient_domain"], keyOf: (r) => [r.recipientDomain], metrics: true, keySql: ["e.recipient_domain"] },
  {
    table: "rollup_bounce_reasons",
    keys: ["bounce_type", "bounce_sub_type"],
    keyOf: (r) => (r.type === "bounce" ? [r.bounceType ?? "", r.bounceSubType ?? ""] : null),
    metrics: false,
  },
  {
    table: "rollup_complaint_reasons",
    keys: ["feedback_type"],
    keyOf: (r) => (r.type === "complaint" ? [r.complaintFeedbackType ?? ""] : null),
    metrics: false,
  },
  {
    table: "rollup_latency",
    keys: ["bucket"],
    keyOf: (r) => (r.type === "delivery" && r.latencyBucket !== null ? [r.latencyBucket] : null),
    metrics: false,
  },
];

export const BUCKET_SIZES = ["hour", "day"] as const;

/**
 * The two scopes every rollup is written in: per channel (`rollup_<x>`, keyed by channel id) and all
 * channels (`rollup_all_<x>`, the same sums without the channel: what reports without a channel filter
 * read, docs/reports.md). Ingest writes both, so an all-channel row is written once per transaction
 * rather than once per per-channel row that moved (docs/scaling.md).
 */
export const SCOPES = [
  { tableOf: (table: string) => table, channelKey: ["channel_id"] },
  { tableOf: (table: string) => table.replace(/^rollup_/, "rollup_all_"), channelKey: [] },
] as const;

/** An upsert of the JSON parameter ?1 (one array per rollup row: its key, then its increments). */
export const upsertSql = (table: string, keyCols: string[], valueCols: string[]) => {
  const cols = [...keyCols, ...valueCols];
  return `INSERT INTO ${table} (${cols.join(", ")})
SELECT ${cols.map((_, i) => `j.value ->> ${i}`).join(", ")} FROM json_each(?1) AS j WHERE true
ON CONFLICT (${keyCols.join(", ")}) DO UPDATE SET ${valueCols.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`;
};

/** Each rollup in each scope with its upsert. */
const ROLLUP_UPSERTS = ROLLUPS.flatMap((rollup) =>
  SCOPES.map((scope) => {
    const keyCols = ["org_id", "bucket_size", "bucket_start", ...scope.channelKey, ...rollup.keys];
    const valueCols = rollup.metrics ? METRICS.map(([c]) => c) : ["count"];
    return { ...rollup, perChannel: scope.channelKey.length > 0, sql: upsertSql(scope.tableOf(rollup.table), keyCols, valueCols) };
  }),
);

/**
 * The rollup upserts of a transaction: the rows' increments summed in memory per rollup row (org,
 * bucket size and start, channel in the per-channel scope, key columns), one statement per table that
 * any row touches.
 */
function rollupStatements(d1: D1Database, rows: EventRow[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (const rollup of ROLLUP_UPSERTS) {
    const folded = new Map<string, { key: Dim[]; values: number[] }>();
    for (const r of rows) {
      const dims = rollup.keyOf(r);
      if (!dims) continue;
      const increments = rollup.metrics ? METRICS.map(([, counts]) => (counts(r) ? 1 : 0)) : [1];
      for (const size of BUCKET_SIZES) {
        const key = [r.orgId, size, bucketStart(r.at, size), ...(rollup.perChannel ? [r.channelId ?? ""] : []), ...dims];
        const id = JSON.stringify(key);
        const entry = folded.get(id);
        if (entry) increments.forEach((n, i) => (entry.values[i]! += n));
        else folded.set(id, { key, values: [...increments] });
      }
    }
    if (folded.size) out.push(d1.prepare(rollup.sql).bind(JSON.stringify([...folded.values()].map((e) => [...e.key, ...e.values]))));
  }
  return out;
}

/** The sending-domain rollup's key and increment columns (docs/alerts.md). */
export const SENDING_DOMAIN_ROLLUP = {
  table: "rollup_sending_domains",
  keyCols: ["org_id", "bucket_start", "sending_domain"],
  valueCols: ALERT_METRICS.map((m) => metrics.METRICS[m].column),
};
const SENDING_DOMAIN_SQL = upsertSql(SENDING_DOMAIN_ROLLUP.table, SENDING_DOMAIN_ROLLUP.keyCols, SENDING_DOMAIN_ROLLUP.valueCols);

/**
 * The sending-domain rollup's rows for a transaction's event rows: per (org, hour, domain of the sending
 * identity) the rows' ALERT_METRICS increments, folded in memory so each touched row is written once;
 * none when no row counts towards them (opens, clicks, delays…). The D1 writer upserts them
 * (`sendingDomainStatement`); a shard puts them in its outbox (durable-objects/event-shard.ts).
 */
export function sendingDomainRows(rows: EventRow[]): Dim[][] {
  const folded = new Map<string, Dim[]>();
  for (const r of rows) {
    const increments = ALERT_METRICS.map((m) => (metrics.countsTowards(m, r) ? 1 : 0));
    if (!increments.some(Boolean)) continue;
    const key = [r.orgId, bucketStart(r.at, "hour"), domainOf(r.sendingIdentity)];
    const id = JSON.stringify(key);
    const entry = folded.get(id);
    if (entry) increments.forEach((n, i) => ((entry[key.length + i] as number) += n));
    else folded.set(id, [...key, ...increments]);
  }
  return [...folded.values()];
}

/** The sending-domain rollup's upsert of a transaction (none when no row counts towards it). */
function sendingDomainStatement(d1: D1Database, rows: EventRow[]): D1PreparedStatement[] {
  const folded = sendingDomainRows(rows);
  return folded.length ? [d1.prepare(SENDING_DOMAIN_SQL).bind(JSON.stringify(folded))] : [];
}

/** Event types that are engagement: credited to a recipient only once its Delivery is known. */
export const ENGAGEMENT_TYPES: ReadonlySet<string> = new Set(["open", "click"]);
const ENGAGEMENT_TYPES_SQL = [...ENGAGEMENT_TYPES].map((t) => `'${t}'`).join(", ");

/**
 * The stored open and click rows to credit in one transaction, as a CTE `credited` over `events`:
 *   - this transaction's open/click rows (?1: [[org, event_key]]) whose recipient's Delivery was known
 *     before it;
 *   - every stored open/click row of the recipients whose first Delivery is in this transaction (?2:
 *     [[org, message id, recipient]]), this transaction's own included (the events insert ran first).
 * Both read `messages` before this transaction's upsert, so each open or click is credited exactly
 * once, when both it and its recipient's Delivery are stored, whichever came first.
 */
export const CREDITED_CTE = `WITH credited AS (
  SELECT e.* FROM json_each(?1) AS j
  JOIN events AS e ON e.org_id = j.value ->> 0 AND e.event_key = j.value ->> 1
  WHERE EXISTS (SELECT 1 FROM messages AS m
    WHERE m.org_id = e.org_id AND m.message_id = e.message_id AND m.recipient = e.recipient AND m.delivered_at IS NOT NULL)
  UNION ALL
  SELECT e.* FROM (SELECT DISTINCT j.value ->> 0 AS org_id, j.value ->> 1 AS message_id, j.value ->> 2 AS recipient FROM json_each(?2) AS j) AS d
  JOIN events AS e ON e.org_id = d.org_id AND e.message_id = d.message_id AND e.recipient = d.recipient AND e.type IN (${ENGAGEMENT_TYPES_SQL})
  WHERE NOT EXISTS (SELECT 1 FROM messages AS m
    WHERE m.org_id = d.org_id AND m.message_id = d.message_id AND m.recipient = d.recipient AND m.delivered_at IS NOT NULL)
)`;

/** Per metric rollup and scope: the credited rows' opens and clicks, by bucket of each event's own time and its key. */
const ENGAGEMENT_UPSERTS = ROLLUPS.filter((r) => r.metrics).flatMap((rollup) =>
  SCOPES.map((scope) => {
    const keyCols = ["org_id", "bucket_size", "bucket_start", ...scope.channelKey, ...rollup.keys];
    const channelExpr = scope.channelKey.length ? ["COALESCE(e.channel_id, '')"] : [];
    const keyExprs = ["e.org_id", "s.size", "(e.at / s.step) * s.step", ...channelExpr, ...rollup.keySql!];
    return `${CREDITED_CTE}
INSERT INTO ${scope.tableOf(rollup.table)} (${keyCols.join(", ")}, opens, clicks)
SELECT ${keyExprs.join(", ")}, SUM(e.type = 'open'), SUM(e.type = 'click')
FROM credited AS e, (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
WHERE true GROUP BY ${keyExprs.map((_, i) => i + 1).join(", ")}
ON CONFLICT (${keyCols.join(", ")}) DO UPDATE SET opens = opens + excluded.opens, clicks = clicks + excluded.clicks`;
  }),
);

/** The engagement credit of a transaction (none when it holds neither an open or click nor a delivery). */
function engagementStatements(d1: D1Database, rows: EventRow[]): D1PreparedStatement[] {
  const engaged = rows.filter((r) => ENGAGEMENT_TYPES.has(r.type)).map((r) => [r.orgId, r.eventKey]);
  const delivered = rows.filter((r) => r.type === "delivery").map((r) => [r.orgId, r.messageId, r.recipient]);
  if (!engaged.length && !delivered.length) return [];
  return ENGAGEMENT_UPSERTS.map((sql) => d1.prepare(sql).bind(JSON.stringify(engaged), JSON.stringify(delivered)));
}

/**
 * The event columns the messages upsert reads, in the order each row is serialised for it: all but the
 * ones only the event log shows (above all `detail`, the bulk of a row).
 */
const EVENT_LOG_ONLY = new Set(["event_key", "eventbridge_id", "received_at", "sending_identity", "complaint_sub_type", "delay_type", "smtp_status", "reason", "link", "latency_bucket", "detail"]);
const MESSAGE_SOURCE_COLUMNS = EVENT_COLUMNS.filter(([column]) => !EVENT_LOG_ONLY.has(column));

const STATUS_OF_TYPE: Record<string, string> = {
  send: "sent",
  delivery: "delivered",
  // SES reports an open, a click or an unsubscribe for the message, naming all its recipients: it does
  // not tell which one arrived. Only a Delivery makes a recipient `delivered`.
  open: "sent",
  click: "sent",
  subscription: "sent",
  delivery_delay: "delayed",
  bounce: "bounced",
  complaint: "complained",
  reject: "rejected",
  rendering_failure: "rendering_failed",
};

const statusRank = (col: string) =>
  `(CASE ${col} ${MESSAGE_STATUSES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(" ")} END)`;
/** Earliest non-null of two nullable values (SQLite's scalar MIN is NULL when any argument is). */
const earliest = (c: string) => `COALESCE(MIN(messages.${c}, excluded.${c}), messages.${c}, excluded.${c})`;
const minOf = (c: string) => `${c} = ${earliest(c)}`;
const maxOf = (c: string) => `${c} = COALESCE(MAX(messages.${c}, excluded.${c}), messages.${c}, excluded.${c})`;
/** A group of columns taken together from the winning side; `cond` is true when the incoming row wins. */
const takeIf = (cond: string, cols: string[]) => cols.map((c) => `${c} = CASE WHEN ${cond} THEN excluded.${c} ELSE messages.${c} END`);

/** A reported engagement column and the credited one it fills once the recipient's Delivery is known. */
const CREDITED: [credited: string, reported: string, merge: "min" | "sum"][] = [
  ["first_open_at", "reported_first_open_at", "min"],
  ["first_click_at", "reported_first_click_at", "min"],
  ["open_count", "reported_open_count", "sum"],
  ["click_count", "reported_click_count", "sum"],
];
const mergedOf = (c: string, merge: "min" | "sum") => (merge === "min" ? earliest(c) : `messages.${c} + excluded.${c}`);

/**
 * The `messages` columns a secondary index holds besides org and recipient (worker/db/schema/ingest.ts):
 * the upsert's SET leaves them out, because D1 writes an index entry for every indexed column a SET
 * assigns, changed or not (docs/scaling.md). An inserted row takes their merge over the transaction's
 * events of that recipient (`foldIndexed`); a stored row changes only through MESSAGES_STATUS_SQL and
 * MESSAGES_SENT_CHANNEL_SQL, which touch only the rows whose value moves.
 */
interface IndexedMerge {
  status: string;
  sentAt: number;
  channelId: string | null;
}

const messageKey = (r: EventRow) => JSON.stringify([r.orgId, r.messageId, r.recipient]);
const rankOf = (status: string) => MESSAGE_STATUSES.indexOf(status as (typeof MESSAGE_STATUSES)[number]);

/** Per message-recipient of `rows`: highest status, earliest send time, greatest channel id (as the SQL merges). */
function foldIndexed(rows: EventRow[]): Map<string, IndexedMerge> {
  const out = new Map<string, IndexedMerge>();
  for (const r of rows) {
    const key = messageKey(r);
    const status = STATUS_OF_TYPE[r.type]!;
    const seen = out.get(key);
    if (!seen) {
      out.set(key, { status, sentAt: r.sentAt, channelId: r.channelId });
      continue;
    }
    if (rankOf(status) > rankOf(seen.status)) seen.status = status;
    seen.sentAt = Math.min(seen.sentAt, r.sentAt);
    if (r.channelId !== null && (seen.channelId === null || r.channelId > seen.channelId)) seen.channelId = r.channelId;
  }
  return out;
}

/** ?1: [[org, message id, recipient, status, sent_at, channel_id]], one per message-recipient. */
const INDEXED_MERGE_SOURCE = `(SELECT j.value ->> 0 AS org_id, j.value ->> 1 AS message_id, j.value ->> 2 AS recipient,
    j.value ->> 3 AS status, j.value ->> 4 AS sent_at, j.value ->> 5 AS channel_id FROM json_each(?1) AS j) AS x`;
const SAME_MESSAGE = "messages.org_id = x.org_id AND messages.message_id = x.message_id AND messages.recipient = x.recipient";

/** Raises the status of stored rows whose new events rank higher (status by precedence). */
const MESSAGES_STATUS_SQL = `UPDATE messages SET status = x.status FROM ${INDEXED_MERGE_SOURCE}
WHERE ${SAME_MESSAGE} AND ${statusRank("x.status")} > ${statusRank("messages.status")}`;

/** Moves the send time earlier, or the channel id up, of stored rows (SES repeats both on every event: rare). */
const MESSAGES_SENT_CHANNEL_SQL = `UPDATE messages SET sent_at = MIN(messages.sent_at, x.sent_at),
  channel_id = COALESCE(MAX(messages.channel_id, x.channel_id), messages.channel_id, x.channel_id)
FROM ${INDEXED_MERGE_SOURCE}
WHERE ${SAME_MESSAGE} AND (x.sent_at < messages.sent_at OR x.channel_id > messages.channel_id
  OR (messages.channel_id IS NULL AND x.channel_id IS NOT NULL))`;

/**
 * Per-row upsert of messages from the transaction's event rows (?1: one JSON array per row, in
 * MESSAGE_SOURCE_COLUMNS order, then its message-recipient's IndexedMerge). Each SET is a commutative
 * merge: the latest bounce (ties broken by type/sub-type text), the first complaint, the latest SMTP
 * diagnostic (ties broken by text), minima of first-occurrence timestamps, sums of counts. The credited
 * opens and clicks are the reported ones once `delivered_at` is known (an inserted row comes from one
 * event, so it never has both). Status, send time and channel follow in their own statements.
 */
const MESSAGES_UPSERT_SQL = `INSERT INTO messages (
  org_id, message_id, recipient, recipient_domain, provider, from_address, subject, channel_id,
  configuration_set, template, status, sent_at, delivered_at, latency_ms, first_open_at, first_click_at,
  open_count, click_count, reported_first_open_at, reported_first_click_at, reported_open_count, reported_click_count,
  bounced_at, bounce_type, bounce_sub_type, complained_at, complaint_feedback_type,
  rejected_at, first_delay_at, rendering_failed_at, last_diagnostic, last_diagnostic_at, last_event_at, event_count)
SELECT org_id, message_id, recipient, recipient_domain, provider, from_address, subject, merged_channel_id,
  configuration_set, template, merged_status, merged_sent_at,
  CASE WHEN type = 'delivery' THEN at END, CASE WHEN type = 'delivery' THEN latency_ms END,
  NULL, NULL, 0, 0,
  CASE WHEN type = 'open' THEN at END, CASE WHEN type = 'click' THEN at END,
  type = 'open', type = 'click',
  CASE WHEN type = 'bounce' THEN at END, bounce_type, bounce_sub_type,
  CASE WHEN type = 'complaint' THEN at END, complaint_feedback_type,
  CASE WHEN type = 'reject' THEN at END, CASE WHEN type = 'delivery_delay' THEN at END,
  CASE WHEN type = 'rendering_failure' THEN at END,
  diagnostic, CASE WHEN diagnostic IS NOT NULL THEN at END, at, 1
FROM (SELECT ${MESSAGE_SOURCE_COLUMNS.map(([c], i) => `j.value ->> ${i} AS ${c}`).join(", ")},
    ${["merged_status", "merged_sent_at", "merged_channel_id"].map((c, i) => `j.value ->> ${MESSAGE_SOURCE_COLUMNS.length + i} AS ${c}`).join(", ")}
  FROM json_each(?1) AS j) WHERE true
ON CONFLICT (org_id, message_id, recipient) DO UPDATE SET
  ${[
    ...["recipient_domain", "provider", "from_address", "subject", "configuration_set", "template"].map(maxOf),
    ...["delivered_at", "latency_ms", "reported_first_open_at", "reported_first_click_at", "rejected_at", "first_delay_at", "rendering_failed_at"].map(minOf),
    "reported_open_count = messages.reported_open_count + excluded.reported_open_count",
    "reported_click_count = messages.reported_click_count + excluded.reported_click_count",
    ...CREDITED.map(
      ([credited, reported, merge]) =>
        `${credited} = CASE WHEN COALESCE(messages.delivered_at, excluded.delivered_at) IS NOT NULL THEN ${mergedOf(reported, merge)} ELSE ${merge === "min" ? "NULL" : "0"} END`,
    ),
    ...takeIf(
      `excluded.bounced_at IS NOT NULL AND (messages.bounced_at IS NULL OR excluded.bounced_at > messages.bounced_at
        OR (excluded.bounced_at = messages.bounced_at AND excluded.bounce_type || '/' || excluded.bounce_sub_type > messages.bounce_type || '/' || messages.bounce_sub_type))`,
      ["bounced_at", "bounce_type", "bounce_sub_type"],
    ),
    ...takeIf(
      `excluded.complained_at IS NOT NULL AND (messages.complained_at IS NULL OR excluded.complained_at < messages.complained_at
        OR (excluded.complained_at = messages.complained_at
          AND COALESCE(excluded.complaint_feedback_type, '') > COALESCE(messages.complaint_feedback_type, '')))`,
      ["complained_at", "complaint_feedback_type"],
    ),
    ...takeIf(
      `excluded.last_diagnostic_at IS NOT NULL AND (messages.last_diagnostic_at IS NULL OR excluded.last_diagnostic_at > messages.last_diagnostic_at
        OR (excluded.last_diagnostic_at = messages.last_diagnostic_at AND excluded.last_diagnostic > messages.last_diagnostic))`,
      ["last_diagnostic", "last_diagnostic_at"],
    ),
    "last_event_at = MAX(messages.last_event_at, excluded.last_event_at)",
    "event_count = messages.event_count + excluded.event_count",
  ].join(",\n  ")}`;

/** The messages upsert of a transaction's event rows, then the moves of stored rows' indexed columns. */
export function messageSql(rows: EventRow[]): SqlStatement[] {
  const merged = foldIndexed(rows);
  const upsertRows = rows.map((r) => {
    const m = merged.get(messageKey(r))!;
    return [...MESSAGE_SOURCE_COLUMNS.map(([, f]) => r[f]), m.status, m.sentAt, m.channelId];
  });
  const keys = JSON.stringify([...merged].map(([key, m]) => [...(JSON.parse(key) as string[]), m.status, m.sentAt, m.channelId]));
  return [
    { sql: MESSAGES_UPSERT_SQL, params: [JSON.stringify(upsertRows)] },
    { sql: MESSAGES_STATUS_SQL, params: [keys] },
    { sql: MESSAGES_SENT_CHANNEL_SQL, params: [keys] },
  ];
}

/**
 * Counter increments, per org: ?1 = [[orgId, counter, n]], ?2 = hour bucket of processing.
 */
export const COUNTERS_SQL = `INSERT INTO ingest_counters (org_id, bucket_start, counter, value)
SELECT j.value ->> 0, ?2, j.value ->> 1, j.value ->> 2 FROM json_each(?1) AS j WHERE true
ON CONFLICT (org_id, bucket_start, counter) DO UPDATE SET value = value + excluded.value`;

/** Ingestion lag increments: ?1 = [[orgId, lagBucket, n]], ?2 = 5-minute bucket of processing. */
export const LAG_SQL = `INSERT INTO ingest_lag (org_id, bucket_start, lag_bucket, count)
SELECT j.value ->> 0, ?2, j.value ->> 1, j.value ->> 2 FROM json_each(?1) AS j WHERE true
ON CONFLICT (org_id, bucket_start, lag_bucket) DO UPDATE SET count = count + excluded.count`;

export interface BatchWrite {
  /** Event rows, none of them stored yet (else the transaction fails). */
  rows: EventRow[];
  /** Dropped rows, none of them dropped before (else the transaction fails). */
  drops?: DroppedRow[];
  /** Counter increments per org and counter name (`accepted`, `duplicates`, `dropped.<reason>`). */
  counters: Map<string, Map<string, number>>;
  counterBucket: number;
  /** Ingestion lag histogram increments, per org and lag bucket, in the 5-minute bucket `lagBucketStart`. */
  lags?: Map<string, Map<number, number>>;
  lagBucketStart?: number;
}

/** The statements of one write transaction, in order (none when there is nothing to write). */
export function batchWriteStatements(d1: D1Database, w: BatchWrite): D1PreparedStatement[] {
  const statements = eventInsertSql(w.rows).map((s) => prepared(d1, s));
  if (w.drops?.length) {
    statements.push(d1.prepare(INSERT_DROPPED_SQL).bind(JSON.stringify(w.drops.map((r) => [r.orgId, r.eventKey, r.at, r.reason]))));
  }
  if (w.rows.length) {
    statements.push(...rollupStatements(d1, w.rows.filter((r) => !ENGAGEMENT_TYPES.has(r.type))));
    statements.push(...sendingDomainStatement(d1, w.rows));
    // Before the messages upsert: the credit reads which recipients were delivered before this transaction.
    statements.push(...engagementStatements(d1, w.rows));
    statements.push(...messageSql(w.rows).map((s) => prepared(d1, s)));
  }
  const counters = [...w.counters].flatMap(([org, m]) => [...m].filter(([, n]) => n > 0).map(([counter, n]) => [org, counter, n]));
  if (counters.length) statements.push(d1.prepare(COUNTERS_SQL).bind(JSON.stringify(counters), w.counterBucket));
  const lags = [...(w.lags ?? [])].flatMap(([org, m]) => [...m].map(([bucket, n]) => [org, bucket, n]));
  if (lags.length) statements.push(d1.prepare(LAG_SQL).bind(JSON.stringify(lags), w.lagBucketStart));
  return statements;
}

/** Identities, channels and template tag of each org that still exists. */
export async function loadOrgIngestConfigs(db: Db, orgIds: string[], defaultTemplateTag: string): Promise<Map<string, OrgIngestConfig>> {
  const out = new Map<string, OrgIngestConfig>();
  // D1 allows 100 bound values per statement.
  for (let i = 0; i < orgIds.length; i += 90) {
    const ids = orgIds.slice(i, i + 90);
    const [orgRows, identityRows, channelRows] = await db.batch([
      db.select({ id: orgs.id, templateTag: orgs.templateTag }).from(orgs).where(inArray(orgs.id, ids)),
      // Archived and disconnected identities no longer count; detached ones (gone from SES) still do until archived.
      db
        .select({ orgId: identities.orgId, identity: identities.identity })
        .from(identities)
        .where(and(inArray(identities.orgId, ids), isNull(identities.archivedAt), isNull(identities.disconnectedAt))),
      db
        .select({ orgId: channels.orgId, id: channels.id, configurationSetName: channels.configurationSetName })
        .from(channels)
        .where(inArray(channels.orgId, ids)),
    ]);
    for (const o of orgRows) {
      out.set(o.id, {
        orgId: o.id,
        identities: new Set(identityRows.filter((r) => r.orgId === o.id).map((r) => r.identity.toLowerCase())),
        channelsByConfigurationSet: new Map(channelRows.filter((r) => r.orgId === o.id).map((r) => [r.configurationSetName, r.id])),
        templateTag: o.templateTag ?? defaultTemplateTag,
      });
    }
  }
  return out;
}

// ---- identities and channels

export function findIdentity(db: Db, orgId: string, identity: string) {
  return db
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.orgId, orgId), eq(identities.identity, identity)))
    .get();
}

export function findChannelByConfigurationSet(db: Db, orgId: string, configurationSetName: string) {
  return db
    .select({ id: channels.id })
    .from(channels)
    .where(and(eq(channels.orgId, orgId), eq(channels.configurationSetName, configurationSetName)))
    .get();
}

// ---- ingest keys

/** Every ingest request starts here, so a moment's lock is waited out (retryTransient) rather than answered 503. */
export function findIngestKeyByHash(db: Db, keyHash: string) {
  return retryTransient(() =>
    db
      .select({ id: ingestKeys.id, orgId: ingestKeys.orgId, expiresAt: ingestKeys.expiresAt })
      .from(ingestKeys)
      .where(eq(ingestKeys.keyHash, keyHash))
      .get(),
  );
}

/** Keys that still authenticate at `now`: active ones and rotated ones inside their 24 h grace. */
export function listValidIngestKeys(db: Db, orgId: string, now: number) {
  return db
    .select({ id: ingestKeys.id, prefix: ingestKeys.keyPrefix, createdAt: ingestKeys.createdAt, expiresAt: ingestKeys.expiresAt })
    .from(ingestKeys)
    .where(and(eq(ingestKeys.orgId, orgId), or(isNull(ingestKeys.expiresAt), gt(ingestKeys.expiresAt, now))))
    .orderBy(desc(ingestKeys.createdAt))
    .all();
}

export function expireActiveIngestKeys(db: Db, orgId: string, expiresAt: number) {
  return db
    .update(ingestKeys)
    .set({ expiresAt })
    .where(and(eq(ingestKeys.orgId, orgId), isNull(ingestKeys.expiresAt)));
}

// ---- counters

/** Each counter summed over the hour buckets in [from, to). */
/**
 * Events of a workspace the consumer has stored or dropped, over all time, counted in rows (accepted
 * plus dropped; repeats and rejected requests are not). For a workspace whose every event has one
 * recipient — the demo — rows are events.
 */
export async function countProcessedRows(db: Db, orgId: string): Promise<number> {
  const row = await db
    .select({ n: sql<number | null>`SUM(${ingestCounters.value})` })
    .from(ingestCounters)
    .where(and(eq(ingestCounters.orgId, orgId), or(eq(ingestCounters.counter, "accepted"), sql`${ingestCounters.counter} LIKE 'dropped.%'`)))
    .get();
  return Number(row?.n ?? 0);
}

export function sumIngestCounters(db: Db, orgId: string, range: { from: number; to: number }) {
  return db
    .select({ counter: ingestCounters.counter, value: sql<number>`SUM(${ingestCounters.value})` })
    .from(ingestCounters)
    .where(and(eq(ingestCounters.orgId, orgId), gte(ingestCounters.bucketStart, range.from), lt(ingestCounters.bucketStart, range.to)))
    .groupBy(ingestCounters.counter)
    .all();
}

// ---- rejected payloads and dead letters

/** The `ingest_counters` counter of requests refused with 400/413 (each one stored as a rejected payload). */
export const REJECTED_COUNTER = "rejected";
/** The `ingest_counters` counter of rejected payloads deleted to keep a workspace within its cap. */
export const REJECTED_DISCARDED_COUNTER = "rejected.discarded";

/** The org's rejected payloads beyond `keep` (?2 count, ?3 stored UTF-8 bytes), newest first; never the newest. */
const REJECTED_BEYOND_CAP = `SELECT id FROM (
    SELECT id, ROW_NUMBER() OVER w AS n, SUM(length(CAST(body AS BLOB))) OVER w AS bytes
    FROM rejected_payloads WHERE org_id = ?1 WINDOW w AS (ORDER BY id DESC)
  ) WHERE n > 1 AND (n > ?2 OR bytes > ?3)`;

/**
 * Stores one rejected payload, counts it as `rejected` and, in the same transaction, deletes the org's
 * older ones beyond `keep`, adding how many it deleted to `rejected.discarded` (both in the hour
 * `counterBucket`).
 */
export async function insertRejectedPayload(
  d1: D1Database,
  row: typeof rejectedPayloads.$inferSelect,
  keep: { count: number; bytes: number },
  counterBucket: number,
) {
  const cap = [row.orgId, keep.count, keep.bytes] as const;
  await d1.batch([
    d1
      .prepare("INSERT INTO rejected_payloads (id, org_id, received_at, status, reason, body, body_bytes, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(row.id, row.orgId, row.receivedAt, row.status, row.reason, row.body, row.bodyBytes, row.truncated ? 1 : 0),
    d1
      .prepare(
        `INSERT INTO ingest_counters (org_id, bucket_start, counter, value) VALUES (?1, ?2, ?3, 1)
         ON CONFLICT (org_id, bucket_start, counter) DO UPDATE SET value = value + 1`,
      )
      .bind(row.orgId, counterBucket, REJECTED_COUNTER),
    d1
      .prepare(
        `INSERT INTO ingest_counters (org_id, bucket_start, counter, value)
         SELECT ?1, ?4, ?5, n FROM (SELECT COUNT(*) AS n FROM (${REJECTED_BEYOND_CAP})) WHERE n > 0
         ON CONFLICT (org_id, bucket_start, counter) DO UPDATE SET value = value + excluded.value`,
      )
      .bind(...cap, counterBucket, REJECTED_DISCARDED_COUNTER),
    d1.prepare(`DELETE FROM rejected_payloads WHERE id IN (${REJECTED_BEYOND_CAP})`).bind(...cap),
  ]);
}

export function listRejectedPayloadsPage(db: Db, orgId: string, cursor: string | undefined, limit: number) {
  return db
    .select()
    .from(rejectedPayloads)
    .where(and(eq(rejectedPayloads.orgId, orgId), cursor ? lt(rejectedPayloads.id, cursor) : undefined))
    .orderBy(desc(rejectedPayloads.id))
    .limit(limit)
    .all();
}

export function listDeadLettersPage(db: Db, orgId: string, cursor: string | undefined, limit: number) {
  return db
    .select()
    .from(deadLetters)
    .where(and(eq(deadLetters.orgId, orgId), cursor ? lt(deadLetters.id, cursor) : undefined))
    .orderBy(desc(deadLetters.id))
    .limit(limit)
    .all();
}

export function findDeadLetter(db: Db, orgId: string, id: string) {
  return db
    .select()
    .from(deadLetters)
    .where(and(eq(deadLetters.id, id), eq(deadLetters.orgId, orgId)))
    .get();
}

// ---- retention

/** Tables pruned by age, with the column that dates each row. */
const PRUNABLE = [
  ["events", "at"],
  ["dropped_events", "at"],
  ["messages", "sent_at"],
  ["rejected_payloads", "received_at"],
  ["ingest_counters", "bucket_start"],
  ["ingest_lag", "bucket_start"],
] as const;

/**
 * One bounded round of deletes: at most `limit` rows per table of the org older than `cutoff`. Callers
 * repeat until a round deletes fewer than `limit` rows everywhere, so no statement runs long.
 */
export async function pruneIngestRound(db: Db, orgId: string, cutoff: number, limit: number): Promise<Record<PrunedTable, number>> {
  const out = {} as Record<PrunedTable, number>;
  for (const [table, col] of PRUNABLE) {
    const res = await db.run(
      sql`DELETE FROM ${sql.identifier(table)} WHERE rowid IN (SELECT rowid FROM ${sql.identifier(table)} WHERE org_id = ${orgId} AND ${sql.identifier(col)} < ${cutoff} LIMIT ${limit})`,
    );
    out[table] = res.meta.changes ?? 0;
  }
  return out;
}
type PrunedTable = (typeof PRUNABLE)[number][0];

export type IdentityRow = typeof identities.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;

// ---- identities and channels, as the account sync reads and writes them

export function listOrgIdentities(db: Db, orgId: string) {
  return db
    .select()
    .from(identities)
    .where(and(eq(identities.orgId, orgId), isNull(identities.archivedAt)))
    .orderBy(identities.identity)
    .all();
}

export function listOrgChannels(db: Db, orgId: string) {
  return db.select().from(channels).where(eq(channels.orgId, orgId)).orderBy(channels.configurationSetName).all();
}

export function insertIdentityQuery(db: Db, row: typeof identities.$inferInsert) {
  return db.insert(identities).values(row);
}

export function updateIdentityQuery(db: Db, orgId: string, id: string, set: Partial<Omit<IdentityRow, "id" | "orgId">>) {
  return db
    .update(identities)
    .set(set)
    .where(and(eq(identities.orgId, orgId), eq(identities.id, id)));
}

export function insertChannelQuery(db: Db, row: typeof channels.$inferInsert) {
  return db.insert(channels).values(row);
}

export function updateChannelQuery(db: Db, orgId: string, id: string, set: Partial<Omit<ChannelRow, "id" | "orgId">>) {
  return db
    .update(channels)
    .set(set)
    .where(and(eq(channels.orgId, orgId), eq(channels.id, id)));
}

// ---- the ingest key the CloudFormation template carries

/** The org's active ingest key (not rotated away), newest first, with its sealed value if it has one. */
export function findActiveIngestKey(db: Db, orgId: string) {
  return db
    .select({ id: ingestKeys.id, prefix: ingestKeys.keyPrefix, sealedKey: ingestKeys.sealedKey })
    .from(ingestKeys)
    .where(and(eq(ingestKeys.orgId, orgId), isNull(ingestKeys.expiresAt)))
    .orderBy(desc(ingestKeys.createdAt))
    .limit(1)
    .get();
}

// ---- API response counters

/** The `ingest_counters` counters of the workspace's own API responses (/api/orgs/:orgId/*, /v1/*): all of them, and the 5xx among them. */
export const API_REQUESTS_COUNTER = "api.requests";
export const API_ERRORS_COUNTER = "api.errors_5xx";

/** Adds 1 to each of `counters` of the org in the hour bucket `bucket`: one statement. */
export function incrementCountersStatement(d1: D1Database, orgId: string, bucket: number, counters: readonly string[]) {
  return d1.prepare(COUNTERS_SQL).bind(JSON.stringify(counters.map((name) => [orgId, name, 1])), bucket);
}

/** The org's ingestion lag histogram (lag bucket → rows) over the 5-minute buckets in [from, to). */
export async function sumIngestLag(db: Db, orgId: string, range: { from: number; to: number }): Promise<Map<number, number>> {
  const rows = await db
    .select({ bucket: ingestLag.lagBucket, n: sql<number>`SUM(${ingestLag.count})` })
    .from(ingestLag)
    .where(and(eq(ingestLag.orgId, orgId), gte(ingestLag.bucketStart, range.from), lt(ingestLag.bucketStart, range.to)))
    .groupBy(ingestLag.lagBucket)
    .all();
  return new Map(rows.map((r) => [Number(r.bucket), Number(r.n)]));
}
