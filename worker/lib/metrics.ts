/**
 * The rollup metrics, defined once (docs/reports.md, "Counting rules"). Each is a count per recipient in
 * every per-dimension rollup (`rollup_totals`, `_providers`, `_templates`, `_domains` and their
 * all-channel sums): the drizzle schema builds those columns from this table (in this order), the ingest
 * writer counts each event row into the metrics whose `event` it matches, the reports read the columns
 * and the dashboard shows the labels. Rates over these counts: ./rates.ts. Pure data, so the dashboard
 * bundles it too.
 */

interface MetricDef {
  /** The rollup tables' column. */
  column: string;
  label: string;
  /** The event rows it counts: their normalised type (EVENT_TYPES) and, for bounces, the SES bounce type. */
  event: { type: string; bounceType?: "Permanent" | "Transient" | "Undetermined" };
  /**
   * Counts a message-recipient once, in the bucket of its earliest such event. Triggers on `messages`
   * keep it (migration 0010), because only the stored message knows which event came first.
   */
  firstPerMessage?: true;
}

export const METRICS = {
  sends: { column: "sends", label: "Sends", event: { type: "send" } },
  deliveries: { column: "deliveries", label: "Deliveries", event: { type: "delivery" } },
  hardBounces: { column: "hard_bounces", label: "Hard bounces", event: { type: "bounce", bounceType: "Permanent" } },
  softBounces: { column: "soft_bounces", label: "Soft bounces", event: { type: "bounce", bounceType: "Transient" } },
  undeterminedBounces: { column: "undetermined_bounces", label: "Undetermined bounces", event: { type: "bounce", bounceType: "Undetermined" } },
  complaints: { column: "complaints", label: "Complaints", event: { type: "complaint" } },
  rejects: { column: "rejects", label: "Rejects", event: { type: "reject" } },
  delays: { column: "delays", label: "Delays", event: { type: "delivery_delay" } },
  renderingFailures: { column: "rendering_failures", label: "Rendering failures", event: { type: "rendering_failure" } },
  opens: { column: "opens", label: "Opens", event: { type: "open" } },
  clicks: { column: "clicks", label: "Clicks", event: { type: "click" } },
  uniqueOpens: { column: "unique_opens", label: "Unique opens", event: { type: "open" }, firstPerMessage: true },
  uniqueClicks: { column: "unique_clicks", label: "Unique clicks", event: { type: "click" }, firstPerMessage: true },
  subscriptions: { column: "subscriptions", label: "Subscriptions", event: { type: "subscription" } },
} as const satisfies Record<string, MetricDef>;

export type Metric = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as Metric[];

/** A count of every metric. */
export type MetricCounts = Record<Metric, number>;

/** The metrics the ingest writer adds up from event rows (the others follow `messages` through triggers). */
export const EVENT_COUNTED_METRICS = METRIC_NAMES.filter((m) => !(METRICS[m] as MetricDef).firstPerMessage);

/** Whether an event row counts towards a metric. */
export function countsTowards(metric: Metric, row: { type: string; bounceType: string | null }): boolean {
  const { type, bounceType } = (METRICS[metric] as MetricDef).event;
  return row.type === type && (bounceType === undefined || row.bounceType === bounceType);
}

/** Every bounce SES reports — hard, soft and undetermined — counts towards the bounce rate. */
export const BOUNCES = {
  label: "Bounces",
  phrase: "all bounces (hard, soft and undetermined)",
  metrics: ["hardBounces", "softBounces", "undeterminedBounces"],
} as const satisfies { label: string; phrase: string; metrics: readonly Metric[] };
