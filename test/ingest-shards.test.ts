import { createExecutionContext, createMessageBatch, env, getQueueResult, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { EventShard } from "../durable-objects/event-shard";
import { BUFFER_MAX_KEYS, SEEN_TOKEN_DAYS, type RollupBuffer } from "../durable-objects/rollup-buffer";
import { consumeJobs } from "../queues/jobs";
import { pruneAppliedShardTokens } from "../worker/db/event-shards";
import type { RollupFlushJob } from "../worker/services/rollup-buffers";
import { CRONS, runScheduled } from "../worker/cron";
import type { Env } from "../worker/env";
import { WRITE_CHUNK_ROWS } from "../worker/services/ingest/writer";
import { queueShardSweeps, SHARD_RETRY_HORIZON_MS, type ShardSettleJob } from "../worker/services/event-shards";
import { flushRollupBuffer, settleShard } from "../worker/services/ingest/shard-writer";
import { channelIdOf, counters, dumpOrg, fixture, lifecycle, newIngestOrg, queued, rng, runConsumer, shuffle, split, workload, migratedDeployment } from "./ingest-helpers";

/**
 * The shard write path (EVENT_STORE = "shards", docs/scaling.md): events and messages in the EventShard
 * of their org and send day, rollups and counters in D1 through outbox tokens. Every expectation is the
 * D1 writer's result for the same events (`dumpOrg` of an org written with EVENT_STORE = "d1").
 */

const shardEnv: Env = { ...env, EVENT_STORE: "shards", ROLLUP_FLUSH_SECONDS: "0" };
beforeAll(migratedDeployment);
const DAY = 86_400_000;

async function all<T = Record<string, any>>(sql: string, ...binds: unknown[]): Promise<T[]> {
  return (await env.DB.prepare(sql).bind(...binds).all<T>()).results;
}

const shard = (name: string) => env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(name));

/** The registry's shards of an org. */
const registry = (orgId: string) =>
  all<{ day: string; event_rows: number; pending_since: number | null }>("SELECT day, event_rows, pending_since FROM event_shards WHERE org_id = ? ORDER BY day", orgId);

/** Rows of one table of a shard's storage, blobs as byte arrays (as D1 returns them). */
function shardRows(name: string, sql: string) {
  return runInDurableObject(shard(name), (_: EventShard, state) =>
    state.storage.sql
      .exec(sql)
      .toArray()
      .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof ArrayBuffer ? [...new Uint8Array(v)] : v]))),
  );
}

/**
 * `dumpOrg` of a sharded org: its events and messages read from its shards (the registry names them),
 * the rollups from D1. D1 itself holds no event or message of it.
 */
async function dumpSharded(orgId: string) {
  const d1 = await dumpOrg(orgId);
  expect(d1.events).toEqual([]);
  expect(d1.messages).toEqual([]);
  const events: Record<string, unknown>[] = [];
  const messages: Record<string, unknown>[] = [];
  for (const { day } of await registry(orgId)) {
    events.push(...(await shardRows(`${orgId}:${day}`, "SELECT * FROM events")).map(({ id: _id, received_at: _r, ...rest }) => rest));
    messages.push(...(await shardRows(`${orgId}:${day}`, "SELECT * FROM messages")));
  }
  const by = (...keys: string[]) => (a: Record<string, unknown>, b: Record<string, unknown>) =>
    JSON.stringify(keys.map((k) => a[k])) < JSON.stringify(keys.map((k) => b[k])) ? -1 : 1;
  const sharded = JSON.parse(JSON.stringify({ events: events.sort(by("event_key")), messages: messages.sort(by("message_id", "recipient")) }).split(orgId).join("ORG"));
  return { ...d1, ...sharded } as typeof d1;
}

/** Tokens still pending in the org's shards. */
async function pendingTokens(orgId: string) {
  let n = 0;
  for (const { day } of await registry(orgId)) n += (await shardRows(`${orgId}:${day}`, "SELECT token FROM pending_outbox")).length;
  return n;
}

async function ingest(batches: unknown[][], testEnv: Env = shardEnv) {
  const orgId = await newIngestOrg();
  for (const b of batches) {
    const r = await runConsumer(b.map((e) => queued(orgId, e as never)), testEnv);
    expect(r.retryMessages).toEqual([]);
  }
  return orgId;
}

describe("the shard write path", () => {
  const events = workload(12);

  it("stores events and messages in the shard of their send day, and gives D1 the D1 writer's rollups and counters", async () => {
    const d1Org = await ingest([events], env);
    const reference = await dumpOrg(d1Org);
    const orgId = await ingest([events]);
    expect(await dumpSharded(orgId)).toEqual(reference);
    expect(await counters(orgId)).toEqual(await counters(d1Org));
    const lag = (org: string) => all("SELECT lag_bucket, SUM(count) AS n FROM ingest_lag WHERE org_id = ? GROUP BY lag_bucket ORDER BY lag_bucket", org);
    expect(await lag(orgId)).toEqual(await lag(d1Org));

    // workload(12) starts at 22:30 UTC and sends every 17 minutes: two send days.
    const shards = await registry(orgId);
    expect(shards.map((s) => s.day)).toEqual(["2024-05-14", "2024-05-15"]);
    expect(shards.reduce((n, s) => n + s.event_rows, 0)).toBe(reference.events!.length);
    expect(shards.every((s) => s.pending_since === null)).toBe(true);
    for (const s of shards) {
      const rows = await shardRows(`${orgId}:${s.day}`, "SELECT sent_at FROM events");
      expect(rows.length).toBe(s.event_rows);
      expect(rows.every((r) => new Date(r.sent_at as number).toISOString().startsWith(s.day))).toBe(true);
    }
    expect(await pendingTokens(orgId)).toBe(0);
  });

  it("gives identical events, messages and rollups for 1× and 5× delivery, any order and any batching", async () => {
    const reference = await dumpOrg(await ingest([events], env));

    const fiveTimes = [...events, ...events, ...events, ...events, ...events];
    const replayed = await ingest([fiveTimes.slice(0, 100), fiveTimes.slice(100, 200), fiveTimes.slice(200)]);
    expect(await dumpSharded(replayed)).toEqual(reference);
    expect(await counters(replayed)).toEqual({ accepted: reference.events!.length, duplicates: 4 * reference.events!.length });

    for (const seed of [1, 2, 3, 4, 5]) {
      const random = rng(seed);
      const orgId = await ingest(split(shuffle(seed % 2 ? events : [...events, ...events], random), random, seed * 4));
      expect(await dumpSharded(orgId), `seed ${seed}`).toEqual(reference);
      expect((await counters(orgId)).accepted, `seed ${seed}`).toBe(reference.events!.length);
    }

    const oneByOneReversed = await ingest([...events].reverse().map((e) => [e]));
    expect(await dumpSharded(oneByOneReversed)).toEqual(reference);
  }, 120_000);

  it("counts a unique open once, in the bucket of the earliest open, and moves it with its message's channel", async () => {
    const life = lifecycle(7, Date.UTC(2024, 4, 14, 23, 50), "delivered", ["late.opener@example.org"]);
    const opens = life.filter((e) => e.detail.eventType === "Open");
    const uniques = (org: string) =>
      all("SELECT bucket_size, bucket_start, opens, unique_opens, clicks, unique_clicks FROM rollup_totals WHERE org_id = ? AND (opens > 0 OR unique_opens <> 0) ORDER BY bucket_size, bucket_start", org);
    const d1Org = await ingest([[opens[0]], [opens[1]], life], env);
    const orgId = await ingest([[opens[0]], [opens[1]], life]);
    expect(await uniques(orgId)).toEqual(await uniques(d1Org));
    expect((await uniques(orgId)).filter((u) => u.unique_opens === 1)).toHaveLength(2);

    const channelMove = async (testEnv: Env) => {
      const org = await newIngestOrg({ channels: [] });
      await runConsumer([queued(org, fixture("delivery")), queued(org, fixture("open")), queued(org, fixture("click"))], testEnv);
      await env.DB.prepare("INSERT INTO channels (id, org_id, name, configuration_set_name, created_at) VALUES (?, ?, ?, ?, ?)")
        .bind(channelIdOf(org, "acme-transactional"), org, "Transactional", "acme-transactional", Date.now())
        .run();
      await runConsumer([queued(org, fixture("send"))], testEnv);
      return (await dumpOrg(org)).rollup_totals;
    };
    const moved = await channelMove(shardEnv);
    expect(moved).toEqual(await channelMove(env));
    expect(moved!.filter((r) => r.unique_opens === 1).every((r) => r.channel_id === "ORG-chn-acme-transactional")).toBe(true);
  });
});

/**
 * A namespace whose stubs' `write` stores in the real shard, then throws on the `failingCall`-th call:
 * the fault between the shard write and the D1 apply.
 */
function failingShards(failingCall: number, base: Env = shardEnv): { env: Env; calls: () => number } {
  const real = env.EVENT_SHARDS;
  let calls = 0;
  const namespace = {
    idFromName: (n: string) => real.idFromName(n),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      return {
        write: async (chunk: Parameters<typeof stub.write>[0]) => {
          const result = await stub.write(chunk);
          if (++calls === failingCall) throw new Error("consumer lost after the shard write");
          return result;
        },
        confirm: (tokens: string[]) => stub.confirm(tokens),
      };
    },
  } as unknown as Env["EVENT_SHARDS"];
  return { env: { ...base, EVENT_SHARDS: namespace }, calls: () => calls };
}

/**
 * env with a D1 whose `failingCall`-th batch has a failing statement spliced in at `position`. Call 1
 * loads the orgs' configuration, call 2 marks the shards pending, calls 3, … apply the outbox tokens.
 */
function failingDbEnv(position: number, failingCall = 3, base: Env = shardEnv): { env: Env; statements: () => number } {
  const real = env.DB;
  let calls = 0;
  let seen = 0;
  const db = {
    prepare: (q: string) => real.prepare(q),
    batch: (stmts: D1PreparedStatement[]) => {
      if (++calls !== failingCall) return real.batch(stmts);
      seen = stmts.length;
      const spliced = [...stmts];
      spliced.splice(position, 0, real.prepare("INSERT INTO orgs (id) VALUES (NULL)"));
      return real.batch(spliced);
    },
  } as unknown as D1Database;
  return { env: { ...base, DB: db }, statements: () => seen };
}

/** Rows the org's shards hold (applied or not). */
async function shardEventCount(orgId: string) {
  let n = 0;
  for (const { day } of await registry(orgId)) n += (await shardRows(`${orgId}:${day}`, "SELECT id FROM events")).length;
  return n;
}

describe("exactly-once across the shard and D1", () => {
  const events = workload(12, Date.now() - 3 * DAY);

  it("loses and double counts nothing when the consumer fails after any shard write, and the queue retries", async () => {
    const reference = await dumpOrg(await ingest([events], env));
    const rowCount = reference.events!.length;
    let failing = 1;
    for (; ; failing++) {
      const orgId = await newIngestOrg();
      const broken = failingShards(failing);
      const failed = await runConsumer(events.map((e) => queued(orgId, e)), broken.env);
      // Every write of the batch has failed once.
      if (broken.calls() < failing) break;
      expect(failed.retryMessages, `write ${failing}`).toHaveLength(events.length);
      const stored = await shardEventCount(orgId);
      expect(stored).toBeGreaterThan(0);
      // The failed chunk's token never reached D1: its shard stays pending.
      expect((await registry(orgId)).some((s) => s.pending_since !== null)).toBe(true);
      expect(await pendingTokens(orgId)).toBe(1);

      const retried = await runConsumer(events.map((e) => queued(orgId, e)), shardEnv, 2);
      expect(retried.retryMessages).toEqual([]);
      expect(await dumpSharded(orgId), `write ${failing}`).toEqual(reference);
      // Every row accepted once; the retry re-offered the ones the first attempt stored.
      expect(await counters(orgId)).toEqual({ accepted: rowCount, duplicates: stored });
      expect(await pendingTokens(orgId)).toBe(0);
      expect((await registry(orgId)).every((s) => s.pending_since === null)).toBe(true);
    }
    expect(failing - 1).toBeGreaterThanOrEqual(Math.ceil(rowCount / WRITE_CHUNK_ROWS));
  }, 120_000);

  it("rolls back a failure at any statement of a token's D1 apply, and the retry applies it once", async () => {
    const reference = await dumpOrg(await ingest([events], env));
    const rowCount = reference.events!.length;
    let statementCount = Infinity;
    for (let position = 0; position <= statementCount; position++) {
      const orgId = await newIngestOrg();
      const failing = failingDbEnv(position);
      const failed = await runConsumer(events.map((e) => queued(orgId, e)), failing.env);
      statementCount = failing.statements();
      expect(failed.retryMessages, `position ${position}`).toHaveLength(events.length);
      expect(await counters(orgId), `position ${position}`).toEqual({});
      expect((await dumpOrg(orgId)).rollup_totals).toEqual([]);
      expect(await all("SELECT token FROM applied_shard_tokens WHERE org_id = ?", orgId)).toEqual([]);
      const stored = await shardEventCount(orgId);

      const retried = await runConsumer(events.map((e) => queued(orgId, e)), shardEnv, 2);
      expect(retried.retryMessages).toEqual([]);
      expect(await dumpSharded(orgId), `position ${position}`).toEqual(reference);
      expect(await counters(orgId)).toEqual({ accepted: rowCount, duplicates: stored });
    }
    expect(statementCount).toBeGreaterThan(8);
  }, 120_000);

  it("applies a failed attempt's pending token on a retry whose batches are composed differently", async () => {
    const reference = await dumpOrg(await ingest([events], env));
    const orgId = await newIngestOrg();
    await runConsumer(events.map((e) => queued(orgId, e)), failingShards(1).env);
    expect(await pendingTokens(orgId)).toBe(1);
    const [token] = await all<{ token: string }>("SELECT token FROM applied_shard_tokens WHERE org_id = ?", orgId);
    expect(token).toBeUndefined();

    const random = rng(11);
    for (const b of split(shuffle(events, random), random, 9)) {
      expect((await runConsumer(b.map((e) => queued(orgId, e)), shardEnv, 2)).retryMessages).toEqual([]);
    }
    expect(await dumpSharded(orgId)).toEqual(reference);
    expect((await counters(orgId)).accepted).toBe(reference.events!.length);
    expect(await pendingTokens(orgId)).toBe(0);
  }, 60_000);

  it("skips a token D1 already holds when the shard hands it back again", async () => {
    const orgId = await newIngestOrg();
    const real = env.EVENT_SHARDS;
    // The confirmation is lost: the shard keeps every token and hands them back with the next chunk.
    const forgetful = {
      idFromName: (n: string) => real.idFromName(n),
      get: (id: DurableObjectId) => {
        const stub = real.get(id);
        return { write: (chunk: Parameters<typeof stub.write>[0]) => stub.write(chunk), confirm: async () => ({ pending: 1 }) };
      },
    } as unknown as Env["EVENT_SHARDS"];
    const many = workload(12, Date.UTC(2024, 4, 14, 1));
    const reference = await dumpOrg(await ingest([many], env));
    const result = await runConsumer(many.map((e) => queued(orgId, e)), { ...shardEnv, EVENT_SHARDS: forgetful });
    expect(result.retryMessages).toEqual([]);
    expect(await dumpSharded(orgId)).toEqual(reference);
    expect(await counters(orgId)).toEqual({ accepted: reference.events!.length });
    expect(await pendingTokens(orgId)).toBe(Math.ceil(reference.events!.length / WRITE_CHUNK_ROWS));
    // Unconfirmed tokens keep the shard pending for the sweep.
    expect((await registry(orgId))[0]!.pending_since).not.toBeNull();
  });
});

describe("a lost confirmation", () => {
  it("leaves the applied token pending in the shard; the retry finds D1 holding it and does not count it again", async () => {
    const events = workload(3, Date.UTC(2024, 4, 14, 1));
    const reference = await dumpOrg(await ingest([events], env));
    const orgId = await newIngestOrg();
    const real = env.EVENT_SHARDS;
    const lost = {
      idFromName: (n: string) => real.idFromName(n),
      get: (id: DurableObjectId) => {
        const stub = real.get(id);
        return {
          write: (chunk: Parameters<typeof stub.write>[0]) => stub.write(chunk),
          confirm: async () => {
            throw new Error("confirmation lost");
          },
        };
      },
    } as unknown as Env["EVENT_SHARDS"];
    const failed = await runConsumer(events.map((e) => queued(orgId, e)), { ...shardEnv, EVENT_SHARDS: lost });
    expect(failed.retryMessages).toHaveLength(events.length);
    expect(await pendingTokens(orgId)).toBe(1);
    expect(await all("SELECT token FROM applied_shard_tokens WHERE org_id = ?", orgId)).toHaveLength(1);
    expect(await counters(orgId)).toEqual({ accepted: reference.events!.length });

    expect((await runConsumer(events.map((e) => queued(orgId, e)), shardEnv, 2)).retryMessages).toEqual([]);
    expect(await dumpSharded(orgId)).toEqual(reference);
    expect(await counters(orgId)).toEqual({ accepted: reference.events!.length, duplicates: reference.events!.length });
    expect(await pendingTokens(orgId)).toBe(0);
  });
});

/**
 * D1 rows written (each statement's `meta.rows_written`, as test/ingest-storage-cost.test.ts and the bench
 * meter count them) while `fn` runs against the returned env.
 */
function meteredEnv(base: Env): { env: Env; written: () => number } {
  const real = base.DB;
  let written = 0;
  const count = (meta: { rows_written?: number }) => (written += meta.rows_written ?? 0);
  const db = {
    prepare: (q: string) => {
      const statement = real.prepare(q);
      const bind = statement.bind.bind(statement);
      statement.bind = (...values: unknown[]) => {
        const bound = bind(...values);
        const run = bound.run.bind(bound);
        bound.run = (async () => {
          const r = await run();
          count(r.meta);
          return r;
        }) as typeof bound.run;
        return bound;
      };
      return statement;
    },
    batch: async (stmts: D1PreparedStatement[]) => {
      const results = await real.batch(stmts);
      for (const r of results) count(r.meta);
      return results;
    },
  } as unknown as D1Database;
  return { env: { ...base, DB: db }, written: () => written };
}

describe("D1 rows written per event", () => {
  it("on the shard path: the rollup rows a chunk touches and its token, not the events and messages", async () => {
    // 60 messages over 17 hours, one send day: ~600 rows, chunks of 50.
    const events = workload(60, Date.UTC(2024, 4, 14, 1));
    const perEvent = async (base: Env) => {
      const metered = meteredEnv(base);
      const orgId = await newIngestOrg();
      expect((await runConsumer(events.map((e) => queued(orgId, e)), metered.env)).retryMessages).toEqual([]);
      return { perEvent: metered.written() / events.length, orgId };
    };
    const d1 = await perEvent(env);
    const sharded = await perEvent(shardEnv);
    expect(await dumpSharded(sharded.orgId)).toEqual(await dumpOrg(d1.orgId));
    console.log(`D1 rows written per SES event: D1 writer ${d1.perEvent.toFixed(2)}, shard writer ${sharded.perEvent.toFixed(2)}`);
    expect(sharded.perEvent).toBeLessThan(d1.perEvent / 3);
  }, 60_000);

  it("with the rollup buffer: each rollup row once per flush, ≤ 3 rows per event with one flush at the end", async () => {
    const events = workload(60, Date.UTC(2024, 4, 14, 1));
    const reference = await dumpOrg(await ingest([events], env));
    /** Batches of `perFlush` SES events (all when undefined), the buffer flushed after each. */
    const perEvent = async (perFlush = events.length, base = bufferEnv) => {
      const metered = meteredEnv(base);
      const orgId = await newIngestOrg();
      for (let i = 0; i < events.length; i += perFlush) {
        expect((await runConsumer(events.slice(i, i + perFlush).map((e) => queued(orgId, e)), metered.env)).retryMessages).toEqual([]);
        await finalFlush(orgId, metered.env);
      }
      expect(await dumpSharded(orgId)).toEqual(reference);
      return metered.written() / events.length;
    };
    const once = await perEvent();
    const every4Chunks = await perEvent(4 * WRITE_CHUNK_ROWS);
    const every2Chunks = await perEvent(2 * WRITE_CHUNK_ROWS);
    const everyChunk = await perEvent(events.length, { ...bufferEnv, ROLLUP_FLUSH_SECONDS: "0" });
    // The floor: each rollup row the workload creates is one row written (an insert into a WITHOUT ROWID table).
    const rollupRows = Object.entries(reference).reduce((n, [table, rows]) => n + (table.startsWith("rollup_") ? rows.length : 0), 0);
    console.log(
      `D1 rows written per SES event with the rollup buffer (${events.length} events, ${(rollupRows / events.length).toFixed(2)} rollup rows per event exist after): ` +
        `one flush ${once.toFixed(2)}, a flush every 4 chunks ${every4Chunks.toFixed(2)}, every 2 chunks ${every2Chunks.toFixed(2)}, ` +
        `every chunk (ROLLUP_FLUSH_SECONDS "0") ${everyChunk.toFixed(2)}`,
    );
    expect(once).toBeLessThanOrEqual(3);
    expect(once).toBeLessThan(every4Chunks);
    expect(every4Chunks).toBeLessThan(every2Chunks);
    expect(every2Chunks).toBeLessThan(everyChunk);
  }, 60_000);
});

describe("the registry sweep", () => {
  it("applies once the tokens a batch dead-lettered after its shard write left pending", async () => {
    // Four messages on one send day: one shard, one chunk, one token.
    const events = workload(4, Date.UTC(2024, 4, 14, 1));
    const reference = await dumpOrg(await ingest([events], env));
    const orgId = await newIngestOrg();
    const failing = failingShards(1);
    expect((await runConsumer(events.map((e) => queued(orgId, e)), failing.env)).retryMessages).toHaveLength(events.length);
    // The batch goes to the dead-letter queue: no retry. The shard holds the rows and their pending token.
    const [shard] = await registry(orgId);
    expect(shard!.pending_since).not.toBeNull();
    expect(await pendingTokens(orgId)).toBe(1);
    expect(await counters(orgId)).toEqual({});

    // Shards other tests of this file left pending are swept too: only this org's jobs are looked at.
    const sweep = async (at: number) => {
      const jobs: ShardSettleJob[] = [];
      const jobsEnv = { ...env, JOBS_QUEUE: { send: async (body: ShardSettleJob) => void jobs.push(body) } } as unknown as Env;
      await queueShardSweeps(jobsEnv, at);
      return jobs.filter((j) => j.orgId === orgId);
    };
    const at = shard!.pending_since!;
    expect(await sweep(at + SHARD_RETRY_HORIZON_MS)).toEqual([]);
    const jobs = await sweep(at + SHARD_RETRY_HORIZON_MS + 1);
    expect(jobs).toEqual([{ kind: "shards.settle", orgId, day: "2024-05-14" }]);

    expect(await settleShard(shardEnv, jobs[0]!, at + SHARD_RETRY_HORIZON_MS + 1)).toBe(1);
    expect(await dumpSharded(orgId)).toEqual(reference);
    expect(await counters(orgId)).toEqual({ accepted: reference.events!.length });
    expect(await pendingTokens(orgId)).toBe(0);
    expect((await registry(orgId))[0]!.pending_since).toBeNull();
    expect(await sweep(at + 2 * SHARD_RETRY_HORIZON_MS)).toEqual([]);

    // A second run of the same job (a redelivered job) finds nothing to apply and counts nothing twice.
    expect(await settleShard(shardEnv, jobs[0]!, at + SHARD_RETRY_HORIZON_MS + 2)).toBe(0);
    expect(await dumpSharded(orgId)).toEqual(reference);
  });
});

/*
 * The rollup buffer (docs/scaling.md, Shards: the rollup buffer): with ROLLUP_FLUSH_SECONDS > 0 a shard's
 * tokens go to the org's RollupBuffer, which writes their sum to D1 once per interval. Every expectation
 * is again the D1 writer's result, after a final flush (`flushRollupBuffer`: the idle sweep's step).
 */

/** An interval no test outlasts: only a final flush (or the key cap) moves the sum to D1. */
const bufferEnv: Env = { ...env, EVENT_STORE: "shards", ROLLUP_FLUSH_SECONDS: "3600" };
const HOUR = 3_600_000;

const buffer = (orgId: string) => env.ROLLUP_BUFFERS.get(env.ROLLUP_BUFFERS.idFromName(orgId));

const bufferRegistry = async (orgId: string) =>
  (await all<{ pending_since: number | null; pending_marks: number }>("SELECT pending_since, pending_marks FROM rollup_buffers WHERE org_id = ?", orgId))[0];

/** Rows of one table of the org's buffer storage. */
const bufferRows = (orgId: string, sql: string) => runInDurableObject(buffer(orgId), (_: RollupBuffer, state) => state.storage.sql.exec(sql).toArray());

const appliedTokens = (orgId: string) => all<{ token: string; applied_at: number }>("SELECT token, applied_at FROM applied_shard_tokens WHERE org_id = ?", orgId);

const lagOf = (org: string) => all("SELECT lag_bucket, SUM(count) AS n FROM ingest_lag WHERE org_id = ? GROUP BY lag_bucket ORDER BY lag_bucket", org);

const finalFlush = (orgId: string, testEnv: Env = bufferEnv) => flushRollupBuffer(testEnv, orgId, Date.now());

/** The org's D1 rows and shards equal the D1 writer's org `d1Org`: rollups, counters (`expected`), lag, registry counts. */
async function expectReference(orgId: string, d1Org: string, expected?: Record<string, number>) {
  const reference = await dumpOrg(d1Org);
  expect(await dumpSharded(orgId)).toEqual(reference);
  expect(await counters(orgId)).toEqual(expected ?? (await counters(d1Org)));
  expect(await lagOf(orgId)).toEqual(await lagOf(d1Org));
  expect((await registry(orgId)).reduce((n, s) => n + s.event_rows, 0)).toBe(reference.events!.length);
}

/**
 * A ROLLUP_BUFFERS namespace whose stubs call the real buffer, but whose `add` throws after the
 * `failingAdd`-th real add (the fault between the buffer add and the shard confirmation), or whose
 * `confirm` never reaches the buffer when `loseConfirm`.
 */
function failingBuffers(base: Env, f: { failingAdd?: number; loseConfirm?: boolean }): { env: Env; adds: () => number } {
  const real = env.ROLLUP_BUFFERS;
  let adds = 0;
  const namespace = {
    idFromName: (n: string) => real.idFromName(n),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      return {
        add: async (...args: Parameters<typeof stub.add>) => {
          const answer = await stub.add(...args);
          if (++adds === f.failingAdd) throw new Error("consumer lost after the buffer add");
          return answer;
        },
        confirm: async (ids: string[]) => {
          if (f.loseConfirm) throw new Error("flush confirmation lost");
          return stub.confirm(ids);
        },
        take: (...args: Parameters<typeof stub.take>) => stub.take(...args),
        marked: (...args: Parameters<typeof stub.marked>) => stub.marked(...args),
      };
    },
  } as unknown as Env["ROLLUP_BUFFERS"];
  return { env: { ...base, ROLLUP_BUFFERS: namespace }, adds: () => adds };
}

describe("the rollup buffer", () => {
  const events = workload(12, Date.now() - 3 * DAY);

  it("holds a workspace's increments until a flush, which gives D1 the D1 writer's rollups, counters and lag at once", async () => {
    const d1Org = await ingest([events], env);
    const orgId = await ingest([events], bufferEnv);
    const held = await dumpSharded(orgId);
    expect(held.rollup_totals).toEqual([]);
    expect(held.rollup_all_domains).toEqual([]);
    expect(await counters(orgId)).toEqual({});
    expect((await registry(orgId)).every((s) => s.event_rows === 0)).toBe(true);
    // The shards handed their tokens over (confirmed); the buffer is marked pending for the idle sweep.
    expect(await pendingTokens(orgId)).toBe(0);
    expect((await registry(orgId)).every((s) => s.pending_since === null)).toBe(true);
    expect((await bufferRegistry(orgId))!.pending_since).not.toBeNull();
    // One buffered row per chunk written (an add writes one row, however many rollup rows it moves).
    const rowCount = (await dumpOrg(d1Org)).events!.length;
    expect((await bufferRows(orgId, "SELECT seq FROM buffered")).length).toBeGreaterThanOrEqual(Math.ceil(rowCount / WRITE_CHUNK_ROWS));

    expect(await finalFlush(orgId)).toBe(1);
    await expectReference(orgId, d1Org);
    expect((await appliedTokens(orgId)).map((t) => t.token)).toEqual([expect.stringMatching(new RegExp(`^flush:${orgId}:`))]);
    expect((await bufferRegistry(orgId))!.pending_since).toBeNull();
    expect(await bufferRows(orgId, "SELECT seq FROM buffered UNION ALL SELECT seq FROM flushes")).toEqual([]);
    expect(await finalFlush(orgId)).toBe(0);
    await expectReference(orgId, d1Org);
  });

  it("gives the D1 writer's result for 5× delivery, any order and any batching", async () => {
    const d1Org = await ingest([events], env);
    const rowCount = (await dumpOrg(d1Org)).events!.length;
    const fiveTimes = [...events, ...events, ...events, ...events, ...events];
    const replayed = await ingest([fiveTimes.slice(0, 100), fiveTimes.slice(100, 200), fiveTimes.slice(200)], bufferEnv);
    await finalFlush(replayed);
    await expectReference(replayed, d1Org, { accepted: rowCount, duplicates: 4 * rowCount });

    for (const seed of [1, 2, 3]) {
      const random = rng(seed);
      const orgId = await ingest(split(shuffle(seed % 2 ? events : [...events, ...events], random), random, seed * 4), bufferEnv);
      await finalFlush(orgId);
      expect(await dumpSharded(orgId), `seed ${seed}`).toEqual(await dumpOrg(d1Org));
      expect((await counters(orgId)).accepted, `seed ${seed}`).toBe(rowCount);
    }
  }, 120_000);

  it("loses and double counts nothing when the consumer fails after any buffer add, before the shard confirmation", async () => {
    const d1Org = await ingest([events], env);
    const rowCount = (await dumpOrg(d1Org)).events!.length;
    // "0": the add answers a flush at once, which the failure leaves unapplied in the buffer.
    for (const seconds of ["3600", "0"]) {
      const base: Env = { ...bufferEnv, ROLLUP_FLUSH_SECONDS: seconds };
      let failing = 1;
      for (; ; failing++) {
        const orgId = await newIngestOrg();
        const broken = failingBuffers(base, { failingAdd: failing });
        const failed = await runConsumer(events.map((e) => queued(orgId, e)), broken.env);
        if (broken.adds() < failing) break;
        expect(failed.retryMessages, `${seconds} s, add ${failing}`).toHaveLength(events.length);
        // The buffer took the chunk's token, the shard still holds it.
        expect(await pendingTokens(orgId)).toBe(1);
        const stored = await shardEventCount(orgId);

        expect((await runConsumer(events.map((e) => queued(orgId, e)), base, 2)).retryMessages).toEqual([]);
        await finalFlush(orgId, base);
        await expectReference(orgId, d1Org, { accepted: rowCount, duplicates: stored });
        expect(await pendingTokens(orgId)).toBe(0);
        expect((await bufferRegistry(orgId))?.pending_since ?? null, `${seconds} s, add ${failing}`).toBeNull();
      }
      expect(failing - 1).toBeGreaterThanOrEqual(Math.ceil(rowCount / WRITE_CHUNK_ROWS));
    }
  }, 120_000);

  it("rolls back a failure at any statement of a flush's D1 apply, and a later flush applies it once", async () => {
    const d1Org = await ingest([events], env);
    const orgId = await ingest([events], bufferEnv);
    let statementCount = Infinity;
    for (let position = 0; position <= statementCount; position++) {
      // The flush's apply is the first D1 batch of the flush (the mark is a single statement).
      const failing = failingDbEnv(position, 1, bufferEnv);
      await expect(finalFlush(orgId, failing.env), `position ${position}`).rejects.toThrow();
      statementCount = failing.statements();
      expect(await counters(orgId), `position ${position}`).toEqual({});
      expect((await dumpOrg(orgId)).rollup_totals).toEqual([]);
      expect(await appliedTokens(orgId)).toEqual([]);
      expect(await bufferRows(orgId, "SELECT flush_id FROM flushes")).toHaveLength(1);
      expect((await bufferRegistry(orgId))!.pending_since).not.toBeNull();
    }
    expect(statementCount).toBeGreaterThan(8);
    expect(await finalFlush(orgId)).toBe(1);
    await expectReference(orgId, d1Org);
    expect((await bufferRegistry(orgId))!.pending_since).toBeNull();
  }, 60_000);

  it("skips a flush D1 already holds when a lost confirmation makes the buffer offer it again", async () => {
    const d1Org = await ingest([events], env);
    const orgId = await ingest([events], bufferEnv);
    await expect(finalFlush(orgId, failingBuffers(bufferEnv, { loseConfirm: true }).env)).rejects.toThrow("flush confirmation lost");
    expect(await appliedTokens(orgId)).toHaveLength(1);
    expect(await counters(orgId)).toEqual(await counters(d1Org));
    // The buffer still holds the applied flush and stays pending.
    const [flush] = await bufferRows(orgId, "SELECT flush_id FROM flushes");
    expect(flush!.flush_id).toBe((await appliedTokens(orgId))[0]!.token);
    expect((await bufferRegistry(orgId))!.pending_since).not.toBeNull();

    // Offered again with the next flush: D1 holds it, so it is skipped and confirmed.
    expect(await finalFlush(orgId)).toBe(1);
    await expectReference(orgId, d1Org);
    expect((await appliedTokens(orgId)).map((t) => t.token)).toEqual([flush!.flush_id]);
    expect(await bufferRows(orgId, "SELECT flush_id FROM flushes")).toEqual([]);
    expect((await bufferRegistry(orgId))!.pending_since).toBeNull();
  });

  it("the idle sweep flushes a buffer pending longer than the interval, once, through the jobs queue", async () => {
    const d1Org = await ingest([events], env);
    const orgId = await ingest([events], bufferEnv);
    const since = (await bufferRegistry(orgId))!.pending_since!;
    // The 2-minute cron; buffers other tests of this file left pending are swept too: only this org's jobs are looked at.
    const sweep = async (at: number) => {
      const jobs: RollupFlushJob[] = [];
      const jobsEnv = { ...bufferEnv, JOBS_QUEUE: { send: async (body: RollupFlushJob) => void jobs.push(body) } } as unknown as Env;
      await runScheduled(CRONS.trackingChecks, jobsEnv, at);
      return jobs.filter((j) => j.kind === "rollups.flush" && j.orgId === orgId);
    };
    expect(await sweep(since + HOUR)).toEqual([]);
    const jobs = await sweep(since + HOUR + 1);
    expect(jobs).toEqual([{ kind: "rollups.flush", orgId }]);

    const runJob = async () => {
      const batch = createMessageBatch("sendops-jobs", [{ id: `flush-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: jobs[0] }]);
      const ctx = createExecutionContext();
      await consumeJobs(batch, bufferEnv, ctx);
      return getQueueResult(batch, ctx);
    };
    expect((await runJob()).explicitAcks).toHaveLength(1);
    await expectReference(orgId, d1Org);
    expect((await bufferRegistry(orgId))!.pending_since).toBeNull();
    expect(await sweep(since + 2 * HOUR)).toEqual([]);

    // A redelivered job finds nothing to apply.
    expect((await runJob()).explicitAcks).toHaveLength(1);
    await expectReference(orgId, d1Org);
    expect(await appliedTokens(orgId)).toHaveLength(1);
  });

  it("keeps an applied flush id while its workspace's buffer or any of its shards is pending", async () => {
    const orgId = await ingest([events], bufferEnv);
    await finalFlush(orgId);
    const appliedAt = (await appliedTokens(orgId))[0]!.applied_at;
    const after = appliedAt + SHARD_RETRY_HORIZON_MS + 1;

    await env.DB.prepare("UPDATE rollup_buffers SET pending_since = ? WHERE org_id = ?").bind(appliedAt, orgId).run();
    await pruneAppliedShardTokens(env.DB, after);
    expect(await appliedTokens(orgId)).toHaveLength(1);
    await env.DB.prepare("UPDATE rollup_buffers SET pending_since = NULL WHERE org_id = ?").bind(orgId).run();

    // A pending shard may still hand the buffer a token whose flush is held unmarked.
    await env.DB.prepare("UPDATE event_shards SET pending_since = ? WHERE org_id = ? AND day = (SELECT MIN(day) FROM event_shards WHERE org_id = ?)").bind(appliedAt, orgId, orgId).run();
    await pruneAppliedShardTokens(env.DB, after);
    expect(await appliedTokens(orgId)).toHaveLength(1);
    await env.DB.prepare("UPDATE event_shards SET pending_since = NULL WHERE org_id = ?").bind(orgId).run();

    await pruneAppliedShardTokens(env.DB, after);
    expect(await appliedTokens(orgId)).toEqual([]);
  });
});

describe("RollupBuffer", () => {
  const day = "2024-05-14";
  /** An outbox of `n` accepted events (a counter and the registry's row count). */
  const outbox = (orgId: string, n: number, counterBucket = 0) => ({
    orgId,
    day,
    events: n,
    rollups: [],
    counters: [{ counter: "accepted", n }],
    counterBucket,
    lags: [],
    lagBucketStart: 0,
  });
  const T0 = Date.UTC(2024, 4, 14, 12);

  it("takes each token once and flushes the sum when its oldest increment is one interval old, or holds too many rows", async () => {
    const orgId = await newIngestOrg();
    const b = buffer(orgId);
    let answer = await b.add(orgId, [{ token: "t1", outbox: outbox(orgId, 2) }], T0, 30_000);
    expect(answer).toMatchObject({ flushes: [], held: true, marks: null, release: null });
    answer = await b.add(orgId, [{ token: "t2", outbox: outbox(orgId, 3, HOUR) }, { token: "t1", outbox: outbox(orgId, 2) }], T0 + 29_999, 30_000);
    expect(answer.flushes).toEqual([]);
    answer = await b.add(orgId, [{ token: "t3", outbox: outbox(orgId, 5) }, { token: "t2", outbox: outbox(orgId, 3, HOUR) }], T0 + 30_000, 30_000);
    expect(answer.flushes).toEqual([
      {
        id: expect.stringMatching(new RegExp(`^flush:${orgId}:`)),
        orgId,
        rollups: [
          { table: "ingest_counters", keyCols: ["org_id", "bucket_start", "counter"], valueCols: ["value"], rows: [[orgId, 0, "accepted", 7], [orgId, HOUR, "accepted", 3]] },
          { table: "event_shards", keyCols: ["org_id", "day"], valueCols: ["event_rows"], rows: [[orgId, day, 10]] },
        ],
      },
    ]);
    expect(await bufferRows(orgId, "SELECT seq FROM buffered")).toEqual([]);
    expect(answer.held).toBe(true);
    const state = await b.confirm([answer.flushes[0]!.id]);
    expect(state.held).toBe(false);
    expect((await b.take(orgId, T0 + 30_001)).flushes).toEqual([]);

    // More distinct rows than BUFFER_MAX_KEYS flush whatever their age.
    const wide = { ...outbox(orgId, 1), counters: Array.from({ length: BUFFER_MAX_KEYS + 1 }, (_, i) => ({ counter: `c${i}`, n: 1 })) };
    answer = await b.add(orgId, [{ token: "t4", outbox: wide }], T0 + 40_000, 30_000);
    expect(answer.flushes).toHaveLength(1);
    expect(answer.flushes[0]!.rollups[0]!.rows).toHaveLength(BUFFER_MAX_KEYS + 1);
    await b.confirm([answer.flushes[0]!.id]);

    // Seen tokens are forgotten after SEEN_TOKEN_DAYS.
    expect(await bufferRows(orgId, "SELECT token FROM seen_tokens ORDER BY token")).toEqual(["t1", "t2", "t3", "t4"].map((token) => ({ token })));
    await b.add(orgId, [], T0 + SEEN_TOKEN_DAYS * DAY + 30_001, 30_000);
    expect(await bufferRows(orgId, "SELECT token FROM seen_tokens ORDER BY token")).toEqual([{ token: "t4" }]);
  });

  it("ends a held period when it holds nothing: the mark is released once, and a mark reported late is ignored", async () => {
    const orgId = await newIngestOrg();
    const b = buffer(orgId);
    const first = await b.add(orgId, [{ token: "a", outbox: outbox(orgId, 1) }], T0, 30_000);
    await b.marked(first.epoch, 4);
    expect(await b.add(orgId, [{ token: "b", outbox: outbox(orgId, 1) }], T0 + 1, 30_000)).toMatchObject({ held: true, epoch: first.epoch, marks: 4 });

    const taken = await b.take(orgId, T0 + 2);
    expect(await b.confirm(taken.flushes.map((f) => f.id))).toEqual({ held: false, epoch: first.epoch + 1, marks: null, release: 4 });
    expect(await b.confirm([])).toMatchObject({ held: false, release: null });
    // A consumer that marked during the ended period reports it only now.
    await b.marked(first.epoch, 5);
    expect(await b.add(orgId, [{ token: "c", outbox: outbox(orgId, 1) }], T0 + 3, 30_000)).toMatchObject({ held: true, epoch: first.epoch + 1, marks: null });
  });
});
