import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { orgs } from "./orgs";

/**
 * A raised notification (worker/lib/notification-types.ts): rendered once, stored once per workspace and
 * `dedupe_key` (a caller that retries cannot raise it twice), then fanned out to inboxes and channels.
 * The id is a UUID because webhook receivers deduplicate by it (notifications__webhooks.md).
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    category: text("category").notNull(),
    severity: text("severity", { enum: ["info", "warning", "error", "critical"] }).notNull(),
    title: text("title").notNull(),
    body: text("body").notNull(),
    /** Workspace-relative dashboard path (e.g. `channels/ch_1`). */
    link: text("link").notNull(),
    payloadJson: text("payload_json").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("notifications_dedupe").on(t.orgId, t.dedupeKey),
    index("notifications_org_time").on(t.orgId, t.createdAt, t.id),
  ],
);

/** In-app delivery: one row per recipient; `read_at` null = unread. Category and severity copied for the filters. */
export const notificationInbox = sqliteTable(
  "notification_inbox",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    notificationId: text("notification_id").notNull().references(() => notifications.id, { onDelete: "cascade" }),
    category: text("category").notNull(),
    severity: text("severity").notNull(),
    createdAt: integer("created_at").notNull(),
    readAt: integer("read_at"),
  },
  (t) => [
    primaryKey({ columns: [t.notificationId, t.userId] }),
    index("notification_inbox_user_time").on(t.orgId, t.userId, t.createdAt, t.notificationId),
    index("notification_inbox_unread").on(t.orgId, t.userId, t.readAt),
  ],
);

/**
 * Email and Slack delivery of one notification: email one row per recipient, Slack one row per
 * notification (`recipient` = "slack"). Sent by the `notification.deliver` job; `status` records the
 * outcome (`skipped` when this deployment sends no mail or the workspace has no Slack).
 */
export const notificationDeliveries = sqliteTable(
  "notification_deliveries",
  {
    notificationId: text("notification_id").notNull().references(() => notifications.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: ["email", "slack"] }).notNull(),
    /** The email recipient's user id, or "slack". */
    recipient: text("recipient").notNull(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    status: text("status", { enum: ["pending", "sent", "skipped", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    /** Why it was skipped or failed (the provider's own error text). */
    detail: text("detail"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.notificationId, t.channel, t.recipient] }), index("notification_deliveries_org").on(t.orgId, t.updatedAt)],
);

/**
 * A member's delivery preferences: JSON `{ [type]: ["in_app", "email", "slack"] }` (the channels enabled).
 * A type missing from the map — or a member without a row — follows the defaults (services/notifications/preferences.ts).
 */
export const notificationPreferences = sqliteTable(
  "notification_preferences",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    channelsJson: text("channels_json").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.userId] })],
);

/** A workspace's custom presets (the built-in ones live in code). */
export const notificationPresets = sqliteTable(
  "notification_presets",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    channelsJson: text("channels_json").notNull(),
    createdByName: text("created_by_name").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("notification_presets_name").on(t.orgId, t.name)],
);

/** Connections → Integrations → Slack: the workspace's incoming-webhook URL, AES-GCM encrypted (it is a credential). */
export const slackIntegrations = sqliteTable("slack_integrations", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  webhookUrlSealed: text("webhook_url_sealed").notNull(),
  /** What the page shows: `https://hooks.slack.com/services/T…/B…/••••`. */
  webhookUrlHint: text("webhook_url_hint").notNull(),
  createdByName: text("created_by_name").notNull(),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
