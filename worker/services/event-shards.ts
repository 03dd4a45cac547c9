import type { Env } from "../env";
import { deleteShardRow, listShardDays } from "../db/event-shards";
import { SHARD_READ_CONCURRENCY } from "../db/event-store";

/*
 * The life of event shards after their writes (docs/scaling.md, Shards): dropping whole shards
 * (retention, closing a workspace).
 */

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

/** Closing a workspace: every shard the registry lists for it goes, before the org row (whose delete cascades to the registry). */
export async function destroyWorkspaceShards(env: ShardEnv, orgId: string): Promise<void> {
  await destroyShards(env, orgId, await listShardDays(env.DB, orgId));
}
