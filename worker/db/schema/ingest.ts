import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { orgs } from "./orgs";
import { METRIC_NAMES, METRICS, type Metric } from "../../lib/metrics";

/**
 * Event ingest (docs/ingest.md). Control plane: ingest keys, managed identities, channels. Data plane:
 * one `events` row per (SES event, recipient), one `messages` row per (SES message id, recipient), small
 * rollup tables per report dimension, per-org counters, rejected payloads and dead letters.
 */

/**
 * Keys for POST /ingest/eventbridge (`x-api-key`). Only the SHA-256 of the key is stored; `keyPrefix`
 * (its first characters) tells keys apart. `expiresAt` null = active; rotation gives the old key
 * `expiresAt = now + 24 h` so EventBridge keeps working while the stack parameter is updated.
 */
export const ingestKeys = sqliteTable(
  "ingest_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    keyHash: text("key_hash").notNull().unique(),
    keyPrefix: text("key_prefix").notNull(),
    createdAt: integer("created_at").notNull(),
    createdByUserId: text("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdByName: text("created_by_name").notNull(),
    expiresAt: integer("expires_at"),
    /**
     * The key itself, AES-GCM-sealed under ENCRYPTION_KEY: the CloudFormation template must carry it as
     * `WebhookApiKey`. Null for keys created before templates were generated.
     */
    sealedKey: text("sealed_key"),
  },
  (t) => [index("ingest_keys_org").on(t.orgId, t.createdAt)],
);

export const IDENTITY_KINDS = ["domain", "email"] as const;
export const IDENTITY_ORIGINS = ["sendops", "ses"] as const;
export const CHANNEL_ORIGINS = ["sendops", "discovered"] as const;
/** The purpose badge of a channel (docs: channels__managing-channels.md); it pre-fills the settings. */
export const CHANNEL_PURPOSES = ["default", "transactional", "marketing", "onboarding", "custom"] as const;
export type ChannelPurpose = (typeof CHANNEL_PURPOSES)[number];
/** Whether a channel's settings are in its SES configuration set: `syncing` while a push runs, `error` after a failed one. */
export const CHANNEL_SYNC_STATUSES = ["synced", "syncing", "error"] as const;
export type ChannelSyncStatus = (typeof CHANNEL_SYNC_STATUSES)[number];
export type IdentityKind = (typeof IDENTITY_KINDS)[number];
/** SES v2 `VerificationStatus` values. */
export const VERIFICATION_STATUSES = ["PENDING", "SUCCESS", "FAILED", "TEMPORARY_FAILURE", "NOT_STARTED"] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];

/**
 * Managed identities: events whose sending address, its domain, the `sourceArn` identity or the
 * `ses:from-domain` tag match one of these are ingested; all others are dropped and counted.
 * `identity` is lowercase (a domain or an email address).
 */
export const identities = sqliteTable(
  "identities",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    identity: text("identity").notNull(),
    kind: text("kind", { enum: IDENTITY_KINDS }).notNull(),
    verificationStatus: text("verification_status", { enum: VERIFICATION_STATUSES }).notNull().default("PENDING"),
    createdAt: integer("created_at").notNull(),
    /** `ses`: found in the connected SES account by an account sync; `sendops`: added in SendOps. */
    origin: text("origin", { enum: IDENTITY_ORIGINS }).notNull().default("sendops"),
    /** SES `SendingEnabled`, as the last sync read it (null: never synced). */
    sendingEnabled: integer("sending_enabled", { mode: "boolean" }),
    lastSyncedAt: integer("last_synced_at"),
    /** When a sync last found it missing from SES (null: present). Its events still count until archived. */
    detachedAt: integer("detached_at"),
    /** Archived identities no longer count: ingest drops their events as unmanaged. */
    archivedAt: integer("archived_at"),
    /**
     * Disconnect: SendOps stops managing the identity (its events are dropped as unmanaged) without
     * touching SES; account syncs leave it disconnected until someone connects it again.
     */
    disconnectedAt: integer("disconnected_at"),
    /** The configuration set SES applies to mail from this identity (SES `ConfigurationSetName`); null: none. */
    configurationSetName: text("configuration_set_name"),
    /** SES `DkimAttributes.Status` as last read (domains; null before the first read). Verified only at SUCCESS. */
    dkimStatus: text("dkim_status", { enum: VERIFICATION_STATUSES }),
    /** The three Easy DKIM tokens (JSON array): CNAME `{token}._domainkey.<domain>` → `{token}.dkim.amazonses.com`. */
    dkimTokensJson: text("dkim_tokens_json"),
    /** The last DNS check of the domain (SPF, DMARC, DKIM CNAMEs) as JSON, and when it ran. */
    dnsCheckJson: text("dns_check_json"),
    dnsCheckedAt: integer("dns_checked_at"),
  },
  (t) => [uniqueIndex("identities_org_identity").on(t.orgId, t.identity)],
);

/** A channel is an SES configuration set; events tagged `ses:configuration-set` = its name belong to it. */
export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    configurationSetName: text("configuration_set_name").notNull(),
    createdAt: integer("created_at").notNull(),
    /** `discovered`: an SES configuration set an account sync found; `sendops`: created by SendOps. */
    origin: text("origin", { enum: CHANNEL_ORIGINS }).notNull().default("sendops"),
    /** When a sync last found its configuration set missing from SES (null: present). */
    detachedAt: integer("detached_at"),
    /** Archived (detached) channels are hidden from the list; nothing in SES changes. */
    archivedAt: integer("archived_at"),
    purpose: text("purpose", { enum: CHANNEL_PURPOSES }).notNull().default("custom"),
    /** The workspace's default channel (at most one per workspace; it cannot be deleted). */
    isDefault: integer("is_default", { mode: "boolean" }).notNull().default(false),
    /** The channel's settings as SendOps last saved or read them (JSON; see worker/services/channels). */
    settingsJson: text("settings_json"),
    syncStatus: text("sync_status", { enum: CHANNEL_SYNC_STATUSES }).notNull().default("synced"),
    /** The last failed push's AWS error (cleared by a successful one). */
    syncErrorCode: text("sync_error_code"),
    syncError: text("sync_error"),
    syncErrorAt: integer("sync_error_at"),
    updatedAt: integer("updated_at"),
  },
  (t) => [
    uniqueIndex("channels_org_configuration_set").on(t.orgId, t.configurationSetName),
    uniqueIndex("channels_org_default").on(t.orgId).where(sql`${t.isDefault} = 1`),
  ],
);

export const TRACKING_PROTOCOLS = ["http", "https"] as const;
/** Each half of a tracking domain's verification (docs: domains__tracking-domains.md). */
export const TRACKING_CHECK_STATUSES = ["pending", "verified", "failed", "invalid"] as const;
export type TrackingCheckStatus = (typeof TRACKING_CHECK_STATUSES)[number];

/**
 * Custom tracking domains: a subdomain whose CNAME points at SES's regional tracking endpoint (HTTP) or
 * the customer's CDN (HTTPS), plus the SES email identity created for it (its DKIM CNAMEs). Background
 * checks run while `nextCheckAt` is set (decay schedule); drift turns a verified CNAME `invalid`.
 */
export const trackingDomains = sqliteTable(
  "tracking_domains",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    subdomain: text("subdomain").notNull(),
    protocol: text("protocol", { enum: TRACKING_PROTOCOLS }).notNull(),
    /** HTTPS only: the CDN distribution the CNAME points at (e.g. d123.cloudfront.net). */
    cdnDomain: text("cdn_domain"),
    region: text("region").notNull(),
    cnameStatus: text("cname_status", { enum: TRACKING_CHECK_STATUSES }).notNull().default("pending"),
    cnameCheckedAt: integer("cname_checked_at"),
    cnameVerifiedAt: integer("cname_verified_at"),
    identityStatus: text("identity_status", { enum: TRACKING_CHECK_STATUSES }).notNull().default("pending"),
    identityCheckedAt: integer("identity_checked_at"),
    identityVerifiedAt: integer("identity_verified_at"),
    dkimTokensJson: text("dkim_tokens_json"),
    /** What the last check could not do (e.g. the CNAME points elsewhere, SES refused), for the detail page. */
    lastError: text("last_error"),
    /** When the decay schedule last restarted (a CDN domain change); null: it runs from `createdAt`. */
    checksStartedAt: integer("checks_started_at"),
    /**
     * When the background check runs next: per the decay schedule while a half is pending, then hourly
     * drift checks while a half is verified or invalid; null once nothing is left to watch (both failed).
     */
    nextCheckAt: integer("next_check_at"),
    /** The last Verify Now (30 s cooldown). */
    lastManualCheckAt: integer("last_manual_check_at"),
    createdAt: integer("created_at").notNull(),
    createdByUserId: text("created_by_user_id").references(() => users.id, { onDelete: "set null" }),
    createdByName: text("created_by_name"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("tracking_domains_org_subdomain").on(t.orgId, t.subdomain), index("tracking_domains_next_check").on(t.nextCheckAt)],
);

/** Normalised event types (SES `eventType` → this): see worker/services/ingest/normalise.ts. */
export const EVENT_TYPES = [
  "send",
  "delivery",
  "bounce",
  "complaint",
  "reject",
  "open",
  "click",
  "delivery_delay",
  "rendering_failure",
  "subscription",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * Message status, lowest precedence first. A message's status only ever moves up this list, so the
 * order in which events arrive never matters (a late Delivery never hides a Bounce). `delivered` means a
 * Delivery event for that recipient is known.
 */
export const MESSAGE_STATUSES = ["sent", "delayed", "delivered", "rendering_failed", "rejected", "bounced", "complained"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * One row per (SES event, recipient), kept for the plan's retention. `eventKey` = SHA-256 of (message
 * id, type, the event's own timestamp, recipient, click link) is the dedupe key: unique per org.
 * `at` is the event's own timestamp; `sentAt` is `mail.timestamp`. `detail` is the full SES `detail`:
 * its JSON deflated (raw DEFLATE, worker/lib/deflate.ts) — less than half the bytes of the text, the bulk
 * of a row (docs/scaling.md); rows stored before migration 0017 hold the JSON text itself.
 * No index on (org, message id): the message detail's event list and the ingest's engagement credit seek
 * `events_org_recipient_at` on (org, recipient) and filter the message id (docs/scaling.md, Index audit).
 */
export const events = sqliteTable(
  "events",
  {
    id: integer("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    eventKey: text("event_key").notNull(),
    eventbridgeId: text("eventbridge_id").notNull(),
    type: text("type", { enum: EVENT_TYPES }).notNull(),
    at: integer("at").notNull(),
    receivedAt: integer("received_at").notNull(),
    messageId: text("message_id").notNull(),
    recipient: text("recipient").notNull(),
    recipientDomain: text("recipient_domain").notNull(),
    provider: text("provider").notNull(),
    fromAddress: text("from_address"),
    subject: text("subject"),
    /** null = no channel (untagged mail, the base set `sendops-events`, or an unknown configuration set). */
    channelId: text("channel_id"),
    configurationSet: text("configuration_set"),
    template: text("template"),
    sendingIdentity: text("sending_identity").notNull(),
    sentAt: integer("sent_at").notNull(),
    bounceType: text("bounce_type"),
    bounceSubType: text("bounce_sub_type"),
    complaintFeedbackType: text("complaint_feedback_type"),
    complaintSubType: text("complaint_sub_type"),
    delayType: text("delay_type"),
    /** Enhanced status code of the recipient (bounce / delay), e.g. 5.1.1. */
    smtpStatus: text("smtp_status"),
    /** SMTP diagnostic: bounce/delay `diagnosticCode` or delivery `smtpResponse`. */
    diagnostic: text("diagnostic"),
    /** Reject reason or rendering-failure error message. */
    reason: text("reason"),
    link: text("link"),
    /** Delivery only: delivery timestamp − mail.timestamp, and its histogram bucket. */
    latencyMs: integer("latency_ms"),
    latencyBucket: integer("latency_bucket"),
    detail: blob("detail", { mode: "buffer" }).notNull(),
  },
  (t) => [
    uniqueIndex("events_org_event_key").on(t.orgId, t.eventKey),
    index("events_org_at").on(t.orgId, t.at),
    index("events_org_type_at").on(t.orgId, t.type, t.at),
    index("events_org_channel_at").on(t.orgId, t.channelId, t.at),
    index("events_org_recipient_at").on(t.orgId, t.recipient, t.at),
  ],
);

/**
 * The dedupe marks of dropped events: one row per (SES event, recipient) that ingest did not store, keyed
 * by the same `eventKey` as `events`, so an event dropped once and delivered again counts as a duplicate,
 * not as a second drop. `at` is the event's own timestamp (retention prunes these with the events);
 * `reason` one of DROP_REASONS (worker/services/ingest/normalise.ts).
 */
export const droppedEvents = sqliteTable(
  "dropped_events",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    eventKey: text("event_key").notNull(),
    at: integer("at").notNull(),
    reason: text("reason").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.eventKey] }), index("dropped_events_org_at").on(t.orgId, t.at)],
);

/**
 * One row per (SES message id, recipient). Every column is a commutative merge of the message's events
 * (min/max of timestamps, status by precedence, "latest wins" with a deterministic tie-break), so any
 * order and any split into batches give the same row. Opens and clicks are credited to a recipient only
 * once its Delivery is known (docs/reports.md, Engagement): `reported*` hold what SES reported for the
 * message, `firstOpenAt`, `firstClickAt`, `openCount`, `clickCount` what is credited.
 */
export const messages = sqliteTable(
  "messages",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    recipient: text("recipient").notNull(),
    recipientDomain: text("recipient_domain").notNull(),
    provider: text("provider").notNull(),
    fromAddress: text("from_address"),
    subject: text("subject"),
    channelId: text("channel_id"),
    configurationSet: text("configuration_set"),
    template: text("template"),
    status: text("status", { enum: MESSAGE_STATUSES }).notNull(),
    sentAt: integer("sent_at").notNull(),
    deliveredAt: integer("delivered_at"),
    /** Delivery latency of the first delivery: delivered_at − sent_at. */
    latencyMs: integer("latency_ms"),
    /** Credited engagement: the reported values once `deliveredAt` is known, else null / 0. */
    firstOpenAt: integer("first_open_at"),
    firstClickAt: integer("first_click_at"),
    openCount: integer("open_count").notNull().default(0),
    clickCount: integer("click_count").notNull().default(0),
    /**
     * Opens and clicks SES reported for the message (it names every recipient of the message, not the
     * one who opened), whether or not this recipient's delivery is known.
     */
    reportedFirstOpenAt: integer("reported_first_open_at"),
    reportedFirstClickAt: integer("reported_first_click_at"),
    reportedOpenCount: integer("reported_open_count").notNull().default(0),
    reportedClickCount: integer("reported_click_count").notNull().default(0),
    /** The latest bounce: its time, type and sub-type. */
    bouncedAt: integer("bounced_at"),
    bounceType: text("bounce_type"),
    bounceSubType: text("bounce_sub_type"),
    /** The first complaint and its feedback type. */
    complainedAt: integer("complained_at"),
    complaintFeedbackType: text("complaint_feedback_type"),
    rejectedAt: integer("rejected_at"),
    firstDelayAt: integer("first_delay_at"),
    renderingFailedAt: integer("rendering_failed_at"),
    /** The latest SMTP diagnostic (bounce, delay or delivery response) and its event time. */
    lastDiagnostic: text("last_diagnostic"),
    lastDiagnosticAt: integer("last_diagnostic_at"),
    lastEventAt: integer("last_event_at").notNull(),
    eventCount: integer("event_count").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.messageId, t.recipient] }),
    index("messages_org_sent").on(t.orgId, t.sentAt),
    index("messages_org_recipient_sent").on(t.orgId, t.recipient, t.sentAt),
    index("messages_org_status_sent").on(t.orgId, t.status, t.sentAt),
    index("messages_org_channel_sent").on(t.orgId, t.channelId, t.sentAt),
  ],
);

export const BUCKET_SIZES = ["hour", "day"] as const;
export type BucketSize = (typeof BUCKET_SIZES)[number];

const metricColumn = (m: Metric) => integer(METRICS[m].column).notNull().default(0);

/**
 * The counts every per-dimension rollup carries (per recipient; each event in its own timestamp's bucket):
 * one column per metric of worker/lib/metrics.ts, in its order.
 */
export const metricColumns = () =>
  Object.fromEntries(METRIC_NAMES.map((m) => [m, metricColumn(m)])) as { [M in Metric]: ReturnType<typeof metricColumn> };

/**
 * Key shared by every rollup: org, bucket size and start, channel id ('' = no channel). Every rollup
 * table is WITHOUT ROWID (migration 0017; drizzle cannot declare it): its primary key is the table, so a
 * new row is one row written, not two.
 */
const bucketColumns = () => ({
  orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
  bucketSize: text("bucket_size", { enum: BUCKET_SIZES }).notNull(),
  bucketStart: integer("bucket_start").notNull(),
  channelId: text("channel_id").notNull(),
});

export const rollupTotals = sqliteTable("rollup_totals", { ...bucketColumns(), ...metricColumns() }, (t) => [
  primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.channelId] }),
]);

export const rollupProviders = sqliteTable(
  "rollup_providers",
  { ...bucketColumns(), provider: text("provider").notNull(), ...metricColumns() },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.channelId, t.provider] })],
);

/** `template` '' = no template tag. */
export const rollupTemplates = sqliteTable(
  "rollup_templates",
  { ...bucketColumns(), template: text("template").notNull(), ...metricColumns() },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.channelId, t.template] })],
);

export const rollupDomains = sqliteTable(
  "rollup_domains",
  { ...bucketColumns(), recipientDomain: text("recipient_domain").notNull(), ...metricColumns() },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.channelId, t.recipientDomain] })],
);

export const rollupBounceReasons = sqliteTable(
  "rollup_bounce_reasons",
  {
    ...bucketColumns(),
    bounceType: text("bounce_type").notNull(),
    bounceSubType: text("bounce_sub_type").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.channelId, t.bounceType, t.bounceSubType] })],
);

/** `feedbackType` '' = the complaint carried no feedback report. */
export const rollupComplaintReasons = sqliteTable(
  "rollup_complaint_reasons",
  { ...bucketColumns(), feedbackType: text("feedback_type").notNull(), count: integer("count").notNull().default(0) },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.channelId, t.feedbackType] })],
);

/** Delivery-latency histogram; `bucket` indexes LATENCY_BUCKET_EDGES_MS (worker/services/ingest/latency.ts). */
export const rollupLatency = sqliteTable(
  "rollup_latency",
  { ...bucketColumns(), bucket: integer("bucket").notNull(), count: integer("count").notNull().default(0) },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.channelId, t.bucket] })],
);

/**
 * Per-org ingest counters per hour of processing: `accepted` (new event rows), `duplicates` (rows already
 * stored or already dropped), `dropped.<reason>` (rows not ingested, each once), `rejected` (requests
 * refused with 400/413, in the hour received) and `rejected.discarded` (rejected payloads deleted to keep
 * the workspace within its cap). Event counts are per (event, recipient) row.
 */
export const ingestCounters = sqliteTable(
  "ingest_counters",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    bucketStart: integer("bucket_start").notNull(),
    counter: text("counter").notNull(),
    value: integer("value").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketStart, t.counter] })],
);

/**
 * Ingestion lag per org and 5-minute bucket of processing: how many newly stored event rows reached the
 * reports how long after SES's own timestamp (processing time − the event's time), as a histogram on the
 * delivery-latency buckets (worker/services/ingest/latency.ts). Read by the ingestion-lag alert.
 */
export const ingestLag = sqliteTable(
  "ingest_lag",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    bucketStart: integer("bucket_start").notNull(),
    lagBucket: integer("lag_bucket").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketStart, t.lagBucket] })],
);

/** Requests refused with 400/413 (EventBridge does not retry those): the raw body and why, so nothing is lost. */
export const rejectedPayloads = sqliteTable(
  "rejected_payloads",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    receivedAt: integer("received_at").notNull(),
    status: integer("status").notNull(),
    reason: text("reason").notNull(),
    body: text("body").notNull(),
    /** Bytes received (for a 413: at least this many; the body holds the first 256 KB). */
    bodyBytes: integer("body_bytes").notNull(),
    truncated: integer("truncated", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("rejected_payloads_org").on(t.orgId, t.id)],
);

export const DEAD_LETTER_STATUSES = ["pending", "replayed"] as const;
export type DeadLetterStatus = (typeof DEAD_LETTER_STATUSES)[number];

/**
 * Queue messages that exhausted their retries (any queue's DLQ is `sendops-dead-letters`). `queue` is
 * the original queue, `queueMessageId` makes recording idempotent. `orgId` is set when the body names one.
 */
export const deadLetters = sqliteTable(
  "dead_letters",
  {
    id: text("id").primaryKey(),
    queueMessageId: text("queue_message_id").notNull().unique(),
    queue: text("queue").notNull(),
    orgId: text("org_id"),
    bodyJson: text("body_json").notNull(),
    attempts: integer("attempts").notNull(),
    receivedAt: integer("received_at").notNull(),
    status: text("status", { enum: DEAD_LETTER_STATUSES }).notNull().default("pending"),
    replayedAt: integer("replayed_at"),
    replayedByUserId: text("replayed_by_user_id"),
  },
  (t) => [index("dead_letters_org").on(t.orgId, t.id), index("dead_letters_status").on(t.status, t.id)],
);
