import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";

/**
 * The demo workspace's seed: how many sample events the seeder (scripts/start.ts) plans to post through
 * ingest. Progress is the demo's ingest counters against this plan (docs/demo-data.md).
 */
export const demoSeeds = sqliteTable("demo_seeds", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  plannedEvents: integer("planned_events").notNull(),
  startedAt: integer("started_at").notNull(),
});
