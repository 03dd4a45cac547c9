import { z } from "zod";
import type { Db } from "../../db/client";
import { sumRollups } from "../../db/reports";
import { percent } from "../../lib/percent";
import { BOUNCES, type Metric } from "../../lib/metrics";
import { rateDescription, rateOf } from "../../lib/rates";
import { REPUTATION_FORMULA, reputationScore } from "../../lib/reputation";
import { bouncesOf, countsByInterval, countsRead, pct, sumAll, toCounts, type Counts } from "./metrics";
import { partsOf, resolveReportRange, type ReportQuery } from "./range";

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
    hardBouncePct: pct.describe(rateDescription("hardBounce")),
    softBouncePct: pct.describe(rateDescription("softBounce")),
    totalBouncePct: pct.describe(rateDescription("bounce")),
    complaintPct: pct.describe(rateDescription("complaint")),
    rejectPct: pct.describe(rateDescription("reject")),
    deliveryPct: pct.describe(rateDescription("delivery")),
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
      bouncePct: pct.describe(rateDescription("bounce")),
      complaintPct: pct.describe(rateDescription("complaint")),
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
  return {
    hardBouncePct: rateOf("hardBounce", c),
    softBouncePct: rateOf("softBounce", c),
    totalBouncePct: rateOf("bounce", c),
    complaintPct: rateOf("complaint", c),
    rejectPct: rateOf("reject", c),
    deliveryPct: rateOf("delivery", c),
  };
}

const SERIES_METRICS: Metric[] = ["sends", "deliveries", ...BOUNCES.metrics, "complaints", "rejects", "delays", "renderingFailures"];

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
        bouncePct: rateOf("bounce", c),
        complaintPct: rateOf("complaint", c),
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
