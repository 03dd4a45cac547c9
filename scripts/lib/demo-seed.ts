/**
 * Seeds the demo workspace on a local instance: the workspace itself, its managed identities and
 * channels (what the demo traffic is sent from and through), and an ingest key; then the traffic
 * goes through the real ingest path (POST /ingest/eventbridge), like EventBridge would deliver it.
 * Progress is kept in `<persistDir>/demo-seed.json`, so an interrupted seed resumes where it stopped
 * and a finished one is never repeated.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Actor } from "../../worker/context";
import type { Db } from "../../worker/db/client";
import { and, eq, ne, sum } from "drizzle-orm";
import { channels, identities, ingestCounters } from "../../worker/db/schema";
import { ensureDemoWorkspace } from "../../worker/services/demo";
import { addChannel, addManagedIdentity } from "../../worker/services/ingest/admin";
import { createIngestKey } from "../../worker/services/ingest/keys";
import { DEMO_CHANNELS, DEMO_IDENTITIES } from "./demo-world";

/** The audit log of the demo workspace names this actor for its setup. */
export const SEEDER_ACTOR: Actor = { userId: null, name: "Demo data seeder", email: "" };

export const DEMO_SEED_EVENTS = 210_000;
export const DEMO_SEED_DAYS = 30;
/**
 * Local queues live in wrangler's memory: events acknowledged but not yet consumed when SendOps stopped
 * are gone. A resumed seed therefore restarts this many events before the consumer's progress (ingest
 * ignores the repeats: each event is stored once).
 */
export const RESUME_OVERLAP = 2_000;

export interface SeedState {
  orgId: string;
  /** The demo's ingest key (local data only; the directory is git-ignored). */
  ingestKey: string;
  seed: string;
  events: number;
  days: number;
  /** End of the demo period: fixed at the first attempt, so a resumed run regenerates the same events. */
  end: number;
  /** Events from the start that are acknowledged: a resumed run skips them. */
  posted: number;
  /** All events posted and stored (or the consumer stopped making progress). */
  done: boolean;
}

export const seedStatePath = (persistDir: string) => path.join(persistDir, "demo-seed.json");

export function readSeedState(persistDir: string): SeedState | null {
  const file = seedStatePath(persistDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as SeedState) : null;
}

export function writeSeedState(persistDir: string, state: SeedState): void {
  writeFileSync(seedStatePath(persistDir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** Creates whatever of the demo workspace's setup is missing; returns its id and a fresh ingest key. */
export async function prepareDemoWorkspace(db: Db, now = Date.now()): Promise<{ orgId: string; ingestKey: string }> {
  const orgId = await ensureDemoWorkspace(db, now);
  for (const { identity } of DEMO_IDENTITIES) {
    const exists = await db.select({ id: identities.id }).from(identities).where(and(eq(identities.orgId, orgId), eq(identities.identity, identity))).get();
    if (!exists) await addManagedIdentity(db, orgId, { identity, verificationStatus: "SUCCESS" }, SEEDER_ACTOR, now);
  }
  for (const c of DEMO_CHANNELS) {
    const exists = await db
      .select({ id: channels.id })
      .from(channels)
      .where(and(eq(channels.orgId, orgId), eq(channels.configurationSetName, c.configurationSet)))
      .get();
    if (!exists) await addChannel(db, orgId, { name: c.name, configurationSetName: c.configurationSet }, SEEDER_ACTOR, now);
  }
  const { key } = await createIngestKey(db, orgId, SEEDER_ACTOR, now);
  return { orgId, ingestKey: key };
}

/**
 * Events of the demo workspace the consumer has stored or dropped (every demo event has one recipient,
 * so rows = events). Repeats are left out: they are events already counted.
 */
export async function processedEvents(db: Db, orgId: string): Promise<number> {
  const row = await db
    .select({ n: sum(ingestCounters.value) })
    .from(ingestCounters)
    .where(and(eq(ingestCounters.orgId, orgId), ne(ingestCounters.counter, "duplicates")))
    .get();
  return Number(row?.n ?? 0);
}

/** Where a resumed seed starts: before the first event that may not have reached the database. */
export function resumePoint(posted: number, processed: number): number {
  return Math.max(0, Math.min(posted, processed) - RESUME_OVERLAP);
}
