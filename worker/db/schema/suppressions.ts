import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";

/**
 * The workspace's copy of its SES account-level suppression list (docs/reports.md, Suppression List).
 * SES cannot search by substring and a list may hold 100k+ entries, so the viewer reads this copy; the
 * sync job (queue sendops-jobs) refreshes it from ListSuppressedDestinations. `syncGeneration` is the
 * sync that last saw the row: a completed sync deletes the rows of older generations (gone from SES).
 * The primary key serves sorting and prefix search by address; the time index sorting by last update.
 */
export const suppressedDestinations = sqliteTable(
  "suppressed_destinations",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    reason: text("reason", { enum: ["BOUNCE", "COMPLAINT"] }).notNull(),
    /** Epoch ms, from SES. */
    lastUpdateTime: integer("last_update_time").notNull(),
    syncGeneration: integer("sync_generation").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.email] }), index("suppressed_destinations_org_time").on(t.orgId, t.lastUpdateTime, t.email)],
);

/**
 * The state of a workspace's suppression list sync. A sync runs as a chain of queue messages, each
 * handling a few pages; `step` is the position the next message must carry, so a redelivered message
 * (queues deliver at least once) finds it taken and stops instead of forking the chain.
 */
export const suppressionSyncs = sqliteTable("suppression_syncs", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  generation: integer("generation").notNull(),
  running: integer("running", { mode: "boolean" }).notNull(),
  step: integer("step").notNull(),
  startedAt: integer("started_at").notNull(),
  /** Entries read so far by the running sync. */
  progress: integer("progress").notNull().default(0),
  lastSyncedAt: integer("last_synced_at"),
  /** Entries in the copy after the last completed sync (kept current by deletes). */
  count: integer("count").notNull().default(0),
  lastError: text("last_error"),
  lastErrorAt: integer("last_error_at"),
});
