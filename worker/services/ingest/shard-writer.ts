import type { Env } from "../../env";
import { applyShardTokenStatements, clearShardPending, isShardTokenApplied, markShardsPending, shardOf } from "../../db/event-shards";
import { clearBufferPending, markBufferPending } from "../../db/rollup-buffers";
import { bucketStart } from "../../lib/time";
import { lagBucketStart, latencyBucket } from "./latency";
import type { EventRow } from "./normalise";
import type { PendingToken } from "../../../durable-objects/event-shard";
import type { BufferAnswer, BufferState, RollupFlush } from "../../../durable-objects/rollup-buffer";

type ShardStub = ReturnType<Env["EVENT_SHARDS"]["get"]>;
type BufferStub = ReturnType<Env["ROLLUP_BUFFERS"]["get"]>;
type BufferEnv = Pick<Env, "DB" | "ROLLUP_BUFFERS" | "ROLLUP_FLUSH_SECONDS">;

/** ROLLUP_FLUSH_SECONDS when the var is absent. */
const DEFAULT_FLUSH_SECONDS = 30;

/** How long the rollup buffer sums increments before they go to D1 (ROLLUP_FLUSH_SECONDS; 0: at every write). */
export const rollupFlushMs = (env: Pick<Env, "ROLLUP_FLUSH_SECONDS">) => Number(env.ROLLUP_FLUSH_SECONDS ?? DEFAULT_FLUSH_SECONDS) * 1000;

const bufferOf = (env: BufferEnv, orgId: string): BufferStub => env.ROLLUP_BUFFERS.get(env.ROLLUP_BUFFERS.idFromName(orgId));

/**
 * The shard write path of a batch's event rows (docs/scaling.md, Shards: the write path):
 *   1. group the rows by shard (org, UTC day of mail.timestamp) and mark each shard pending in D1's
 *      `event_shards` registry;
 *   2. per shard, per chunk of at most `chunkRows` rows: the shard stores the rows not stored before and
 *      returns every pending outbox token (an earlier attempt's ones too);
 *   3. the tokens go to the org's rollup buffer, which takes each once and sums its increments; the
 *      flushes it hands back (its sum, once per ROLLUP_FLUSH_SECONDS) are each applied to D1 in one
 *      transaction that inserts the flush id into `applied_shard_tokens`: a flush applied before fails
 *      there and is skipped, so nothing counts twice; the buffer is marked pending in D1 while it holds
 *      increments;
 *   4. the tokens are confirmed to the shard; when none is left, the registry row is no longer pending.
 * A throw anywhere makes the queue retry the batch: the shard then finds the rows stored (duplicates)
 * and hands back the tokens it has not had confirmed, which the buffer took at most once, so nothing is
 * lost either. Returns the rows newly stored by this attempt.
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
      pending = await applyAndConfirm(env, shard.orgId, stub, result.pending, now);
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

/** Steps 3 and 4: the buffer takes each pending token once, then they are confirmed to the shard; returns how many it still holds. */
async function applyAndConfirm(env: BufferEnv, orgId: string, stub: ShardStub, pending: PendingToken[], now: number): Promise<number> {
  if (pending.length) await bufferTokens(env, orgId, pending, now);
  return (await stub.confirm(pending.map((p) => p.token))).pending;
}

/**
 * Hands a shard's tokens to the org's rollup buffer and applies the flushes it answers. Before the
 * tokens may be confirmed to the shard, whatever the buffer still holds must be covered by a registry
 * mark, so the idle sweep finds it once traffic stops; until then the shard's pending tokens cover it (a
 * retry or the shard sweep hands them to the buffer again, which marks).
 */
async function bufferTokens(env: BufferEnv, orgId: string, pending: PendingToken[], now: number) {
  const buffer = bufferOf(env, orgId);
  const state = await applyFlushes(env, orgId, buffer, await buffer.add(orgId, pending, now, rollupFlushMs(env)), now);
  if (state.held && state.marks === null) await buffer.marked(state.epoch, await markBufferPending(env.DB, orgId, now));
}

/**
 * Applies each flush of `answer` to D1 once and confirms them to the buffer; clears the registry with the
 * mark the buffer releases when it holds nothing more. Returns the buffer's state.
 */
async function applyFlushes(env: BufferEnv, orgId: string, buffer: BufferStub, answer: BufferAnswer, now: number): Promise<BufferState> {
  let state: BufferState = answer;
  if (answer.flushes.length) {
    for (const flush of answer.flushes) await applyFlush(env.DB, flush, now);
    state = await buffer.confirm(answer.flushes.map((f) => f.id));
  }
  if (state.release !== null) await clearBufferPending(env.DB, orgId, state.release);
  return state;
}

/**
 * The idle sweep's step for one org whose buffer is pending longer than the flush interval (traffic
 * stopped): marks the buffer like a consumer, takes its sum whatever its age, applies and confirms every
 * pending flush, and clears its own mark when the buffer holds nothing more. Returns how many flushes it
 * applied or found applied.
 */
export async function flushRollupBuffer(env: BufferEnv, orgId: string, now: number): Promise<number> {
  const marks = await markBufferPending(env.DB, orgId, now);
  const buffer = bufferOf(env, orgId);
  const answer = await buffer.take(orgId, now);
  if (!(await applyFlushes(env, orgId, buffer, answer, now)).held) await clearBufferPending(env.DB, orgId, marks);
  return answer.flushes.length;
}

/**
 * The registry sweep's step for one shard pending longer than any retry (a batch that went to the
 * dead-letter queue after its shard write): a write of no rows returns the shard's pending tokens, which
 * are applied and confirmed as the consumer does, and the shard stops being pending when none is left.
 * Returns how many tokens it applied or found applied.
 */
export async function settleShard(env: BufferEnv & Pick<Env, "EVENT_SHARDS">, shard: { orgId: string; day: string }, now: number): Promise<number> {
  const [marks] = await markShardsPending(env.DB, [shard], now);
  const stub = env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(`${shard.orgId}:${shard.day}`));
  const { pending } = await stub.write(chunkOf([], now));
  if (!(await applyAndConfirm(env, shard.orgId, stub, pending, now))) await clearShardPending(env.DB, shard, marks!);
  return pending.length;
}

/** Applies one flush's increments to D1 once: a flush D1 already holds is skipped. */
async function applyFlush(d1: D1Database, flush: RollupFlush, now: number) {
  try {
    await d1.batch(applyShardTokenStatements(d1, flush.id, flush.orgId, flush.rollups, now));
  } catch (err) {
    if (!(await isShardTokenApplied(d1, flush.id))) throw err;
  }
}
