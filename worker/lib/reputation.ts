import { METRIC_NAMES, type MetricCounts } from "./metrics";
import { RATES, rateParts } from "./rates";

/*
 * The Reputation Score (docs/reports.md): the worse of the two SES-watched rates dominates, the other adds
 * a smaller penalty, and undelivered sends cost up to 20 points. Pure, so the dashboard bundles its bands.
 */

const BOUNCE = RATES.bounce.thresholds;
const COMPLAINT = RATES.complaint.thresholds;

/** 0–100, or null without sends. */
export function reputationScore(c: Readonly<MetricCounts>): number | null {
  const [hardBounces, sends] = rateParts("hardBounce", c);
  if (sends <= 0) return null;
  const [complaints, deliveries] = rateParts("complaint", c);
  const hardBouncePct = (hardBounces / sends) * 100;
  const complaintPct = deliveries > 0 ? (complaints / deliveries) * 100 : 0;
  const b = Math.min(hardBouncePct / BOUNCE.critical, 1);
  const cr = Math.min(complaintPct / COMPLAINT.critical, 1);
  const [delivered, sent] = rateParts("delivery", c);
  const d = Math.min(delivered / sent, 1);
  const score = 100 - 60 * Math.max(b, cr) - 20 * Math.min(b, cr) - 20 * (1 - d);
  return Math.round(Math.min(100, Math.max(0, score)));
}

/** The score of mail all delivered, without complaints, whose hard bounces are `pct` % of sends. */
function scoreAtHardBounces(pct: number): number {
  const c = Object.fromEntries(METRIC_NAMES.map((m) => [m, 0])) as MetricCounts;
  return reputationScore({ ...c, sends: 100, deliveries: 100, hardBounces: pct })!;
}

/** Score bands: above `good`, healthy; above `warning`, a warning; otherwise critical. */
export const REPUTATION_BANDS = {
  /** Bounces at SES's warning level. */
  good: scoreAtHardBounces(BOUNCE.warning),
  /** Bounces at SES's critical level (either rate there scores this or less). */
  warning: scoreAtHardBounces(BOUNCE.critical),
} as const;

export const REPUTATION_FORMULA =
  "score = 100 − 60·max(B, C) − 20·min(B, C) − 20·(1 − D), clamped to 0–100 and rounded, where " +
  `B = min(hard bounce % ÷ ${BOUNCE.critical} %, 1) and C = min(complaint % ÷ ${COMPLAINT.critical} %, 1) are the bounce and complaint ` +
  "rates as fractions of SES's critical thresholds, and D = min(deliveries ÷ sends, 1) is delivery success. " +
  `Clean sending scores 100; bounces at SES's ${BOUNCE.warning} % warning score ${REPUTATION_BANDS.good}; ` +
  `either rate at its critical threshold scores ${REPUTATION_BANDS.warning} or less.`;
