import type { Env } from "../env";
import {
  deleteMigratedRows,
  findMigration,
  findStalledMigration,
  markD1Cleared,
  readEventChunk,
  recordImportedChunk,
  setMigrationState,
  startMigration,
  touchMigration,
  type StoredRow,
} from "../db/event-store-migration";
import { shardOf } from "../db/event-shards";
import { MINUTE, SECOND } from "../lib/time";
import type { EventStore } from "../db/event-store";

/*
 * The move of a deployment's D1 `events` / `messages` into the event shards (docs/scaling.md, Shards:
 * migrating existing data). EVENT_STORE = "shards" starts it; until it is done ingest and reads stay on
 * D1, so nothing already stored disappears from the reads and no event is written to two stores:
 *   'copying'   the job `events.migrate` walks D1 events by id into the shards (EventShard.import);
 *   'switching' the walk found nothing left: the trigger `events_store_switched` stops D1 ingest (the
 *               batch throws and is retried), the first consumer (or the job) copies what came in
 *               meanwhile, then sets 'shards';
 *   'shards'    ingest and reads use the shards; the job deletes the copied D1 rows.
 */

/** Job on `sendops-jobs`: one run of the migration (a chain: each run queues the next while work is left). */
export interface EventStoreMigrateJob {
  kind: "events.migrate";
}

const JOB: EventStoreMigrateJob = { kind: "events.migrate" };

/** D1 events per chunk of the walk. */
export const MIGRATION_CHUNK_ROWS = 500;

/** How long one job run works before it hands over to its successor (a queue consumer's wall time stays short). */
export const MIGRATION_RUN_MS = 20 * SECOND;

/** A migration no job touched for this long lost its job message: the cron queues another. */
export const MIGRATION_STALL_MS = 10 * MINUTE;

type MigrationEnv = Pick<Env, "DB" | "EVENT_SHARDS" | "JOBS_QUEUE" | "EVENT_STORE">;

/** The deployment reads and writes the shards: final, so once seen it costs no D1 read again. */
let switched = false;

/**
 * The one decision of where events live. EVENT_STORE "d1" (or unset): D1. "shards": the migration's
 * state (created on first use, which queues the copy) — D1 until it reaches 'shards'. A writer that
 * finds 'switching' completes the switch itself (the catch-up copy), so ingest pauses only for that;
 * a reader keeps reading D1 until 'shards'.
 */
export async function resolveEventStore(env: MigrationEnv, now: number, purpose: "write" | "read"): Promise<EventStore> {
  if (env.EVENT_STORE !== "shards") return "d1";
  if (switched) return "shards";
  let row = await findMigration(env.DB);
  if (!row) {
    const start = await startMigration(env.DB, now);
    row = start.row;
    if (start.created && row.state === "copying") await env.JOBS_QUEUE.send(JOB, { contentType: "json" });
  }
  if (row.state === "switching" && purpose === "write") {
    await completeSwitch(env, now);
    row = { ...row, state: "shards" };
  }
  if (row.state !== "shards") return "d1";
  switched = true;
  return "shards";
}

/** Tests move one deployment through the migration several times: they forget the cached 'shards'. */
export function forgetResolvedEventStore() {
  switched = false;
}

/**
 * Copies the next chunk of D1 events after the cursor (and their messages) into their shards, registers
 * the shards and advances the cursor. Returns how many D1 rows it read (0: the walk reached the end).
 */
export async function copyChunk(env: Pick<Env, "DB" | "EVENT_SHARDS">, now: number, chunkRows = MIGRATION_CHUNK_ROWS): Promise<number> {
  const row = await findMigration(env.DB);
  if (!row) return 0;
  const chunk = await readEventChunk(env.DB, row.cursor, chunkRows);
  if (!chunk.events.length) return 0;
  const byShard = new Map<string, { orgId: string; day: string; events: StoredRow[]; messages: StoredRow[] }>();
  for (const e of chunk.events) {
    const shard = shardOf({ orgId: e.org_id as string, sentAt: e.sent_at as number });
    const group = byShard.get(shard.name) ?? { orgId: shard.orgId, day: shard.day, events: [], messages: [] };
    group.events.push(e);
    byShard.set(shard.name, group);
  }
  for (const m of chunk.messages) byShard.get(shardOf({ orgId: m.org_id as string, sentAt: m.sent_at as number }).name)?.messages.push(m);
  const shards: { orgId: string; day: string; rows: number }[] = [];
  for (const [name, group] of byShard) {
    const result = await env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(name)).import(group.events, group.messages);
    shards.push({ orgId: group.orgId, day: group.day, rows: result.rows });
  }
  await recordImportedChunk(env.DB, { shards, cursor: chunk.events.at(-1)!.id, rewinds: row.rewinds, rows: chunk.events.length }, now);
  return chunk.events.length;
}

/** 'switching': D1 takes no event any more; copies what is left, then the deployment moves to the shards. */
async function completeSwitch(env: Pick<Env, "DB" | "EVENT_SHARDS">, now: number, chunkRows = MIGRATION_CHUNK_ROWS) {
  while (await copyChunk(env, now, chunkRows));
  await setMigrationState(env.DB, "switching", "shards", now);
}

/**
 * One run of the `events.migrate` job: copies chunks while in 'copying', switches when the walk finds
 * nothing left, then deletes the copied D1 rows, for up to MIGRATION_RUN_MS by `clock`. Returns the job
 * to queue next, or null when the migration is done (or there is none). Every step is idempotent: a run
 * repeated or running alongside another (a redelivered message, the cron's re-queue) changes nothing twice.
 */
export async function runEventStoreMigration(
  env: Pick<Env, "DB" | "EVENT_SHARDS">,
  clock: () => number,
  chunkRows = MIGRATION_CHUNK_ROWS,
): Promise<EventStoreMigrateJob | null> {
  const start = clock();
  while (clock() - start < MIGRATION_RUN_MS) {
    const row = await findMigration(env.DB);
    if (!row || row.d1ClearedAt !== null) return null;
    const now = clock();
    if (row.state === "copying") {
      if (!(await copyChunk(env, now, chunkRows))) await setMigrationState(env.DB, "copying", "switching", now);
    } else if (row.state === "switching") {
      await completeSwitch(env, now, chunkRows);
    } else if (!(await deleteMigratedRows(env.DB, row.cursor))) {
      await markD1Cleared(env.DB, now);
      return null;
    } else {
      await touchMigration(env.DB, now);
    }
  }
  return JOB;
}

/** Cron: a migration no job touched for MIGRATION_STALL_MS lost its job message; queues another. Returns whether it did. */
export async function queueStalledMigration(env: Pick<Env, "DB" | "JOBS_QUEUE">, at: number): Promise<boolean> {
  if (!(await findStalledMigration(env.DB, at - MIGRATION_STALL_MS))) return false;
  await env.JOBS_QUEUE.send(JOB, { contentType: "json" });
  return true;
}
