/**
 * `npm run demo:traffic -- --key <ingest key> [--url] [--events N] [--days D] [--seed S] [--end ISO]
 * [--concurrency C] [--dry-run]`: posts deterministic, realistic SES traffic (scripts/lib/demo-traffic.ts)
 * to a SendOps instance's /ingest/eventbridge, as EventBridge would. `npm start` runs the same thing to
 * seed the demo workspace. With --dry-run it only prints what it would send.
 */
import { parseArgs } from "node:util";
import { generateDemoTraffic, planDemoTraffic, type DemoTrafficOptions } from "./lib/demo-traffic";
import { percentile, postEvents } from "./lib/post-events";
import { ProgressBar } from "./lib/progress";

const USAGE =
  "Usage: npm run demo:traffic -- --key <ingest key> [--url http://127.0.0.1:8787] [--events 200000] [--days 30] [--seed sendops-demo] [--end <ISO time>] [--concurrency 32] [--dry-run]";

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new Error(`--${name} must be a positive integer`);
  return Number(value);
}

async function main() {
  const { values } = parseArgs({
    options: {
      url: { type: "string", default: "http://127.0.0.1:8787" },
      key: { type: "string" },
      events: { type: "string" },
      days: { type: "string" },
      seed: { type: "string", default: "sendops-demo" },
      end: { type: "string" },
      concurrency: { type: "string" },
      "dry-run": { type: "boolean", default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const end = values.end === undefined ? Date.now() : Date.parse(values.end);
  if (Number.isNaN(end)) throw new Error("--end must be an ISO 8601 time, e.g. 2026-01-31T12:00:00Z");
  const opts: DemoTrafficOptions = {
    seed: values.seed!,
    events: positiveInt("events", values.events, 200_000),
    days: positiveInt("days", values.days, 30),
    end,
  };
  const concurrency = positiveInt("concurrency", values.concurrency, 32);
  const plan = planDemoTraffic(opts);
  console.error(
    `${plan.events.toLocaleString("en-US")} events from ${plan.messages.toLocaleString("en-US")} messages, ` +
      `${new Date(end - opts.days * 86_400_000).toISOString()} → ${new Date(end).toISOString()} (seed "${opts.seed}")`,
  );
  if (values["dry-run"]) {
    const byType: Record<string, number> = {};
    let unmanaged = 0;
    for (const g of generateDemoTraffic(opts, plan.messages)) {
      byType[g.event.detail.eventType] = (byType[g.event.detail.eventType] ?? 0) + 1;
      if (!g.managed) unmanaged++;
    }
    console.log(JSON.stringify({ ...plan, byType, unmanaged }, null, 2));
    return;
  }
  if (!values.key) throw new Error(`--key is required (the workspace's ingest key)\n${USAGE}`);
  const base = values.url!.replace(/\/+$/, "");
  const bar = new ProgressBar("Posting", plan.events);
  const events = (function* () {
    for (const g of generateDemoTraffic(opts, plan.messages)) yield g.event;
  })();
  const result = await postEvents(events, {
    endpoint: `${base}/ingest/eventbridge`,
    apiKey: values.key,
    concurrency,
    onSettled: (settled) => bar.update(settled),
  });
  bar.finish();
  console.log(
    JSON.stringify(
      {
        events: result.events,
        accepted: result.accepted,
        rejected: result.rejected,
        failed: result.failed,
        retries: result.retries,
        req_per_s: Math.round(result.events / (result.elapsedMs / 1000)),
        ack_p50_ms: Math.round(percentile(result.latenciesMs, 50) * 10) / 10,
        ack_p99_ms: Math.round(percentile(result.latenciesMs, 99) * 10) / 10,
        rejections: result.rejections,
      },
      null,
      2,
    ),
  );
  if (result.rejected || result.failed) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
