import { z } from "zod";
import type { Db } from "../../db/client";
import { BOUNCES, type Metric } from "../../lib/metrics";
import { rateDescription, rateOf } from "../../lib/rates";
import { addCounts, countsByInterval, countsRead, pct, sumAll, toCounts, zeroCounts, type Counts } from "./metrics";
import { sumRollups, type RollupRow } from "../../db/reports";
import { partsOf, resolveReportRange, type ReportQuery } from "./range";

/** Engagement by domain lists this many recipient domains (by deliveries). */
export const TOP_DOMAINS = 20;
/** Template Performance lists at most this many templates (by sends). */
export const MAX_TEMPLATES = 500;

export const engagementReportSchema = z.object({
  totals: z.object({
    deliveries: z.number().int(),
    opens: z.number().int().describe("Every open event (a message opened twice counts twice)."),
    clicks: z.number().int(),
    uniqueOpens: z.number().int().describe("Delivered messages opened at least once (counted at their first open)."),
    uniqueClicks: z.number().int(),
    openPct: pct.describe(rateDescription("open")),
    clickPct: pct.describe(rateDescription("click")),
  }),
  series: z.array(
    z.object({
      t: z.number().int(),
      deliveries: z.number().int(),
      uniqueOpens: z.number().int(),
      uniqueClicks: z.number().int(),
      openPct: pct,
      clickPct: pct,
    }),
  ),
  byDomain: z
    .array(
      z.object({
        domain: z.string(),
        deliveries: z.number().int(),
        uniqueOpens: z.number().int(),
        uniqueClicks: z.number().int(),
        openPct: pct,
        clickPct: pct,
      }),
    )
    .describe(`The ${TOP_DOMAINS} recipient domains with the most deliveries.`),
  byTemplate: z
    .array(
      z.object({
        template: z.string().nullable().describe("Template name; null for mail sent without a template tag."),
        sent: z.number().int(),
        openPct: pct.describe(rateDescription("open")),
        clickPct: pct.describe(rateDescription("click")),
        bouncePct: pct.describe(rateDescription("bounce")),
        complaintPct: pct.describe(rateDescription("complaint")),
      }),
    )
    .describe("Template Performance, most sent first."),
});
export type EngagementReport = z.output<typeof engagementReportSchema>;

const SERIES_METRICS: Metric[] = ["deliveries", "opens", "clicks", "uniqueOpens", "uniqueClicks"];
const DOMAIN_METRICS: Metric[] = ["deliveries", "uniqueOpens", "uniqueClicks"];
const TEMPLATE_METRICS: Metric[] = ["sends", "deliveries", ...BOUNCES.metrics, "complaints", "uniqueOpens", "uniqueClicks"];

const engagementOf = (c: Counts) => ({
  deliveries: c.deliveries,
  uniqueOpens: c.uniqueOpens,
  uniqueClicks: c.uniqueClicks,
  openPct: rateOf("open", c),
  clickPct: rateOf("click", c),
});

function byDim(rows: readonly { dim: string; counts: Counts }[]): [string, Counts][] {
  const out = new Map<string, Counts>();
  for (const r of rows) out.set(r.dim, addCounts(out.get(r.dim) ?? zeroCounts(), r.counts));
  return [...out.entries()];
}

function templateRowOf(template: string, c: Counts) {
  return {
    template: template === "" ? null : template,
    sent: c.sends,
    openPct: rateOf("open", c),
    clickPct: rateOf("click", c),
    bouncePct: rateOf("bounce", c),
    complaintPct: rateOf("complaint", c),
  };
}

/** Template Performance rows from a read of the templates rollup over the range. */
function templateRows(rows: readonly RollupRow[]) {
  return byDim(toCounts(rows))
    .filter(([, c]) => c.sends + c.deliveries > 0)
    .sort(([ta, a], [tb, b]) => b.sends - a.sends || ta.localeCompare(tb))
    .slice(0, MAX_TEMPLATES)
    .map(([t, c]) => templateRowOf(t, c));
}

/** Template Performance rows of a range (the `templates` CSV view). */
export async function readTemplateRows(db: Db, orgId: string, q: ReportQuery, now = Date.now()) {
  const r = resolveReportRange(q, now);
  const [rows] = await sumRollups(db, [countsRead("templates", orgId, r.channel, partsOf([r.range]), TEMPLATE_METRICS)]);
  return templateRows(rows!);
}

/** Opens and clicks over time, by recipient domain and by template (counting rules: docs/reports.md). */
export async function getEngagementReport(db: Db, orgId: string, q: ReportQuery, now = Date.now()): Promise<EngagementReport> {
  const r = resolveReportRange(q, now);
  const rangeParts = partsOf([r.range]);
  const [seriesRows, domainRows, templateRowsRaw] = await sumRollups(db, [
    countsRead("totals", orgId, r.channel, partsOf(r.intervals), SERIES_METRICS),
    countsRead("domains", orgId, r.channel, rangeParts, DOMAIN_METRICS),
    countsRead("templates", orgId, r.channel, rangeParts, TEMPLATE_METRICS),
  ]);
  const perInterval = countsByInterval(toCounts(seriesRows!), r.intervals.length);
  const totals = sumAll(perInterval);
  return {
    totals: { ...engagementOf(totals), opens: totals.opens, clicks: totals.clicks },
    series: r.intervals.map((iv, i) => ({ t: iv.t, ...engagementOf(perInterval[i]!) })),
    byDomain: byDim(toCounts(domainRows!))
      .filter(([, c]) => c.deliveries > 0)
      .sort(([da, a], [db_, b]) => b.deliveries - a.deliveries || da.localeCompare(db_))
      .slice(0, TOP_DOMAINS)
      .map(([domain, c]) => ({ domain, ...engagementOf(c) })),
    byTemplate: templateRows(templateRowsRaw!),
  };
}
