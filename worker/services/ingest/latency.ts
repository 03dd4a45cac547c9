/**
 * Delivery-latency histogram with fixed log-scale buckets (four per doubling, from 100 ms to past SES's
 * 14-hour maximum delivery duration), so p50/p95/p99 come from rollups.
 *
 * Edges: LATENCY_BUCKET_EDGES_MS[i] = round(100 · 2^(i/4)) ms, i = 0..76 (100 ms … ≈ 14.3 h).
 * Bucket 0 = [0, 100 ms); bucket k (1..76) = [edge[k−1], edge[k]); bucket 77 = [edge[76], ∞).
 * A percentile read from the histogram is exact to within one bucket (≤ 19 % relative error).
 */
export const LATENCY_BUCKET_EDGES_MS: readonly number[] = Array.from({ length: 77 }, (_, i) => Math.round(100 * 2 ** (i / 4)));
export const LATENCY_BUCKET_COUNT = LATENCY_BUCKET_EDGES_MS.length + 1;

export function latencyBucket(ms: number): number {
  const edges = LATENCY_BUCKET_EDGES_MS;
  let lo = 0;
  let hi = edges.length;
  // First edge strictly greater than ms.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (edges[mid]! > ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** [lower, upper) bounds of a bucket in ms; the last bucket's upper bound is null (open-ended). */
export function latencyBucketBounds(bucket: number): { lower: number; upper: number | null } {
  const edges = LATENCY_BUCKET_EDGES_MS;
  return { lower: bucket === 0 ? 0 : edges[bucket - 1]!, upper: bucket < edges.length ? edges[bucket]! : null };
}

/**
 * The p-th percentile (0 < p ≤ 100) of a histogram given as bucket → count, interpolating linearly
 * inside the bucket that holds the rank (the open-ended last bucket reports its lower bound). null when empty.
 */
export function latencyPercentile(counts: ReadonlyMap<number, number> | Record<number, number>, p: number): number | null {
  const entries = (counts instanceof Map ? [...counts.entries()] : Object.entries(counts).map(([k, v]) => [Number(k), v] as const))
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = (p / 100) * total;
  let seen = 0;
  for (const [bucket, n] of entries) {
    if (seen + n >= rank) {
      const { lower, upper } = latencyBucketBounds(bucket);
      if (upper === null) return lower;
      return Math.round(lower + ((rank - seen) / n) * (upper - lower));
    }
    seen += n;
  }
  return latencyBucketBounds(entries[entries.length - 1]![0]).lower;
}

/** The ingestion lag histogram (`ingest_lag`) is kept per this much processing time. */
export const LAG_BUCKET_MS = 5 * 60_000;
export const lagBucketStart = (at: number) => Math.floor(at / LAG_BUCKET_MS) * LAG_BUCKET_MS;
