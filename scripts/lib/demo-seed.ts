/**
 * Seeds the demo workspace of a running SendOps instance — the local one `npm start` runs, or a deployed
 * one through the operator CLI (`npm run admin -- seed-demo`); both call `seedDemo`. It sets up the
 * workspace, its identities, channels and tracking domain (what the demo traffic is sent from and
 * through; scripts/lib/demo-workspace.ts; upgraded once when an update changed them) and, the first
 * time, an ingest key; then it posts the traffic through the real ingest path (POST /ingest/eventbridge),
 * like EventBridge would deliver it, and waits until the consumer stored it. Progress is kept in a state
 * file per target (scripts/lib/demo-seed-state.ts), so an interrupted seed resumes where it stopped and
 * a finished one is never repeated.
 */
import type { Db } from "../../worker/db/client";
import { countProcessedRows } from "../../worker/db/ingest";
import { recordDemoSeed } from "../../worker/services/demo-seed";
import { createIngestKey } from "../../worker/services/ingest/keys";
import { Acknowledged, readSeedState, resumePoint, writeSeedState, type SeedState } from "./demo-seed-state";
import { publishDemoWorld, type DemoSims } from "./demo-sims";
import { generateDemoTraffic, planDemoTraffic, type DemoTrafficOptions } from "./demo-traffic";
import { DEMO_SETUP_VERSION, SEEDER_ACTOR, setUpDemoWorkspace } from "./demo-workspace";
import { IngestKeyRefused, postEvents, sleep } from "./post-events";
import { ProgressBar } from "./progress";

export const DEMO_SEED_NAME = "sendops-demo";
export const DEMO_SEED_EVENTS = 210_000;
export const DEMO_SEED_DAYS = 30;

/**
 * The demo workspace's setup (scripts/lib/demo-workspace.ts), after publishing the demo's world in the
 * local stand-ins when they run (scripts/lib/demo-sims.ts), and a fresh ingest key for its traffic.
 */
export async function prepareDemoWorkspace(db: Db, now = Date.now(), sims?: DemoSims): Promise<{ orgId: string; ingestKey: string }> {
  if (sims) await publishDemoWorld(sims);
  const orgId = await setUpDemoWorkspace(db, now);
  const { key } = await createIngestKey(db, orgId, SEEDER_ACTOR, now);
  return { orgId, ingestKey: key };
}

/**
 * A seed started before: the stand-ins (which start empty) get the demo's world again, and the setup is
 * applied when the state file names an older one (an existing demo is upgraded).
 */
async function refreshSetup(target: SeedTarget, state: SeedState, now: number): Promise<SeedState> {
  if (target.sims) await publishDemoWorld(target.sims);
  if (state.setupVersion === DEMO_SETUP_VERSION) return state;
  await setUpDemoWorkspace(target.db, now);
  const next = { ...state, setupVersion: DEMO_SETUP_VERSION };
  writeSeedState(target.stateFile, next);
  return next;
}

export interface SeedTarget {
  /** The instance's D1: the local binding, or the deployed database through `wrangler d1 execute --remote`. */
  db: Db;
  /** The instance's base URL; events go to `<url>/ingest/eventbridge`. */
  url: string;
  stateFile: string;
  /** The local stand-ins the instance uses (`npm start`): the demo's world is published in them. */
  sims?: DemoSims;
  /**
   * The instance was started since the last run and its queue lost what it held (`npm start`'s own
   * `wrangler dev`): resume from what the database holds rather than from what was acknowledged.
   */
  restarted?: boolean;
}

export interface SeedClock {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface SeedOptions {
  /** Target number of events of a new seed (a resumed seed keeps its own). */
  events?: number;
  days?: number;
  /** Post at most this many events in this run, then stop (the next run continues). */
  limit?: number;
  concurrency?: number;
  /** Attempts per event (EventBridge's retry rule, scripts/lib/post-events.ts) before the run stops. */
  maxAttempts?: number;
  /** Stops posting: requests in flight complete, the progress is saved. */
  signal?: AbortSignal;
  /** Progress lines (the progress bars go to stderr). */
  log?: (line: string) => void;
  clock?: SeedClock;
}

export type SeedOutcome =
  /** Every event stored (`earlier`: by a previous run); `stored` is what the database holds now. */
  | { status: "done"; earlier: boolean; state: SeedState; stored: number }
  /**
   * Stopped by `limit`, the signal, or an event the instance did not accept after every retry (`failed`,
   * with the answers seen); the next run continues.
   */
  | { status: "paused"; reason: "limit" | "interrupted"; state: SeedState; planned: number }
  | { status: "paused"; reason: "failed"; state: SeedState; planned: number; answers: Record<string, number> }
  /** Everything was posted but the consumer stopped short; the state now resumes before the gap. */
  | { status: "incomplete"; state: SeedState; planned: number; stored: number };

const realClock: SeedClock = { now: Date.now, sleep };
const SAVE_EVERY_MS = 2_000;
/** While waiting for the consumer: how often its progress is read, and how long without any counts as stalled. */
const POLL_MS = 2_000;
const STALL_MS = 60_000;
const fmt = (n: number) => n.toLocaleString("en-US");

export async function seedDemo(target: SeedTarget, opts: SeedOptions = {}): Promise<SeedOutcome> {
  const log = opts.log ?? console.log;
  const found = readSeedState(target.stateFile);
  const existing = found && (await refreshSetup(target, found, (opts.clock ?? realClock).now()));
  if (existing?.done) return { status: "done", earlier: true, state: existing, stored: await countProcessedRows(target.db, existing.orgId) };
  if (existing && opts.events !== undefined && opts.events !== existing.events) {
    throw new Error(`the demo seed in ${target.stateFile} targets ${fmt(existing.events)} events: resume it with that count, or delete the file to start over`);
  }
  let state: SeedState;
  if (!existing) {
    log("Creating the demo workspace (identities, channels, tracking domain, ingest key)…");
    const now = (opts.clock ?? realClock).now();
    const { orgId, ingestKey } = await prepareDemoWorkspace(target.db, now, target.sims);
    state = {
      orgId,
      ingestKey,
      seed: DEMO_SEED_NAME,
      events: opts.events ?? DEMO_SEED_EVENTS,
      days: opts.days ?? DEMO_SEED_DAYS,
      end: now,
      posted: 0,
      ahead: [],
      done: false,
      setupVersion: DEMO_SETUP_VERSION,
    };
    writeSeedState(target.stateFile, state);
    await recordPlan(target, state, now);
  } else if (target.restarted) {
    state = await rewound(target, existing, log, (opts.clock ?? realClock).now());
  } else {
    state = existing;
    log(`Resuming the demo seed: ${fmt(new Acknowledged(state.posted, state.ahead).count)} events were acknowledged.`);
  }
  try {
    return await postAndWait(target, state, opts, log);
  } catch (err) {
    if (!(err instanceof IngestKeyRefused)) throw err;
  }
  // The saved key no longer exists (the database was reset, or the key revoked): set the workspace up again.
  log("The saved demo ingest key was refused; creating a new one…");
  const { orgId, ingestKey } = await prepareDemoWorkspace(target.db, (opts.clock ?? realClock).now());
  state = await rewound(target, { ...state, orgId, ingestKey }, log, (opts.clock ?? realClock).now());
  try {
    return await postAndWait(target, state, opts, log);
  } catch (err) {
    if (!(err instanceof IngestKeyRefused)) throw err;
    throw new Error(`${target.url} refused an ingest key just created in the database: are the URL and the database the same deployment?`);
  }
}

const trafficOf = (s: SeedState): DemoTrafficOptions => ({ seed: s.seed, events: s.events, days: s.days, end: s.end });

/**
 * The dashboard shows the seed's progress against its plan (`demo_seeds`, docs/demo-data.md). Recorded
 * when a seed starts and again whenever it is rewound (a restarted instance, or a workspace set up again);
 * a plain resume keeps the record of the run that started it, so it touches no database.
 */
async function recordPlan(target: SeedTarget, state: SeedState, at: number): Promise<void> {
  await recordDemoSeed(target.db, state.orgId, planDemoTraffic(trafficOf(state)).events, at);
}

/** Resumes before the first event that may not be stored (see RESUME_OVERLAP), and saves that. */
async function rewound(target: SeedTarget, state: SeedState, log: (line: string) => void, at = Date.now()): Promise<SeedState> {
  const processed = await countProcessedRows(target.db, state.orgId);
  const from = resumePoint(state.posted, processed);
  log(
    `Resuming the demo seed: ${fmt(state.posted)} events were posted, ${fmt(processed)} stored; ` +
      `posting again from event ${fmt(from)} (ingest stores each event once).`,
  );
  const next = { ...state, posted: from, ahead: [] };
  writeSeedState(target.stateFile, next);
  await recordPlan(target, next, at);
  return next;
}

async function postAndWait(target: SeedTarget, state: SeedState, opts: SeedOptions, log: (line: string) => void): Promise<SeedOutcome> {
  const clock = opts.clock ?? realClock;
  const traffic = trafficOf(state);
  const plan = planDemoTraffic(traffic);
  const acked = new Acknowledged(state.posted, state.ahead);
  let lastSave = clock.now();
  const save = () => {
    state.posted = acked.prefix;
    state.ahead = acked.ahead();
    writeSeedState(target.stateFile, state);
    lastSave = clock.now();
  };
  if (acked.count < plan.events) {
    const limit = opts.limit ?? Infinity;
    log(
      `Posting ${fmt(Math.min(limit, plan.events - acked.count))} of ${fmt(plan.events)} SES events ` +
        `(${fmt(plan.messages)} messages over ${state.days} days) to ${target.url}/ingest/eventbridge…`,
    );
    const bar = new ProgressBar("Demo traffic", plan.events, { initial: acked.count });
    // positions[i]: the plan's index of the i-th event posted in this run.
    const positions: number[] = [];
    function* remaining() {
      let index = 0;
      for (const g of generateDemoTraffic(traffic, plan.messages)) {
        if (positions.length >= limit) return;
        if (!acked.has(index)) {
          positions.push(index);
          yield g.event;
        }
        index++;
      }
    }
    // An event that still fails after every retry means the instance is unreachable or failing: stop
    // rather than run through the rest; it stays unacknowledged, so the next run posts it first.
    const failing = new AbortController();
    const result = await postEvents(remaining(), {
      endpoint: `${target.url}/ingest/eventbridge`,
      apiKey: state.ingestKey,
      concurrency: opts.concurrency ?? 32,
      maxAttempts: opts.maxAttempts,
      signal: opts.signal ? AbortSignal.any([opts.signal, failing.signal]) : failing.signal,
      onSettled: (_settled, _contiguous, index, outcome) => {
        if (outcome === "failed") return failing.abort();
        acked.add(positions[index]!);
        bar.update(acked.count);
        if (clock.now() - lastSave > SAVE_EVERY_MS) save();
      },
    }).finally(save);
    if (result.rejected) log(`${result.rejected} events rejected: ${result.rejections.join("; ")}`);
    if (opts.signal?.aborted) return { status: "paused", reason: "interrupted", state, planned: plan.events };
    if (result.failed) return { status: "paused", reason: "failed", state, planned: plan.events, answers: result.statuses };
    if (acked.count < plan.events) return { status: "paused", reason: "limit", state, planned: plan.events };
    bar.finish();
  }
  const stored = await waitUntilStored(target.db, state.orgId, plan.events, opts, clock);
  if (opts.signal?.aborted) return { status: "paused", reason: "interrupted", state, planned: plan.events };
  if (stored < plan.events) {
    const next = { ...state, posted: resumePoint(state.posted, stored), ahead: [] };
    writeSeedState(target.stateFile, next);
    return { status: "incomplete", state: next, planned: plan.events, stored };
  }
  state.done = true;
  writeSeedState(target.stateFile, state);
  return { status: "done", earlier: false, state, stored };
}

/**
 * Acknowledged is not yet stored: the consumer works through the queue after the last answer. Reads the
 * demo's ingest counters until they reach `total`; a minute without progress ends the wait (a local
 * instance that restarted has lost what its queue held).
 */
async function waitUntilStored(db: Db, orgId: string, total: number, opts: SeedOptions, clock: SeedClock): Promise<number> {
  let processed = await countProcessedRows(db, orgId);
  const bar = new ProgressBar("Stored by the consumer", total, { initial: Math.min(total, processed) });
  let lastChange = clock.now();
  while (processed < total && !opts.signal?.aborted && clock.now() - lastChange < STALL_MS) {
    await clock.sleep(POLL_MS, opts.signal);
    const now = await countProcessedRows(db, orgId);
    if (now !== processed) lastChange = clock.now();
    processed = now;
    bar.update(Math.min(total, processed));
  }
  if (processed >= total) bar.finish();
  return processed;
}
