import http from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { and, eq, gte } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { localDb, type LocalDb } from "../../scripts/lib/d1";
import { countProcessedRows } from "../../worker/db/ingest";
import { prepareDemoWorkspace, seedDemo, type SeedClock, type SeedOptions } from "../../scripts/lib/demo-seed";
import {
  Acknowledged,
  readSeedState,
  remoteSeedStatePath,
  resumePoint,
  RESUME_OVERLAP,
  seedStatePath,
  writeSeedState,
  type SeedState,
} from "../../scripts/lib/demo-seed-state";
import { generateDemoTraffic, planDemoTraffic } from "../../scripts/lib/demo-traffic";
import { DEMO_IDENTITIES, DEMO_TRACKING_DOMAIN } from "../../scripts/lib/demo-world";
import { applyMigrations, ROOT } from "../../scripts/lib/instance";
import { sha256Hex } from "../../worker/lib/crypto";
import { findDemoSeed } from "../../worker/db/demo";
import type { Db } from "../../worker/db/client";
import { auditLog, channels, identities, ingestCounters, ingestKeys, notificationDeliveries, notifications, orgs, trackingDomains, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../worker/db/schema";
import { DEMO_WEBHOOK } from "../../scripts/lib/demo-webhooks";
import { DEFAULT_CHANNELS, PURPOSE_PRESETS } from "../../worker/lib/channels";
import { parseDnsCheck } from "../../worker/services/identities/dns-check";
import { DEMO_AWS, DEMO_ORG_ID, ensureDemoWorkspace } from "../../worker/services/demo";
import { checkDomainDns } from "../../worker/services/identities/dns-checks";
import { addChannel, addManagedIdentity } from "../../worker/services/ingest/admin";
import { AwsSim, SIM_TEST_ACCESS_KEY_ID, SIM_TEST_SECRET_ACCESS_KEY } from "../../sim/aws";
import { SesClient } from "../../worker/aws/ses";
import { readSettingsFromSes } from "../../worker/services/channels/ses-settings";
import { DnsSim } from "../../sim/dns";
import type { DemoSims } from "../../scripts/lib/demo-sims";
import { DEMO_SETUP_VERSION, SEEDER_ACTOR, setUpDemoWorkspace } from "../../scripts/lib/demo-workspace";
import { demoNotifications } from "../../scripts/lib/demo-notifications";

let dir: string;
let local: LocalDb;

const auditCount = async (db: Db) => (await db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.orgId, DEMO_ORG_ID)).all()).length;

/** What the demo's D1 must hold after a seed, whatever it held before. */
async function expectDemoSetup(db: Db) {
  const chans = await db.select().from(channels).where(eq(channels.orgId, DEMO_ORG_ID)).all();
  const live = chans.filter((c) => c.archivedAt === null && c.origin === "sendops");
  expect(live.map((c) => [c.name, c.configurationSetName, c.purpose, c.isDefault, JSON.parse(c.settingsJson!), c.syncStatus]).sort()).toEqual(
    DEFAULT_CHANNELS.map((c, i) => [c.name, `sesmail-${c.name.toLowerCase()}`, c.purpose, i === 0, PURPOSE_PRESETS[c.purpose], "synced"]).sort(),
  );
  expect(chans.filter((c) => c.origin === "discovered").map((c) => [c.name, c.configurationSetName, c.purpose, c.isDefault, JSON.parse(c.settingsJson!), c.archivedAt])).toEqual([
    ["acme-billing", "acme-billing", "custom", false, { sendingEnabled: true, tlsPolicy: "OPTIONAL", maxDeliverySeconds: 50400, autoValidation: "managed", suppressedReasons: null, trackingEnabled: false, autoPause: false }, null],
  ]);
  const ids = await db.select().from(identities).where(eq(identities.orgId, DEMO_ORG_ID)).all();
  const byName = new Map(ids.map((i) => [i.identity, i]));
  expect([...byName.keys()].sort()).toEqual(DEMO_IDENTITIES.map((i) => i.identity).sort());
  for (const i of DEMO_IDENTITIES) {
    const row = byName.get(i.identity)!;
    expect([row.kind, row.verificationStatus, row.dkimStatus, JSON.parse(row.dkimTokensJson ?? "[]")], i.identity).toEqual([i.kind, i.status, i.kind === "domain" ? i.status : null, [...i.dkimTokens]]);
    expect(row.archivedAt ?? row.disconnectedAt ?? row.detachedAt).toBeNull();
  }
  const onChannel = (name: string) => chans.find((c) => c.configurationSetName === byName.get(name)!.configurationSetName)?.name;
  expect(["mail.example.com", "news.example.com", "updates.example.com", "alerts@example.com"].map(onChannel)).toEqual(["Transactional", "Marketing", "Onboarding", "Default"]);
  // The stored DNS checks are the identities service's own, over the demo's zone.
  const check = (name: string) => parseDnsCheck(byName.get(name)!.dnsCheckJson);
  expect(check("mail.example.com")).toMatchObject({ spf: { status: "ok" }, dmarc: { status: "ok", policy: "quarantine", recordName: "_dmarc.example.com" }, dkim: { status: "ok" } });
  expect(check("news.example.com")).toMatchObject({ spf: { status: "ok" }, dmarc: { status: "warning", policy: "none", recordName: "_dmarc.news.example.com" }, dkim: { status: "ok" } });
  expect(check("updates.example.com")).toMatchObject({ spf: { status: "warning" }, dmarc: { status: "ok" }, dkim: { status: "pending", message: "0 of 3 DKIM records resolve to SES." } });
  expect(check("alerts@example.com")).toBeNull();
  const tracking = await db.select().from(trackingDomains).where(eq(trackingDomains.orgId, DEMO_ORG_ID)).all();
  expect(tracking.map((t) => [t.subdomain, t.protocol, t.cnameStatus, t.identityStatus, JSON.parse(t.dkimTokensJson!), t.nextCheckAt])).toEqual([
    [DEMO_TRACKING_DOMAIN.subdomain, "http", "verified", "verified", [...DEMO_TRACKING_DOMAIN.dkimTokens], null],
  ]);
  // One webhook endpoint with a realistic log: successes, one retried to success, one failed after 3 attempts.
  const hooks = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, DEMO_ORG_ID)).all();
  expect(hooks.map((h) => [h.url, h.status])).toEqual([[DEMO_WEBHOOK.url, "enabled"]]);
  const deliveries = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, hooks[0]!.id)).all();
  expect(deliveries.map((d) => [d.state, d.attempts]).sort()).toEqual([["failed", 3], ...Array(5).fill(["succeeded", 1]), ["succeeded", 3]].sort());
  const attempts = await db.select().from(webhookAttempts).where(eq(webhookAttempts.orgId, DEMO_ORG_ID)).all();
  expect(attempts).toHaveLength(11);
  for (const d of deliveries) expect(Object.keys(JSON.parse(d.body)).sort()).toEqual(["account_id", "body", "id", "notification_type", "payload", "severity", "timestamp", "title"]);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sendops-seed-test-"));
  await applyMigrations(dir);
  local = await localDb(dir);
});

afterAll(async () => {
  await local?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("demo workspace seeding", () => {
  it("creates the demo workspace with its channels, identities, tracking domain and an ingest key; a second run changes nothing", async () => {
    const first = await prepareDemoWorkspace(local.db);
    const entries = await auditCount(local.db);
    const second = await prepareDemoWorkspace(local.db);
    expect(first.orgId).toBe(DEMO_ORG_ID);
    expect(second.orgId).toBe(DEMO_ORG_ID);
    // The second run wrote only its ingest key's entry: the setup was already what the world says.
    expect(await auditCount(local.db)).toBe(entries + 1);
    expect((await local.db.select().from(orgs).where(eq(orgs.id, DEMO_ORG_ID)).get())?.isDemo).toBe(true);
    await expectDemoSetup(local.db);
    // Each run issues a fresh key (a rotation); the one it returns is the active one.
    const keys = await local.db.select().from(ingestKeys).where(eq(ingestKeys.orgId, DEMO_ORG_ID)).all();
    expect(keys).toHaveLength(2);
    const active = keys.filter((k) => k.expiresAt === null);
    expect(active.map((k) => k.keyHash)).toEqual([await sha256Hex(second.ingestKey)]);
  });

  it("raises the notifications the demo's own story would have (once, however often it is set up), recorded without delivery", async () => {
    const rows = await local.db.select().from(notifications).where(eq(notifications.orgId, DEMO_ORG_ID)).all();
    const expected = demoNotifications(Date.now());
    expect(rows.map((r) => r.dedupeKey).sort()).toEqual(expected.map((n) => `demo:${n.key}`).sort());
    expect(new Set(rows.map((r) => r.category))).toEqual(new Set(["channel_events", "deliverability"]));
    const spike = rows.find((r) => r.type === "deliverability.bounce_rate_threshold")!;
    expect(spike.title).toBe("Bounce rate 9.4% on the Marketing channel");
    // The bad day (11 days before the seed's end) at the stale-list campaign, 15:00 UTC, plus 70 minutes.
    expect(new Date(spike.createdAt).getUTCHours()).toBe(16);
    expect(Math.round((Date.now() - spike.createdAt) / 86_400_000)).toBeGreaterThanOrEqual(10);
    expect(await local.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.orgId, DEMO_ORG_ID)).all()).toEqual([]);
  });

  it("counts stored and dropped events but not repeats, and resumes before them", async () => {
    const at = Date.now();
    await local.db.insert(ingestCounters).values([
      { orgId: DEMO_ORG_ID, bucketStart: at - (at % 3_600_000), counter: "accepted", value: 9_000 },
      { orgId: DEMO_ORG_ID, bucketStart: at - (at % 3_600_000), counter: "dropped.unmanaged_identity", value: 40 },
      { orgId: DEMO_ORG_ID, bucketStart: at - (at % 3_600_000), counter: "duplicates", value: 500 },
    ]);
    expect(await countProcessedRows(local.db, DEMO_ORG_ID)).toBe(9_040);
    expect(resumePoint(12_000, 9_040)).toBe(9_040 - RESUME_OVERLAP);
    expect(resumePoint(5_000, 9_040)).toBe(5_000 - RESUME_OVERLAP);
    expect(resumePoint(10, 1_000)).toBe(0);
    await local.db.delete(ingestCounters).where(eq(ingestCounters.orgId, DEMO_ORG_ID));
  });
});

describe("an existing demo from before the default channels", () => {
  let old: LocalDb;
  let oldDir: string;
  beforeAll(async () => {
    oldDir = mkdtempSync(path.join(os.tmpdir(), "sendops-seed-upgrade-"));
    await applyMigrations(oldDir);
    old = await localDb(oldDir);
  });
  afterAll(async () => {
    await old?.close();
    if (oldDir) rmSync(oldDir, { recursive: true, force: true });
  });

  it("is upgraded by the next seed: channels brought to the defaults, Alerts archived, identities completed, each change audited", async () => {
    // What the seed of the previous version made: four plain channels and three identities.
    const at = 1_800_000_000_000;
    await ensureDemoWorkspace(old.db, at);
    const before: Record<string, string> = {};
    for (const [name, set] of [["Transactional", "sesmail-transactional"], ["Marketing", "sesmail-marketing"], ["Alerts", "sesmail-alerts"], ["Onboarding", "sesmail-onboarding"]] as const) {
      before[set] = (await addChannel(old.db, DEMO_ORG_ID, { name, configurationSetName: set }, SEEDER_ACTOR, at)).id;
    }
    for (const identity of ["mail.example.com", "news.example.com", "alerts@example.com"]) await addManagedIdentity(old.db, DEMO_ORG_ID, { identity, verificationStatus: "SUCCESS" }, SEEDER_ACTOR, at);

    await setUpDemoWorkspace(old.db, at + 1000);
    await expectDemoSetup(old.db);
    const chans = await old.db.select().from(channels).where(eq(channels.orgId, DEMO_ORG_ID)).all();
    // The same rows (their events keep their channel); Alerts archived as the sync and Archive would leave a set gone from SES.
    for (const [set, id] of Object.entries(before)) expect(chans.find((c) => c.configurationSetName === set)?.id).toBe(id);
    expect(chans.find((c) => c.configurationSetName === "sesmail-alerts")).toMatchObject({ name: "Alerts", detachedAt: at + 1000, archivedAt: at + 1000, isDefault: false });
    const summaries = (await old.db.select().from(auditLog).where(and(eq(auditLog.orgId, DEMO_ORG_ID), gte(auditLog.at, at + 1000))).all()).map((r) => [r.actorName, r.summary]);
    expect(summaries).toContainEqual(["Demo data seeder", "Archived channel Alerts (sesmail-alerts): the demo's SES account no longer has its configuration set"]);
    expect(summaries).toContainEqual(["Demo data seeder", "Added the channel Default (sesmail-default), the default"]);
    expect(summaries).toContainEqual(["Demo data seeder", expect.stringMatching(/^Brought the channel Marketing \(sesmail-marketing\) to the demo's Marketing channel: purpose, settingsJson/)]);
    expect(summaries).toContainEqual(["Demo data seeder", expect.stringMatching(/^Brought the identity news\.example\.com to the demo's: dkimStatus, dkimTokensJson, configurationSetName.*DNS check$/)]);
  });
});

describe("the demo's world in the local stand-ins", () => {
  let aws: AwsSim;
  let dns: DnsSim;
  let sims: DemoSims;
  beforeAll(async () => {
    dns = new DnsSim();
    const dnsUrl = await dns.listen(0);
    aws = new AwsSim(undefined, { dnsResolverUrl: `${dnsUrl}/dns-query` });
    sims = { awsUrl: await aws.listen(0), dnsUrl };
  });
  afterAll(async () => {
    await aws?.close();
    await dns?.close();
  });

  it("holds the sesmail- sets as the channels service makes them, the identities' tokens of D1, and the zone the stored checks came from", async () => {
    await prepareDemoWorkspace(local.db, Date.now(), sims);
    // Publishing again (the next npm start against the same stand-ins) converges instead of failing.
    await prepareDemoWorkspace(local.db, Date.now(), sims);
    const state = (await (await fetch(`${sims.awsUrl}/__sim/accounts/${DEMO_AWS.accountId}/${DEMO_AWS.region}`)).json()) as any;
    const sets = new Map<string, any>(state.configurationSets.map((s: any) => [s.ConfigurationSetName, s]));
    const all = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK", "RENDERING_FAILURE", "DELIVERY_DELAY", "SUBSCRIPTION"];
    const bus = `arn:aws:events:${DEMO_AWS.region}:${DEMO_AWS.accountId}:event-bus/default`;
    for (const c of DEFAULT_CHANNELS) {
      const set = sets.get(`sesmail-${c.name.toLowerCase()}`);
      const p = PURPOSE_PRESETS[c.purpose];
      expect(set, c.name).toMatchObject({
        SendingOptions: { SendingEnabled: true },
        DeliveryOptions: { TlsPolicy: "REQUIRE", MaxDeliverySeconds: 50400 },
        ReputationOptions: { ReputationMetricsEnabled: true },
        SuppressionOptions: { ...(p.suppressedReasons ? { SuppressedReasons: p.suppressedReasons } : {}), ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: p.autoValidation.toUpperCase() } } } },
      });
      expect(set.EventDestinations, c.name).toEqual([
        { Name: "sendops-eventbridge", Enabled: true, MatchingEventTypes: p.trackingEnabled ? all : all.filter((t) => t !== "OPEN" && t !== "CLICK"), EventBridgeDestination: { EventBusArn: bus } },
      ]);
    }
    expect(sets.get("sesmail-transactional").SuppressionOptions.SuppressedReasons).toEqual(["BOUNCE"]);
    // The discovered channel's settings are what an account sync reads from its set.
    const demoAdmin = new SesClient({ AWS_ENDPOINT_URL: sims.awsUrl }, { accessKeyId: SIM_TEST_ACCESS_KEY_ID, secretAccessKey: SIM_TEST_SECRET_ACCESS_KEY }, DEMO_AWS.region);
    const discovered = await local.db.select().from(channels).where(and(eq(channels.orgId, DEMO_ORG_ID), eq(channels.origin, "discovered"))).get();
    expect(JSON.parse(discovered!.settingsJson!)).toEqual(await readSettingsFromSes(demoAdmin, discovered!.configurationSetName));
    expect(sets.get("sesmail-marketing").SuppressionOptions.SuppressedReasons).toEqual(["BOUNCE", "COMPLAINT"]);

    const rows = new Map((await local.db.select().from(identities).where(eq(identities.orgId, DEMO_ORG_ID)).all()).map((r) => [r.identity, r]));
    for (const i of DEMO_IDENTITIES) {
      const ses = state.identities.find((x: any) => x.identity === i.identity);
      expect([ses.status, ses.DkimAttributes.Tokens ?? [], ses.ConfigurationSetName], i.identity).toEqual([i.status, JSON.parse(rows.get(i.identity)!.dkimTokensJson ?? "[]"), rows.get(i.identity)!.configurationSetName]);
    }
    expect(state.identities.find((x: any) => x.identity === DEMO_TRACKING_DOMAIN.subdomain).DkimAttributes.Tokens).toEqual([...DEMO_TRACKING_DOMAIN.dkimTokens]);
    expect(state.identities.find((x: any) => x.identity === "legacy.example.net")).toMatchObject({ status: "SUCCESS" });
    // The stand-in's control route takes fixed tokens only in DKIM's alphabet.
    const bad = await fetch(`${sims.awsUrl}/__sim/accounts/${DEMO_AWS.accountId}/${DEMO_AWS.region}/identities`, { method: "POST", body: JSON.stringify({ identity: "x.example.com", dkimTokens: ["Not A Token"] }) });
    expect(bad.status).toBe(400);

    // The DNS stand-in answers the published zone as the stored checks say (a deployed demo shows the same).
    for (const i of DEMO_IDENTITIES.filter((x) => x.kind === "domain")) {
      const live = await checkDomainDns({ DNS_RESOLVER_URL: `${sims.dnsUrl}/dns-query` }, i.identity, i.dkimTokens, i.status, 0);
      expect({ ...parseDnsCheck(rows.get(i.identity)!.dnsCheckJson), checkedAt: 0 }, i.identity).toEqual(live);
    }
  });
});

describe("seed state", () => {
  it("lives with a local instance's data, or per deployed instance's host on the operator's machine", () => {
    expect(seedStatePath("/data")).toBe(path.join("/data", "demo-seed.json"));
    expect(remoteSeedStatePath("https://sendops.example.com")).toBe(path.join(ROOT, ".demo-seed", "sendops.example.com.json"));
    expect(remoteSeedStatePath("http://127.0.0.1:8815/")).toBe(path.join(ROOT, ".demo-seed", "127.0.0.1_8815.json"));
  });

  it("is written whole, readable only by its owner, and reads files without `ahead` (earlier versions)", () => {
    const file = path.join(dir, "nested", "state.json");
    expect(readSeedState(file)).toBeNull();
    const state: SeedState = { orgId: DEMO_ORG_ID, ingestKey: "sik_x", seed: "s", events: 10, days: 30, end: 1, posted: 4, ahead: [6], done: false };
    writeSeedState(file, state);
    expect(readSeedState(file)).toEqual(state);
    const { ahead: _ahead, ...older } = state;
    writeFileSync(file, JSON.stringify(older));
    expect(readSeedState(file)).toEqual({ ...state, ahead: [] });
  });

  it("tracks acknowledged events as a prefix plus the ones ahead of it", () => {
    const acked = new Acknowledged(3, [5, 7, 2]);
    expect([acked.prefix, acked.ahead(), acked.count]).toEqual([3, [5, 7], 5]);
    expect([acked.has(2), acked.has(3), acked.has(5)]).toEqual([true, false, true]);
    acked.add(4);
    expect([acked.prefix, acked.ahead()]).toEqual([3, [4, 5, 7]]);
    acked.add(3);
    expect([acked.prefix, acked.ahead(), acked.count]).toEqual([6, [7], 7]);
    acked.add(1);
    expect(acked.count).toBe(7);
  });
});

/** A stand-in ingest endpoint that records every event it accepts; `status` decides the answer (default 202). */
async function stubInstance(status: (key: string, id: string) => number = () => 202, delayMs: (id: string) => number = () => 2 + Math.floor(Math.random() * 8)) {
  const posts: { id: string; key: string }[] = [];
  const listeners: ((n: number) => void)[] = [];
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const key = String(req.headers["x-api-key"]);
      const id = (JSON.parse(raw) as { id: string }).id;
      const code = status(key, id);
      if (code === 202) posts.push({ id, key });
      for (const l of listeners) l(posts.length);
      // A little later (by default), so requests overlap and finish out of order.
      setTimeout(() => res.writeHead(code, { "content-type": "application/json" }).end("{}"), delayMs(id));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  stubs.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, posts, onPost: (l: (n: number) => void) => listeners.push(l) };
}
const stubs: http.Server[] = [];
afterEach(async () => {
  await Promise.all(stubs.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** Time that passes only when the seed sleeps: the wait for the consumer runs without real waiting. */
function fakeClock(): SeedClock {
  let t = 1_800_000_000_000;
  return { now: () => t, sleep: async (ms) => void (t += ms) };
}

const quiet: SeedOptions = { log: () => undefined, concurrency: 8 };
const planIds = (s: SeedState) => {
  const traffic = { seed: s.seed, events: s.events, days: s.days, end: s.end };
  return [...generateDemoTraffic(traffic, planDemoTraffic(traffic).messages)].map((g) => g.event.id);
};

describe("seedDemo against a running instance", () => {
  it("posts every planned event exactly once across a --limit stop and an interruption mid-flight", async () => {
    let unavailable = "";
    const stub = await stubInstance((_key, id) => (id === unavailable ? 503 : 202));
    const stateFile = path.join(dir, "once.json");
    const target = { db: local.db, url: stub.url, stateFile };
    const clock = fakeClock();

    const first = await seedDemo(target, { ...quiet, clock, events: 300, days: 2, limit: 60 });
    expect(first).toMatchObject({ status: "paused", reason: "limit" });
    expect(stub.posts).toHaveLength(60);
    const ids = planIds(readSeedState(stateFile)!);
    // The plan the dashboard measures the seed's progress against (GET /api/orgs/:orgId/demo-seed).
    expect(await findDemoSeed(local.db, DEMO_ORG_ID)).toMatchObject({ plannedEvents: ids.length });

    // Interrupted while event 90 waits to be retried (503) and later ones are in flight: those complete
    // and count, event 90 does not, nothing new starts.
    unavailable = ids[90]!;
    const abort = new AbortController();
    stub.onPost((n) => n === 100 && abort.abort());
    const second = await seedDemo(target, { ...quiet, clock, signal: abort.signal });
    expect(second).toMatchObject({ status: "paused", reason: "interrupted" });
    const saved = readSeedState(stateFile)!;
    expect(saved.posted).toBe(90);
    expect(saved.ahead.length).toBeGreaterThan(0);
    expect(saved.posted + saved.ahead.length).toBe(stub.posts.length);

    // The rest; the stand-in stores nothing, so the wait for the consumer stalls and the seed says so.
    unavailable = "";
    const third = await seedDemo(target, { ...quiet, clock });
    expect(stub.posts.map((p) => p.id).sort()).toEqual([...ids].sort());
    expect(new Set(stub.posts.map((p) => p.key)).size).toBe(1);
    expect(third).toMatchObject({ status: "incomplete", planned: ids.length, stored: 0 });
    // …and the next run posts again from before the gap.
    expect(readSeedState(stateFile)).toMatchObject({ posted: 0, ahead: [], done: false });
  });

  it("stops at an event the instance does not accept after every retry, and posts it first on the next run", async () => {
    let failing = "";
    // The failing event is answered at once and the others slowly, so nothing else settles before the
    // failure does: what went on after it is exactly what was in flight then.
    const stub = await stubInstance(
      (_key, id) => (id === failing ? 500 : 202),
      (id) => (id === failing ? 0 : 150),
    );
    const stateFile = path.join(dir, "failing.json");
    const target = { db: local.db, url: stub.url, stateFile };
    await seedDemo(target, { ...quiet, events: 200, days: 1, limit: 1 });
    const ids = planIds(readSeedState(stateFile)!);
    failing = ids[30]!;
    const stopped = await seedDemo(target, { ...quiet, maxAttempts: 1 });
    expect(stopped).toMatchObject({ status: "paused", reason: "failed", answers: { 500: 1 } });
    expect(readSeedState(stateFile)!.posted).toBe(30);
    // Only the requests already in flight (at most 8, the failing one among them) went on.
    expect(stub.posts.length).toBeLessThan(30 + 8);
    failing = "";
    await seedDemo(target, { ...quiet, limit: 40 });
    expect(stub.posts.slice(-40).map((p) => p.id)).toContain(ids[30]);
    expect(new Set(stub.posts.map((p) => p.id)).size).toBe(stub.posts.length);
  });

  it("after a restart of a local instance, resumes from what the database holds", async () => {
    const stub = await stubInstance();
    const stateFile = path.join(dir, "restarted.json");
    const { orgId, ingestKey } = await prepareDemoWorkspace(local.db);
    const state: SeedState = { orgId, ingestKey, seed: "restart", events: 3_000, days: 3, end: 1_800_000_000_000, posted: 2_900, ahead: [2_950], done: false };
    writeSeedState(stateFile, state);
    const at = Date.now();
    await local.db.insert(ingestCounters).values({ orgId, bucketStart: at - (at % 3_600_000), counter: "accepted", value: 2_500 });
    try {
      await seedDemo({ db: local.db, url: stub.url, stateFile, restarted: true }, { ...quiet, limit: 10 });
      const ids = planIds(state);
      expect(stub.posts.map((p) => p.id).sort()).toEqual(ids.slice(2_500 - RESUME_OVERLAP, 2_510 - RESUME_OVERLAP).sort());
      // A rewound seed records its plan again.
      expect(await findDemoSeed(local.db, orgId)).toMatchObject({ plannedEvents: ids.length });
    } finally {
      await local.db.delete(ingestCounters).where(eq(ingestCounters.orgId, orgId));
    }
  });

  it("replaces a refused ingest key once, and names the likely mix-up when the new one is refused too", async () => {
    const refusedKey = "sik_revoked";
    const stateFile = path.join(dir, "refused.json");
    const state: SeedState = { orgId: DEMO_ORG_ID, ingestKey: refusedKey, seed: "refused", events: 100, days: 1, end: 1_800_000_000_000, posted: 0, ahead: [], done: false };
    writeSeedState(stateFile, state);
    const stub = await stubInstance((key) => (key === refusedKey ? 401 : 202));
    await seedDemo({ db: local.db, url: stub.url, stateFile }, { ...quiet, limit: 5 });
    expect(stub.posts).toHaveLength(5);
    const newKey = readSeedState(stateFile)!.ingestKey;
    expect(newKey).not.toBe(refusedKey);
    expect(stub.posts.every((p) => p.key === newKey)).toBe(true);

    const elsewhere = await stubInstance(() => 401);
    await expect(seedDemo({ db: local.db, url: elsewhere.url, stateFile }, quiet)).rejects.toThrow(
      `${elsewhere.url} refused an ingest key just created in the database: are the URL and the database the same deployment?`,
    );
  });

  it("keeps a finished seed finished, and refuses to change the size of one in progress", async () => {
    const stateFile = path.join(dir, "finished.json");
    const base: SeedState = { orgId: DEMO_ORG_ID, ingestKey: "sik_x", seed: "s", events: 100, days: 1, end: 1, posted: 100, ahead: [], done: true };
    writeSeedState(stateFile, base);
    const stub = await stubInstance();
    expect(await seedDemo({ db: local.db, url: stub.url, stateFile }, { ...quiet, events: 5 })).toMatchObject({ status: "done", earlier: true });
    writeSeedState(stateFile, { ...base, done: false, posted: 10 });
    await expect(seedDemo({ db: local.db, url: stub.url, stateFile }, { ...quiet, events: 5 })).rejects.toThrow(/targets 100 events/);
    expect(stub.posts).toHaveLength(0);
  });

  it("upgrades the setup of a demo seeded by an earlier version once, then leaves the database alone", async () => {
    const stateFile = path.join(dir, "earlier-version.json");
    writeSeedState(stateFile, { orgId: DEMO_ORG_ID, ingestKey: "sik_x", seed: "s", events: 100, days: 1, end: 1, posted: 100, ahead: [], done: true });
    const stub = await stubInstance();
    // An older demo: a channel of the earlier world, the default channel gone.
    await addChannel(local.db, DEMO_ORG_ID, { name: "Alerts", configurationSetName: "sesmail-alerts" }, SEEDER_ACTOR);
    await local.db.delete(channels).where(and(eq(channels.orgId, DEMO_ORG_ID), eq(channels.configurationSetName, "sesmail-default")));
    expect(await seedDemo({ db: local.db, url: stub.url, stateFile }, quiet)).toMatchObject({ status: "done", earlier: true });
    await expectDemoSetup(local.db);
    expect(readSeedState(stateFile)?.setupVersion).toBe(DEMO_SETUP_VERSION);
    const entries = await auditCount(local.db);
    await local.db.delete(channels).where(and(eq(channels.orgId, DEMO_ORG_ID), eq(channels.configurationSetName, "sesmail-default")));
    // The state names the current setup: nothing is read or written.
    await seedDemo({ db: local.db, url: stub.url, stateFile }, quiet);
    expect(await auditCount(local.db)).toBe(entries);
    expect(await local.db.select().from(channels).where(and(eq(channels.orgId, DEMO_ORG_ID), eq(channels.configurationSetName, "sesmail-default"))).get()).toBeUndefined();
    expect(stub.posts).toHaveLength(0);
  });
});
