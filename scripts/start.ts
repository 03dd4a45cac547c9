/**
 * `npm start`: build the dashboard, apply local D1 migrations, start the sim/ stand-ins and
 * `wrangler dev` on 127.0.0.1:8787, print the URL; on the first run, seed the demo workspace through
 * the real ingest path. Data persists in .data/ between runs; Ctrl-C stops everything this script
 * started (also mid-seed: the next run resumes the seed).
 */
import path from "node:path";
import { localDb } from "./lib/d1";
import type { Db } from "../worker/db/client";
import {
  DEMO_SEED_DAYS,
  DEMO_SEED_EVENTS,
  prepareDemoWorkspace,
  processedEvents,
  readSeedState,
  resumePoint,
  writeSeedState,
  type SeedState,
} from "./lib/demo-seed";
import { generateDemoTraffic, planDemoTraffic } from "./lib/demo-traffic";
import { recordDemoSeed } from "../worker/services/demo-seed";
import { applyMigrations, ROOT, run, signalGroup, startWrangler, type Instance } from "./lib/instance";
import { IngestKeyRefused, postEvents } from "./lib/post-events";
import { ProgressBar } from "./lib/progress";
import { isListening, startSims, type RunningSims } from "./lib/sims";

const PORT = 8787;
const persistDir = path.join(ROOT, ".data");
const VITE = path.join(ROOT, "node_modules", ".bin", "vite");

const abort = new AbortController();
let instance: Instance | undefined;
let sims: RunningSims | undefined;
let closeDb: (() => Promise<void>) | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    abort.abort();
    const state = readSeedState(persistDir);
    console.log(
      state && !state.done && seeding.active
        ? `\nStopping SendOps… (demo seed paused at ${state.posted.toLocaleString("en-US")} events; the next npm start resumes it)`
        : "\nStopping SendOps…",
    );
    await closeDb?.().catch(() => undefined);
    await Promise.all([instance?.stop(), sims?.stop()]);
  }
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));
// Last resort if the script dies some other way: never leave wrangler/workerd running.
process.on("exit", () => {
  if (instance) signalGroup(instance.child, "SIGKILL");
  for (const child of sims?.children ?? []) signalGroup(child, "SIGKILL");
});

/** wrangler logs every request and queue batch; while seeding, those lines would drown everything else. */
const seeding = { active: false };
const echoFilter = (line: string) => !(seeding.active && (line.includes("/ingest/eventbridge") || line.includes("QUEUE sendops-")));

/** Runs `fn` on the local database while wrangler dev is not running. */
async function withLocalDb<T>(fn: (db: Db) => Promise<T>): Promise<T> {
  const local = await localDb(persistDir);
  closeDb = local.close;
  try {
    return await fn(local.db);
  } finally {
    closeDb = undefined;
    await local.close();
  }
}

const prepare = () => withLocalDb((db) => prepareDemoWorkspace(db));

/** The dashboard shows the seed's progress against its plan (docs/demo-data.md); written before wrangler dev starts. */
async function recordPlan(state: SeedState): Promise<SeedState> {
  const plan = planDemoTraffic({ seed: state.seed, events: state.events, days: state.days, end: state.end });
  await withLocalDb((db) => recordDemoSeed(db, state.orgId, plan.events));
  return state;
}

/**
 * First run: the demo workspace's identities, channels and ingest key, written before wrangler dev
 * opens the database (two processes writing one local SQLite file can find it locked).
 */
async function ensureSeedState(): Promise<SeedState> {
  const existing = readSeedState(persistDir);
  if (existing?.done) return existing;
  if (existing) {
    const processed = await withLocalDb((db) => processedEvents(db, existing.orgId));
    const from = resumePoint(existing.posted, processed);
    console.log(
      `Resuming the demo seed: ${existing.posted.toLocaleString("en-US")} events were posted, ${processed.toLocaleString("en-US")} stored; ` +
        `posting again from event ${from.toLocaleString("en-US")} (ingest stores each event once).`,
    );
    const resumed = { ...existing, posted: from };
    writeSeedState(persistDir, resumed);
    return recordPlan(resumed);
  }
  console.log("First run: creating the demo workspace (identities, channels, ingest key)…");
  const { orgId, ingestKey } = await prepare();
  const state: SeedState = {
    orgId,
    ingestKey,
    seed: "sendops-demo",
    events: DEMO_SEED_EVENTS,
    days: DEMO_SEED_DAYS,
    end: Date.now(),
    posted: 0,
    done: false,
  };
  writeSeedState(persistDir, state);
  return recordPlan(state);
}

/**
 * Local queues live in wrangler's memory, so the seed counts as done only once the consumer has stored
 * (or dropped) every event. It reads the demo's ingest counters every 2 s; a consumer that makes no
 * progress for a minute ends the wait.
 */
async function waitUntilStored(orgId: string, total: number): Promise<number> {
  const local = await localDb(persistDir);
  closeDb = local.close;
  try {
    let processed = await processedEvents(local.db, orgId);
    const bar = new ProgressBar("Stored by the consumer", total, { initial: Math.min(total, processed) });
    let lastChange = Date.now();
    for (;;) {
      const now = await processedEvents(local.db, orgId);
      if (now !== processed) lastChange = Date.now();
      processed = now;
      bar.update(Math.min(total, processed));
      if (processed >= total || abort.signal.aborted) break;
      if (Date.now() - lastChange > 60_000) {
        console.log(`\nThe consumer stored no event for a minute; ${processed.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} are in.`);
        return processed;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    bar.finish();
    return processed;
  } finally {
    closeDb = undefined;
    await local.close();
  }
}

async function seedDemo(url: string, current: SeedState): Promise<void> {
  if (current.done) {
    console.log(`Demo workspace: seeded on an earlier run. Sign up at ${url} to explore it.`);
    return;
  }
  const opts = { seed: current.seed, events: current.events, days: current.days, end: current.end };
  const plan = planDemoTraffic(opts);
  console.log(`Posting ${plan.events.toLocaleString("en-US")} SES events (${plan.messages.toLocaleString("en-US")} messages over ${current.days} days) to ${url}/ingest/eventbridge…`);
  const skip = current.posted;
  const bar = new ProgressBar("Demo traffic", plan.events, { initial: skip });
  function* remaining() {
    let i = 0;
    for (const g of generateDemoTraffic(opts, plan.messages)) if (i++ >= skip) yield g.event;
  }
  let lastSave = Date.now();
  const save = (contiguous: number) => {
    current.posted = skip + contiguous;
    writeSeedState(persistDir, current);
    lastSave = Date.now();
  };
  seeding.active = true;
  try {
    const result = await postEvents(remaining(), {
      endpoint: `${url}/ingest/eventbridge`,
      apiKey: current.ingestKey,
      concurrency: 32,
      signal: abort.signal,
      onSettled: (settled, contiguous) => {
        bar.update(skip + settled);
        if (Date.now() - lastSave > 2000) save(contiguous);
      },
    });
    if (abort.signal.aborted) return;
    save(result.events);
    bar.finish();
    const problems = result.rejected + result.failed;
    if (problems) console.log(`${result.rejected} events rejected, ${result.failed} failed: ${result.rejections.join("; ")}`);
    const stored = await waitUntilStored(current.orgId, plan.events);
    if (abort.signal.aborted) return;
    current.done = true;
    writeSeedState(persistDir, current);
    console.log(`Demo workspace seeded: ${stored.toLocaleString("en-US")} of ${plan.events.toLocaleString("en-US")} events stored. Sign up at ${url} to explore it.`);
  } catch (err) {
    if (!(err instanceof IngestKeyRefused)) throw err;
    // The stored key no longer exists (local data was reset): set the workspace up again and resume.
    console.log("The saved demo ingest key was refused; creating a new one…");
    const { orgId, ingestKey } = await prepare();
    const renewed = { ...current, orgId, ingestKey };
    writeSeedState(persistDir, renewed);
    return await seedDemo(url, renewed);
  } finally {
    // Let wrangler's buffered request lines for the last posts go by before showing its output again.
    setTimeout(() => (seeding.active = false), 3000);
  }
}

async function main() {
  if (await isListening(PORT)) {
    throw new Error(`Port ${PORT} on 127.0.0.1 is already in use. Is SendOps already running?`);
  }
  console.log("Building the dashboard…");
  await run(VITE, ["build", "--config", "web/vite.config.ts"], { signal: abort.signal });
  console.log("Applying D1 migrations to .data/…");
  await applyMigrations(persistDir, abort.signal);
  const seedState = await ensureSeedState();
  sims = await startSims();
  instance = await startWrangler({ port: PORT, persistDir, logLevel: "info", echo: echoFilter, vars: sims.vars, devVars: sims.devVars });
  instance.child.once("exit", (code) => {
    if (stopping) return;
    console.error(`wrangler dev exited unexpectedly (code ${code}).`);
    void shutdown(1);
  });
  console.log(`\nSendOps is running at ${instance.url}  (Ctrl-C to stop)\n`);
  await seedDemo(instance.url, seedState);
}

main().catch((err) => {
  if (stopping) return;
  console.error(err instanceof Error ? err.message : err);
  void shutdown(1);
});
