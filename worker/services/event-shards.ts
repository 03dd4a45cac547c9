import type { Env } from "../env";
import { deleteShardRow, listPendingShards, listShardDays } from "../db/event-shards";
import { SHARD_READ_CONCURRENCY } from "../db/event-store";
import { HOUR } from "../lib/time";

/*
 * The life of event shards after their writes (docs/scaling.md, Shards): the registry sweep, which
 * finishes the tokens a dead-lettered batch left pending, and dropping whole shards (retention, closing
 * a workspace).
 */

/**
 * How long an events batch can still be retried after it first ran: the queue tries it 6 times, 10 s
 * to 160 s apart (queues/events.ts `retryDelaySeconds`, wrangler.toml `max_retries`), about 5 minutes;
 * an hour leaves a wide margin. Past it, a batch is either written or dead-lettered.
 */
export const SHARD_RETRY_HORIZON_MS = HOUR;

/** Job on `sendops-jobs`: apply and confirm the pending tokens of one shard (worker/services/ingest/shard-writer.ts `settleShard`). */
export interface ShardSettleJob {
  kind: "shards.settle";
  orgId: string;
  day: string;
}

/** Cron: one job per shard pending for longer than any retry of its batch lasts (at most 1,000 a run, oldest first). Returns how many. */
export async function queueShardSweeps(env: Pick<Env, "DB" | "JOBS_QUEUE">, at: number): Promise<number> {
  const shards = await listPendingShards(env.DB, at - SHARD_RETRY_HORIZON_MS);
  for (const s of shards) {
    const job: ShardSettleJob = { kind: "shards.settle", orgId: s.orgId, day: s.day };
    await env.JOBS_QUEUE.send(job, { contentType: "json" });
  }
  return shards.length;
}

type ShardEnv = Pick<Env, "DB" | "EVENT_SHARDS">;

/**
 * Deletes the storage of the org's shards of `days`, SHARD_READ_CONCURRENCY at a time, each before its
 * registry row: an interruption leaves the row, and the next run deletes the (already empty) shard again.
 */
export async function destroyShards(env: ShardEnv, orgId: string, days: string[]): Promise<void> {
  for (let i = 0; i < days.length; i += SHARD_READ_CONCURRENCY) {
    await Promise.all(
      days.slice(i, i + SHARD_READ_CONCURRENCY).map(async (day) => {
        await env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(`${orgId}:${day}`)).destroy();
        await deleteShardRow(env.DB, orgId, day);
      }),
    );
  }
}

/**
 * Closing a workspace: every shard the registry lists for it goes, and its rollup buffer, before the org
 * row (whose delete cascades to the registries).
 */
export async function destroyWorkspaceShards(env: ShardEnv & Pick<Env, "ROLLUP_BUFFERS">, orgId: string): Promise<void> {
  await destroyShards(env, orgId, await listShardDays(env.DB, orgId));
  await env.ROLLUP_BUFFERS.get(env.ROLLUP_BUFFERS.idFromName(orgId)).destroy();
}
