import type { Env } from "../../env";
import {
  applyShardTokenStatements,
  clearShardPending,
  isShardTokenApplied,
  markShardsPending,
  shardOf,
  type ShardOutbox,
} from "../../db/event-shards";
import { bucketStart } from "../../lib/time";
import { lagBucketStart, latencyBucket } from "./latency";
import type { EventRow } from "./normalise";
import type { PendingToken } from "../../../durable-objects/event-shard";

type ShardStub = ReturnType<Env["EVENT_SHARDS"]["get"]>;

/**
 * The shard write path of a batch's event rows (docs/scaling.md, Shards: the write path):
 *   1. group the rows by shard (org, UTC day of mail.timestamp) and mark each shard pending in D1's
 *      `event_shards` registry;
 *   2. per shard, per chunk of at most `chunkRows` rows: the shard stores the rows not stored before and
 *      returns every pending outbox token (an earlier attempt's ones too);
 *   3. each token is applied to D1 in one transaction that inserts it into `applied_shard_tokens`: a
 *      token applied before fails there and is skipped, so nothing counts twice;
 *   4. the applied tokens are confirmed to the shard; when none is left, the registry row is no longer
 *      pending.
 * A throw anywhere makes the queue retry the batch: the shard then finds the rows stored (duplicates)
 * and hands back the tokens D1 has not confirmed, so nothing is lost either. Returns the rows newly
 * stored by this attempt.
 */
export async function writeToShards(env: Env, rows: EventRow[], chunkRows: number, now: number): Promise<EventRow[]> {
  const byShard = new Map<string, { orgId: string; day: string; rows: EventRow[] }>();
  for (const r of rows) {
    const shard = shardOf(r);
    const group = byShard.get(shard.name) ?? { orgId: shard.orgId, day: shard.day, rows: [] };
    group.rows.push(r);
    byShard.set(shard.name, group);
  }
  const shards = [...byShard];
  const marks = await markShardsPending(env.DB, shards.map(([, s]) => s), now);

  const inserted: EventRow[] = [];
  for (const [index, [name, shard]] of shards.entries()) {
    const stub = env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(name));
    let pending = 0;
    for (let i = 0; i < shard.rows.length; i += chunkRows) {
      const part = shard.rows.slice(i, i + chunkRows);
      const result = await stub.write(chunkOf(part, now));
      const stored = new Set(result.inserted);
      inserted.push(...part.filter((r) => stored.has(r.eventKey)));
      pending = await applyAndConfirm(env.DB, stub, result.pending, now);
    }
    if (!pending) await clearShardPending(env.DB, shard, marks[index]!);
  }
  return inserted;
}

/** A chunk of rows for `EventShard.write`, with the buckets of `now` (the consumer owns time). */
const chunkOf = (rows: EventRow[], now: number) => ({
  rows,
  lagBuckets: rows.map((r) => latencyBucket(Math.max(0, now - r.at))),
  counterBucket: bucketStart(now, "hour"),
  lagBucketStart: lagBucketStart(now),
});

/** Steps 3 and 4: applies each pending token to D1 once, then confirms them to the shard; returns how many it still holds. */
async function applyAndConfirm(d1: D1Database, stub: ShardStub, pending: PendingToken[], now: number): Promise<number> {
  for (const { token, outbox } of pending) await applyToken(d1, token, outbox, now);
  return (await stub.confirm(pending.map((p) => p.token))).pending;
}

/**
 * The registry sweep's step for one shard pending longer than any retry (a batch that went to the
 * dead-letter queue after its shard write): a write of no rows returns the shard's pending tokens, which
 * are applied and confirmed as the consumer does, and the shard stops being pending when none is left.
 * Returns how many tokens it applied or found applied.
 */
export async function settleShard(env: Pick<Env, "DB" | "EVENT_SHARDS">, shard: { orgId: string; day: string }, now: number): Promise<number> {
  const [marks] = await markShardsPending(env.DB, [shard], now);
  const stub = env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(`${shard.orgId}:${shard.day}`));
  const { pending } = await stub.write(chunkOf([], now));
  if (!(await applyAndConfirm(env.DB, stub, pending, now))) await clearShardPending(env.DB, shard, marks!);
  return pending.length;
}

/** Applies one token's increments to D1 once: a token D1 already holds is skipped. */
async function applyToken(d1: D1Database, token: string, outbox: ShardOutbox, now: number) {
  try {
    await d1.batch(applyShardTokenStatements(d1, token, outbox, now));
  } catch (err) {
    if (!(await isShardTokenApplied(d1, token))) throw err;
  }
}
