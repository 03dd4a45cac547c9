import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";

/**
 * The registry of the workspaces' rollup buffers (durable-objects/rollup-buffer.ts), one row per org.
 * `pendingSince` is set while the buffer may hold increments D1 does not have yet and cleared once a
 * flush left it empty; `pendingMarks` counts the marks, so a clear made with an older count leaves a
 * later mark standing (the protocol of `event_shards`). The frequent cron flushes buffers pending for
 * longer than the flush interval (docs/scaling.md, Shards: the rollup buffer).
 */
export const rollupBuffers = sqliteTable(
  "rollup_buffers",
  {
    orgId: text("org_id")
      .primaryKey()
      .references(() => orgs.id, { onDelete: "cascade" }),
    pendingSince: integer("pending_since"),
    pendingMarks: integer("pending_marks").notNull().default(0),
  },
  (t) => [index("rollup_buffers_pending").on(t.pendingSince)],
);
