import { z } from "zod";
import type { Db } from "../../db/client";
import { sumRollups } from "../../db/reports";
import { percent } from "../../lib/percent";
import { BOUNCE_METRICS, bouncesOf, countsByInterval, countsRead, pct, sumAll, toCounts, type Counts } from "./metrics";
import type { Metric } from "../../db/reports";
import { partsOf, resolveReportRange, type ReportQuery } from "./range";

/** SES's reference thresholds (troubleshooting__deliverability-problems.md), in percent. */
export const SES_THRESHOLDS = {
  bounce: { warning: 5, critical: 10 },
  complaint: { warning: 0.08, critical: 0.1 },
} as const;

export const REPUTATION_FORMULA =
  "score = 100 − 60·max(B, C) − 20·min(B, C) − 20·(1 − D), clamped to 0–100 and rounded, where " +
  "B = min(hard bounce % ÷ 10 %, 1) and C = min(complaint % ÷ 0.1 %, 1) are the bounce and complaint " +
  "rates as fractions of SES's critical thresholds, and D = min(deliveries ÷ sends, 1) is delivery success. " +
  "Clean sending scores 100; bounces at SES's 5 % warning score 70; either rate at its critical threshold scores 40 or less.";

/**
 * Reputation Score (docs/reports.md): the worse of the two SES-watched rates dominates, the other adds
 * a smaller penalty, and undelivered sends cost up to 20 points. null without sends.
 */
export function reputationScore(c: Pick<Counts, "sends" | "deliveries" | "hardBounces" | "complaints">): number | null {
  if (c.sends <= 0) return null;
  const hardBouncePct = (c.hardBounces / c.sends) * 100;
  const complaintPct = c.deliveries > 0 ? (c.complaints / c.deliveries) * 100 : 0;
  const b = Math.min(hardBouncePct / SES_THRESHOLDS.bounce.critical, 1);
  const cr = Math.min(complaintPct / SES_THRESHOLDS.complaint.critical, 1);
  const d = Math.min(c.deliveries / c.sends, 1);
  const score = 100 - 60 * Math.max(b, cr) - 20 * Math.min(b, cr) - 20 * (1 - d);
  return Math.round(Math.min(100, Math.max(0, score)));
}

export const deliverabilityReportSchema = z.object({
  range: z.object({ from: z.number().int(), to: z.number().int() }).describe("The range reported: the requested one widened to whole hours."),
  totals: z.object({
    sends: z.number().int(),
    deliveries: z.number().int(),
    hardBounces: z.number().int(),
    softBounces: z.number().int(),
    undeterminedBounces: z.number().int(),
    bounces: z.number().int().describe("Hard + soft + undetermined."),
    complaints: z.number().int(),
    rejects: z.number().int(),
    delays: z.number().int(),
    renderingFailures: z.number().int(),
  }),
  rates: z.object({
    hardBouncePct: pct.describe("Hard bounces over sends."),
    softBouncePct: pct.describe("Soft bounces over sends."),
    totalBouncePct: pct.describe("All bounces over sends."),
    complaintPct: pct.describe("Complaints over deliveries."),
    rejectPct: pct.describe("Rejects over sends + rejects."),
    deliveryPct: pct.describe("Deliveries over sends."),
  }),
  reputation: z.object({
    score: z.number().int().min(0).max(100).nullable().describe("0–100; null without sends."),
    formula: z.string(),
  }),
  series: z.array(
    z.object({
      t: z.number().int().describe("Start of the hour or of the local day (epoch ms)."),
      sends: z.number().int(),
      deliveries: z.number().int(),
      bounces: z.number().int(),
      complaints: z.number().int(),
      rejects: z.number().int(),
      bouncePct: pct.describe("All bounces over sends."),
      complaintPct: pct.describe("Complaints over deliveries."),
    }),
  ),
  bounceReasons: z.array(
    z.object({
      bounceType: z.string().describe("Permanent, Transient or Undetermined."),
      bounceSubType: z.string(),
      count: z.number().int(),
      pct: pct.describe("Share of all bounces in the range."),
    }),
  ),
  complaintReasons: z.array(
    z.object({
      feedbackType: z.string().describe('The ARF feedback type (abuse, not-spam, …), or "unspecified" when the report carried none.'),
      count: z.number().int(),
      pct: pct.describe("Share of all complaints in the range."),
    }),
  ),
});
export type DeliverabilityReport = z.output<typeof deliverabilityReportSchema>;

/** Complaints without a feedback report are stored with feedback type ''. */
export const UNSPECIFIED_FEEDBACK = "unspecified";

export function ratesOf(c: Counts) {
  const bounces = bouncesOf(c);
  return {
    hardBouncePct: percent(c.hardBounces, c.sends),
    softBouncePct: percent(c.softBounces, c.sends),
    totalBouncePct: percent(bounces, c.sends),
    complaintPct: percent(c.complaints, c.deliveries),
    rejectPct: percent(c.rejects, c.sends + c.rejects),
    deliveryPct: percent(c.deliveries, c.sends),
  };
}

const SERIES_METRICS: Metric[] = ["sends", "deliveries", ...BOUNCE_METRICS, "complaints", "rejects", "delays", "renderingFailures"];

export async function getDeliverabilityReport(db: Db, orgId: string, q: ReportQuery, now = Date.now()): Promise<DeliverabilityReport> {
  const r = resolveReportRange(q, now);
  const rangeParts = partsOf([r.range]);
  const [seriesRows, bounceRows, complaintRows] = await sumRollups(db, [
    countsRead("totals", orgId, r.channel, partsOf(r.intervals), SERIES_METRICS),
    { which: "bounceReasons", orgId, channel: r.channel, parts: rangeParts, sums: { count: "count" } },
    { which: "complaintReasons", orgId, channel: r.channel, parts: rangeParts, sums: { count: "count" } },
  ]);
  const perInterval = countsByInterval(toCounts(seriesRows!), r.intervals.length);
  // The intervals partition the range exactly, so the totals are their sum.
  const totals = sumAll(perInterval);
  const bounceTotal = bounceRows!.reduce((s, x) => s + Number(x.count), 0);
  const complaintTotal = complaintRows!.reduce((s, x) => s + Number(x.count), 0);
  return {
    range: r.range,
    totals: {
      sends: totals.sends,
      deliveries: totals.deliveries,
      hardBounces: totals.hardBounces,
      softBounces: totals.softBounces,
      undeterminedBounces: totals.undeterminedBounces,
      bounces: bouncesOf(totals),
      complaints: totals.complaints,
      rejects: totals.rejects,
      delays: totals.delays,
      renderingFailures: totals.renderingFailures,
    },
    rates: ratesOf(totals),
    reputation: { score: reputationScore(totals), formula: REPUTATION_FORMULA },
    series: r.intervals.map((iv, i) => {
      const c = perInterval[i]!;
      return {
        t: iv.t,
        sends: c.sends,
        deliveries: c.deliveries,
        bounces: bouncesOf(c),
        complaints: c.complaints,
        rejects: c.rejects,
        bouncePct: percent(bouncesOf(c), c.sends),
        complaintPct: percent(c.complaints, c.deliveries),
      };
    }),
    bounceReasons: bounceRows!
      .filter((x) => Number(x.count) > 0)
      .map((x) => ({ bounceType: String(x.d0), bounceSubType: String(x.d1), count: Number(x.count), pct: percent(Number(x.count), bounceTotal) }))
      .sort((a, b) => b.count - a.count || a.bounceType.localeCompare(b.bounceType) || a.bounceSubType.localeCompare(b.bounceSubType)),
    complaintReasons: complaintRows!
      .filter((x) => Number(x.count) > 0)
      .map((x) => ({ feedbackType: String(x.d0) || UNSPECIFIED_FEEDBACK, count: Number(x.count), pct: percent(Number(x.count), complaintTotal) }))
      .sort((a, b) => b.count - a.count || a.feedbackType.localeCompare(b.feedbackType)),
  };
}
