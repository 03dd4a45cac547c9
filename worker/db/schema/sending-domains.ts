import { integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";
import { ALERT_METRICS } from "../../lib/alert-thresholds";
import { METRICS, type Metric } from "../../lib/metrics";

/**
 * Per sending domain (the domain of the identity mail was sent from), the counts the alert rates need
 * (docs/alerts.md, "Sending domains"): the columns are ALERT_METRICS — the metrics RATES' bounce and
 * complaint rates divide — so the denominators stay defined once. Hour buckets only: the evaluator reads
 * the last 48 hours. Written by ingest in the events' own transaction (worker/db/ingest.ts); WITHOUT
 * ROWID like every rollup (hand-written in its migration: drizzle cannot declare it).
 */
const metricColumn = (m: Metric) => integer(METRICS[m].column).notNull().default(0);

export const rollupSendingDomains = sqliteTable(
  "rollup_sending_domains",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    bucketStart: integer("bucket_start").notNull(),
    sendingDomain: text("sending_domain").notNull(),
    ...(Object.fromEntries(ALERT_METRICS.map((m) => [m, metricColumn(m)])) as { [M in (typeof ALERT_METRICS)[number]]: ReturnType<typeof metricColumn> }),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.bucketStart, t.sendingDomain] })],
);

/**
 * A sending domain's alert threshold overrides (docs/alerts.md, "Thresholds"), beside the workspace's and
 * the channels' in `alert_thresholds`: keyed by the domain the evaluator scopes by (`domain:<name>`), so a
 * domain identity and the address identities of that domain share them. A null column inherits the
 * workspace's; a domain with no override left has no row.
 */
export const alertDomainThresholds = sqliteTable(
  "alert_domain_thresholds",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    domain: text("domain").notNull(),
    bounceWarning: real("bounce_warning"),
    bounceCritical: real("bounce_critical"),
    complaintWarning: real("complaint_warning"),
    complaintCritical: real("complaint_critical"),
    minVolume: integer("min_volume"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.domain] })],
);
