import { env, runInDurableObject } from "cloudflare:test";
import { expect, it } from "vitest";
import { recordEvents } from "../../durable-objects/undeliverable/record";
import { syncSettings } from "../../durable-objects/undeliverable/settings";
import { presetRules, type Rules } from "../../worker/classification/rules";
import type { LedgerSettings, QualifyingRow } from "../../worker/classification/types";
import { DAY } from "../../worker/lib/time";

/**
 * `npm run bench:undeliverable`: one org with EVENTS qualifying events over ADDRESSES addresses in its
 * OrgLedger, then the three figures the issue sets budgets for. Lines starting with `BENCH ` are the
 * figures; `BENCH_RESULT ` carries the JSON the wrapper (scripts/bench-undeliverable.ts) prints last.
 */
const sizes = env as unknown as { BENCH_ADDRESSES?: string; BENCH_EVENTS?: string };
const ADDRESSES = Number(sizes.BENCH_ADDRESSES || 200_000);
const EVENTS = Number(sizes.BENCH_EVENTS || 1_000_000);
const SEED_CHUNK = 20_000;

let state = 7;
const rand = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);

type Shape = { eventType: "bounce" | "complaint" | "reject"; bounceType: string | null; subType: string | null };
/** A mix of every qualifying kind, weighted roughly like real traffic. */
const KINDS: [number, Shape][] = [
  [0.38, { eventType: "bounce", bounceType: "Transient", subType: "General" }],
  [0.12, { eventType: "bounce", bounceType: "Transient", subType: "MailboxFull" }],
  [0.08, { eventType: "bounce", bounceType: "Transient", subType: "MessageTooLarge" }],
  [0.05, { eventType: "bounce", bounceType: "Transient", subType: "ContentRejected" }],
  [0.1, { eventType: "bounce", bounceType: "Undetermined", subType: "Undetermined" }],
  [0.17, { eventType: "bounce", bounceType: "Permanent", subType: "NoEmail" }],
  [0.05, { eventType: "bounce", bounceType: "Permanent", subType: "General" }],
  [0.03, { eventType: "complaint", bounceType: null, subType: "abuse" }],
  [0.02, { eventType: "reject", bounceType: null, subType: null }],
];
function kind(): Shape {
  let u = rand();
  for (const [w, s] of KINDS) if ((u -= w) < 0) return s;
  return KINDS[0]![1];
}

let made = 0;
/** Every address gets one event, the rest go to a skewed few (some addresses collect thousands). */
function event(now: number): QualifyingRow & Shape & { diagnostic: string } {
  const i = made < ADDRESSES ? made : Math.floor(ADDRESSES * rand() ** 3);
  made++;
  return {
    eventKey: `bench-${made}`,
    email: `user${i}@d${i % 997}.example`,
    at: now - Math.floor(rand() * 90 * DAY),
    diagnostic: "550 5.1.1 <user@example>: Recipient address rejected: User unknown",
    messageId: `m-bench-${made}`,
    channelId: null,
    ...kind(),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number) => Math.round(x * 100) / 100;
const say = (line: string) => console.log(`BENCH ${line}`);

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const r = await fn();
  return [performance.now() - t, r];
}

it("Undeliverable list at scale", async () => {
  const ns = env.ORG_LEDGER;
  const stub = ns.get(ns.idFromName(`bench-undeliverable-${Date.now()}`));
  const now = Date.now();
  const settings: LedgerSettings = { orgId: "org_bench", retentionDays: 365, rules: presetRules("standard") };

  const seedStart = performance.now();
  await runInDurableObject(stub, (_i, s) => syncSettings(s.storage.sql, settings, now));
  while (made < EVENTS) {
    const chunk = Array.from({ length: Math.min(SEED_CHUNK, EVENTS - made) }, () => event(now));
    await runInDurableObject(stub, (_i, s) => recordEvents(s.storage.sql, chunk, now));
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const stored = await runInDurableObject(stub, (_i, s) => ({
    events: s.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM ul_events").one().n,
    addresses: s.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM ul_addresses").one().n,
    listed: s.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM ul_addresses WHERE status = 1").one().n,
    sizeMb: s.storage.sql.databaseSize / 1e6,
  }));
  expect(stored.events).toBe(EVENTS);
  expect(stored.addresses).toBe(ADDRESSES);
  say(`seeded ${stored.events} events over ${stored.addresses} addresses in ${seedSeconds.toFixed(1)} s (${stored.listed} listed under Standard, ${stored.sizeMb.toFixed(0)} MB)`);

  const candidates: [string, Rules][] = [
    ["Aggressive", presetRules("aggressive")],
    ["Strict", presetRules("strict")],
    ["transient 2 in 60 d", { ...presetRules("standard"), repeated_transient: { enabled: true, events: 2, windowDays: 60 } }],
    ["soft 1 in 365 d + undetermined 1 in 365 d", {
      repeated_transient: { enabled: true, events: 1, windowDays: 365 },
      undetermined: { enabled: true, events: 1, windowDays: 365 },
      soft_bounce_accumulation: { enabled: true, events: 1, windowDays: 365 },
    }],
  ];
  // The first preview after the object starts also loads its in-memory address states.
  const [coldMs] = await timed(() => stub.undeliverablePreview(settings, presetRules("standard")));
  say(`first preview after start (loads per-address state into memory): ${round(coldMs)} ms`);
  const previewSamples: number[] = [];
  for (const [name, rules] of candidates) {
    const times: number[] = [];
    let last;
    for (let i = 0; i < 3; i++) {
      const [ms, p] = await timed(() => stub.undeliverablePreview(settings, rules));
      times.push(ms);
      last = p;
    }
    previewSamples.push(...times);
    say(`preview ${name}: median ${round(median(times))} ms, max ${round(Math.max(...times))} ms (${last!.currentSize} → ${last!.candidateSize}, +${last!.added} −${last!.removed})`);
  }

  const listSamples: number[] = [];
  const first = await stub.undeliverableList(settings, { status: "listed", limit: 50 });
  const queries: [string, Parameters<typeof stub.undeliverableList>[1]][] = [
    ["first page (listed)", { status: "listed", limit: 50 }],
    ["next page (cursor)", { status: "listed", limit: 50, after: first.nextAfter ?? undefined }],
    ["status all", { status: "all", limit: 50 }],
    ["reason permanent_bounce", { status: "listed", reason: "permanent_bounce", limit: 50 }],
    ["reason rejected", { status: "listed", reason: "rejected", limit: 50 }],
  ];
  for (const [name, q] of queries) {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push((await timed(() => stub.undeliverableList(settings, q)))[0]);
    listSamples.push(...times);
    say(`list ${name}: median ${round(median(times))} ms`);
  }
  const searchTimes: number[] = [];
  for (let i = 0; i < 3; i++) searchTimes.push((await timed(() => stub.undeliverableList(settings, { status: "all", search: "@d42.", limit: 50 })))[0]);
  say(`list search "@d42." (substring scan, not in list_ms): median ${round(median(searchTimes))} ms`);

  // Live traffic: each event is the newest of its address (so it re-ranks all of that address's
  // recent events), addresses drawn with the same skew as the history.
  const ingest: number[] = [];
  for (let i = 0; i < 300; i++) {
    const row = { ...event(Date.now()), at: Date.now() };
    const [ms] = await timed(() => stub.recordQualifying([row]));
    ingest.push(ms);
  }
  // For scale: the same RPC round trip to the same object with (almost) no work behind it.
  const baseline: number[] = [];
  // One address's newest event: an index lookup (without an address, listQualifying scans every event).
  for (let i = 0; i < 100; i++) baseline.push((await timed(() => stub.listQualifying({ email: "user1@d1.example", limit: 1 })))[0]);
  say(`RPC round trip to the OrgLedger with no writes (listQualifying of one address, limit 1): median ${round(median(baseline))} ms`);
  const sorted = [...ingest].sort((a, b) => a - b);
  say(`ingest of one qualifying event (RPC recordQualifying): median ${round(median(ingest))} ms, p95 ${round(sorted[Math.floor(sorted.length * 0.95)]!)} ms`);

  const result = {
    addresses: stored.addresses,
    events: stored.events,
    preview_ms: round(median(previewSamples)),
    list_ms: round(median(listSamples)),
    do_ingest_median_ms: round(median(ingest)),
  };
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
});
