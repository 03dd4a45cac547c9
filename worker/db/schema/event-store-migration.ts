import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const EVENT_STORE_MIGRATION_STATES = ["copying", "switching", "shards"] as const;
export type EventStoreMigrationState = (typeof EVENT_STORE_MIGRATION_STATES)[number];

/**
 * The deployment's move of D1 `events` / `messages` into the event shards once EVENT_STORE is "shards"
 * (docs/scaling.md, Shards: migrating existing data): one row, id 1. `state` 'copying' (ingest and reads
 * stay on D1 while the job copies), 'switching' (the copy caught up; D1 refuses new events by the
 * trigger `events_store_switched`, the last rows are copied), 'shards' (final). `cursor` is the highest
 * D1 `events.id` copied; `rowsImported` counts the D1 event rows the cursor passed.
 */
export const eventStoreMigration = sqliteTable("event_store_migration", {
  id: integer("id").primaryKey(),
  state: text("state", { enum: EVENT_STORE_MIGRATION_STATES }).notNull(),
  cursor: integer("cursor").notNull().default(0),
  /**
   * Bumped by the trigger `events_store_rewind` when D1 gives a new event an id at or below `cursor`
   * (SQLite reuses the highest id after it was deleted, e.g. with a workspace): it moves the cursor back,
   * and a walker advances the cursor only if no rewind happened since it read it.
   */
  rewinds: integer("rewinds").notNull().default(0),
  rowsImported: integer("rows_imported").notNull().default(0),
  startedAt: integer("started_at").notNull(),
  switchedAt: integer("switched_at"),
  d1ClearedAt: integer("d1_cleared_at"),
  updatedAt: integer("updated_at").notNull(),
});
