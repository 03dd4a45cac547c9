import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PRICES, type PriceTable } from "../../scripts/lib/cloudflare-prices";
import { countsBetween, emptyCounts, queueOperations, statementLabel, type MeterCounts } from "../../scripts/lib/meter/counts";
import { capacity, costLines, monthlyBill, totalUsd, usageOf, type Usage } from "../../scripts/lib/meter/cost";
import { meterReport } from "../../scripts/lib/meter/report";
import { ROOT } from "../../scripts/lib/instance";

/*
 * The ingest benchmark's cost meter: its arithmetic against hand-computed figures, and a tiny real run
 * of `npm run bench:ingest` whose last JSON line must carry the meter's fields with values that follow
 * from how the ingest path works (every posted event is one queue message, one data point, ≥ 1 row).
 */

const zeroUsage: Usage = {
  workerRequests: 0,
  workerCpuMs: 0,
  queueOperations: 0,
  d1RowsRead: 0,
  d1RowsWritten: 0,
  d1StorageBytes: 0,
  doRequests: 0,
  doDurationGbS: 0,
  doRowsRead: 0,
  doRowsWritten: 0,
  doStorageBytes: 0,
  aeDataPoints: 0,
  r2ClassA: 0,
  r2ClassB: 0,
  r2StorageBytes: 0,
};

/** A run of 1,000 events, 400 of them Sends, with round figures. */
function sampleCounts(): MeterCounts {
  const c = emptyCounts();
  c.workerInvocations = { fetch: 1000, queue: 10, scheduled: 0 };
  c.d1 = {
    queries: 40,
    failedQueries: 0,
    sizeBytes: 3_000_000,
    byStatement: {
      "insert events": { statements: 20, rowsRead: 0, rowsWritten: 7000, changes: 1000 },
      "upsert messages": { statements: 20, rowsRead: 5000, rowsWritten: 8000, changes: 1000 },
    },
  };
  c.queues["sendops-events"] = { sent: 1000, writeOps: 1000, delivered: 1000, readOps: 1000, acked: 1000, deleteOps: 1000, retried: 0, batches: 10 };
  c.durableObjects.OrgLedger = { requests: 20, alarms: 0, wallMs: 2000, rowsRead: 100, rowsWritten: 300, storageBytes: 50_000 };
  c.analyticsEngine.dataPoints = 1000;
  c.r2 = { classA: 2, classB: 1, storedBytes: 0 };
  return c;
}

describe("statement labels", () => {
  it("name the verb and the table a statement writes or reads", () => {
    expect(statementLabel('INSERT INTO "events" ("id", "org_id") SELECT a, b FROM json_each(?)')).toBe("insert events");
    expect(statementLabel("insert into `rollup_totals` (org_id) select * from json_each(?) where true on conflict (org_id) do update set sends = sends + excluded.sends")).toBe(
      "upsert rollup_totals",
    );
    expect(statementLabel("INSERT OR IGNORE INTO dropped_events (a) VALUES (?)")).toBe("insert dropped_events");
    expect(statementLabel('update "sessions" set "last_seen_at" = ? where "id" = ?')).toBe("update sessions");
    expect(statementLabel("DELETE FROM ul_outbox WHERE key = ?")).toBe("delete ul_outbox");
    expect(statementLabel('select "id", "name" from "identities" where "org_id" = ?')).toBe("select identities");
    expect(statementLabel("WITH x AS (SELECT 1) SELECT * FROM messages m JOIN x")).toBe("select messages");
    expect(statementLabel("PRAGMA table_list")).toBe("pragma");
  });
});

describe("queue operations", () => {
  it("are one per 64 KB of message, its ~100 bytes of metadata included", () => {
    expect(queueOperations(1500)).toBe(1);
    expect(queueOperations(63_900)).toBe(1);
    expect(queueOperations(63_901)).toBe(2);
    expect(queueOperations(127_900)).toBe(2);
  });
});

describe("the meter's usage", () => {
  it("is the difference of two snapshots, new statements and queues included", () => {
    const before = emptyCounts();
    before.d1.sizeBytes = 1_000_000;
    before.d1.byStatement["insert events"] = { statements: 5, rowsRead: 0, rowsWritten: 35, changes: 5 };
    const d = countsBetween(before, sampleCounts());
    expect(d.d1.byStatement["insert events"]).toEqual({ statements: 15, rowsRead: 0, rowsWritten: 6965, changes: 995 });
    expect(d.d1.byStatement["upsert messages"]!.rowsWritten).toBe(8000);
    expect(d.d1.sizeBytes).toBe(2_000_000);
    expect(d.queues["sendops-events"]!.deleteOps).toBe(1000);
    expect(d.durableObjects.OrgLedger!.storageBytes).toBe(50_000);
  });

  it("turns counts into billable quantities", () => {
    const u = usageOf({ counts: sampleCounts(), cpuMs: 3000 });
    expect(u).toEqual({
      ...zeroUsage,
      workerRequests: 1010,
      workerCpuMs: 3000,
      queueOperations: 3000,
      d1RowsRead: 5000,
      d1RowsWritten: 15_000,
      d1StorageBytes: 3_000_000,
      doRequests: 20,
      doDurationGbS: 2 * 0.128,
      doRowsRead: 100,
      doRowsWritten: 300,
      doStorageBytes: 50_000,
      aeDataPoints: 1000,
      r2ClassA: 2,
      r2ClassB: 1,
    });
  });
});

describe("cost", () => {
  it("prices each item at its marginal rate, storage held one month", () => {
    const usage: Usage = { ...zeroUsage, d1RowsWritten: 3_000_000, queueOperations: 2_000_000, d1StorageBytes: 4e9, workerCpuMs: 10_000_000 };
    const lines = costLines(usage, PRICES);
    const of = (item: keyof Usage) => lines.find((l) => l.item === item)!;
    // 3M rows × $1.00/M = $3; 2M ops × $0.40/M = $0.80; 4 GB × $0.75 = $3; 10M CPU ms × $0.02/M = $0.20.
    expect(of("d1RowsWritten").usd).toBeCloseTo(3, 10);
    expect(of("queueOperations").usd).toBeCloseTo(0.8, 10);
    expect(of("d1StorageBytes")).toMatchObject({ quantity: 4, unit: "GB-month" });
    expect(of("d1StorageBytes").usd).toBeCloseTo(3, 10);
    expect(of("workerCpuMs").usd).toBeCloseTo(0.2, 10);
    expect(totalUsd(lines)).toBeCloseTo(7, 10);
  });

  it("bills a month as the subscription plus what exceeds each allowance", () => {
    // 60M rows written (50M included) → $10; 8 GB of D1 (5 included) → 3 × $0.75; 9M requests (10M included) → $0.
    const bill = monthlyBill({ ...zeroUsage, d1RowsWritten: 60_000_000, d1StorageBytes: 8e9, workerRequests: 9_000_000 }, PRICES);
    expect(bill.usd).toBeCloseTo(5 + 10 + 2.25, 10);
  });

  it("projects a volume: one month of operations, storage at its steady state over the retention", () => {
    const prices: PriceTable = PRICES;
    const perEvent: Usage = { ...zeroUsage, d1RowsWritten: 30, d1StorageBytes: 3000 };
    const cap = capacity(perEvent, { emailsPerDay: 1_000_000, eventsPerEmail: 2.5, retentionDays: 365 }, prices);
    expect(cap.eventsPerDay).toBe(2_500_000);
    // 2.5M events/day × 3,000 B = 7.5 GB a day: one 10 GB database holds 1.33 days, a year is 2,737.5 GB.
    expect(cap.daysInOneD1).toBeCloseTo(10 / 7.5, 10);
    expect(cap.d1Bytes).toBe(2_500_000 * 365 * 3000);
    expect(cap.d1RowsWrittenPerMonth).toBe(2_500_000 * 30 * 30);
    // $5 + (2,250M − 50M) rows × $1/M + (2,737.5 − 5) GB × $0.75; SES: 30M emails × $0.10/1000.
    expect(cap.usdPerMonth).toBeCloseTo(5 + 2200 + 2732.5 * 0.75, 6);
    expect(cap.sesUsdPerMonth).toBeCloseTo(3000, 10);
  });

  it("gives the bench's JSON fields per event and per million events", () => {
    const { json, rows } = meterReport({ events: 1000, sesEmails: 400, measured: { counts: sampleCounts(), cpuMs: 3000 } }, PRICES);
    expect(json.d1_rows_written_per_event).toBe(15);
    expect(json.d1_rows_read_per_event).toBe(5);
    expect(json.bytes_per_event).toBe(3050);
    expect(json.queue_ops_per_event).toBe(3);
    // Per million events: 15M rows written $15, 3M queue ops $1.20, 1,010k requests $0.303, 3M CPU ms $0.06,
    // 5M rows read $0.005, 3 GB of D1 for a month $2.25, 20k DO requests $0.003, 256 GB-s $0.0032,
    // 0.1M DO rows read $0.0000001, 0.3M DO rows written $0.30, 0.05 GB of DO storage $0.01, 1M data points
    // $0.25, 2k class A $0.009, 1k class B $0.00036.
    const expected = 15 + 1.2 + 0.303 + 0.06 + 0.005 + 2.25 + 0.003 + 0.0032 + 0.0000001 + 0.3 + 0.01 + 0.25 + 0.009 + 0.00036;
    expect(json.usd_per_million_events).toBe(Math.round(expected * 100) / 100);
    // 400 emails per 1,000 events: 400k emails per million events × $0.10/1000 = $40.
    expect(json.ses_usd_per_million_events).toBe(40);
    expect(json.prices_read_on).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const row = (k: string) => rows.find(([key]) => key === k)?.[1];
    expect(row("Cloudflare per million events")).toMatch(/^\$19\.39: D1 rows written \$15\.00, D1 storage \(1 month\) \$2\.25, Queues \$1\.20/);
    expect(row("Queues per event")).toBe("3 operations (0 messages retried)");
    expect(row("D1 rows written per event by statement")).toBe("upsert messages 8, insert events 7");
  });
});

describe("npm run bench:ingest", () => {
  it("ends with a JSON line carrying the meter's figures", async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/bench-ingest.ts", "--events", "300", "--concurrency", "16", "--rate", "50", "--steady-seconds", "1"],
      { cwd: ROOT, maxBuffer: 10_000_000, timeout: 240_000 },
    );
    const last = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number | string>;
    expect(last.events).toBe(300);
    expect(last.store).toBe("d1");
    expect(last.spread_days).toBe(30);
    // Every event posted is a row in events (1 + its 6 indexes) at least, and more in messages and rollups.
    expect(last.d1_rows_written_per_event).toBeGreaterThan(7);
    expect(last.bytes_per_event).toBeGreaterThan(500);
    // One small message per event, written, read and deleted once (no retry went unnoticed or happened),
    // plus the alert evaluation the events consumer queues at most once per workspace and minute.
    expect(last.queue_ops_per_event).toBeGreaterThanOrEqual(3);
    expect(last.queue_ops_per_event).toBeLessThan(3.1);
    // One data point per new row; a few unmanaged-identity events are dropped without one.
    expect(last.ae_points_per_event).toBeGreaterThan(0.9);
    expect(last.ae_points_per_event).toBeLessThanOrEqual(1.1);
    // Bounces, complaints and rejects reach the OrgLedger, which stores them.
    expect(last.do_requests_per_event).toBeGreaterThan(0);
    expect(last.do_rows_written_per_event).toBeGreaterThan(0);
    expect(last.usd_per_million_events).toBeGreaterThan(last.d1_rows_written_per_event as number);
    // About one Send per 2.7 events in the demo traffic: ~$37 of SES per million events.
    expect(last.ses_usd_per_million_events).toBeGreaterThan(25);
    expect(last.ses_usd_per_million_events).toBeLessThan(50);
  }, 300_000);

  it("runs on the shard store with live traffic: event rows stored in the shards, their bytes counted", async () => {
    // The run exits 1 unless the registry, the shards themselves, the counter and the rollups all hold every managed event.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "scripts/bench-ingest.ts", "--events", "300", "--concurrency", "16", "--rate", "50", "--steady-seconds", "1", "--store", "shards", "--spread-days", "0"],
      { cwd: ROOT, maxBuffer: 10_000_000, timeout: 240_000 },
    );
    expect(stdout).toMatch(/^traffic +live: sent over the last 10 minutes/m);
    expect(stdout).toMatch(/^stored check \(rows in registry \/ in shards \/ .*✓$/m);
    const last = JSON.parse(stdout.trim().split("\n").at(-1)!) as Record<string, number | string>;
    expect(last).toMatchObject({ events: 300, store: "shards", spread_days: 0 });
    // Events and messages are rows of the shards (one per send day, here one), billed as Durable Object rows and bytes.
    expect(last.do_rows_written_per_event).toBeGreaterThan(5);
    expect(last.do_bytes_per_event).toBeGreaterThan(500);
    // Each figure is rounded on its own.
    expect(Math.abs((last.bytes_per_event as number) - (last.d1_bytes_per_event as number) - (last.do_bytes_per_event as number))).toBeLessThanOrEqual(1);
    expect(last.d1_rows_written_per_event).toBeLessThan(7);
  }, 300_000);
});
