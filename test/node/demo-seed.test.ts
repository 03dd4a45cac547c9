import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDb, type LocalDb } from "../../scripts/lib/d1";
import { prepareDemoWorkspace, processedEvents, readSeedState, resumePoint, RESUME_OVERLAP, writeSeedState } from "../../scripts/lib/demo-seed";
import { DEMO_CHANNELS, DEMO_IDENTITIES } from "../../scripts/lib/demo-world";
import { applyMigrations } from "../../scripts/lib/instance";
import { sha256Hex } from "../../worker/lib/crypto";
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
  });

  it("keeps its progress in <persist dir>/demo-seed.json", () => {
    expect(readSeedState(dir)).toBeNull();
    const state = { orgId: DEMO_ORG_ID, ingestKey: "sik_x", seed: "s", events: 10, days: 30, end: 1, posted: 4, done: false };
    writeSeedState(dir, state);
    expect(readSeedState(dir)).toEqual(state);
  });
});
