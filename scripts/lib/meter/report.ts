/**
 * The ingest benchmark's cost and capacity figures from one metered run: the rows of its readable
 * table and the fields its last JSON line gains. Pure, so the arithmetic is tested without a run.
 */
import { PRICES_READ_ON, type PriceTable } from "../cloudflare-prices";
import { d1Totals, type StatementTally } from "./counts";
import { capacity, costLines, perMillion, scaled, sesUsd, totalUsd, usageOf, type Measured, type Usage } from "./cost";

export interface MeteredRun {
  /** SES events posted (EventBridge events; one may name several recipients). */
  events: number;
  /** Send events among them: the emails SES charged for. */
  sesEmails: number;
  measured: Measured;
}

/** The largest plan's volume the capacity line projects: 1M emails a day, kept a year (Business). */
export const CAPACITY_SCENARIO = { emailsPerDay: 1_000_000, retentionDays: 365 };

export interface MeterJson {
  d1_rows_written_per_event: number;
  d1_rows_read_per_event: number;
  bytes_per_event: number;
  d1_bytes_per_event: number;
  do_bytes_per_event: number;
  queue_ops_per_event: number;
  do_requests_per_event: number;
  do_rows_written_per_event: number;
  ae_points_per_event: number;
  cpu_ms_per_event: number;
  usd_per_million_events: number;
  ses_usd_per_million_events: number;
  prices_read_on: string;
}

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const usd = (x: number) => `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const num = (x: number) => x.toLocaleString("en-US", { maximumFractionDigits: 2 });
const gb = (bytes: number) => `${num(bytes / 1e9)} GB`;

const LABELS: Record<keyof Usage, string> = {
  workerRequests: "Worker requests",
  workerCpuMs: "Worker CPU",
  queueOperations: "Queues",
  d1RowsRead: "D1 rows read",
  d1RowsWritten: "D1 rows written",
  d1StorageBytes: "D1 storage (1 month)",
  doRequests: "DO requests",
  doDurationGbS: "DO duration",
  doRowsRead: "DO rows read",
  doRowsWritten: "DO rows written",
  doStorageBytes: "DO storage (1 month)",
  aeDataPoints: "AE data points",
  r2ClassA: "R2 class A",
  r2ClassB: "R2 class B",
  r2StorageBytes: "R2 storage (1 month)",
};

export function meterReport(run: MeteredRun, prices: PriceTable): { rows: [string, string][]; json: MeterJson } {
  const usage = usageOf(run.measured);
  const per = (x: number) => x / run.events;
  const perM = perMillion(usage, run.events);
  const lines = costLines(perM, prices);
  const cost = totalUsd(lines);
  const ses = sesUsd((run.sesEmails / run.events) * 1_000_000, prices);
  const d1 = d1Totals(run.measured.counts);
  const failed = run.measured.counts.d1.failedQueries;
  const retried = Object.values(run.measured.counts.queues).reduce((n, q) => n + q.retried, 0);
  const perEvent = scaled(usage, 1 / run.events);
  const cap = capacity(perEvent, { ...CAPACITY_SCENARIO, eventsPerEmail: run.events / run.sesEmails }, prices);

  const byStatement = (rows: (t: StatementTally) => number) =>
    Object.entries(run.measured.counts.d1.byStatement)
      .filter(([, t]) => per(rows(t)) >= 0.005)
      .sort(([, a], [, b]) => rows(b) - rows(a))
      .map(([label, t]) => `${label} ${num(per(rows(t)))}`)
      .join(", ") || "none";
  const topCosts = [...lines]
    .sort((a, b) => b.usd - a.usd)
    .filter((l) => l.usd >= 0.005)
    .map((l) => `${LABELS[l.item]} ${usd(l.usd)}`);

  const rows: [string, string][] = [
    ["events metered", `${run.events.toLocaleString("en-US")} SES events (${run.sesEmails.toLocaleString("en-US")} sends) in the ingest and steady phases`],
    [
      "D1 per event",
      `${num(per(usage.d1RowsWritten))} rows written, ${num(per(usage.d1RowsRead))} rows read (${num(per(d1.queries))} queries, ${num(per(d1.statements))} statements` +
        `${failed ? `; ${failed} failed queries, whose rows the meter cannot see` : ""})`,
    ],
    ["D1 rows written per event by statement", byStatement((t) => t.rowsWritten)],
    ["D1 rows read per event by statement", byStatement((t) => t.rowsRead)],
    ["Queues per event", `${num(per(usage.queueOperations))} operations (${retried} messages retried)`],
    ["Durable Objects per event", `${num(per(usage.doRequests))} requests, ${num(per(usage.doRowsWritten))} rows written, ${num(per(usage.doRowsRead))} rows read`],
    ["Analytics Engine / R2 per event", `${num(per(usage.aeDataPoints))} data points; ${num(per(usage.r2ClassA))} class A, ${num(per(usage.r2ClassB))} class B operations`],
    ["Worker per event", `${num(per(usage.workerRequests))} invocations, ${num(per(usage.workerCpuMs))} CPU ms (upper bound: the whole local runtime's CPU)`],
    ["bytes on disk per event", `${num(per(usage.d1StorageBytes + usage.doStorageBytes))} (D1 ${num(per(usage.d1StorageBytes))}, Durable Objects ${num(per(usage.doStorageBytes))}, R2 ${num(per(usage.r2StorageBytes))})`],
    ["Cloudflare per million events", `${usd(cost)}: ${topCosts.join(", ")} (prices of ${PRICES_READ_ON}, allowances aside)`],
    ["SES for the same traffic", `${usd(ses)} per million events (${num(run.sesEmails / run.events)} emails per event)`],
    [
      `${num(CAPACITY_SCENARIO.emailsPerDay / 1e6)}M emails/day kept ${CAPACITY_SCENARIO.retentionDays} days`,
      `${num(cap.eventsPerDay / 1e6)}M events/day; ${gb(cap.d1Bytes)} in D1 (one 10 GB database holds ${num(cap.daysInOneD1)} days), ` +
        `${num(cap.d1RowsWrittenPerMonth / 1e6)}M D1 rows written/month; ${usd(cap.usdPerMonth)}/month vs SES ${usd(cap.sesUsdPerMonth)}/month`,
    ],
  ];
  const json: MeterJson = {
    d1_rows_written_per_event: r2(per(usage.d1RowsWritten)),
    d1_rows_read_per_event: r2(per(usage.d1RowsRead)),
    bytes_per_event: Math.round(per(usage.d1StorageBytes + usage.doStorageBytes)),
    d1_bytes_per_event: Math.round(per(usage.d1StorageBytes)),
    do_bytes_per_event: Math.round(per(usage.doStorageBytes)),
    queue_ops_per_event: r2(per(usage.queueOperations)),
    do_requests_per_event: r3(per(usage.doRequests)),
    do_rows_written_per_event: r3(per(usage.doRowsWritten)),
    ae_points_per_event: r3(per(usage.aeDataPoints)),
    cpu_ms_per_event: r3(per(usage.workerCpuMs)),
    usd_per_million_events: r2(cost),
    ses_usd_per_million_events: r2(ses),
    prices_read_on: PRICES_READ_ON,
  };
  return { rows, json };
}
