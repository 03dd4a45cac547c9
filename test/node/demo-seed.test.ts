import http from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { localDb, type LocalDb } from "../../scripts/lib/d1";
import { prepareDemoWorkspace, processedEvents, seedDemo, type SeedClock, type SeedOptions } from "../../scripts/lib/demo-seed";
import {
  Acknowledged,
  readSeedState,
  remoteSeedStatePath,
  resumePoint,
  RESUME_OVERLAP,
  seedStatePath,
  writeSeedState,
  type SeedState,
} from "../../scripts/lib/demo-seed-state";
import { generateDemoTraffic, planDemoTraffic } from "../../scripts/lib/demo-traffic";
import { DEMO_CHANNELS, DEMO_IDENTITIES } from "../../scripts/lib/demo-world";
import { applyMigrations, ROOT } from "../../scripts/lib/instance";
import { sha256Hex } from "../../worker/lib/crypto";
import { findDemoSeed } from "../../worker/db/demo";
import { channels, identities, ingestCounters, ingestKeys, orgs } from "../../worker/db/schema";
import { DEMO_ORG_ID } from "../../worker/services/demo";

let dir: string;
let local: LocalDb;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sendops-seed-test-"));
  await applyMigrations(dir);
  local = await localDb(dir);
});

afterAll(async () => {
  await local?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("demo workspace seeding", () => {
  it("creates the demo workspace with its identities, channels and an ingest key, once", async () => {
    const first = await prepareDemoWorkspace(local.db);
    const second = await prepareDemoWorkspace(local.db);
    expect(first.orgId).toBe(DEMO_ORG_ID);
    expect(second.orgId).toBe(DEMO_ORG_ID);
    expect((await local.db.select().from(orgs).where(eq(orgs.id, DEMO_ORG_ID)).get())?.isDemo).toBe(true);
    const ids = await local.db.select().from(identities).where(eq(identities.orgId, DEMO_ORG_ID)).all();
    expect(ids.map((i) => [i.identity, i.kind, i.verificationStatus]).sort()).toEqual(
      DEMO_IDENTITIES.map((i) => [i.identity, i.kind, "SUCCESS"]).sort(),
    );
    const chans = await local.db.select().from(channels).where(eq(channels.orgId, DEMO_ORG_ID)).all();
    expect(chans.map((c) => c.configurationSetName).sort()).toEqual(DEMO_CHANNELS.map((c) => c.configurationSet).sort());
    // Each run issues a fresh key (a rotation); the one it returns is the active one.
    const keys = await local.db.select().from(ingestKeys).where(eq(ingestKeys.orgId, DEMO_ORG_ID)).all();
    expect(keys).toHaveLength(2);
    const active = keys.filter((k) => k.expiresAt === null);
    expect(active.map((k) => k.keyHash)).toEqual([await sha256Hex(second.ingestKey)]);
  });

  it("counts stored and dropped events but not repeats, and resumes before them", async () => {
    const at = Date.now();
    await local.db.insert(ingestCounters).values([
      { orgId: DEMO_ORG_ID, bucketStart: at - (at % 3_600_000), counter: "accepted", value: 9_000 },
      { orgId: DEMO_ORG_ID, bucketStart: at - (at % 3_600_000), counter: "dropped.unmanaged_identity", value: 40 },
      { orgId: DEMO_ORG_ID, bucketStart: at - (at % 3_600_000), counter: "duplicates", value: 500 },
    ]);
    expect(await processedEvents(local.db, DEMO_ORG_ID)).toBe(9_040);
    expect(resumePoint(12_000, 9_040)).toBe(9_040 - RESUME_OVERLAP);
    expect(resumePoint(5_000, 9_040)).toBe(5_000 - RESUME_OVERLAP);
    expect(resumePoint(10, 1_000)).toBe(0);
    await local.db.delete(ingestCounters).where(eq(ingestCounters.orgId, DEMO_ORG_ID));
  });
});

describe("seed state", () => {
  it("lives with a local instance's data, or per deployed instance's host on the operator's machine", () => {
    expect(seedStatePath("/data")).toBe(path.join("/data", "demo-seed.json"));
    expect(remoteSeedStatePath("https://sendops.example.com")).toBe(path.join(ROOT, ".demo-seed", "sendops.example.com.json"));
    expect(remoteSeedStatePath("http://127.0.0.1:8815/")).toBe(path.join(ROOT, ".demo-seed", "127.0.0.1_8815.json"));
  });

  it("is written whole, readable only by its owner, and reads files without `ahead` (earlier versions)", () => {
    const file = path.join(dir, "nested", "state.json");
    expect(readSeedState(file)).toBeNull();
    const state: SeedState = { orgId: DEMO_ORG_ID, ingestKey: "sik_x", seed: "s", events: 10, days: 30, end: 1, posted: 4, ahead: [6], done: false };
    writeSeedState(file, state);
    expect(readSeedState(file)).toEqual(state);
    const { ahead: _ahead, ...older } = state;
    writeFileSync(file, JSON.stringify(older));
    expect(readSeedState(file)).toEqual({ ...state, ahead: [] });
  });

  it("tracks acknowledged events as a prefix plus the ones ahead of it", () => {
    const acked = new Acknowledged(3, [5, 7, 2]);
    expect([acked.prefix, acked.ahead(), acked.count]).toEqual([3, [5, 7], 5]);
    expect([acked.has(2), acked.has(3), acked.has(5)]).toEqual([true, false, true]);
    acked.add(4);
    expect([acked.prefix, acked.ahead()]).toEqual([3, [4, 5, 7]]);
    acked.add(3);
    expect([acked.prefix, acked.ahead(), acked.count]).toEqual([6, [7], 7]);
    acked.add(1);
    expect(acked.count).toBe(7);
  });
});

/** A stand-in ingest endpoint that records every event it accepts; `status` decides the answer (default 202). */
async function stubInstance(status: (key: string, id: string) => number = () => 202, delayMs: (id: string) => number = () => 2 + Math.floor(Math.random() * 8)) {
  const posts: { id: string; key: string }[] = [];
  const listeners: ((n: number) => void)[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const key = String(req.headers["x-api-key"]);
      const id = (JSON.parse(raw) as { id: string }).id;
      const code = status(key, id);
      if (code === 202) posts.push({ id, key });
      for (const l of listeners) l(posts.length);
      // A little later (by default), so requests overlap and finish out of order.
      setTimeout(() => res.writeHead(code, { "content-type": "application/json" }).end("{}"), delayMs(id));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  stubs.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, onPost: (l: (n: number) => void) => listeners.push(l) };
}
const stubs: http.Server[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** Time that passes only when the seed sleeps: the wait for the consumer runs without real waiting. */
function fakeClock(): SeedClock {
  let t = 1_800_000_000_000;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

const quiet: SeedOptions = { log: () => undefined, concurrency: 8 };
const planIds = (s: SeedState) => {
  const traffic = { seed: s.seed, events: s.events, days: s.days, end: s.end };
  return [...generateDemoTraffic(traffic, planDemoTraffic(traffic).messages)].map((g) => g.event.id);
};

describe("seedDemo against a running instance", () => {
  it("posts every planned event exactly once across a --limit stop and an interruption mid-flight", async () => {
    let unavailable = "";
    const stub = await stubInstance((_key, id) => (id === unavailable ? 503 : 202));
    const stateFile = path.join(dir, "once.json");
    const target = { db: local.db, url: stub.url, stateFile };
    const clock = fakeClock();

    const first = await seedDemo(target, { ...quiet, clock, events: 300, days: 2, limit: 60 });
    expect(first).toMatchObject({ status: "paused", reason: "limit" });
    expect(stub.posts).toHaveLength(60);
    const ids = planIds(readSeedState(stateFile)!);
    // The plan the dashboard measures the seed's progress against (GET /api/orgs/:orgId/demo-seed).
    expect(await findDemoSeed(local.db, DEMO_ORG_ID)).toMatchObject({ plannedEvents: ids.length });

    // Interrupted while event 90 waits to be retried (503) and later ones are in flight: those complete
    // and count, event 90 does not, nothing new starts.
    unavailable = ids[90]!;
    const abort = new AbortController();
    stub.onPost((n) => n === 100 && abort.abort());
    const second = await seedDemo(target, { ...quiet, clock, signal: abort.signal });
    expect(second).toMatchObject({ status: "paused", reason: "interrupted" });
    const saved = readSeedState(stateFile)!;
    expect(saved.posted).toBe(90);
    expect(saved.ahead.length).toBeGreaterThan(0);
    expect(saved.posted + saved.ahead.length).toBe(stub.posts.length);

    // The rest; the stand-in stores nothing, so the wait for the consumer stalls and the seed says so.
    unavailable = "";
    const third = await seedDemo(target, { ...quiet, clock });
    expect(stub.posts.map((p) => p.id).sort()).toEqual([...ids].sort());
    expect(new Set(stub.posts.map((p) => p.key)).size).toBe(1);
    expect(third).toMatchObject({ status: "incomplete", planned: ids.length, stored: 0 });
    // …and the next run posts again from before the gap.
    expect(readSeedState(stateFile)).toMatchObject({ posted: 0, ahead: [], done: false });
  });

  it("stops at an event the instance does not accept after every retry, and posts it first on the next run", async () => {
    let failing = "";
    // The failing event is answered at once and the others slowly, so nothing else settles before the
    // failure does: what went on after it is exactly what was in flight then.
    const stub = await stubInstance(
      (_key, id) => (id === failing ? 500 : 202),
      (id) => (id === failing ? 0 : 150),
    );
    const stateFile = path.join(dir, "failing.json");
    const target = { db: local.db, url: stub.url, stateFile };
    await seedDemo(target, { ...quiet, events: 200, days: 1, limit: 1 });
    const ids = planIds(readSeedState(stateFile)!);
    failing = ids[30]!;
    const stopped = await seedDemo(target, { ...quiet, maxAttempts: 1 });
    expect(stopped).toMatchObject({ status: "paused", reason: "failed", answers: { 500: 1 } });
    expect(readSeedState(stateFile)!.posted).toBe(30);
    // Only the requests already in flight (at most 8, the failing one among them) went on.
    expect(stub.posts.length).toBeLessThan(30 + 8);
    failing = "";
    await seedDemo(target, { ...quiet, limit: 40 });
    expect(stub.posts.slice(-40).map((p) => p.id)).toContain(ids[30]);
    expect(new Set(stub.posts.map((p) => p.id)).size).toBe(stub.posts.length);
  });

  it("after a restart of a local instance, resumes from what the database holds", async () => {
    const stub = await stubInstance();
    const stateFile = path.join(dir, "restarted.json");
    const { orgId, ingestKey } = await prepareDemoWorkspace(local.db);
    const state: SeedState = { orgId, ingestKey, seed: "restart", events: 3_000, days: 3, end: 1_800_000_000_000, posted: 2_900, ahead: [2_950], done: false };
    writeSeedState(stateFile, state);
    const at = Date.now();
    await local.db.insert(ingestCounters).values({ orgId, bucketStart: at - (at % 3_600_000), counter: "accepted", value: 2_500 });
    try {
      await seedDemo({ db: local.db, url: stub.url, stateFile, restarted: true }, { ...quiet, limit: 10 });
      const ids = planIds(state);
      expect(stub.posts.map((p) => p.id).sort()).toEqual(ids.slice(2_500 - RESUME_OVERLAP, 2_510 - RESUME_OVERLAP).sort());
      // A rewound seed records its plan again.
      expect(await findDemoSeed(local.db, orgId)).toMatchObject({ plannedEvents: ids.length });
    } finally {
      await local.db.delete(ingestCounters).where(eq(ingestCounters.orgId, orgId));
    }
  });

  it("replaces a refused ingest key once, and names the likely mix-up when the new one is refused too", async () => {
    const refusedKey = "sik_revoked";
    const stateFile = path.join(dir, "refused.json");
    const state: SeedState = { orgId: DEMO_ORG_ID, ingestKey: refusedKey, seed: "refused", events: 100, days: 1, end: 1_800_000_000_000, posted: 0, ahead: [], done: false };
    writeSeedState(stateFile, state);
    const stub = await stubInstance((key) => (key === refusedKey ? 401 : 202));
    await seedDemo({ db: local.db, url: stub.url, stateFile }, { ...quiet, limit: 5 });
    expect(stub.posts).toHaveLength(5);
    const newKey = readSeedState(stateFile)!.ingestKey;
    expect(newKey).not.toBe(refusedKey);
    expect(stub.posts.every((p) => p.key === newKey)).toBe(true);

    const elsewhere = await stubInstance(() => 401);
    await expect(seedDemo({ db: local.db, url: elsewhere.url, stateFile }, quiet)).rejects.toThrow(
      `${elsewhere.url} refused an ingest key just created in the database: are the URL and the database the same deployment?`,
    );
  });

  it("keeps a finished seed finished, and refuses to change the size of one in progress", async () => {
    const stateFile = path.join(dir, "finished.json");
    const base: SeedState = { orgId: DEMO_ORG_ID, ingestKey: "sik_x", seed: "s", events: 100, days: 1, end: 1, posted: 100, ahead: [], done: true };
    writeSeedState(stateFile, base);
    const stub = await stubInstance();
    expect(await seedDemo({ db: local.db, url: stub.url, stateFile }, { ...quiet, events: 5 })).toMatchObject({ status: "done", earlier: true });
    writeSeedState(stateFile, { ...base, done: false, posted: 10 });
    await expect(seedDemo({ db: local.db, url: stub.url, stateFile }, { ...quiet, events: 5 })).rejects.toThrow(/targets 100 events/);
    expect(stub.posts).toHaveLength(0);
  });
});
