import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";

/**
 * The event shards (durable-objects/event-shard.ts) that hold an org's events and messages: one per org
 * and UTC day of `mail.timestamp` ("YYYY-MM-DD"). `eventRows` counts the rows the shard stored, as the
 * applied outbox tokens report them. `pendingSince` is set before a consumer writes to the shard and
 * cleared once the shard has no outbox token left to apply; `pendingMarks` counts those marks, so a
 * consumer clears only its own (a later one's mark keeps the row pending). A row pending for long is a
 * token a dead-lettered batch left behind (docs/scaling.md, Shards: the write path).
 */
export const eventShards = sqliteTable(
  "event_shards",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    eventRows: integer("event_rows").notNull().default(0),
    pendingSince: integer("pending_since"),
    pendingMarks: integer("pending_marks").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.day] }), index("event_shards_pending").on(t.pendingSince)],
);

/**
 * Outbox tokens of event shards whose increments D1 holds: inserted in the transaction that applies
 * them, so applying a token twice fails on this key and is skipped.
 */
export const appliedShardTokens = sqliteTable(
  "applied_shard_tokens",
  {
    token: text("token").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    appliedAt: integer("applied_at").notNull(),
  },
  (t) => [index("applied_shard_tokens_applied").on(t.appliedAt)],
);
