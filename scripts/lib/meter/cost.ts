/**
 * The cost meter's arithmetic, pure: usage (what a run consumed) × the price table
 * (scripts/lib/cloudflare-prices.ts) → dollars, per million events, and the monthly bill of a
 * deployment at a given volume.
 */
import { BYTES_PER_GB, DO_BILLED_MEMORY_GB, type PriceTable, type UnitPrice } from "../cloudflare-prices";
import { d1Totals, type MeterCounts } from "./counts";

/** Billable quantities of one run (or one month). Storage is in bytes held. */
export interface Usage {
  workerRequests: number;
  workerCpuMs: number;
  queueOperations: number;
  d1RowsRead: number;
  d1RowsWritten: number;
  d1StorageBytes: number;
  doRequests: number;
  doDurationGbS: number;
  doRowsRead: number;
  doRowsWritten: number;
  doStorageBytes: number;
  aeDataPoints: number;
  r2ClassA: number;
  r2ClassB: number;
  r2StorageBytes: number;
}

/** Which price each usage figure is billed at. */
const BILLED_AT: Record<keyof Usage, keyof PriceTable> = {
  workerRequests: "workerRequests",
  workerCpuMs: "workerCpuMs",
  queueOperations: "queueOperations",
  d1RowsRead: "d1RowsRead",
  d1RowsWritten: "d1RowsWritten",
  d1StorageBytes: "d1StorageGbMonth",
  doRequests: "doRequests",
  doDurationGbS: "doDurationGbS",
  doRowsRead: "doRowsRead",
  doRowsWritten: "doRowsWritten",
  doStorageBytes: "doStorageGbMonth",
  aeDataPoints: "aeDataPoints",
  r2ClassA: "r2ClassA",
  r2ClassB: "r2ClassB",
  r2StorageBytes: "r2StorageGbMonth",
};

const isStorage = (k: keyof Usage) => k.endsWith("StorageBytes");

export interface CostLine {
  item: keyof Usage;
  /** In the price's unit (storage in GB-months: bytes held for one month). */
  quantity: number;
  unit: string;
  usd: number;
}

/** Storage is billed as the bytes held for one month. */
const billedQuantity = (k: keyof Usage, v: number) => (isStorage(k) ? v / BYTES_PER_GB : v);

const charge = (price: UnitPrice, quantity: number) => (quantity * price.usd) / price.per;

/**
 * What the usage costs at the marginal price of each item, without the subscription's monthly
 * allowances: the cost a further unit of traffic adds once they are used up. Storage counts as held
 * for one month.
 */
export function costLines(usage: Usage, prices: PriceTable): CostLine[] {
  return (Object.keys(BILLED_AT) as (keyof Usage)[]).map((item) => {
    const price = prices[BILLED_AT[item]];
    const quantity = billedQuantity(item, usage[item]);
    return { item, quantity, unit: price.unit, usd: charge(price, quantity) };
  });
}

export const totalUsd = (lines: CostLine[]) => lines.reduce((sum, l) => sum + l.usd, 0);

/** Every usage figure multiplied by `factor`. */
export function scaled(usage: Usage, factor: number): Usage {
  return Object.fromEntries(Object.entries(usage).map(([k, v]) => [k, v * factor])) as unknown as Usage;
}

/** The usage of a million events, from that of `events` events. */
export const perMillion = (usage: Usage, events: number) => scaled(usage, 1_000_000 / events);

/** SES's price of the emails behind the traffic (each Send event is one email). */
export const sesUsd = (emails: number, prices: PriceTable) => charge(prices.sesEmails, emails);

/**
 * One month's bill: the Workers Paid subscription plus each item beyond its monthly allowance.
 * `usage` holds one month's operations and the bytes stored during it.
 */
export function monthlyBill(usage: Usage, prices: PriceTable): { lines: CostLine[]; usd: number } {
  const lines = (Object.keys(BILLED_AT) as (keyof Usage)[]).map((item) => {
    const price = prices[BILLED_AT[item]];
    const quantity = billedQuantity(item, usage[item]);
    return { item, quantity, unit: price.unit, usd: charge(price, Math.max(0, quantity - price.included)) };
  });
  return { lines, usd: prices.workersPaidMonthlyUsd.usd + totalUsd(lines) };
}

/** What the meter (the usage between two snapshots) and the machine measured over a run. */
export interface Measured {
  counts: MeterCounts;
  /** CPU time of the Worker's process over the run (ms). */
  cpuMs: number;
}

export function usageOf(m: Measured): Usage {
  const c = m.counts;
  const d1 = d1Totals(c);
  const queues = Object.values(c.queues);
  const objects = Object.values(c.durableObjects);
  const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
  return {
    workerRequests: c.workerInvocations.fetch + c.workerInvocations.queue + c.workerInvocations.scheduled,
    workerCpuMs: m.cpuMs,
    queueOperations: sum(queues, (q) => q.writeOps + q.readOps + q.deleteOps),
    d1RowsRead: d1.rowsRead,
    d1RowsWritten: d1.rowsWritten,
    d1StorageBytes: c.d1.sizeBytes,
    doRequests: sum(objects, (o) => o.requests),
    doDurationGbS: (sum(objects, (o) => o.wallMs) / 1000) * DO_BILLED_MEMORY_GB,
    doRowsRead: sum(objects, (o) => o.rowsRead),
    doRowsWritten: sum(objects, (o) => o.rowsWritten),
    doStorageBytes: sum(objects, (o) => o.storageBytes),
    aeDataPoints: c.analyticsEngine.dataPoints,
    r2ClassA: c.r2.classA,
    r2ClassB: c.r2.classB,
    r2StorageBytes: c.r2.storedBytes,
  };
}

/**
 * A deployment receiving `emailsPerDay` emails (each bringing `eventsPerEmail` events) with events kept
 * `retentionDays`: one month (30 days) of operations at the measured per-event usage, and storage at its
 * steady state (retention × daily events × bytes per event), against the 10 GB a D1 database holds.
 */
export function capacity(perEvent: Usage, o: { emailsPerDay: number; eventsPerEmail: number; retentionDays: number }, prices: PriceTable) {
  const eventsPerDay = o.emailsPerDay * o.eventsPerEmail;
  const monthEvents = eventsPerDay * 30;
  const storedEvents = eventsPerDay * o.retentionDays;
  const month = Object.fromEntries(
    (Object.keys(perEvent) as (keyof Usage)[]).map((k) => [k, perEvent[k] * (isStorage(k) ? storedEvents : monthEvents)]),
  ) as unknown as Usage;
  const bill = monthlyBill(month, prices);
  return {
    eventsPerDay,
    storedEvents,
    d1Bytes: month.d1StorageBytes,
    doBytes: month.doStorageBytes,
    d1RowsWrittenPerMonth: month.d1RowsWritten,
    /** Days of events one 10 GB D1 database holds at this volume. */
    daysInOneD1: D1_MAX_BYTES / (perEvent.d1StorageBytes * eventsPerDay),
    usdPerMonth: bill.usd,
    sesUsdPerMonth: sesUsd(o.emailsPerDay * 30, prices),
    lines: bill.lines,
  };
}

/** The largest D1 database Cloudflare allows (Workers Paid): 10 GB. */
export const D1_MAX_BYTES = 10 * BYTES_PER_GB;
