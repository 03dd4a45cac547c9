import type { Env } from "../env";
import { listPendingBuffers } from "../db/rollup-buffers";
import { rollupFlushMs } from "./ingest/shard-writer";

/** Job on `sendops-jobs`: flush one org's rollup buffer (worker/services/ingest/shard-writer.ts `flushRollupBuffer`). */
export interface RollupFlushJob {
  kind: "rollups.flush";
  orgId: string;
}

/**
 * Cron: one job per org whose rollup buffer has held increments for longer than the flush interval —
 * traffic that would flush it stopped (at most 1,000 a run, oldest first; docs/scaling.md, Shards: the
 * rollup buffer). Returns how many.
 */
export async function queueRollupFlushes(env: Pick<Env, "DB" | "JOBS_QUEUE" | "ROLLUP_FLUSH_SECONDS">, at: number): Promise<number> {
  const orgIds = await listPendingBuffers(env.DB, at - rollupFlushMs(env));
  for (const orgId of orgIds) {
    const job: RollupFlushJob = { kind: "rollups.flush", orgId };
    await env.JOBS_QUEUE.send(job, { contentType: "json" });
  }
  return orgIds.length;
}
