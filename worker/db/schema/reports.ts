import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";
import { BUCKET_SIZES, metricColumns } from "./ingest";

/**
 * All-channel rollups (docs/reports.md, "Performance"): the per-channel rollups of ingest
 * (`rollup_*`, keyed by channel) summed over channels, so a report without a channel filter reads one
 * row per bucket and dimension instead of one per channel. Ingest writes them alongside the per-channel
 * rows, in the same transaction and from the same folded increments (worker/db/ingest.ts); the unique
 * opens and clicks through the `messages` triggers, which write both (migration 0018, which replaced the
 * per-channel tables' triggers of 0006). WITHOUT ROWID, like the per-channel rollups (migration 0017).
 */

const bucketColumns = () => ({
  orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
  bucketSize: text("bucket_size", { enum: BUCKET_SIZES }).notNull(),
  bucketStart: integer("bucket_start").notNull(),
});

export const rollupAllTotals = sqliteTable("rollup_all_totals", { ...bucketColumns(), ...metricColumns() }, (t) => [
  primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart] }),
]);

export const rollupAllProviders = sqliteTable(
  "rollup_all_providers",
  { ...bucketColumns(), provider: text("provider").notNull(), ...metricColumns() },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.provider] })],
);

export const rollupAllTemplates = sqliteTable(
  "rollup_all_templates",
  { ...bucketColumns(), template: text("template").notNull(), ...metricColumns() },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.template] })],
);

export const rollupAllDomains = sqliteTable(
  "rollup_all_domains",
  { ...bucketColumns(), recipientDomain: text("recipient_domain").notNull(), ...metricColumns() },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.recipientDomain] })],
);

export const rollupAllBounceReasons = sqliteTable(
  "rollup_all_bounce_reasons",
  {
    ...bucketColumns(),
    bounceType: text("bounce_type").notNull(),
    bounceSubType: text("bounce_sub_type").notNull(),
    count: integer("count").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.bounceType, t.bounceSubType] })],
);

export const rollupAllComplaintReasons = sqliteTable(
  "rollup_all_complaint_reasons",
  { ...bucketColumns(), feedbackType: text("feedback_type").notNull(), count: integer("count").notNull().default(0) },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.feedbackType] })],
);

export const rollupAllLatency = sqliteTable(
  "rollup_all_latency",
  { ...bucketColumns(), bucket: integer("bucket").notNull(), count: integer("count").notNull().default(0) },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketSize, t.bucketStart, t.bucket] })],
);
