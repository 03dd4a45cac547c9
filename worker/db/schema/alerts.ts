import { integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";

/**
 * The alert evaluators' memory (docs/alerts.md). One row per workspace × alert × scope: whether the alert
 * is firing, since when, the last value seen and when it was last raised. An alert fires once per breach:
 * the ok → firing transition is claimed by one conditional write, and the row re-arms (firing → ok) only
 * once the value is back below REARM_FRACTION of its threshold (worker/lib/alert-thresholds.ts).
 * `scope`: `workspace`, `channel:<id>`, `domain:<name>`, `region:<name>`, `account`, or a period for digests.
 */
export const ALERT_STATES = ["ok", "firing"] as const;

export const alertStates = sqliteTable(
  "alert_states",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** The evaluator's key: a notification type, or the type plus a level (e.g. `…channel_paused`). */
    alertKey: text("alert_key").notNull(),
    scope: text("scope").notNull(),
    state: text("state", { enum: ALERT_STATES }).notNull(),
    /** When the current state began (for `firing`: the breach start, part of the dedupe key). */
    since: integer("since").notNull(),
    lastValue: real("last_value"),
    lastRaisedAt: integer("last_raised_at"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.alertKey, t.scope] })],
);

/**
 * The workspace's alert thresholds (`channel_id` '') and each channel's overrides. A null column inherits:
 * the workspace row from DEFAULT_ALERT_THRESHOLDS, a channel row from the workspace row.
 */
export const alertThresholds = sqliteTable(
  "alert_thresholds",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    channelId: text("channel_id").notNull(),
    bounceWarning: real("bounce_warning"),
    bounceCritical: real("bounce_critical"),
    complaintWarning: real("complaint_warning"),
    complaintCritical: real("complaint_critical"),
    minVolume: integer("min_volume"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.channelId] })],
);

/**
 * Per workspace: when ingest last queued an `alerts.evaluate` job (at most one per EVALUATION_DEBOUNCE_MS,
 * claimed by a conditional write) and when an evaluation last ran.
 */
export const alertEvaluations = sqliteTable("alert_evaluations", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  queuedAt: integer("queued_at"),
  evaluatedAt: integer("evaluated_at"),
});
