/**
 * Cloudflare's published Workers Paid prices (USD) and Amazon SES's sending price: the one place the
 * cost meter (`npm run bench:ingest`) and docs/scaling.md take them from. Each line names its source
 * page; all were read on PRICES_READ_ON. `included` is the monthly allowance of the $5 Workers Paid
 * subscription, which the per-event figures leave out (at scale it is a rounding error) and the monthly
 * capacity math subtracts.
 */

export const PRICES_READ_ON = "2026-12-06";

export interface UnitPrice {
  /** Dollars per `per` units beyond the included allowance. */
  usd: number;
  per: number;
  unit: string;
  /** Units included per month in the Workers Paid subscription. */
  included: number;
  source: string;
}

const WORKERS = "https://developers.cloudflare.com/workers/platform/pricing/";
const QUEUES = "https://developers.cloudflare.com/queues/platform/pricing/";
const D1 = "https://developers.cloudflare.com/d1/platform/pricing/";
const DO = "https://developers.cloudflare.com/durable-objects/platform/pricing/";
const AE = "https://developers.cloudflare.com/analytics/analytics-engine/pricing/";
const R2 = "https://developers.cloudflare.com/r2/pricing/";
const SES = "https://aws.amazon.com/ses/pricing/";

const M = 1_000_000;

export const PRICES = {
  /** $5 a month per account, whatever the usage. */
  workersPaidMonthlyUsd: { usd: 5, per: 1, unit: "month", included: 0, source: WORKERS },
  /** Inbound requests (fetch; here also each queue-consumer and cron invocation); subrequests are free. */
  workerRequests: { usd: 0.3, per: M, unit: "requests", included: 10 * M, source: WORKERS },
  workerCpuMs: { usd: 0.02, per: M, unit: "CPU ms", included: 30 * M, source: WORKERS },
  /** One operation per 64 KB written, read or deleted: a delivered message is 3, each retry one more read. */
  queueOperations: { usd: 0.4, per: M, unit: "operations", included: 1 * M, source: QUEUES },
  /** Rows scanned; rows written count every index entry written too. */
  d1RowsRead: { usd: 0.001, per: M, unit: "rows read", included: 25_000 * M, source: D1 },
  d1RowsWritten: { usd: 1.0, per: M, unit: "rows written", included: 50 * M, source: D1 },
  d1StorageGbMonth: { usd: 0.75, per: 1, unit: "GB-month", included: 5, source: D1 },
  /** RPC method calls, fetches and alarm invocations. */
  doRequests: { usd: 0.15, per: M, unit: "requests", included: 1 * M, source: DO },
  /** 128 MB per active object, billed by wall-clock time. */
  doDurationGbS: { usd: 12.5, per: M, unit: "GB-s", included: 400_000, source: DO },
  doRowsRead: { usd: 0.001, per: M, unit: "rows read", included: 25_000 * M, source: DO },
  /** Each setAlarm() and each delete counts as a row written. */
  doRowsWritten: { usd: 1.0, per: M, unit: "rows written", included: 50 * M, source: DO },
  doStorageGbMonth: { usd: 0.2, per: 1, unit: "GB-month", included: 5, source: DO },
  aeDataPoints: { usd: 0.25, per: M, unit: "data points", included: 10 * M, source: AE },
  /** Class A mutates (put, delete, list, multipart), class B reads (get, head). */
  r2ClassA: { usd: 4.5, per: M, unit: "operations", included: 1 * M, source: R2 },
  r2ClassB: { usd: 0.36, per: M, unit: "operations", included: 10 * M, source: R2 },
  r2StorageGbMonth: { usd: 0.015, per: 1, unit: "GB-month", included: 10, source: R2 },
  /** Amazon SES outbound email, $0.10 per 1,000 (the EC2-hosted free allowance aside). */
  sesEmails: { usd: 0.1, per: 1000, unit: "emails", included: 0, source: SES },
} as const satisfies Record<string, UnitPrice>;

export type PriceTable = { [K in keyof typeof PRICES]: UnitPrice };

/** Memory Cloudflare bills a Durable Object's duration for, whatever it uses. */
export const DO_BILLED_MEMORY_GB = 0.128;

/** A GB in Cloudflare's storage prices is 10^9 bytes. */
export const BYTES_PER_GB = 1e9;
