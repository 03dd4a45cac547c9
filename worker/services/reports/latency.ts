import { z } from "zod";
import type { Db } from "../../db/client";
import { sumRollups } from "../../db/reports";
import { latencyBucketBounds, latencyPercentile } from "../ingest/latency";
import { partsOf, resolveReportRange, type ReportQuery } from "./range";

const ms = z.number().int().nullable().describe("Milliseconds; null without deliveries.");

export const latencyReportSchema = z.object({
  p50: ms,
  p95: ms,
  p99: ms,
  series: z.array(z.object({ t: z.number().int(), p50: ms, p95: ms, p99: ms })),
  buckets: z
    .array(
      z.object({
        leMs: z.number().int().nullable().describe("Upper bound of the bucket in ms (exclusive); null for the open-ended last bucket."),
        count: z.number().int(),
      }),
    )
    .describe("The non-empty histogram buckets of the range, fastest first."),
});
export type LatencyReport = z.output<typeof latencyReportSchema>;

const percentiles = (h: Map<number, number>) => ({
  p50: latencyPercentile(h, 50),
  p95: latencyPercentile(h, 95),
  p99: latencyPercentile(h, 99),
});

/**
 * Delivery latency (delivery time − send time, per recipient, counted at the delivery's time) from the
 * rollup histograms: percentiles interpolate inside the log-scale bucket that holds the rank, so each is
 * within one bucket (< 19 %) of the exact value (docs/reports.md).
 */
export async function getLatencyReport(db: Db, orgId: string, q: ReportQuery, now = Date.now()): Promise<LatencyReport> {
  const r = resolveReportRange(q, now);
  const [rows] = await sumRollups(db, [{ which: "latency", orgId, channel: r.channel, parts: partsOf(r.intervals), sums: { count: "count" } }]);
  const perInterval = r.intervals.map(() => new Map<number, number>());
  const total = new Map<number, number>();
  for (const row of rows!) {
    const bucket = Number(row.d0);
    perInterval[row.idx]!.set(bucket, (perInterval[row.idx]!.get(bucket) ?? 0) + Number(row.count));
    total.set(bucket, (total.get(bucket) ?? 0) + Number(row.count));
  }
  return {
    ...percentiles(total),
    series: r.intervals.map((iv, i) => ({ t: iv.t, ...percentiles(perInterval[i]!) })),
    buckets: [...total.entries()]
      .filter(([, n]) => n > 0)
      .sort((a, b) => a[0] - b[0])
      .map(([bucket, count]) => ({ leMs: latencyBucketBounds(bucket).upper, count })),
  };
}
