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
      const result = await stub.write({
        rows: part,
        lagBuckets: part.map((r) => latencyBucket(Math.max(0, now - r.at))),
        counterBucket: bucketStart(now, "hour"),
        lagBucketStart: lagBucketStart(now),
      });
      const stored = new Set(result.inserted);
      inserted.push(...part.filter((r) => stored.has(r.eventKey)));
      for (const { token, outbox } of result.pending) await applyToken(env.DB, token, outbox, now);
      pending = (await stub.confirm(result.pending.map((p) => p.token))).pending;
    }
    if (!pending) await clearShardPending(env.DB, shard, marks[index]!);
  }
  return inserted;
}

/** Applies one token's increments to D1 once: a token D1 already holds is skipped. */
async function applyToken(d1: D1Database, token: string, outbox: ShardOutbox, now: number) {
  try {
    await d1.batch(applyShardTokenStatements(d1, token, outbox, now));
  } catch (err) {
    if (!(await isShardTokenApplied(d1, token))) throw err;
  }
}
