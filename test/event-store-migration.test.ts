import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { eventReadsOf } from "../worker/services/event-reads";
import { findMigration, readEventChunk } from "../worker/db/event-store-migration";
import { shardOf } from "../worker/db/event-shards";
import { inflateJson } from "../worker/lib/deflate";
import type { Env } from "../worker/env";
import {
  copyChunk,
  forgetResolvedEventStore,
  MIGRATION_RUN_MS,
  MIGRATION_STALL_MS,
  queueStalledMigration,
  resolveEventStore,
  runEventStoreMigration,
} from "../worker/services/event-store-migration";
import { listEvents } from "../worker/services/reports/events";
import { getMessage, listMessages } from "../worker/services/reports/messages";
import { scopeOfApiKey } from "../worker/services/reports/scope";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { comparable, pages } from "./event-reads-helpers";
import { counters, dumpOrg, newIngestOrg, queued, runConsumer, workload } from "./ingest-helpers";

/*
 * The migration of D1 `events` / `messages` into the event shards (worker/services/event-store-migration.ts):
 * rows loaded through the D1 writer, the job run with a controlled clock, then message search, detail and
 * the event log answered from the shards are compared with what D1 answered before. The state row is
 * one per deployment: each test starts a new migration of what D1 holds then (earlier tests' rows are
 * copied and deleted by their own migration).
 */

const T0 = Date.UTC(2024, 5, 1);
const jobs: unknown[] = [];
const jobsQueue = { send: async (body: unknown) => void jobs.push(body) };
/** The D1 writer alone (the reference), and a deployment set to "shards" (rollups written at every chunk, so they compare at once) whose job messages are recorded, not run. */
const d1Env = { ...env, JOBS_QUEUE: jobsQueue } as unknown as Env;
const shardEnv = { ...env, EVENT_STORE: "shards", ROLLUP_FLUSH_SECONDS: "0", JOBS_QUEUE: jobsQueue } as unknown as Env;
const CHANNELS = ["acme-transactional", "acme-marketing"];

beforeEach(async () => {
  await env.DB.prepare("DELETE FROM event_store_migration").run();
  forgetResolvedEventStore();
  jobs.length = 0;
});

/** A clock that stands still: one job run goes to the end. */
const still = () => T0;
/** A clock for which one job run does exactly one step (one chunk, the switch, or one delete). */
function stepping() {
  let n = 0;
  return () => T0 + (n++ * MIGRATION_RUN_MS) / 2;
}

async function count(sql: string, ...binds: unknown[]) {
  return (await env.DB.prepare(sql).bind(...binds).first<{ n: number }>())!.n;
}

async function ingest(orgId: string, batch: SesEventBridgeEvent[], testEnv: Env) {
  for (let i = 0; i < batch.length; i += 60) {
    const r = await runConsumer(
      batch.slice(i, i + 60).map((e) => queued(orgId, e)),
      testEnv,
    );
    expect(r.retryMessages).toEqual([]);
  }
}

async function loadD1(batch: SesEventBridgeEvent[]) {
  const orgId = await newIngestOrg({ channels: CHANNELS });
  await ingest(orgId, batch, d1Env);
  return orgId;
}

/** workload(n) in time order, every third message on the second channel. */
function events(n: number): SesEventBridgeEvent[] {
  const all = workload(n);
  for (const e of all) {
    if (Number(/test-(\d+)-/.exec(e.detail.mail.messageId)![1]) % 3 === 0) {
      e.resources = (e.resources ?? []).map((r) => r.replace("acme-transactional", "acme-marketing"));
      (e.detail.mail.tags as Record<string, string[]>)["ses:configuration-set"] = ["acme-marketing"];
    }
  }
  return all.sort((a, b) => a.time.localeCompare(b.time));
}

/** Message search, the event log (each through every page) and every message's detail, with org and row ids masked. */
async function answers(orgId: string, testEnv: Env) {
  const reads = await eventReadsOf(testEnv, T0);
  const scope = scopeOfApiKey(orgId);
  const all = (await listMessages(reads, scope, { limit: 100 })).messages;
  const details = [];
  for (const m of all) details.push(await getMessage(reads, scope, m.id));
  return comparable(orgId, {
    messages: await pages((cursor) => listMessages(reads, scope, { limit: 7, cursor })),
    bounced: await pages((cursor) => listMessages(reads, scope, { limit: 3, status: "bounced", cursor })),
    events: await pages((cursor) => listEvents(reads, scope, { limit: 25, cursor })),
    engagement: await pages((cursor) => listEvents(reads, scope, { limit: 9, types: "Open,Click", cursor })),
    ranged: await pages((cursor) => listEvents(reads, scope, { limit: 6, from: Date.UTC(2024, 4, 15, 22), to: Date.UTC(2024, 4, 16, 6), cursor })),
    details,
  });
}

/** The org's rollups (D1), as `dumpOrg` gives them, with its events and messages left out (they moved). */
async function rollups(orgId: string) {
  const { events: _e, messages: _m, ...rest } = await dumpOrg(orgId);
  return rest;
}

/** Event rows the org's shards hold, as the registry counts them. */
const registryRows = (orgId: string) => count("SELECT COALESCE(SUM(event_rows), 0) AS n FROM event_shards WHERE org_id = ?", orgId);

/** Runs the job until it reports the migration done; returns how many runs it took. */
async function migrate(clock: () => number, chunkRows?: number, testEnv: Env = env) {
  let runs = 0;
  for (; runs < 1000; runs++) if (!(await runEventStoreMigration(testEnv, clock, chunkRows))) return runs + 1;
  throw new Error("the migration did not finish");
}

describe("the event store migration", () => {
  it("goes straight to the shards when D1 holds no event, and D1 then refuses events", async () => {
    expect(await count("SELECT COUNT(*) AS n FROM events")).toBe(0);
    expect(await resolveEventStore(shardEnv, T0, "read")).toBe("shards");
    expect(await findMigration(env.DB)).toMatchObject({ state: "shards", cursor: 0, switchedAt: T0, d1ClearedAt: T0 });
    expect(jobs).toEqual([]);

    const orgId = await newIngestOrg({ channels: CHANNELS });
    await ingest(orgId, events(3), shardEnv);
    expect(await count("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)).toBe(0);
    expect(await registryRows(orgId)).toBeGreaterThan(0);
    // The barrier: a consumer that still writes D1 cannot commit an event.
    const late = await runConsumer(events(3).map((e) => queued(orgId, e)), d1Env);
    expect(late.retryMessages.length).toBeGreaterThan(0);
    expect(await count("SELECT COUNT(*) AS n FROM events")).toBe(0);
  });

  it("copies D1's rows into the shards, switches, deletes them from D1, and the reads answer the same", async () => {
    const load = events(40);
    const orgId = await loadD1(load);
    // A row stored before migration 0017 holds its detail as JSON text: it is copied as it is.
    const old = (await env.DB.prepare("SELECT id, detail FROM events WHERE org_id = ? ORDER BY id LIMIT 1").bind(orgId).first<{ id: number; detail: number[] }>())!;
    await env.DB.prepare("UPDATE events SET detail = ? WHERE id = ?").bind(JSON.stringify(inflateJson(old.detail)), old.id).run();
    expect(await count("SELECT COUNT(*) AS n FROM events WHERE typeof(detail) = 'text'")).toBe(1);
    const before = await answers(orgId, env);
    const rollupsBefore = await rollups(orgId);
    const d1Events = await count("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId);
    expect(d1Events).toBe((await count("SELECT COUNT(*) AS n FROM events")));

    // The first resolution starts the migration and queues its job; until it is done, D1 is the store.
    expect(await resolveEventStore(shardEnv, T0, "read")).toBe("d1");
    expect(await findMigration(env.DB)).toMatchObject({ state: "copying", cursor: 0, startedAt: T0 });
    const migrateJobs = () => jobs.filter((j) => (j as { kind: string }).kind === "events.migrate");
    expect(migrateJobs()).toEqual([{ kind: "events.migrate" }]);
    expect(await resolveEventStore(shardEnv, T0, "write")).toBe("d1");
    expect(migrateJobs().length).toBe(1);

    expect(await migrate(still)).toBe(1);
    const done = (await findMigration(env.DB))!;
    expect(done).toMatchObject({ state: "shards", rowsImported: d1Events, switchedAt: T0, d1ClearedAt: T0 });
    expect(await count("SELECT COUNT(*) AS n FROM events")).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM messages")).toBe(0);
    expect(await registryRows(orgId)).toBe(d1Events);
    expect(await rollups(orgId)).toEqual(rollupsBefore);

    const after = await answers(orgId, shardEnv);
    expect(before.messages.length).toBeGreaterThan(3);
    expect(before.details.length).toBe(50);
    expect(after).toEqual(before);
    // Done: a redelivered job finds nothing to do, and the cron queues none.
    expect(await runEventStoreMigration(env, still)).toBeNull();
    expect(await queueStalledMigration(shardEnv, T0 + MIGRATION_STALL_MS + 1)).toBe(false);
  }, 120_000);

  it("resumes after a failure at any chunk and copies nothing twice", async () => {
    const orgId = await loadD1(events(24));
    const before = await answers(orgId, env);
    const d1Events = await count("SELECT COUNT(*) AS n FROM events");
    expect(await resolveEventStore(shardEnv, T0, "read")).toBe("d1");

    // Each chunk's import into each shard is stored, then the run fails before the cursor moves, once.
    const failed = new Set<unknown>();
    const real = env.EVENT_SHARDS;
    const faulty = {
      idFromName: (n: string) => real.idFromName(n),
      get: (id: DurableObjectId) => {
        const stub = real.get(id);
        return {
          import: async (...a: Parameters<typeof stub.import>) => {
            const result = await stub.import(...a);
            const first = a[0][0]!.event_key;
            if (!failed.has(first)) {
              failed.add(first);
              throw new Error("lost after the import");
            }
            return result;
          },
        };
      },
    } as unknown as Env["EVENT_SHARDS"];
    const faultyEnv = { ...env, EVENT_SHARDS: faulty } as Env;
    const clock = stepping();
    let failures = 0;
    let runs = 0;
    for (;;) {
      try {
        runs++;
        if (!(await runEventStoreMigration(faultyEnv, clock, 37))) break;
      } catch {
        failures++;
      }
    }
    expect(failures).toBeGreaterThan(5);
    expect(runs).toBeGreaterThan(Math.ceil(d1Events / 37));
    expect(await findMigration(env.DB)).toMatchObject({ state: "shards", rowsImported: d1Events });
    expect(await registryRows(orgId)).toBe(d1Events);
    expect(await answers(orgId, shardEnv)).toEqual(before);
  }, 120_000);

  it("changes nothing when a chunk is imported twice", async () => {
    const orgId = await loadD1(events(6));
    const d1Events = await count("SELECT COUNT(*) AS n FROM events");
    const before = await answers(orgId, env);
    await resolveEventStore(shardEnv, T0, "read");
    expect(await copyChunk(env, T0, 1000)).toBe(d1Events);
    await env.DB.prepare("UPDATE event_store_migration SET cursor = 0").run();
    expect(await copyChunk(env, T0, 1000)).toBe(d1Events);
    expect(await registryRows(orgId)).toBe(d1Events);
    const { events: [first], messages } = await readEventChunk(env.DB, 0, 1);
    const stub = env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(shardOf({ orgId, sentAt: first!.sent_at as number }).name));
    const again = await stub.import([first!], messages);
    expect(again.imported).toBe(0);
    const day = shardOf({ orgId, sentAt: first!.sent_at as number }).day;
    expect(again.rows).toBe(await count("SELECT event_rows AS n FROM event_shards WHERE org_id = ? AND day = ?", orgId, day));
    // A message row replaces the shard's only when it counts more events (the shard's is newer after the
    // switch); checked in a shard of its own, which the registry does not list.
    const message = messages[0]!;
    const scratch = env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(`${orgId}:scratch`));
    await scratch.import([], [message]);
    const stored = async () => (await scratch.message(day, orgId, message.message_id as string, message.recipient as string))!.row;
    const row = await stored();
    expect(row.event_count).toBe(message.event_count);
    await scratch.import([], [{ ...message, subject: "older", event_count: (message.event_count as number) - 1 }]);
    await scratch.import([], [{ ...message, subject: "same count" }]);
    expect(await stored()).toEqual(row);
    await scratch.import([], [{ ...message, subject: "newer", event_count: (message.event_count as number) + 1 }]);
    expect(await stored()).toMatchObject({ subject: "newer", event_count: row.event_count + 1 });
    await migrate(still);
    expect(await answers(orgId, shardEnv)).toEqual(before);
  });

  it("copies an event D1 took while copying, also one that got an id the copy had passed", async () => {
    const load = events(12);
    const reference = await loadD1(load);
    const expected = await answers(reference, env);
    const expectedRollups = await rollups(reference);
    const half = Math.floor(load.length / 2);
    const orgId = await loadD1(load.slice(0, half));
    const gone = await newIngestOrg({ channels: CHANNELS });
    await ingest(gone, events(1), d1Env);

    expect(await resolveEventStore(shardEnv, T0, "write")).toBe("d1");
    const clock = stepping();
    await runEventStoreMigration(env, clock, 1000);
    const copied = (await findMigration(env.DB))!;
    expect(copied.state).toBe("copying");
    expect(copied.cursor).toBe(await count("SELECT MAX(id) AS n FROM events"));
    // The highest rows go (their workspace closes): SQLite hands their ids out again.
    await env.DB.prepare("DELETE FROM events WHERE org_id = ?").bind(gone).run();
    const reused = (await count("SELECT MAX(id) AS n FROM events")) + 1;
    expect(reused).toBeLessThanOrEqual(copied.cursor);

    // The consumer still writes D1 while copying.
    await ingest(orgId, load.slice(half), shardEnv);
    expect(await count("SELECT COUNT(*) AS n FROM events WHERE id = ? AND org_id = ?", reused, orgId)).toBe(1);
    expect((await findMigration(env.DB))!.cursor).toBe(reused - 1);

    await migrate(clock, 1000);
    expect(await answers(orgId, shardEnv)).toEqual(expected);
    expect(await rollups(orgId)).toEqual(expectedRollups);
  }, 120_000);

  it("at the switch, a D1 ingest fails and its retry lands in the shards with the D1 writer's rollups", async () => {
    const load = events(18);
    const reference = await loadD1(load);
    const expected = await answers(reference, env);
    const expectedRollups = await rollups(reference);
    const expectedCounters = await counters(reference);
    // Sends and deliveries first; most opens and clicks after the switch, credited against copied messages.
    const half = Math.floor(load.length / 2);
    const orgId = await loadD1(load.slice(0, half));

    expect(await resolveEventStore(shardEnv, T0, "write")).toBe("d1");
    const clock = stepping();
    while ((await findMigration(env.DB))!.state === "copying") await runEventStoreMigration(env, clock, 50);
    expect((await findMigration(env.DB))!.state).toBe("switching");
    expect(await resolveEventStore(shardEnv, T0, "read")).toBe("d1");

    // A consumer that chose D1 before the switch: the trigger refuses its events, the queue retries the batch.
    const rest = load.slice(half).map((e) => queued(orgId, e));
    const refused = await runConsumer(rest, d1Env);
    expect(refused.retryMessages.length).toBe(rest.length);
    expect(await count("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)).toBe(
      await count("SELECT COUNT(*) AS n FROM events WHERE org_id = ? AND id <= ?", orgId, (await findMigration(env.DB))!.cursor),
    );

    // The retry resolves 'switching', completes the switch and writes the shards.
    const retried = await runConsumer(rest, shardEnv);
    expect(retried.retryMessages).toEqual([]);
    expect((await findMigration(env.DB))!.state).toBe("shards");
    expect(await count("SELECT COUNT(*) AS n FROM events WHERE org_id = ? AND id > ?", orgId, (await findMigration(env.DB))!.cursor)).toBe(0);

    await migrate(clock, 50);
    expect(await count("SELECT COUNT(*) AS n FROM events")).toBe(0);
    expect(await rollups(orgId)).toEqual(expectedRollups);
    expect(await counters(orgId)).toEqual(expectedCounters);
    expect(await registryRows(orgId)).toBe(await registryRows(reference));
    expect(await answers(orgId, shardEnv)).toEqual(expected);
  }, 120_000);

  it("the cron queues the job again when a migration stalls", async () => {
    await loadD1(events(2));
    await resolveEventStore(shardEnv, T0, "read");
    expect(await queueStalledMigration(shardEnv, T0 + MIGRATION_STALL_MS)).toBe(false);
    expect(await queueStalledMigration(shardEnv, T0 + MIGRATION_STALL_MS + 1)).toBe(true);
    expect(jobs.filter((j) => (j as { kind: string }).kind === "events.migrate")).toEqual([{ kind: "events.migrate" }, { kind: "events.migrate" }]);
    await migrate(still);
    expect(await queueStalledMigration(shardEnv, T0 + 10 * MIGRATION_STALL_MS)).toBe(false);
  });
});
