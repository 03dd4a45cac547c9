import { z } from "zod";
import type { Db } from "../../db/client";
import { BOUNCES, type Metric } from "../../lib/metrics";
import { rateDescription, rateOf, type Rate } from "../../lib/rates";
import { addCounts, bouncesOf, countsRead, pct, toCounts, zeroCounts, type Counts } from "./metrics";
import { sumRollups } from "../../db/reports";
import { partsOf, priorOf, reportQuerySchema, resolveReportRange } from "./range";

/** Providers listed by name; the rest of the period's providers are summed under "Other". */
export const TOP_PROVIDERS = 8;
export const OTHER_PROVIDER = "Other";

export const PROVIDER_SORT_COLUMNS = [
  "provider",
  "sends",
  "deliveries",
  "bounces",
  "bouncePct",
  "bouncePctDelta",
  "complaints",
  "complaintPct",
  "complaintPctDelta",
  "rejects",
  "rejectPct",
  "rejectPctDelta",
] as const;
export type ProviderSortColumn = (typeof PROVIDER_SORT_COLUMNS)[number];

export const providerQuerySchema = reportQuerySchema.extend({
  sort: z.enum(PROVIDER_SORT_COLUMNS).default("sends").describe("Column to sort by (Other stays last)."),
  dir: z.enum(["asc", "desc"]).default("desc"),
});
export type ProviderQuery = z.output<typeof providerQuerySchema>;

const delta = z.number().nullable().describe("Change in percentage points versus the equal-length prior period; null for a new provider.");

export const providerRowSchema = z.object({
  provider: z.string().describe('Canonical provider name (aliases collapsed), a raw recipient domain, or "Other".'),
  sends: z.number().int(),
  deliveries: z.number().int(),
  bounces: z.number().int(),
  bouncePct: pct.describe(rateDescription("bounce")),
  bouncePctDelta: delta,
  complaints: z.number().int(),
  complaintPct: pct.describe(rateDescription("complaint")),
  complaintPctDelta: delta,
  rejects: z.number().int(),
  rejectPct: pct.describe(rateDescription("reject")),
  rejectPctDelta: delta,
  isNew: z.boolean().describe("No activity in the prior period: no deltas."),
  isOther: z.boolean().describe("The residual row, always last."),
});
export type ProviderRow = z.output<typeof providerRowSchema>;

export const providerReportSchema = z.object({
  range: z.object({ from: z.number().int(), to: z.number().int() }),
  prior: z.object({ from: z.number().int(), to: z.number().int() }).describe("The equal-length period the deltas compare with."),
  rows: z.array(providerRowSchema),
});
export type ProviderReport = z.output<typeof providerReportSchema>;

const PROVIDER_METRICS: Metric[] = ["sends", "deliveries", ...BOUNCES.metrics, "complaints", "rejects"];

/** Percentage-point change from the unrounded rates, rounded to 2 decimals; null when either rate is undefined. */
function pointDelta(rate: Rate, now: Counts, before: Counts): number | null {
  const a = rateOf(rate, now, 6);
  const b = rateOf(rate, before, 6);
  if (a === null || b === null) return null;
  return Math.round((a - b) * 100) / 100;
}

const active = (c: Counts) => c.sends + c.deliveries + bouncesOf(c) + c.complaints + c.rejects > 0;

function rowOf(provider: string, now: Counts, before: Counts, isOther: boolean): ProviderRow {
  const isNew = !active(before);
  const d = (rate: Rate) => (isNew ? null : pointDelta(rate, now, before));
  return {
    provider,
    sends: now.sends,
    deliveries: now.deliveries,
    bounces: bouncesOf(now),
    bouncePct: rateOf("bounce", now),
    bouncePctDelta: d("bounce"),
    complaints: now.complaints,
    complaintPct: rateOf("complaint", now),
    complaintPctDelta: d("complaint"),
    rejects: now.rejects,
    rejectPct: rateOf("reject", now),
    rejectPctDelta: d("reject"),
    isNew,
    isOther,
  };
}

/** Sorts by one column; nulls last in either direction; ties by provider name. */
function compareRows(sort: ProviderSortColumn, dir: "asc" | "desc") {
  const sign = dir === "asc" ? 1 : -1;
  return (a: ProviderRow, b: ProviderRow) => {
    const x = a[sort];
    const y = b[sort];
    if (x !== y) {
      if (x === null) return 1;
      if (y === null) return -1;
      const c = typeof x === "string" ? x.localeCompare(y as string) : (x as number) - (y as number);
      if (c !== 0) return sign * c;
    }
    return a.provider.localeCompare(b.provider);
  };
}

/**
 * Deliverability by provider: the top 8 providers by sends in the range, then "Other" (every other
 * provider with activity in the range) — always last, whatever the sort. Each rate carries its change
 * versus the equal-length prior period; a provider without prior activity is new and has no deltas.
 */
export async function getProviderReport(db: Db, orgId: string, q: ProviderQuery, now = Date.now()): Promise<ProviderReport> {
  const r = resolveReportRange(q, now);
  const prior = priorOf(r);
  const [raw] = await sumRollups(db, [countsRead("providers", orgId, r.channel, partsOf([r.range, prior]), PROVIDER_METRICS)]);
  const rows = toCounts(raw!);
  const current = new Map<string, Counts>();
  const before = new Map<string, Counts>();
  for (const row of rows) {
    const map = row.idx === 0 ? current : before;
    map.set(row.dim, addCounts(map.get(row.dim) ?? zeroCounts(), row.counts));
  }
  const ranked = [...current.entries()]
    .filter(([, c]) => active(c))
    .sort(([pa, a], [pb, b]) => b.sends - a.sends || pa.localeCompare(pb));
  const top = ranked.slice(0, TOP_PROVIDERS);
  const topNames = new Set(top.map(([p]) => p));
  const listed = top.map(([p, c]) => rowOf(p, c, before.get(p) ?? zeroCounts(), false)).sort(compareRows(q.sort, q.dir));

  const tail = ranked.slice(TOP_PROVIDERS);
  if (tail.length) {
    const otherNow = tail.reduce((acc, [, c]) => addCounts(acc, c), zeroCounts());
    const otherBefore = [...before.entries()].filter(([p]) => !topNames.has(p)).reduce((acc, [, c]) => addCounts(acc, c), zeroCounts());
    listed.push(rowOf(OTHER_PROVIDER, otherNow, otherBefore, true));
  }
  return { range: r.range, prior, rows: listed };
}
