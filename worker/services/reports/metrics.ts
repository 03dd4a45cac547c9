import { z } from "zod";
import type { RollupPart, RollupRead, RollupRow, RollupTable } from "../../db/reports";
import { BOUNCES, METRIC_NAMES, METRICS, type Metric, type MetricCounts } from "../../lib/metrics";

/** Counts of a rollup read, per recipient (docs/reports.md, "Counting rules"). */
export type Counts = MetricCounts;

export const zeroCounts = (): Counts => Object.fromEntries(METRIC_NAMES.map((m) => [m, 0])) as Counts;

export function addCounts(into: Counts, add: Partial<Record<Metric, number | null>>): Counts {
  for (const m of METRIC_NAMES) into[m] += Number(add[m] ?? 0);
  return into;
}

export const bouncesOf = (c: Counts) => BOUNCES.metrics.reduce((s, m) => s + c[m], 0);

/** A percentage (2 decimals) or null when its denominator is zero. */
export const pct = z.number().nullable().describe("Percent with 2 decimals; null when the denominator is 0.");

/**
 * A read of the given metrics of a metric rollup (the others stay 0). Reading only what a report shows
 * keeps each row cheap.
 */
export function countsRead(which: RollupTable, orgId: string, channel: string | undefined, parts: readonly RollupPart[], metrics: readonly Metric[]): RollupRead {
  return { which, orgId, channel, parts, sums: Object.fromEntries(metrics.map((m) => [m, METRICS[m].column])) };
}

/** Rows of a `countsRead` as counts per (interval, dimension value); intervals without data are absent. */
export const toCounts = (rows: readonly RollupRow[]) =>
  rows.map((r) => ({ idx: r.idx, dim: String(r.d0 ?? ""), counts: addCounts(zeroCounts(), r as Partial<Record<Metric, number>>) }));

/** Per-interval counts (absent intervals are zero), `n` intervals. */
export function countsByInterval(rows: readonly { idx: number; counts: Counts }[], n: number): Counts[] {
  const out = Array.from({ length: n }, zeroCounts);
  for (const r of rows) addCounts(out[r.idx]!, r.counts);
  return out;
}

export const sumAll = (list: readonly Counts[]): Counts => list.reduce((acc, c) => addCounts(acc, c), zeroCounts());
