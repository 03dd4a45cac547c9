import { BOUNCES, METRICS, type Metric, type MetricCounts } from "./metrics";
import { percent } from "./percent";

/**
 * The rates, defined once (docs/reports.md, "Counting rules"): each the sum of its `of` metrics over the
 * sum of its `over` metrics, in percent. Reports, their series, the Reputation Score, the provider and
 * engagement tables and the dashboard's SES reference lines all read this table. Pure, so the dashboard
 * bundles it too.
 */

interface RateDef {
  label: string;
  of: readonly Metric[];
  over: readonly Metric[];
  /**
   * Where SES defines them, its reference levels in percent (product docs,
   * troubleshooting__deliverability-problems.md): above `warning` SES warns, above `critical` it may review
   * the account or pause sending.
   */
  thresholds?: { warning: number; critical: number };
}

export const RATES = {
  hardBounce: { label: "Hard bounce rate", of: ["hardBounces"], over: ["sends"] },
  softBounce: { label: "Soft bounce rate", of: ["softBounces"], over: ["sends"] },
  bounce: { label: "Bounce rate", of: BOUNCES.metrics, over: ["sends"], thresholds: { warning: 5, critical: 10 } },
  complaint: { label: "Complaint rate", of: ["complaints"], over: ["deliveries"], thresholds: { warning: 0.08, critical: 0.1 } },
  // Rejected messages are not in Sends: what was attempted is sends + rejects.
  reject: { label: "Reject rate", of: ["rejects"], over: ["sends", "rejects"] },
  delivery: { label: "Delivery rate", of: ["deliveries"], over: ["sends"] },
  open: { label: "Open rate", of: ["uniqueOpens"], over: ["deliveries"] },
  click: { label: "Click rate", of: ["uniqueClicks"], over: ["deliveries"] },
} as const satisfies Record<string, RateDef>;

export type Rate = keyof typeof RATES;

const sumOf = (metrics: readonly Metric[], c: Readonly<MetricCounts>) => metrics.reduce((s, m) => s + c[m], 0);

/** A rate's numerator and denominator for these counts. */
export function rateParts(rate: Rate, c: Readonly<MetricCounts>): [part: number, whole: number] {
  const def: RateDef = RATES[rate];
  return [sumOf(def.of, c), sumOf(def.over, c)];
}

/** A rate in percent with `decimals` decimals, or null when its denominator is 0. */
export const rateOf = (rate: Rate, c: Readonly<MetricCounts>, decimals = 2): number | null => percent(...rateParts(rate, c), decimals);

const phraseOf = (metrics: readonly Metric[]) =>
  metrics === BOUNCES.metrics ? BOUNCES.phrase : metrics.map((m) => METRICS[m].label.toLowerCase()).join(" + ");

/** What a rate divides, in words: "Rejects over sends + rejects." */
export function rateDescription(rate: Rate): string {
  const def: RateDef = RATES[rate];
  const text = `${phraseOf(def.of)} over ${phraseOf(def.over)}.`;
  return text[0]!.toUpperCase() + text.slice(1);
}
