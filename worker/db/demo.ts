import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { demoSeeds } from "./schema";

/** The seed's plan, replaced when the seeder records it again (a resumed or restarted seed). */
export function upsertDemoSeed(db: Db, orgId: string, plannedEvents: number, at: number) {
  return db
    .insert(demoSeeds)
    .values({ orgId, plannedEvents, startedAt: at })
    .onConflictDoUpdate({ target: demoSeeds.orgId, set: { plannedEvents } });
}

export function findDemoSeed(db: Db, orgId: string) {
  return db.select().from(demoSeeds).where(eq(demoSeeds.orgId, orgId)).get();
}
