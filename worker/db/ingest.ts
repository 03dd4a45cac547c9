import { and, desc, eq, gt, inArray, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import {
  channels,
  deadLetters,
  identities,
  ingestCounters,
  ingestKeys,
  MESSAGE_STATUSES,
  orgs,
  rejectedPayloads,
} from "./schema";
import type { EventRow, OrgIngestConfig } from "../services/ingest/normalise";

/*
 * Data access for ingest. The consumer's write is one D1 batch (one transaction) built here:
 *   1. INSERT the batch's event rows … ON CONFLICT (org_id, event_key) DO NOTHING, stamped with batch_id;
 *   2. one upsert per rollup table, aggregated from `events WHERE batch_id = ?` (only rows this attempt
 *      inserted, so duplicates contribute nothing), hour and day buckets in the same statement;
 *   3. the `messages` upsert (after 2: the unique-open/click moves read the previous first_open_at);
 *   4. the counters (accepted = rows inserted, duplicates = rows offered − rows inserted, dropped).
 * A failure anywhere rolls the whole batch back, so no dedupe mark can outlive a failed write.
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
  ["detail_json", "detailJson"],
];

const INSERT_EVENTS_SQL = `INSERT INTO events (batch_id, ${EVENT_COLUMNS.map(([c]) => c).join(", ")})
SELECT ?1, ${EVENT_COLUMNS.map((_, i) => `j.value ->> ${i}`).join(", ")}
FROM json_each(?2) AS j WHERE true
ON CONFLICT (org_id, event_key) DO NOTHING
RETURNING event_key`;

/**
 * Rows travel as one JSON parameter per statement, in chunks of at most this many UTF-16 units: at
 * most 3 bytes each in UTF-8, so a parameter stays under D1's 2,000,000-byte value limit.
 */
const EVENTS_CHUNK_CHARS = 600_000;

function eventInsertStatements(d1: D1Database, batchId: string, rows: EventRow[]): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  let chunk: string[] = [];
  let size = 0;
  const flush = () => {
    if (chunk.length) out.push(d1.prepare(INSERT_EVENTS_SQL).bind(batchId, `[${chunk.join(",")}]`));
    chunk = [];
    size = 0;
  };
  for (const row of rows) {
    const json = JSON.stringify(EVENT_COLUMNS.map(([, f]) => row[f]));
    if (size + json.length > EVENTS_CHUNK_CHARS) flush();
    chunk.push(json);
    size += json.length + 1;
  }
  flush();
  return out;
}

/** The rows this attempt inserted, with the rollup dimensions ('' = none). */
const BATCH_CTE = `b AS (
  SELECT org_id, type, at, COALESCE(channel_id, '') AS ch, provider, COALESCE(template, '') AS tpl,
         recipient_domain AS dom, message_id, recipient, bounce_type, bounce_sub_type,
         complaint_feedback_type, latency_bucket
  FROM events WHERE batch_id = ?1
),
sizes(size, step) AS (VALUES ('hour', 3600000), ('day', 86400000))`;

/** Rollup metric columns and the per-event-row expression that feeds each. */
const METRICS: [column: string, expr: string][] = [
  ["sends", "type = 'send'"],
  ["deliveries", "type = 'delivery'"],
  ["hard_bounces", "type = 'bounce' AND bounce_type = 'Permanent'"],
  ["soft_bounces", "type = 'bounce' AND bounce_type = 'Transient'"],
  ["undetermined_bounces", "type = 'bounce' AND bounce_type = 'Undetermined'"],
  ["complaints", "type = 'complaint'"],
  ["rejects", "type = 'reject'"],
  ["delays", "type = 'delivery_delay'"],
  ["rendering_failures", "type = 'rendering_failure'"],
  ["opens", "type = 'open'"],
  ["clicks", "type = 'click'"],
  ["unique_opens", "0"],
  ["unique_clicks", "0"],
  ["subscriptions", "type = 'subscription'"],
];

/**
 * Upsert of one metric rollup (totals, or by one dimension). Unique opens/clicks: a message-recipient
 * counts +1 in the bucket of its earliest open (click). When this batch holds an open earlier than the
 * stored `messages.first_open_at`, the unique moves: −1 in the old bucket, +1 in the new one. The
 * result depends only on the set of events, never on their order or on how they were batched.
 */
function metricRollupSql(table: string, dimColumn: string | null, dimExpr: string | null): string {
  const dimSel = dimExpr ? `, ${dimExpr} AS dim` : "";
  const dimFirst = dimExpr ? `, MIN(${dimExpr}) AS dim` : "";
  const dimRef = dimExpr ? ", dim" : "";
  const metricCols = METRICS.map(([c]) => c).join(", ");
  const keyCols = `org_id, bucket_size, bucket_start, channel_id${dimColumn ? `, ${dimColumn}` : ""}`;
  const uniqueSel = (sign: string, atCol: string) =>
    `SELECT org_id, ${atCol} AS at, ch${dimRef}, ${METRICS.map(([c]) =>
      c === "unique_opens" ? `${sign}(type = 'open') AS ${c}` : c === "unique_clicks" ? `${sign}(type = 'click') AS ${c}` : `0 AS ${c}`,
    ).join(", ")} FROM moves`;
  return `WITH ${BATCH_CTE},
firsts AS (
  SELECT org_id, message_id, recipient, type, MIN(at) AS first_at, MIN(ch) AS ch${dimFirst}
  FROM b WHERE type IN ('open', 'click') GROUP BY org_id, message_id, recipient, type
),
moves AS (
  SELECT f.*, CASE f.type WHEN 'open' THEN m.first_open_at ELSE m.first_click_at END AS old_at
  FROM firsts f LEFT JOIN messages m
    ON m.org_id = f.org_id AND m.message_id = f.message_id AND m.recipient = f.recipient
),
d AS (
  SELECT org_id, at, ch${dimSel}, ${METRICS.map(([c, e]) => `(${e}) AS ${c}`).join(", ")} FROM b
  UNION ALL ${uniqueSel("+", "first_at")} WHERE old_at IS NULL OR first_at < old_at
  UNION ALL ${uniqueSel("-", "old_at")} WHERE old_at IS NOT NULL AND first_at < old_at
)
INSERT INTO ${table} (${keyCols}, ${metricCols})
SELECT d.org_id, sizes.size, (d.at / sizes.step) * sizes.step, d.ch${dimRef ? ", d.dim" : ""}, ${METRICS.map(([c]) => `SUM(d.${c})`).join(", ")}
FROM d CROSS JOIN sizes WHERE true
GROUP BY d.org_id, sizes.size, (d.at / sizes.step) * sizes.step, d.ch${dimRef ? ", d.dim" : ""}
ON CONFLICT (${keyCols}) DO UPDATE SET ${METRICS.map(([c]) => `${c} = ${c} + excluded.${c}`).join(", ")}`;
}

/** Upsert of a count-only rollup keyed by extra columns taken from the batch rows matching `where`. */
function countRollupSql(table: string, cols: [column: string, expr: string][], where: string): string {
  const keyCols = `org_id, bucket_size, bucket_start, channel_id, ${cols.map(([c]) => c).join(", ")}`;
  const exprs = cols.map(([, e]) => e).join(", ");
  return `WITH ${BATCH_CTE}
INSERT INTO ${table} (${keyCols}, count)
SELECT b.org_id, sizes.size, (b.at / sizes.step) * sizes.step, b.ch, ${exprs}, COUNT(*)
FROM b CROSS JOIN sizes WHERE ${where}
GROUP BY b.org_id, sizes.size, (b.at / sizes.step) * sizes.step, b.ch, ${exprs}
ON CONFLICT (${keyCols}) DO UPDATE SET count = count + excluded.count`;
}

/**
 * The rollup upserts. A count-only rollup reads just some event types: when no row of the transaction
 * has one of them, its statement would change nothing and is not sent (most transactions hold no
 * complaint, many no bounce).
 */
const ROLLUPS: { sql: string; readsRow?: (r: EventRow) => boolean }[] = [
  { sql: metricRollupSql("rollup_totals", null, null) },
  { sql: metricRollupSql("rollup_providers", "provider", "provider") },
  { sql: metricRollupSql("rollup_templates", "template", "tpl") },
  { sql: metricRollupSql("rollup_domains", "recipient_domain", "dom") },
  {
    sql: countRollupSql("rollup_bounce_reasons", [["bounce_type", "b.bounce_type"], ["bounce_sub_type", "b.bounce_sub_type"]], "b.type = 'bounce'"),
    readsRow: (r) => r.type === "bounce",
  },
  {
    sql: countRollupSql("rollup_complaint_reasons", [["feedback_type", "COALESCE(b.complaint_feedback_type, '')"]], "b.type = 'complaint'"),
    readsRow: (r) => r.type === "complaint",
  },
  {
    sql: countRollupSql("rollup_latency", [["bucket", "b.latency_bucket"]], "b.type = 'delivery' AND b.latency_bucket IS NOT NULL"),
    readsRow: (r) => r.type === "delivery" && r.latencyBucket !== null,
  },
];

const STATUS_OF_TYPE: Record<string, string> = {
  send: "sent",
  delivery: "delivered",
  // An open, a click or an unsubscribe proves the message arrived.
  open: "delivered",
  click: "delivered",
  subscription: "delivered",
  delivery_delay: "delayed",
  bounce: "bounced",
  complaint: "complained",
  reject: "rejected",
  rendering_failure: "rendering_failed",
};

const statusRank = (col: string) =>
  `(CASE ${col} ${MESSAGE_STATUSES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(" ")} END)`;
/** Earliest non-null of two nullable values (SQLite's scalar MIN is NULL when any argument is). */
const minOf = (c: string) => `${c} = COALESCE(MIN(messages.${c}, excluded.${c}), messages.${c}, excluded.${c})`;
const maxOf = (c: string) => `${c} = COALESCE(MAX(messages.${c}, excluded.${c}), messages.${c}, excluded.${c})`;
/** A group of columns taken together from the winning side; `cond` is true when the incoming row wins. */
const takeIf = (cond: string, cols: string[]) => cols.map((c) => `${c} = CASE WHEN ${cond} THEN excluded.${c} ELSE messages.${c} END`);

/**
 * Per-row upsert of messages from the batch's new event rows. Each SET is a commutative merge: the
 * latest bounce (ties broken by type/sub-type text), the first complaint, the latest SMTP diagnostic
 * (ties broken by text), minima of first-occurrence timestamps, sums of counts, status by precedence.
 */
const MESSAGES_UPSERT_SQL = `INSERT INTO messages (
  org_id, message_id, recipient, recipient_domain, provider, from_address, subject, channel_id,
  configuration_set, template, status, sent_at, delivered_at, latency_ms, first_open_at, first_click_at,
  open_count, click_count, bounced_at, bounce_type, bounce_sub_type, complained_at, complaint_feedback_type,
  rejected_at, first_delay_at, rendering_failed_at, last_diagnostic, last_diagnostic_at, last_event_at, event_count)
SELECT org_id, message_id, recipient, recipient_domain, provider, from_address, subject, channel_id,
  configuration_set, template,
  CASE type ${Object.entries(STATUS_OF_TYPE).map(([t, s]) => `WHEN '${t}' THEN '${s}'`).join(" ")} END,
  sent_at,
  CASE WHEN type = 'delivery' THEN at END, CASE WHEN type = 'delivery' THEN latency_ms END,
  CASE WHEN type = 'open' THEN at END, CASE WHEN type = 'click' THEN at END,
  type = 'open', type = 'click',
  CASE WHEN type = 'bounce' THEN at END, bounce_type, bounce_sub_type,
  CASE WHEN type = 'complaint' THEN at END, complaint_feedback_type,
  CASE WHEN type = 'reject' THEN at END, CASE WHEN type = 'delivery_delay' THEN at END,
  CASE WHEN type = 'rendering_failure' THEN at END,
  diagnostic, CASE WHEN diagnostic IS NOT NULL THEN at END, at, 1
FROM events WHERE batch_id = ?1
ON CONFLICT (org_id, message_id, recipient) DO UPDATE SET
  ${[
    ...["recipient_domain", "provider", "from_address", "subject", "channel_id", "configuration_set", "template"].map(maxOf),
    `status = CASE WHEN ${statusRank("excluded.status")} > ${statusRank("messages.status")} THEN excluded.status ELSE messages.status END`,
    ...["sent_at", "delivered_at", "latency_ms", "first_open_at", "first_click_at", "rejected_at", "first_delay_at", "rendering_failed_at"].map(minOf),
    "open_count = messages.open_count + excluded.open_count",
    "click_count = messages.click_count + excluded.click_count",
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

/**
 * Counters of the batch, per org: accepted = rows this attempt inserted, duplicates = rows offered −
 * rows inserted, plus the dropped counts computed by the consumer. ?2 = [[orgId, rowsOffered]],
 * ?3 = [[orgId, counter, n]], ?4 = hour bucket of processing.
 */
const COUNTERS_SQL = `WITH offered AS (SELECT j.value ->> 0 AS org_id, j.value ->> 1 AS n FROM json_each(?2) AS j),
inserted AS (SELECT org_id, COUNT(*) AS n FROM events WHERE batch_id = ?1 GROUP BY org_id),
c AS (
  SELECT o.org_id, 'accepted' AS counter, COALESCE(i.n, 0) AS value FROM offered o LEFT JOIN inserted i ON i.org_id = o.org_id
  UNION ALL
  SELECT o.org_id, 'duplicates', o.n - COALESCE(i.n, 0) FROM offered o LEFT JOIN inserted i ON i.org_id = o.org_id
  UNION ALL
  SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2 FROM json_each(?3) AS j
)
INSERT INTO ingest_counters (org_id, bucket_start, counter, value)
SELECT org_id, ?4, counter, value FROM c WHERE value > 0
ON CONFLICT (org_id, bucket_start, counter) DO UPDATE SET value = value + excluded.value`;

export interface BatchWrite {
  batchId: string;
  rows: EventRow[];
  /** Rows offered per org (including duplicates). */
  offered: Map<string, number>;
  /** Dropped rows per org and counter name (`dropped.<reason>`). */
  dropped: Map<string, Map<string, number>>;
  counterBucket: number;
}

/**
 * The statements of one consumer batch, in order. `eventStatementCount` tells which leading results
 * hold the RETURNING rows of the inserted events.
 */
export function batchWriteStatements(d1: D1Database, w: BatchWrite): { statements: D1PreparedStatement[]; eventStatementCount: number } {
  const inserts = eventInsertStatements(d1, w.batchId, w.rows);
  const statements = [...inserts];
  if (w.rows.length) {
    for (const r of ROLLUPS) if (!r.readsRow || w.rows.some(r.readsRow)) statements.push(d1.prepare(r.sql).bind(w.batchId));
    statements.push(d1.prepare(MESSAGES_UPSERT_SQL).bind(w.batchId));
  }
  const dropped = [...w.dropped].flatMap(([org, m]) => [...m].map(([counter, n]) => [org, counter, n]));
  statements.push(d1.prepare(COUNTERS_SQL).bind(w.batchId, JSON.stringify([...w.offered]), JSON.stringify(dropped), w.counterBucket));
  return { statements, eventStatementCount: inserts.length };
}

/** Identities, channels and template tag of each org that still exists. */
export async function loadOrgIngestConfigs(db: Db, orgIds: string[], defaultTemplateTag: string): Promise<Map<string, OrgIngestConfig>> {
  const out = new Map<string, OrgIngestConfig>();
  // D1 allows 100 bound values per statement.
  for (let i = 0; i < orgIds.length; i += 90) {
    const ids = orgIds.slice(i, i + 90);
    const [orgRows, identityRows, channelRows] = await db.batch([
      db.select({ id: orgs.id, templateTag: orgs.templateTag }).from(orgs).where(inArray(orgs.id, ids)),
      db.select({ orgId: identities.orgId, identity: identities.identity }).from(identities).where(inArray(identities.orgId, ids)),
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

export function findIngestKeyByHash(db: Db, keyHash: string) {
  return db
    .select({ id: ingestKeys.id, orgId: ingestKeys.orgId, expiresAt: ingestKeys.expiresAt })
    .from(ingestKeys)
    .where(eq(ingestKeys.keyHash, keyHash))
    .get();
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

export function sumIngestCounters(db: Db, orgId: string, since: number) {
  return db
    .select({ counter: ingestCounters.counter, value: sql<number>`SUM(${ingestCounters.value})` })
    .from(ingestCounters)
    .where(and(eq(ingestCounters.orgId, orgId), gt(ingestCounters.bucketStart, since - 1)))
    .groupBy(ingestCounters.counter)
    .all();
}

// ---- rejected payloads and dead letters

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
  ["messages", "sent_at"],
  ["rejected_payloads", "received_at"],
  ["ingest_counters", "bucket_start"],
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
