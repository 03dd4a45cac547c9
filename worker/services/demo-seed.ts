import type { Db } from "../db/client";
import { findDemoSeed, upsertDemoSeed } from "../db/demo";
import { countProcessedRows } from "../db/ingest";

/**
 * Progress of the demo workspace's seed, for the dashboard to say that sample data is still arriving
 * (docs/demo-data.md). The seeder records how many events it will post; the consumer's ingest counters
 * say how many it has stored or dropped so far (every demo event has one recipient, so rows = events).
 */
export interface DemoSeedStatus {
  /** True until every planned event has been stored or dropped. */
  seeding: boolean;
  /** Null when the workspace has no recorded seed (not the demo, or not seeded by `seedDemo` — `npm start` or `npm run admin -- seed-demo`). */
  plannedEvents: number | null;
  storedEvents: number | null;
}

/** Called by the seeder before it posts; a resumed seed records the same plan again. */
export async function recordDemoSeed(db: Db, orgId: string, plannedEvents: number, at = Date.now()): Promise<void> {
  await upsertDemoSeed(db, orgId, plannedEvents, at);
}

export async function getDemoSeedStatus(db: Db, orgId: string): Promise<DemoSeedStatus> {
  const seed = await findDemoSeed(db, orgId);
  if (!seed) return { seeding: false, plannedEvents: null, storedEvents: null };
  const storedEvents = await countProcessedRows(db, orgId);
  return { seeding: storedEvents < seed.plannedEvents, plannedEvents: seed.plannedEvents, storedEvents };
}
