/**
 * `npm run bench:ingest [-- --events N --concurrency C --rate R --steady-seconds S --runtime bundle|direct|wrangler-dev
 *   --store d1|shards --spread-days D]`:
 * ingest throughput and latency of a fresh local instance (empty temp persist dir, BENCH_BASELINE=true),
 * fed with demo traffic over HTTP. The instance is the deployable Worker bundle in workerd with local D1,
 * Queues and DOs (scripts/serve-bundle.ts; `--runtime wrangler-dev` measures through `wrangler dev` and
 * its development proxy instead; `--runtime direct` serves the Worker on its own socket, without Miniflare's
 * entry worker in front of it):
 *   1. baseline: POST /ingest/noop (only enqueues) N times at the same concurrency → req/s;
 *   2. ingest: POST /ingest/eventbridge N times → accepted req/s, ack p50/p99; end-to-end events/s
 *      until every row and rollup of the N events is visible in D1;
 *   3. steady load: R req/s for S seconds → ack p50/p99;
 *   and the peak RSS of the instance's process tree (Node host + workerd) over the whole run.
 * `--store` is the Worker's EVENT_STORE (docs/scaling.md, Shards): with "shards" the stored check counts
 * the event rows in the `event_shards` registry and in the shards themselves. `--spread-days D` spreads
 * the traffic's send times over the last D days (default 30); `--spread-days 0` is live traffic: mail
 * sent over the last LIVE_MINUTES minutes and the events SES has published for it by now.
 * With the bundle runtimes the instance runs behind the cost meter (scripts/lib/meter/): over phases 2
 * and 3 it counts what Cloudflare bills — D1 rows read and written per statement, queue operations,
 * Durable Object requests and storage rows, Analytics Engine points, R2 operations, Worker invocations
 * and the runtime's CPU time —, measures the bytes D1 and the Durable Objects grew by on disk, and
 * prices them per million events with scripts/lib/cloudflare-prices.ts next to SES's price of the same
 * traffic (docs/scaling.md).
 * Prints a table, then one JSON line (the last line of output).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { and, count, eq, sql, sum } from "drizzle-orm";
import { events, eventShards, ingestCounters, rollupAllTotals, rollupTotals } from "../worker/db/schema";
import { CRONS } from "../worker/cron";
import { EVENT_COUNTED_METRICS } from "../worker/lib/metrics";
import { localDb, type LocalDb } from "./lib/d1";
import { prepareDemoWorkspace } from "./lib/demo-seed";
import { generateDemoTraffic } from "./lib/demo-traffic";
import { PRICES } from "./lib/cloudflare-prices";
import { applyMigrations, processTreeCpuMs, processTreeRssBytes, startBundled, startWrangler, type Instance } from "./lib/instance";
import { countsBetween, type MeterCounts } from "./lib/meter/counts";
import { d1File, spaceByObject } from "./lib/meter/disk";
import { COUNT_PATH, SCHEDULED_PATH, type CountRequest } from "./lib/meter/runtime";
import { meterReport } from "./lib/meter/report";
import { percentile, postEvents, type PostResult } from "./lib/post-events";
import { ProgressBar } from "./lib/progress";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "100000" },
    concurrency: { type: "string", default: "32" },
    rate: { type: "string", default: "300" },
    "steady-seconds": { type: "string", default: "20" },
    keep: { type: "boolean", default: false },
    runtime: { type: "string", default: "bundle" },
    store: { type: "string", default: "d1" },
    "spread-days": { type: "string", default: "30" },
  },
  strict: true,
  allowPositionals: false,
});
const int = (name: string, v: string) => {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new Error(`--${name} must be a positive integer`);
  return Number(v);
};
const N = int("events", values.events!);
const CONCURRENCY = int("concurrency", values.concurrency!);
const RATE = int("rate", values.rate!);
const STEADY_SECONDS = int("steady-seconds", values["steady-seconds"]!);
const WARMUP = Math.min(2000, N);
const RUNTIME = values.runtime!;
const RUNTIME_LABELS: Record<string, string> = {
  bundle: "Worker bundle in workerd (no dev proxy, no asset router)",
  direct: "Worker bundle in workerd on its own socket (no dev proxy, no asset router, no Miniflare entry worker)",
  "wrangler-dev": "wrangler dev (with its dev proxy)",
};
if (!(RUNTIME in RUNTIME_LABELS)) throw new Error("--runtime must be bundle, direct or wrangler-dev");
const STORE = values.store!;
if (STORE !== "d1" && STORE !== "shards") throw new Error("--store must be d1 or shards");
if (!/^\d+$/.test(values["spread-days"]!)) throw new Error("--spread-days must be a whole number of days (0: live traffic)");
const SPREAD_DAYS = Number(values["spread-days"]);
/** The window live traffic (`--spread-days 0`) is sent in, ending when the bench starts. */
const LIVE_MINUTES = 10;
const TRAFFIC_LABEL = SPREAD_DAYS
  ? `sent over the last ${SPREAD_DAYS} days`
  : `live: sent over the last ${LIVE_MINUTES} minutes, with the events SES has published for it by now`;

/** The consumer retries a failed batch after 10, 20, 40, 80 and 160 s before dead-lettering it. */
const STALL_MS = 360_000;
const round1 = (x: number) => Math.round(x * 10) / 10;
const log = (s: string) => console.error(s);

/**
 * The bodies of every phase, serialised before the instance starts so that the client spends no time
 * generating traffic while it measures (skipping into the steady slice lazily once delayed its first
 * requests by seconds and then fired them in a burst). The same seed every run.
 */
function prepareTraffic(total: number): { bodies: string[]; managedEvents: number; sends: boolean[]; sendDays: Set<string> } {
  const end = Date.now();
  const days = SPREAD_DAYS || LIVE_MINUTES / (24 * 60);
  // ~2.7 events per message over 30 days (fewer in live traffic, whose later events have not happened
  // yet): generate comfortably more messages than the phases need, and more again if that falls short.
  let messages = Math.ceil((total * 1.2) / 2.4) + 100;
  for (;;) {
    const bodies: string[] = [];
    const sends: boolean[] = [];
    // The UTC days of the managed events' send times: the shards they go to (durable-objects/event-shard.ts).
    const sendDays = new Set<string>();
    let managedEvents = 0;
    for (const g of generateDemoTraffic({ seed: "bench", events: total, days, end }, messages)) {
      if (bodies.length >= total) break;
      bodies.push(JSON.stringify(g.event));
      sends.push(g.event.detail.eventType === "Send");
      if (g.managed) {
        managedEvents++;
        sendDays.add(new Date(g.event.detail.mail.timestamp).toISOString().slice(0, 10));
      }
    }
    if (bodies.length >= total) return { bodies, managedEvents, sends, sendDays };
    messages = Math.ceil(messages * (total / Math.max(1, bodies.length)) * 1.2);
  }
}

async function post(label: string, instance: Instance, path_: string, key: string, items: string[], rate?: number): Promise<PostResult> {
  const bar = new ProgressBar(label, items.length);
  const result = await postEvents(items, {
    endpoint: `${instance.url}${path_}`,
    apiKey: key,
    // At a steady rate nothing should wait for a free slot: the cap only guards against a stalled server.
    concurrency: rate ? 2000 : CONCURRENCY,
    ratePerSecond: rate,
    onSettled: (settled) => bar.update(settled),
  });
  bar.finish();
  if (result.rejected || result.failed) throw new Error(`${label}: ${result.rejected} rejected, ${result.failed} failed: ${result.rejections.join("; ")}`);
  return result;
}

/** Events counted in a rollup totals table's day rows (per-channel or all-channel). */
const countedInDays = (local: LocalDb, table: typeof rollupTotals | typeof rollupAllTotals, orgId: string) =>
  local.db
    .select({
      v: sql<number>`sum(${sql.join(
        EVENT_COUNTED_METRICS.map((m) => table[m]),
        sql` + `,
      )})`,
    })
    .from(table)
    .where(and(eq(table.orgId, orgId), eq(table.bucketSize, "day")))
    .get();

/**
 * What D1 holds for the org once the instance is stopped: event rows (D1's `events`, or on the shard
 * path the registry's count of each shard's rows), accepted counter, rollup totals in both scopes.
 */
async function storedCounts(local: LocalDb, orgId: string) {
  const [acceptedRow, rowsRow, registryRow, rollupRow, allChannelRow] = await Promise.all([
    local.db
      .select({ v: sum(ingestCounters.value) })
      .from(ingestCounters)
      .where(and(eq(ingestCounters.orgId, orgId), eq(ingestCounters.counter, "accepted")))
      .get(),
    local.db.select({ n: count() }).from(events).where(eq(events.orgId, orgId)).get(),
    local.db.select({ v: sum(eventShards.eventRows) }).from(eventShards).where(eq(eventShards.orgId, orgId)).get(),
    countedInDays(local, rollupTotals, orgId),
    countedInDays(local, rollupAllTotals, orgId),
  ]);
  return {
    accepted: Number(acceptedRow?.v ?? 0),
    rows: STORE === "shards" ? Number(registryRow?.v ?? 0) : (rowsRow?.n ?? 0),
    rollupEvents: Number(rollupRow?.v ?? 0),
    allChannelEvents: Number(allChannelRow?.v ?? 0),
  };
}

/**
 * Event rows the shards themselves hold (the meter's bench-only count route), independent of D1's
 * registry: the shards are named from the traffic's send days, as the writer names them.
 */
async function shardRows(url: string, orgId: string, sendDays: Set<string>): Promise<number> {
  const body: CountRequest = { binding: "EVENT_SHARDS", names: [...sendDays].map((day) => `${orgId}:${day}`), table: "events" };
  const res = await fetch(`${url}${COUNT_PATH}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${COUNT_PATH}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { rows: number }).rows;
}

/** A user of the instance (sign-up joins the demo workspace), to read its ingest counters over the API. */
async function signIn(url: string): Promise<string> {
  const headers = { "content-type": "application/json", origin: url };
  const credentials = { email: `bench.${Date.now()}@example.com`, password: "benchmark password" };
  const up = await fetch(`${url}/api/auth/sign-up`, { method: "POST", headers, body: JSON.stringify({ ...credentials, name: "Benchmark", acceptTerms: true }) });
  if (!up.ok) throw new Error(`sign-up failed: ${up.status} ${await up.text()}`);
  const res = await fetch(`${url}/api/auth/sign-in`, { method: "POST", headers, body: JSON.stringify(credentials) });
  const cookie = /sendops_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (!res.ok || !cookie) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return cookie;
}

/**
 * Event rows the consumer has processed for the org (accepted + duplicates + dropped). The consumer
 * writes these counters in the same D1 transaction as the event rows and every rollup, so when they
 * reach N, all of the N events' rows and rollups are visible. Read through the Worker's API, because a
 * second process reading the local SQLite file would contend for its lock with the consumer.
 */
async function processed(url: string, orgId: string, cookie: string): Promise<number> {
  const res = await fetch(`${url}/api/orgs/${orgId}/ingest`, { headers: { cookie } });
  if (!res.ok) throw new Error(`GET /api/orgs/${orgId}/ingest: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { counters: { accepted: number; duplicates: number; dropped: Record<string, number> } };
  const c = body.counters;
  return c.accepted + c.duplicates + Object.values(c.dropped).reduce((a, b) => a + b, 0);
}

/** Quiet time after which the bench runs the Worker's crons, whose jobs flush what ingest left buffered. */
const CRON_AFTER_MS = 10_000;

/**
 * Runs the crons (not the daily one, which prunes) through `/__scheduled`: a store that buffers rollup
 * and counter increments between flushes leaves its last ones to a cron's sweep once traffic stops.
 */
async function runCrons(url: string): Promise<void> {
  for (const cron of Object.values(CRONS).filter((c) => c !== CRONS.daily)) {
    const res = await fetch(`${url}${SCHEDULED_PATH}?cron=${encodeURIComponent(cron)}`);
    if (!res.ok) throw new Error(`${SCHEDULED_PATH}?cron=${cron}: ${res.status} ${await res.text()}`);
  }
}

/**
 * Polls the consumer's counters until `target` rows are processed; after CRON_AFTER_MS without
 * progress it runs the crons (again every CRON_AFTER_MS), and gives up after STALL_MS without progress.
 */
async function waitProcessed(url: string, orgId: string, cookie: string, target: number, bar?: ProgressBar): Promise<void> {
  let last = -1;
  let lastChange = performance.now();
  let lastCron = performance.now();
  for (;;) {
    const n = await processed(url, orgId, cookie);
    bar?.update(Math.min(target, n));
    if (n >= target) return;
    if (n !== last) {
      last = n;
      lastChange = performance.now();
    } else if (performance.now() - Math.max(lastChange, lastCron) > CRON_AFTER_MS) {
      await runCrons(url);
      lastCron = performance.now();
    }
    if (performance.now() - lastChange > STALL_MS) {
      const dead = await fetch(`${url}/api/orgs/${orgId}/dead-letters`, { headers: { cookie } }).then((r) => r.json() as Promise<{ data: unknown[] }>);
      throw new Error(`ingest stalled at ${n} of ${target} processed event rows (${dead.data.length} dead letters listed)`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function meterSnapshot(url: string): Promise<MeterCounts> {
  const res = await fetch(`${url}/__meter`);
  if (!res.ok) throw new Error(`GET /__meter: ${res.status} ${await res.text()}`);
  return (await res.json()) as MeterCounts;
}

/**
 * The meter once every queue message sent has been acknowledged and none is being handled: the D1
 * counters the bench waits for are committed before a batch's Analytics Engine points, OrgLedger calls
 * and acknowledgements, which the meter must see too.
 */
async function settledMeter(url: string): Promise<MeterCounts> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const m = await meterSnapshot(url);
    const queues = Object.values(m.queues);
    if (queues.every((q) => q.acked >= q.sent && q.acked + q.retried === q.delivered)) return m;
    if (performance.now() > deadline) {
      log(`warning: queue messages still unacknowledged after 60 s; the meter reads what it has: ${JSON.stringify(m.queues)}`);
      return m;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The tables and indexes of the D1 file that hold the most bytes, per event posted (needs the sqlite3 shell). */
function largestObjects(persistDir: string, events: number): string {
  const space = spaceByObject(d1File(persistDir));
  if (!space) return "(install the sqlite3 shell to see bytes per table and index)";
  return space
    .slice(0, 12)
    .map((o) => `${o.name}${o.name === o.table ? "" : " (index)"} ${Math.round(o.bytes / events)}`)
    .join(", ");
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sendops-bench-"));
  let instance: Instance | undefined;
  let local: LocalDb | undefined;
  let peakRss = 0;
  let rssTimer: NodeJS.Timeout | undefined;
  const cleanup = async () => {
    clearInterval(rssTimer);
    await local?.close().catch(() => undefined);
    await instance?.stop();
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
  };
  process.on("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const steadyCount = RATE * STEADY_SECONDS;
    log(`Generating ${(N + steadyCount).toLocaleString("en-US")} events…`);
    const traffic = prepareTraffic(N + steadyCount);
    const ingestBodies = traffic.bodies.slice(0, N);
    const steadyBodies = traffic.bodies.slice(N);
    const expected = traffic.managedEvents;
    const metered = RUNTIME !== "wrangler-dev";
    log(`Fresh instance in ${dir} (events=${N}, concurrency=${CONCURRENCY})…`);
    await applyMigrations(dir);
    const setup = await localDb(dir);
    const { orgId, ingestKey } = await prepareDemoWorkspace(setup.db);
    await setup.close();
    const vars = { BENCH_BASELINE: "true", EVENT_STORE: STORE };
    instance = metered ? await startBundled({ persistDir: dir, vars, withoutAssets: true, direct: RUNTIME === "direct", meter: true }) : await startWrangler({ persistDir: dir, vars, logLevel: "warn" });
    const pid = instance.child.pid!;
    const sampleRss = () => (peakRss = Math.max(peakRss, processTreeRssBytes(pid)));
    sampleRss();
    rssTimer = setInterval(sampleRss, 500);
    const cookie = await signIn(instance.url);

    log("Warm-up…");
    await post("warm-up", instance, "/ingest/noop", ingestKey, ingestBodies.slice(0, WARMUP));

    const baseline = await post("baseline /ingest/noop", instance, "/ingest/noop", ingestKey, ingestBodies);
    const baselineRate = N / (baseline.elapsedMs / 1000);
    // Let the consumer finish the no-op messages before the measured ingest starts.
    await new Promise((r) => setTimeout(r, 5000));

    const meterBefore = metered ? await settledMeter(instance.url) : undefined;
    const cpuBefore = processTreeCpuMs(pid);
    const t0 = performance.now();
    const ingest = await post("ingest /ingest/eventbridge", instance, "/ingest/eventbridge", ingestKey, ingestBodies);
    const postedAt = performance.now();
    const bar = new ProgressBar("committed (rows + rollups)", N);
    await waitProcessed(instance.url, orgId, cookie, N, bar);
    const committedAt = performance.now();
    bar.finish();
    const e2eRate = N / ((committedAt - t0) / 1000);

    const steady = await post(`steady ${RATE} req/s`, instance, "/ingest/eventbridge", ingestKey, steadyBodies, RATE);
    await waitProcessed(instance.url, orgId, cookie, N + steadyCount);
    const meterAfter = metered ? await settledMeter(instance.url) : undefined;
    const cpuMs = processTreeCpuMs(pid) - cpuBefore;
    sampleRss();
    clearInterval(rssTimer);
    // Read after the meter's last snapshot: the count is not part of the bill.
    const inShards = STORE === "shards" && metered ? await shardRows(instance.url, orgId, traffic.sendDays) : undefined;
    await instance.stop();
    instance = undefined;

    // With the instance stopped, check what D1 holds: every managed event is a row and in the rollups.
    const cost =
      meterBefore && meterAfter
        ? meterReport(
            {
              events: N + steadyCount,
              sesEmails: traffic.sends.filter(Boolean).length,
              measured: {
                counts: countsBetween(meterBefore, meterAfter),
                cpuMs,
              },
            },
            PRICES,
          )
        : undefined;
    local = await localDb(dir);
    const stored = await storedCounts(local, orgId);
    const consistent =
      stored.rows === expected &&
      (inShards === undefined || inShards === expected) &&
      stored.accepted === expected &&
      stored.rollupEvents === expected &&
      stored.allChannelEvents === expected;
    const fmt = (n: number) => n.toLocaleString("en-US");
    const rows: [string, string][] = [
      ["runtime", RUNTIME_LABELS[RUNTIME]!],
      ["event store (EVENT_STORE)", STORE === "shards" ? `shards: one EventShard per workspace and send day (${traffic.sendDays.size} send day${traffic.sendDays.size === 1 ? "" : "s"})` : "d1"],
      ["traffic", TRAFFIC_LABEL],
      ["events posted (ingest phase)", N.toLocaleString("en-US")],
      STORE === "shards"
        ? [
            "stored check (rows in registry / in shards / rollup events / all-channel / managed events)",
            `${[stored.rows, inShards ?? NaN, stored.rollupEvents, stored.allChannelEvents, expected].map(fmt).join(" / ")} ${consistent ? "✓" : "MISMATCH"}`,
          ]
        : [
            "stored check (rows / rollup events / all-channel / managed events)",
            `${[stored.rows, stored.rollupEvents, stored.allChannelEvents, expected].map(fmt).join(" / ")} ${consistent ? "✓" : "MISMATCH"}`,
          ],
      ["baseline /ingest/noop", `${Math.round(baselineRate)} req/s (p50 ${round1(percentile(baseline.latenciesMs, 50))} ms, p99 ${round1(percentile(baseline.latenciesMs, 99))} ms)`],
      ["ingest accepted", `${Math.round(N / (ingest.elapsedMs / 1000))} req/s`],
      ["ingest ack latency", `p50 ${round1(percentile(ingest.latenciesMs, 50))} ms, p99 ${round1(percentile(ingest.latenciesMs, 99))} ms (concurrency ${CONCURRENCY})`],
      ["end-to-end committed", `${Math.round(e2eRate)} events/s (last row visible ${round1((committedAt - postedAt) / 1000)} s after the last ack)`],
      ["ratio e2e / baseline", (e2eRate / baselineRate).toFixed(2)],
      [`ack at steady ${RATE} req/s`, `p50 ${round1(percentile(steady.latenciesMs, 50))} ms, p99 ${round1(percentile(steady.latenciesMs, 99))} ms (${steady.events} requests scheduled over ${STEADY_SECONDS} s, all answered after ${round1(steady.elapsedMs / 1000)} s)`],
      ["peak RSS of the instance", `${Math.round(peakRss / 1024 / 1024)} MB`],
      ...(cost ? cost.rows : [["cost meter", "not available with --runtime wrangler-dev"] as [string, string]]),
      ["largest D1 tables and indexes (bytes per event)", largestObjects(dir, N + steadyCount)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    console.log("");
    for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);
    console.log(
      JSON.stringify({
        events: N,
        store: STORE,
        spread_days: SPREAD_DAYS,
        e2e_events_per_s: Math.round(e2eRate),
        baseline_req_per_s: Math.round(baselineRate),
        ratio: Math.round((e2eRate / baselineRate) * 100) / 100,
        ack_p50_ms: round1(percentile(ingest.latenciesMs, 50)),
        ack_p99_ms_at_300rps: round1(percentile(steady.latenciesMs, 99)),
        peak_rss_mb: Math.round(peakRss / 1024 / 1024),
        ...cost?.json,
      }),
    );
    if (!consistent) process.exitCode = 1;
  } catch (err) {
    if (instance) log(`instance output (last lines):\n${instance.logs().slice(-4000)}`);
    throw err;
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
