/**
 * `npm start`: build the dashboard, apply local D1 migrations, start the sim/ stand-ins and
 * `wrangler dev` on 127.0.0.1:8787, print the URL; set up the demo workspace (and its world in the
 * stand-ins) and, on the first run, seed its traffic through the real ingest path. Data persists in .data/ between runs; Ctrl-C stops everything this script
 * started (also mid-seed: the next run resumes the seed).
 */
import path from "node:path";
import { localDb } from "./lib/d1";
import { seedDemo, type SeedOutcome } from "./lib/demo-seed";
import { demoSimsOf, publishDemoWorld } from "./lib/demo-sims";
import { DEMO_SETUP_VERSION } from "./lib/demo-workspace";
import { readSeedState, seedStatePath } from "./lib/demo-seed-state";
import { applyMigrations, ROOT, run, signalGroup, startWrangler, type Instance } from "./lib/instance";
import { withSignalHandler } from "./lib/signals";
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
    const state = readSeedState(seedStatePath(persistDir));
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

const onSignal = (signal: NodeJS.Signals) => void shutdown(signal === "SIGINT" ? 130 : 143);
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);
// Last resort if the script dies some other way: never leave wrangler/workerd running.
process.on("exit", () => {
  if (instance) signalGroup(instance.child, "SIGKILL");
  for (const child of sims?.children ?? []) signalGroup(child, "SIGKILL");
});

/** wrangler logs every request and queue batch; while seeding, those lines would drown everything else. */
const seeding = { active: false };
const echoFilter = (line: string) => !(seeding.active && (line.includes("/ingest/eventbridge") || line.includes("QUEUE sendops-")));

function report(outcome: SeedOutcome, url: string): void {
  const stored = "stored" in outcome ? outcome.stored.toLocaleString("en-US") : "";
  if (outcome.status === "done" && outcome.earlier) console.log(`Demo workspace: seeded on an earlier run, its setup now current. Sign up at ${url} to explore it.`);
  else if (outcome.status === "done") console.log(`Demo workspace seeded: ${stored} events stored. Sign up at ${url} to explore it.`);
  else if (outcome.status === "incomplete") {
    console.log(`\nThe consumer stored no event for a minute; ${stored} of ${outcome.planned.toLocaleString("en-US")} are in. The next npm start posts the rest again.`);
  } else if (outcome.reason === "failed") {
    console.log(`\nThe demo seed stopped: an event was not accepted after every retry (${JSON.stringify(outcome.answers)}). The next npm start continues it.`);
  }
}

/**
 * The demo seed runs against the instance just started, through the same code as on a deployed instance
 * (`npm run admin -- seed-demo`); it also publishes the demo's world in the stand-ins, which start empty,
 * and upgrades an older demo's setup. This instance's queue lives in wrangler's memory, so a resumed seed
 * starts from what the database holds (`restarted`).
 */
async function seed(url: string, simVars: Record<string, string>): Promise<void> {
  const stateFile = seedStatePath(persistDir);
  const state = readSeedState(stateFile);
  // Skips opening the database (seconds) when there is nothing to do in it.
  if (state?.done && state.setupVersion === DEMO_SETUP_VERSION) {
    await publishDemoWorld(demoSimsOf(simVars));
    return console.log(`Demo workspace: seeded on an earlier run. Sign up at ${url} to explore it.`);
  }
  const local = await localDb(persistDir);
  closeDb = local.close;
  seeding.active = true;
  try {
    const target = { db: local.db, url, stateFile, restarted: true, sims: demoSimsOf(simVars) };
    report(await withSignalHandler(onSignal, () => seedDemo(target, { signal: abort.signal })), url);
  } finally {
    closeDb = undefined;
    await local.close();
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
  sims = await startSims();
  instance = await startWrangler({ port: PORT, persistDir, logLevel: "info", echo: echoFilter, vars: sims.vars, devVars: sims.devVars });
  instance.child.once("exit", (code) => {
    if (stopping) return;
    console.error(`wrangler dev exited unexpectedly (code ${code}).`);
    void shutdown(1);
  });
  console.log(`\nSendOps is running at ${instance.url}  (Ctrl-C to stop)\n`);
  await seed(instance.url, sims.vars);
}

main().catch((err) => {
  if (stopping) return;
  console.error(err instanceof Error ? err.message : err);
  void shutdown(1);
});
