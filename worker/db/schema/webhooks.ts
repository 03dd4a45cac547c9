import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";

export const WEBHOOK_ENDPOINT_STATUSES = ["enabled", "disabled", "auto_disabled"] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

/**
 * Outbound webhook endpoints (docs/webhooks.md, Connections → Webhooks). Subscriptions are notification
 * type keys and whole categories (a category also covers types added to it later). The signing secret is
 * AES-GCM encrypted (it must be used to sign); after a rotation the previous one keeps signing until
 * `previousSecretExpiresAt`. `consecutiveFailures` counts failed deliveries (each after all its attempts)
 * since the last success; at 10 the endpoint is `auto_disabled` with `disabledReason`.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description").notNull().default(""),
    /** JSON array of notification type keys. */
    typesJson: text("types_json").notNull().default("[]"),
    /** JSON array of category keys. */
    categoriesJson: text("categories_json").notNull().default("[]"),
    secretEnc: text("secret_enc").notNull(),
    previousSecretEnc: text("previous_secret_enc"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    secretRotatedAt: integer("secret_rotated_at"),
    status: text("status", { enum: WEBHOOK_ENDPOINT_STATUSES }).notNull().default("enabled"),
    disabledReason: text("disabled_reason"),
    disabledAt: integer("disabled_at"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    createdByName: text("created_by_name").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_org").on(t.orgId, t.createdAt)],
);

export const WEBHOOK_DELIVERY_STATES = ["pending", "succeeded", "failed"] as const;
export type WebhookDeliveryState = (typeof WEBHOOK_DELIVERY_STATES)[number];

/**
 * One notification for one endpoint: unique per (endpoint, notification), so a retried enqueue creates
 * nothing twice. `body` is the exact JSON sent on every attempt (a resend sends it again, same `id`).
 * `series` counts manual resends: a queue message of an older series is stale and dropped; `attempts`
 * is the number of attempts of the current series (1..3), claimed before each one is made.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    endpointId: text("endpoint_id").notNull().references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    notificationId: text("notification_id").notNull(),
    notificationType: text("notification_type").notNull(),
    /** True for "Send test event" deliveries (they do not count towards auto-disable). */
    test: integer("test", { mode: "boolean" }).notNull().default(false),
    body: text("body").notNull(),
    state: text("state", { enum: WEBHOOK_DELIVERY_STATES }).notNull().default("pending"),
    series: integer("series").notNull().default(1),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    lastStatusCode: integer("last_status_code"),
    lastError: text("last_error"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_once").on(t.endpointId, t.notificationId),
    index("webhook_deliveries_endpoint").on(t.endpointId, t.createdAt),
  ],
);

/** The delivery log: every HTTP attempt (or an attempt refused before sending, e.g. a blocked address). */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    deliveryId: text("delivery_id").notNull().references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    series: integer("series").notNull(),
    attempt: integer("attempt").notNull(),
    at: integer("at").notNull(),
    /** The X-SendOps-Timestamp sent (unix seconds); null when nothing was sent. */
    signedAt: integer("signed_at"),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    latencyMs: integer("latency_ms"),
  },
  (t) => [index("webhook_attempts_delivery").on(t.deliveryId, t.at)],
);
