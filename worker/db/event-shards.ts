import { BUCKET_SIZES, METRICS, prepared, ROLLUPS, SCOPES, SENDING_DOMAIN_ROLLUP, sendingDomainRows, upsertSql, type Rollup } from "./ingest";
import { bucketStart } from "../lib/time";
import type { EventRow } from "../services/ingest/normalise";

/*
 * Data access of the shard write path (docs/scaling.md, Shards: the write path). An event shard
 * (durable-objects/event-shard.ts) stores a chunk's events and messages and folds what they change in
 * D1 — rollup increments of every table and scope and of the sending-domain rollup, counters, lag
 * histogram — into an outbox under a token (`ShardOutbox`). The consumer hands each token to the org's
 * rollup buffer (durable-objects/rollup-buffer.ts), which sums the increments (`outboxIncrements`) and
 * hands back flushes; each flush is applied to D1 in one transaction that also inserts its id into
 * `applied_shard_tokens` (`applyShardTokenStatements`): a flush applied before fails that insert, the
 * transaction rolls back, and the flush is skipped.
 */

type Dim = string | number;

/** The columns of a rollup row a shard's outbox moves: its key, then its increments. */
export interface RollupIncrements {
  table: string;
  keyCols: string[];
  valueCols: string[];
  rows: Dim[][];
}

/** What one chunk written to a shard changes in D1. */
export interface ShardOutbox {
  orgId: string;
  /** The shard's UTC day ("YYYY-MM-DD"). */
  day: string;
  /** Event rows the shard newly stored. */
  events: number;
  rollups: RollupIncrements[];
  /** Counter increments in the hour `counterBucket` (accepted, duplicates). */
  counters: { counter: string; n: number }[];
  counterBucket: number;
  /** Ingestion lag histogram increments in the 5-minute bucket `lagBucketStart`. */
  lags: { bucket: number; n: number }[];
  lagBucketStart: number;
}

/** The event fields a rollup key reads (a stored message's, for its unique opens and clicks). */
export type RollupSource = Pick<
  EventRow,
  "orgId" | "type" | "channelId" | "provider" | "template" | "recipientDomain" | "bounceType" | "bounceSubType" | "complaintFeedbackType" | "latencyBucket"
>;

/** The unique-open/click columns the 0010/0018 triggers keep in D1; a shard folds them into its outbox instead. */
const UNIQUE_COLUMNS = ["unique_opens", "unique_clicks"];

interface OutboxRollup {
  rollup: Rollup;
  perChannel: boolean;
  table: string;
  keyCols: string[];
  valueCols: string[];
}

/** Every rollup table in both scopes (per channel, all channels), as the D1 writer writes them. */
const OUTBOX_ROLLUPS: OutboxRollup[] = ROLLUPS.flatMap((rollup) =>
  SCOPES.map((scope) => ({
    rollup,
    perChannel: scope.channelKey.length > 0,
    table: scope.tableOf(rollup.table),
    keyCols: ["org_id", "bucket_size", "bucket_start", ...scope.channelKey, ...rollup.keys],
    valueCols: rollup.metrics ? [...METRICS.map(([c]) => c), ...UNIQUE_COLUMNS] : ["count"],
  })),
);

/** Rollup increments summed in memory per rollup row, in every table and scope. */
export class RollupFold {
  private readonly tables = new Map<string, Map<string, { key: Dim[]; values: number[] }>>();

  /**
   * Adds, in the hour and day buckets of `at`, the increments `of(rollup)` gives (column → n; null: this
   * rollup is not touched) to the row `source` keys in each table.
   */
  add(source: RollupSource, at: number, of: (r: OutboxRollup) => Record<string, number> | null) {
    for (const r of OUTBOX_ROLLUPS) {
      const dims = r.rollup.keyOf(source as EventRow);
      const increments = dims && of(r);
      if (!dims || !increments) continue;
      const rows = this.tables.get(r.table) ?? new Map();
      this.tables.set(r.table, rows);
      for (const size of BUCKET_SIZES) {
        const key = [source.orgId, size, bucketStart(at, size), ...(r.perChannel ? [source.channelId ?? ""] : []), ...dims];
        const id = JSON.stringify(key);
        const entry = rows.get(id) ?? { key, values: r.valueCols.map(() => 0) };
        rows.set(id, entry);
        for (const [col, n] of Object.entries(increments)) entry.values[r.valueCols.indexOf(col)]! += n;
      }
    }
  }

  /** The event rows' own counts: metrics by type, or one per count rollup (opens and clicks come from the credit). */
  addEvents(rows: EventRow[]) {
    for (const row of rows) {
      this.add(row, row.at, (r) =>
        r.rollup.metrics ? Object.fromEntries(METRICS.map(([c, counts]) => [c, counts(row) ? 1 : 0])) : { count: 1 },
      );
    }
  }

  /** Rows whose increments cancel out (a unique open that stayed in its bucket) are left out. */
  increments(): RollupIncrements[] {
    return OUTBOX_ROLLUPS.flatMap((r) => {
      const rows = [...(this.tables.get(r.table)?.values() ?? [])].filter((e) => e.values.some((n) => n !== 0));
      return rows.length ? [{ table: r.table, keyCols: r.keyCols, valueCols: r.valueCols, rows: rows.map((e) => [...e.key, ...e.values]) }] : [];
    });
  }
}

/** The sending-domain rollup's increments of the rows a shard newly stored: the D1 writer's fold (`sendingDomainRows`). */
export function sendingDomainIncrements(rows: EventRow[]): RollupIncrements[] {
  const folded = sendingDomainRows(rows);
  return folded.length ? [{ ...SENDING_DOMAIN_ROLLUP, rows: folded }] : [];
}

/** The shard of an event row: its org and the UTC day of its message's send time (`mail.timestamp`). */
export function shardOf(row: Pick<EventRow, "orgId" | "sentAt">): { orgId: string; day: string; name: string } {
  const day = new Date(row.sentAt).toISOString().slice(0, 10);
  return { orgId: row.orgId, day, name: `${row.orgId}:${day}` };
}

/**
 * What a shard adds to its own event ids (1, 2, …) in what it answers: its day number since 1970 times
 * 2^32, so ids are unique across an org's shards and still order by row within one shard (2^32 rows a
 * day is far beyond any plan; ids stay under 2^53 for every day before the year 7000).
 */
export function shardIdBase(day: string): number {
  return (Date.parse(`${day}T00:00:00Z`) / 86_400_000) * 2 ** 32;
}

/**
 * Marks each shard pending before the consumer writes to it (a registry row is created on first use)
 * and returns each one's mark count, the value `clearShardPending` must still find.
 */
export async function markShardsPending(d1: D1Database, shards: { orgId: string; day: string }[], now: number): Promise<number[]> {
  if (!shards.length) return [];
  const results = await d1.batch<{ marks: number }>(
    shards.map((s) =>
      d1
        .prepare(
          `INSERT INTO event_shards (org_id, day, event_rows, pending_since, pending_marks) VALUES (?1, ?2, 0, ?3, 1)
           ON CONFLICT (org_id, day) DO UPDATE SET pending_since = COALESCE(pending_since, excluded.pending_since), pending_marks = pending_marks + 1
           RETURNING pending_marks AS marks`,
        )
        .bind(s.orgId, s.day, now),
    ),
  );
  return results.map((r) => r.results[0]!.marks);
}

/** The shard has no token left to apply: it is no longer pending, unless another consumer marked it since `marks`. */
export async function clearShardPending(d1: D1Database, shard: { orgId: string; day: string }, marks: number) {
  await d1
    .prepare("UPDATE event_shards SET pending_since = NULL WHERE org_id = ?1 AND day = ?2 AND pending_marks = ?3")
    .bind(shard.orgId, shard.day, marks)
    .run();
}

/** The tables besides the rollups an outbox moves, as increments of their keys (generic upserts, `upsertSql`). */
const COUNTER_INCREMENTS = { table: "ingest_counters", keyCols: ["org_id", "bucket_start", "counter"], valueCols: ["value"] };
const LAG_INCREMENTS = { table: "ingest_lag", keyCols: ["org_id", "bucket_start", "lag_bucket"], valueCols: ["count"] };
const REGISTRY_INCREMENTS = { table: "event_shards", keyCols: ["org_id", "day"], valueCols: ["event_rows"] };

/**
 * Everything a shard's outbox adds to D1 as increments of rows by key: the rollups, the counters of its
 * hour, the lag histogram of its 5-minute bucket and the registry's row count of its day. In this form
 * outboxes of different hours and days sum per row (the rollup buffer's flushes).
 */
export function outboxIncrements(o: ShardOutbox): RollupIncrements[] {
  const out = [...o.rollups];
  if (o.counters.length) out.push({ ...COUNTER_INCREMENTS, rows: o.counters.map((c) => [o.orgId, o.counterBucket, c.counter, c.n]) });
  if (o.lags.length) out.push({ ...LAG_INCREMENTS, rows: o.lags.map((l) => [o.orgId, o.lagBucketStart, l.bucket, l.n]) });
  if (o.events) out.push({ ...REGISTRY_INCREMENTS, rows: [[o.orgId, o.day, o.events]] });
  return out;
}

/**
 * One transaction applying a rollup buffer's flush (`token` = its id): the token first (it fails when
 * already applied), then one upsert per table it moves. A flush token has no shard: its `day` is ''.
 */
export function applyShardTokenStatements(d1: D1Database, token: string, orgId: string, increments: RollupIncrements[], now: number): D1PreparedStatement[] {
  return [
    d1.prepare("INSERT INTO applied_shard_tokens (token, org_id, day, applied_at) VALUES (?1, ?2, '', ?3)").bind(token, orgId, now),
    ...increments.map((r) => prepared(d1, { sql: upsertSql(r.table, r.keyCols, r.valueCols), params: [JSON.stringify(r.rows)] })),
  ];
}

export async function isShardTokenApplied(d1: D1Database, token: string): Promise<boolean> {
  return (await d1.prepare("SELECT 1 AS x FROM applied_shard_tokens WHERE token = ?1").bind(token).first()) !== null;
}

/** The org's shards (registry days) between two days, both included, newest first. */
export async function listShardDays(d1: D1Database, orgId: string, fromDay = "0000-00-00", toDay = "9999-99-99"): Promise<string[]> {
  const { results } = await d1
    .prepare("SELECT day FROM event_shards WHERE org_id = ?1 AND day >= ?2 AND day <= ?3 ORDER BY day DESC")
    .bind(orgId, fromDay, toDay)
    .all<{ day: string }>();
  return results.map((r) => r.day);
}

/** The org's shards of days before `day`, oldest first. */
export async function listShardDaysBefore(d1: D1Database, orgId: string, day: string): Promise<string[]> {
  const { results } = await d1.prepare("SELECT day FROM event_shards WHERE org_id = ?1 AND day < ?2 ORDER BY day").bind(orgId, day).all<{ day: string }>();
  return results.map((r) => r.day);
}

/** The registry forgets a shard whose storage is deleted. */
export async function deleteShardRow(d1: D1Database, orgId: string, day: string) {
  await d1.prepare("DELETE FROM event_shards WHERE org_id = ?1 AND day = ?2").bind(orgId, day).run();
}

/**
 * Forgets applied tokens older than `before` that cannot be offered again. A shard token (from before the
 * rollup buffer, or of a day) goes when its shard is not pending: such a shard has confirmed every token
 * it handed out (its pending mark clears only when none is left). A flush of the rollup buffer is offered
 * again only while the buffer holds it, and the buffer holds a flush only while its registry row
 * (`rollup_buffers`) is pending or, before the buffer's mark, while the shard token it came from is still
 * pending in its shard: so a flush goes only when neither the org's buffer nor any of its shards is
 * pending. Returns how many went.
 */
export async function pruneAppliedShardTokens(d1: D1Database, before: number): Promise<number> {
  const res = await d1
    .prepare(
      `DELETE FROM applied_shard_tokens AS t WHERE t.applied_at < ?1
         AND NOT EXISTS (SELECT 1 FROM event_shards AS s WHERE s.org_id = t.org_id AND (s.day = t.day OR t.day = '') AND s.pending_since IS NOT NULL)
         AND NOT (t.day = '' AND EXISTS (SELECT 1 FROM rollup_buffers AS b WHERE b.org_id = t.org_id AND b.pending_since IS NOT NULL))`,
    )
    .bind(before)
    .run();
  return res.meta.changes ?? 0;
}

/** At most 1,000 registry rows pending since before `before` (the `event_shards_pending` index), oldest first. */
export async function listPendingShards(d1: D1Database, before: number): Promise<{ orgId: string; day: string }[]> {
  const { results } = await d1
    .prepare("SELECT org_id AS orgId, day FROM event_shards WHERE pending_since < ?1 ORDER BY pending_since LIMIT 1000")
    .bind(before)
    .all<{ orgId: string; day: string }>();
  return results;
}
