/**
 * `npm run bench:shards`: message search, message detail and event log latency through the real Worker
 * bundle with EVENT_STORE = "shards", over ranges touching 1, 7, 30, 90 and 365 daily shards
 * (docs/scaling.md, "Shards: the scale benchmark").
 *
 * Loading: a fresh persist dir with the migrations; a user and N workspaces created through the API;
 * each workspace's channels and one `event_shards` registry row per day written straight into the local
 * D1 file (the `sqlite3` CLI, as bench:reports does). The bundle then serves the dir once so that a read
 * over all days constructs every shard (its schema comes from its own constructor), and each shard's
 * SQLite file — `<persist>/v3/do/sendops-EventShard/<id>.sqlite`, the id being Miniflare's `idFromName`
 * of "<orgId>:<day>" — is filled by the `sqlite3` CLI with that day's messages and events. Then the bundle
 * serves it again and every query is timed, and once more behind the cost meter (serve-bundle --meter),
 * one request per query, to count the shards (EventShard calls) each request asked.
 *
 * Flags: --workspaces 3, --days 365, --events-per-day 600 (per workspace and day), --requests 40 (timed
 * per query and range), --keep (keep the persist dir). The last line printed is one JSON object.
 */
import { spawn } from "node:child_process";
import { createHash, createHmac } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { deflateRawSync } from "node:zlib";
import { LATENCY_BUCKET_EDGES_MS } from "../worker/services/ingest/latency";
import { providerOf } from "../worker/services/ingest/providers";
import { applyMigrations, ROOT, startBundled, type Instance } from "./lib/instance";
import type { MeterCounts } from "./lib/meter/counts";
import { d1File } from "./lib/meter/disk";
import { percentile } from "./lib/post-events";

const { values } = parseArgs({
  options: {
    workspaces: { type: "string", default: "3" },
    days: { type: "string", default: "365" },
    "events-per-day": { type: "string", default: "600" },
    requests: { type: "string", default: "40" },
    keep: { type: "boolean", default: false },
  },
});
const WORKSPACES = Number(values.workspaces);
const DAYS = Number(values.days);
const EVENTS_PER_DAY = Number(values["events-per-day"]);
const REQUESTS = Number(values.requests);
const WARMUP = 3;
const RANGES = [1, 7, 30, 90, 365].filter((n) => n <= DAYS);
const PAGE = 50;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHANNELS = 5;
/** The channel 1 % of the mail goes through: the event log's selective channel filter. */
const QUIET_CHANNEL = 4;
/** A recipient one message is sent to every RARE_EVERY days: the selective recipient search. */
const RARE_RECIPIENT = "rare@example.net";
const RARE_EVERY = 45;
/** Every OTHER_ID_EVERY-th message has an id of another shape than SES's (no send day in it). */
const OTHER_ID_EVERY = 50;
/** Events per message of the mix generated below (measured on the generated rows and printed). */
const EVENTS_PER_MESSAGE_GUESS = 2.8;
const DOMAINS = ["gmail.com", "outlook.com", "yahoo.com", "icloud.com", "gmx.de", "orange.fr", "company-01.com", "company-02.com"];
const PASSWORD = "benchmark password";
/** The Worker's name in serve-bundle.ts and the class: Miniflare's unique key of the EventShard namespace. */
const SHARD_NAMESPACE_KEY = "sendops-EventShard";

const log = (...a: unknown[]) => console.error(`[bench:shards ${new Date().toISOString().slice(11, 19)}]`, ...a);
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;
const round1 = (x: number) => Math.round(x * 10) / 10;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The hex id `idFromName(name)` gives in a namespace, as Miniflare computes it for its persisted files
 * (`durableObjectNamespaceIdFromName` in miniflare's dist; workerd derives the same): an HMAC of the name
 * keyed by the SHA-256 of the namespace's unique key, and an HMAC of that. A shard file missing under
 * this name after the Worker constructed the shard fails the run (`shardFile`).
 */
function objectIdFromName(uniqueKey: string, name: string): string {
  const key = createHash("sha256").update(uniqueKey).digest();
  const nameHmac = createHmac("sha256", key).update(name).digest().subarray(0, 16);
  const mac = createHmac("sha256", key).update(nameHmac).digest().subarray(0, 16);
  return Buffer.concat([nameHmac, mac]).toString("hex");
}

function shardFile(dir: string, orgId: string, day: string): string {
  const file = path.join(dir, "v3", "do", SHARD_NAMESPACE_KEY, `${objectIdFromName(SHARD_NAMESPACE_KEY, `${orgId}:${day}`)}.sqlite`);
  if (!existsSync(file)) throw new Error(`no SQLite file for shard ${orgId}:${day} (${file}): Miniflare's Durable Object file naming changed?`);
  return file;
}

/** Runs SQL through the sqlite3 CLI (apt package `sqlite3`); resolves with its output. */
function sqlite(db: string, input: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("sqlite3", ["-batch", db], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => reject(new Error(`sqlite3 could not start (apt-get install -y sqlite3): ${e.message}`)));
    child.on("close", (code) => (code === 0 && !err.trim() ? resolve(out) : reject(new Error(`sqlite3 exited with ${code}: ${err}`))));
    child.stdin.end(input);
  });
}

/** Each stored event type's raw SES `detail`, deflated as the ingest stores it (worker/lib/deflate.ts), from the real-shape fixtures. */
function detailBlobs(): Record<string, string> {
  const fixtures: Record<string, string> = {
    send: "send",
    delivery: "delivery",
    bounce: "bounce-permanent-general",
    delivery_delay: "delivery-delay",
    open: "open",
    click: "click",
    complaint: "complaint",
    reject: "reject",
  };
  return Object.fromEntries(
    Object.entries(fixtures).map(([type, file]) => {
      const event = JSON.parse(readFileSync(path.join(ROOT, "test", "fixtures", "ses-events", `${file}.json`), "utf8")) as { detail: unknown };
      return [type, deflateRawSync(JSON.stringify(event.detail)).toString("hex")];
    }),
  );
}

/**
 * The temp tables one sqlite3 session fills every shard from: `tm`, a day's messages (slot i, its
 * outcome and times relative to the send), and `tev`, their events (type, offset from the send). The
 * mix: 0.5 % rejected, 2 % hard and 1 % soft bounces, the rest delivered (2 % delayed first, 50 %
 * opened, 20 % opened again about a day later, 15 % clicked, 0.1 % complained).
 */
function templateSql(messages: number): string {
  const blobs = detailBlobs();
  const domains = DOMAINS.map((d, k) => `(${k}, ${q(d)}, ${q(providerOf(d))})`).join(", ");
  const edges = LATENCY_BUCKET_EDGES_MS.map((e, i) => `(${e}, ${i})`).join(", ");
  return `
CREATE TEMP TABLE det (type TEXT PRIMARY KEY, blob BLOB);
INSERT INTO det VALUES ${Object.entries(blobs).map(([t, hex]) => `(${q(t)}, X'${hex}')`).join(", ")};
CREATE TEMP TABLE dom (k INTEGER PRIMARY KEY, domain TEXT, provider TEXT);
INSERT INTO dom VALUES ${domains};
CREATE TEMP TABLE edges (e INTEGER PRIMARY KEY, idx INTEGER);
INSERT INTO edges VALUES ${edges};
CREATE TEMP TABLE tm AS
SELECT i, h1, h2, h3, fate, latency, ch, dk,
  (i * ${DAY}) / ${messages} + h1 % 1000 AS sent_off,
  CASE WHEN fate = 'delivered' THEN latency END AS delivered_off,
  CASE WHEN fate IN ('delivered', 'soft') AND h1 % 100 < 2 THEN 1000 END AS delay_off,
  CASE WHEN fate = 'delivered' AND h3 % 100 < 50 THEN latency + 60000 + h2 % 7200000 END AS open_off,
  CASE WHEN fate = 'delivered' AND h3 % 100 < 20 THEN latency + 20 * ${HOUR} + h1 % ${8 * HOUR} END AS open2_off,
  CASE WHEN fate = 'delivered' AND h3 % 100 < 15 THEN latency + 120000 + h2 % 7200000 END AS click_off,
  CASE WHEN fate = 'delivered' AND h3 % 1000 = 999 THEN latency + ${HOUR} + h1 % ${DAY} END AS complaint_off,
  CASE WHEN fate IN ('hard', 'soft') THEN 2000 + h3 % 60000 END AS bounce_off
FROM (
  SELECT i, h1, h2, h3,
    CASE WHEN h2 % 1000 < 5 THEN 'reject' WHEN h2 % 1000 < 25 THEN 'hard' WHEN h2 % 1000 < 35 THEN 'soft' ELSE 'delivered' END AS fate,
    200 + h3 % 5000 AS latency,
    CASE WHEN i % 100 = 7 THEN ${QUIET_CHANNEL} ELSE h1 % ${QUIET_CHANNEL} END AS ch,
    h2 % ${DOMAINS.length} AS dk
  FROM (SELECT value AS i, (value * 2654435761) % 4294967296 AS h1, ((value + 7) * 2246822519) % 4294967296 AS h2,
    ((value + 13) * 3266489917) % 4294967296 AS h3 FROM generate_series(0, ${messages - 1}))
);
CREATE TEMP TABLE tev (i INTEGER, type TEXT, k TEXT, off INTEGER);
INSERT INTO tev SELECT i, 'send', 'send', 0 FROM tm WHERE fate <> 'reject';
INSERT INTO tev SELECT i, 'reject', 'reject', 0 FROM tm WHERE fate = 'reject';
INSERT INTO tev SELECT i, 'delivery_delay', 'delay', delay_off FROM tm WHERE delay_off IS NOT NULL;
INSERT INTO tev SELECT i, 'delivery', 'delivery', delivered_off FROM tm WHERE delivered_off IS NOT NULL;
INSERT INTO tev SELECT i, 'bounce', 'bounce', bounce_off FROM tm WHERE bounce_off IS NOT NULL;
INSERT INTO tev SELECT i, 'open', 'open', open_off FROM tm WHERE open_off IS NOT NULL;
INSERT INTO tev SELECT i, 'open', 'open2', open2_off FROM tm WHERE open2_off IS NOT NULL;
INSERT INTO tev SELECT i, 'click', 'click', click_off FROM tm WHERE click_off IS NOT NULL;
INSERT INTO tev SELECT i, 'complaint', 'complaint', complaint_off FROM tm WHERE complaint_off IS NOT NULL;
CREATE INDEX temp.tev_i ON tev (i);
CREATE INDEX temp.tm_i ON tm (i);
`;
}

/**
 * The SQL filling one shard (workspace o, its `orgId`, day index d starting at `dayStart`) from the
 * templates. Event keys are 64 hex digits and EventBridge ids 36 characters, the sizes of the real
 * ones (a SHA-256 in hex, a UUID), so the bytes per event are the ingest's.
 */
function shardSql(file: string, o: number, orgId: string, d: number, dayStart: number): string {
  const org = q(orgId);
  const sent = `${dayStart} + tm.sent_off`;
  // SES's shape ("01", the send time in ms as 14 hex digits, a UUID), or another shape for every 50th message.
  const messageId = `CASE WHEN tm.i % ${OTHER_ID_EVERY} = 1 THEN 'bench-${o}-${d}-' || tm.i
    ELSE '0100' || printf('%012x', ${sent}) || '-' || printf('%08x', ${o * 100_000 + d}) || '-0000-4000-8000-' || printf('%012x', tm.i) || '-000000' END`;
  const recipient = `CASE WHEN tm.i = 0 AND ${d % RARE_EVERY} = 0 THEN ${q(RARE_RECIPIENT)}
    ELSE 'user' || ((tm.i * 7919 + ${d * 104_729 + o * 13}) % 200000) || '@' || dom.domain END`;
  const domain = `CASE WHEN tm.i = 0 AND ${d % RARE_EVERY} = 0 THEN 'example.net' ELSE dom.domain END`;
  const channel = `'bchn_${o}_' || tm.ch`;
  const at = (off: string) => `${dayStart} + tm.sent_off + ${off}`;
  return `
ATTACH ${q(file)} AS s;
PRAGMA s.synchronous = OFF;
BEGIN;
CREATE TEMP TABLE mm AS SELECT tm.i, ${messageId} AS message_id, ${recipient} AS recipient, ${domain} AS recipient_domain,
  dom.provider, ${channel} AS channel_id, 'bench-set-' || tm.ch AS configuration_set, 'template-' || (tm.h3 % 20) AS template,
  'Your order ' || tm.i AS subject, ${sent} AS sent_at
FROM tm JOIN dom ON dom.k = tm.dk;
CREATE INDEX temp.mm_i ON mm (i);
INSERT INTO s.messages (org_id, message_id, recipient, recipient_domain, provider, from_address, subject, channel_id, configuration_set,
  template, status, sent_at, delivered_at, latency_ms, first_open_at, first_click_at, open_count, click_count, bounced_at, bounce_type,
  bounce_sub_type, complained_at, complaint_feedback_type, rejected_at, first_delay_at, last_diagnostic, last_diagnostic_at, last_event_at,
  event_count)
SELECT ${org}, mm.message_id, mm.recipient, mm.recipient_domain, mm.provider, 'Acme <notifications@mail.example.com>', mm.subject,
  mm.channel_id, mm.configuration_set, mm.template,
  CASE WHEN tm.fate = 'reject' THEN 'rejected' WHEN tm.bounce_off IS NOT NULL THEN 'bounced' WHEN tm.complaint_off IS NOT NULL THEN 'complained'
    WHEN tm.delivered_off IS NOT NULL THEN 'delivered' ELSE 'delayed' END,
  mm.sent_at, ${at("tm.delivered_off")}, CASE WHEN tm.delivered_off IS NOT NULL THEN tm.latency END, ${at("tm.open_off")},
  ${at("tm.click_off")}, (tm.open_off IS NOT NULL) + (tm.open2_off IS NOT NULL), tm.click_off IS NOT NULL, ${at("tm.bounce_off")},
  CASE tm.fate WHEN 'hard' THEN 'Permanent' WHEN 'soft' THEN 'Transient' END, CASE tm.fate WHEN 'hard' THEN 'General' WHEN 'soft' THEN 'MailboxFull' END,
  ${at("tm.complaint_off")}, CASE WHEN tm.complaint_off IS NOT NULL THEN 'abuse' END, CASE WHEN tm.fate = 'reject' THEN mm.sent_at END,
  ${at("tm.delay_off")},
  CASE WHEN tm.bounce_off IS NOT NULL THEN 'smtp; 550 5.1.1 user unknown' WHEN tm.delivered_off IS NOT NULL THEN '250 2.0.0 OK' END,
  ${at("COALESCE(tm.bounce_off, tm.delivered_off)")},
  ${at("MAX(0, COALESCE(tm.delivered_off, 0), COALESCE(tm.open2_off, 0), COALESCE(tm.click_off, 0), COALESCE(tm.complaint_off, 0), COALESCE(tm.bounce_off, 0))")},
  (SELECT COUNT(*) FROM tev WHERE tev.i = tm.i)
FROM tm JOIN mm ON mm.i = tm.i;
INSERT INTO s.events (org_id, event_key, eventbridge_id, type, at, received_at, message_id, recipient, recipient_domain, provider,
  from_address, subject, channel_id, configuration_set, template, sending_identity, sent_at, bounce_type, bounce_sub_type,
  complaint_feedback_type, delay_type, diagnostic, reason, link, latency_ms, latency_bucket, detail)
SELECT ${org}, lower(hex(randomblob(32))), lower(hex(randomblob(18))), tev.type, ${at("tev.off")},
  ${at("tev.off")} + 800, mm.message_id, mm.recipient, mm.recipient_domain, mm.provider, 'Acme <notifications@mail.example.com>', mm.subject,
  mm.channel_id, mm.configuration_set, mm.template, 'mail.example.com', mm.sent_at,
  CASE WHEN tev.type = 'bounce' THEN (CASE tm.fate WHEN 'hard' THEN 'Permanent' ELSE 'Transient' END) END,
  CASE WHEN tev.type = 'bounce' THEN (CASE tm.fate WHEN 'hard' THEN 'General' ELSE 'MailboxFull' END) END,
  CASE WHEN tev.type = 'complaint' THEN 'abuse' END, CASE WHEN tev.type = 'delivery_delay' THEN 'TransientCommunicationFailure' END,
  CASE tev.type WHEN 'bounce' THEN 'smtp; 550 5.1.1 user unknown' WHEN 'delivery' THEN '250 2.0.0 OK' WHEN 'delivery_delay' THEN 'smtp; 421 4.4.7 try later' END,
  CASE WHEN tev.type = 'reject' THEN 'Bad content' END, CASE WHEN tev.type = 'click' THEN 'https://www.example.com/offer' END,
  CASE WHEN tev.type = 'delivery' THEN tm.latency END,
  CASE WHEN tev.type = 'delivery' THEN COALESCE((SELECT idx FROM edges WHERE e > tm.latency ORDER BY e LIMIT 1), ${LATENCY_BUCKET_EDGES_MS.length}) END,
  det.blob
FROM tev JOIN tm ON tm.i = tev.i JOIN mm ON mm.i = tev.i JOIN det ON det.type = tev.type
ORDER BY ${at("tev.off")};
DROP TABLE temp.mm;
COMMIT;
DETACH s;
`;
}

async function api(inst: Instance, p: string, init: { method?: string; body?: unknown; cookie?: string } = {}): Promise<Response> {
  return fetch(`${inst.url}${p}`, {
    method: init.method ?? "GET",
    headers: {
      origin: inst.url,
      ...(init.body ? { "content-type": "application/json" } : {}),
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
}

async function signIn(inst: Instance, email: string): Promise<string> {
  const res = await api(inst, "/api/auth/sign-in", { method: "POST", body: { email, password: PASSWORD } });
  const cookie = /sendops_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")?.[0];
  if (res.status !== 200 || !cookie) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return cookie;
}

async function getJson<T>(inst: Instance, cookie: string, p: string): Promise<T> {
  const res = await api(inst, p, { cookie });
  if (res.status !== 200) throw new Error(`${p} → ${res.status} ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as T;
}

/** Runs `f`; a failure carries the instance's last output (a request the runtime dropped says why there). */
async function withLogs<T>(inst: Instance, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n--- instance output ---\n${inst.logs().slice(-4000)}`, { cause: err });
  }
}

const serve = (dir: string, meter = false) => startBundled({ persistDir: dir, vars: { EVENT_STORE: "shards" }, withoutAssets: true, meter });

interface Loaded {
  dir: string;
  email: string;
  orgIds: string[];
  /** Start of the newest day (today, UTC). */
  lastDay: number;
  eventsPerShard: number;
  messagesPerShard: number;
  shardBytes: number;
  loadSeconds: number;
}

async function load(dir: string): Promise<Loaded> {
  log(`migrations in ${dir}`);
  await applyMigrations(dir);
  const email = `bench.${Date.now()}@example.test`;
  const orgIds: string[] = [];
  let inst = await serve(dir);
  try {
    const up = await api(inst, "/api/auth/sign-up", { method: "POST", body: { name: "Bench", email, password: PASSWORD, acceptTerms: true } });
    if (up.status !== 201) throw new Error(`sign-up failed: ${up.status} ${await up.text()}`);
    const cookie = await signIn(inst, email);
    for (let o = 0; o < WORKSPACES; o++) {
      const ws = await api(inst, "/api/workspaces", { method: "POST", cookie, body: { name: `Bench Shards ${o + 1}` } });
      if (ws.status !== 201) throw new Error(`workspace creation failed: ${ws.status} ${await ws.text()}`);
      orgIds.push(((await ws.json()) as { workspace: { id: string } }).workspace.id);
    }
  } finally {
    await inst.stop();
  }

  const t0 = performance.now();
  const now = Date.now();
  const lastDay = Math.floor(now / DAY) * DAY;
  const days = Array.from({ length: DAYS }, (_, d) => lastDay - (DAYS - 1 - d) * DAY);
  const messages = Math.max(1, Math.round(EVENTS_PER_DAY / EVENTS_PER_MESSAGE_GUESS));
  // The template's event count is the registry's `event_rows` of every shard.
  const eventsPerShard = Number((await sqlite(":memory:", `${templateSql(messages)}\nSELECT COUNT(*) FROM tev;`)).trim());
  const db = d1File(dir);
  const channelRows = orgIds.flatMap((orgId, o) =>
    Array.from({ length: CHANNELS }, (_, k) => `('bchn_${o}_${k}', ${q(orgId)}, ${q(k === QUIET_CHANNEL ? "Quiet channel" : `Channel ${k + 1}`)}, 'bench-set-${k}', ${now})`),
  );
  const registryRows = orgIds.flatMap((orgId) => days.map((day) => `(${q(orgId)}, ${q(dayOf(day))}, ${eventsPerShard}, NULL, 0)`));
  await sqlite(
    db,
    `PRAGMA foreign_keys = OFF;
INSERT INTO channels (id, org_id, name, configuration_set_name, created_at) VALUES ${channelRows.join(", ")};
INSERT INTO event_shards (org_id, day, event_rows, pending_since, pending_marks) VALUES ${registryRows.join(", ")};`,
  );

  // A read no row matches asks every shard of its range: each is constructed and creates its schema
  // (30 days a request, so that a request constructs at most 30 objects at once). The local runtime
  // now and then drops the connection while it creates hundreds of objects' files; constructing is
  // idempotent (a shard with its schema skips it), so the loader starts it again and goes on.
  log(`constructing ${(WORKSPACES * DAYS).toLocaleString("en-US")} shards through the Worker…`);
  const windows = orgIds.flatMap((orgId) =>
    Array.from({ length: Math.ceil(DAYS / 30) }, (_, w) => `/api/orgs/${orgId}/messages?recipient=nobody%40example.invalid&limit=1&from=${days[w * 30]}&to=${days[Math.min(w * 30 + 30, DAYS) - 1]! + DAY}`),
  );
  for (let next = 0, restarts = 0; next < windows.length; ) {
    inst = await serve(dir);
    try {
      const cookie = await signIn(inst, email);
      for (; next < windows.length; next++) await getJson(inst, cookie, windows[next]!);
    } catch (err) {
      if (++restarts > 5) throw err;
      log(`the runtime dropped a request (${err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)}); starting it again`);
    } finally {
      await inst.stop();
    }
  }

  log(`filling ${(WORKSPACES * DAYS).toLocaleString("en-US")} shard files: ${messages} messages, ${eventsPerShard} events each…`);
  // Two sqlite3 sessions (one per core), each with the templates once and a share of the shards.
  const jobs = orgIds.flatMap((orgId, o) => days.map((day, d) => ({ orgId, o, d, day, file: shardFile(dir, orgId, dayOf(day)) })));
  await Promise.all(
    [0, 1].map((part) =>
      sqlite(":memory:", `.bail on\n${templateSql(messages)}\n${jobs.filter((_, k) => k % 2 === part).map((j) => shardSql(j.file, j.o, j.orgId, j.d, j.day)).join("")}`),
    ),
  );
  const shardBytes = jobs.reduce((sum, j) => sum + statSync(j.file).size + (existsSync(`${j.file}-wal`) ? statSync(`${j.file}-wal`).size : 0), 0);
  return { dir, email, orgIds, lastDay, eventsPerShard, messagesPerShard: messages, shardBytes, loadSeconds: (performance.now() - t0) / 1000 };
}

interface Query {
  key: string;
  label: string;
  /** The request of workspace `orgId` over the `shards` newest days (for detail: a message that old). */
  url: (orgId: string, from: number, to: number) => string;
}

const range = (from: number, to: number) => `from=${from}&to=${to}&limit=${PAGE}`;
const LIST_QUERIES: Query[] = [
  { key: "search", label: "message search, newest first", url: (org, f, t) => `/api/orgs/${org}/messages?${range(f, t)}` },
  { key: "search_status", label: "message search, status bounced", url: (org, f, t) => `/api/orgs/${org}/messages?${range(f, t)}&status=bounced` },
  {
    key: "search_recipient",
    label: `message search, recipient (on 1 day in ${RARE_EVERY})`,
    url: (org, f, t) => `/api/orgs/${org}/messages?${range(f, t)}&recipient=${encodeURIComponent(RARE_RECIPIENT)}`,
  },
  { key: "events", label: "event log, newest first", url: (org, f, t) => `/api/orgs/${org}/events?${range(f, t)}` },
  { key: "events_type", label: "event log, type Complaint (0.1 %)", url: (org, f, t) => `/api/orgs/${org}/events?${range(f, t)}&types=Complaint` },
];

/** The event log by channel needs the workspace's index (its channel ids are bchn_<o>_<k>). */
const channelQuery = (orgIds: string[]): Query => ({
  key: "events_channel",
  label: "event log, quiet channel (1 %)",
  url: (org, f, t) => `/api/orgs/${org}/events?${range(f, t)}&channel=bchn_${orgIds.indexOf(org)}_${QUIET_CHANNEL}`,
});

interface Cell {
  p50: number;
  p95: number;
  /** EventShard calls of one request (the meter's count), and shard rows read. */
  shards?: number;
  rowsRead?: number;
}

/** Requests the local runtime closed the connection of without an answer (each asked again once, and that time counted). */
const dropped: string[] = [];

const droppedConnection = (err: unknown) => err instanceof Error && err.cause instanceof Error && "code" in err.cause && err.cause.code === "UND_ERR_SOCKET";

async function timeUrls(inst: Instance, cookie: string, urls: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const u of urls) {
    for (let attempt = 1; ; attempt++) {
      const t = performance.now();
      try {
        const res = await api(inst, u, { cookie });
        const body = await res.text();
        const ms = performance.now() - t;
        if (res.status !== 200) throw new Error(`${u} → ${res.status} ${body.slice(0, 300)}`);
        out.push(ms);
        break;
      } catch (err) {
        if (attempt > 1 || !droppedConnection(err)) throw err;
        dropped.push(u);
        log(`the runtime closed the connection of ${u} after ${Math.round(performance.now() - t)} ms; asking again`);
      }
    }
  }
  return out;
}

/** For each workspace and age, the ids of messages sent that many days ago: SES-shaped and of another shape. */
async function detailIds(inst: Instance, cookie: string, l: Loaded): Promise<Record<"ses" | "other", Record<number, string[]>>> {
  const ids: Record<"ses" | "other", Record<number, string[]>> = { ses: {}, other: {} };
  for (const n of RANGES) {
    ids.ses[n] = [];
    ids.other[n] = [];
    const from = l.lastDay - (n - 1) * DAY;
    for (const orgId of l.orgIds) {
      const page = await getJson<{ messages: { id: string; sesMessageId: string }[] }>(inst, cookie, `/api/orgs/${orgId}/messages?from=${from}&to=${from + DAY}&limit=100`);
      for (const m of page.messages) (m.sesMessageId.startsWith("bench-") ? ids.other[n]! : ids.ses[n]!).push(`/api/orgs/${orgId}/messages/${encodeURIComponent(m.id)}`);
    }
    if (!ids.ses[n]!.length || !ids.other[n]!.length) throw new Error(`no messages ${n} days old to open`);
  }
  return ids;
}

/** `count` urls taken round-robin over the workspaces (or the list). */
const spread = <T>(items: T[], count: number) => Array.from({ length: count }, (_, i) => items[i % items.length]!);

async function measure(l: Loaded) {
  const queries = [...LIST_QUERIES, channelQuery(l.orgIds)];
  const rangeOf = (n: number) => ({ from: l.lastDay - (n - 1) * DAY, to: l.lastDay + DAY });
  const cells: Record<string, Record<number, Cell>> = {};
  const urlsOf = (query: Query, n: number, count: number) => {
    const { from, to } = rangeOf(n);
    return spread(l.orgIds, count).map((org) => query.url(org, from, to));
  };

  const timeAll = async (inst: Instance) => {
    const cookie = await signIn(inst, l.email);
    const details = await detailIds(inst, cookie, l);
    // A first request per workspace over the whole range opens every shard once (their first access after a start).
    for (const org of l.orgIds) await timeUrls(inst, cookie, [LIST_QUERIES[2]!.url(org, rangeOf(DAYS).from, rangeOf(DAYS).to)]);
    for (const query of queries) {
      cells[query.key] = {};
      for (const n of RANGES) {
        await timeUrls(inst, cookie, urlsOf(query, n, WARMUP));
        const ms = await timeUrls(inst, cookie, urlsOf(query, n, REQUESTS));
        cells[query.key]![n] = { p50: round1(percentile(ms, 50)), p95: round1(percentile(ms, 95)) };
        log(`${query.key} over ${n} shards: p50 ${cells[query.key]![n]!.p50} ms, p95 ${cells[query.key]![n]!.p95} ms`);
      }
    }
    for (const kind of ["ses", "other"] as const) {
      const key = kind === "ses" ? "detail" : "detail_other_id";
      cells[key] = {};
      for (const n of RANGES) {
        await timeUrls(inst, cookie, spread(details[kind][n]!, WARMUP));
        const ms = await timeUrls(inst, cookie, spread(details[kind][n]!, REQUESTS));
        cells[key]![n] = { p50: round1(percentile(ms, 50)), p95: round1(percentile(ms, 95)) };
        log(`${key}, ${n} days old: p50 ${cells[key]![n]!.p50} ms, p95 ${cells[key]![n]!.p95} ms`);
      }
    }
    return details;
  };

  // The cost meter counts the EventShard calls of one request of each kind (not timed: the meter's
  // wrappers add their own work to every call).
  const countAll = async (inst: Instance, details: Awaited<ReturnType<typeof detailIds>>) => {
    const cookie = await signIn(inst, l.email);
    const shardTally = async () => (await getJson<MeterCounts>(inst, cookie, "/__meter")).durableObjects.EventShard ?? { requests: 0, rowsRead: 0 };
    const count = async (url: string, cell: Cell) => {
      const before = await shardTally();
      await timeUrls(inst, cookie, [url]);
      const after = await shardTally();
      cell.shards = after.requests - before.requests;
      cell.rowsRead = after.rowsRead - before.rowsRead;
    };
    for (const query of queries) for (const n of RANGES) await count(urlsOf(query, n, 1)[0]!, cells[query.key]![n]!);
    for (const n of RANGES) {
      await count(details.ses[n]![0]!, cells.detail![n]!);
      await count(details.other[n]![0]!, cells.detail_other_id![n]!);
    }
  };

  let inst = await serve(l.dir);
  let details: Awaited<ReturnType<typeof detailIds>>;
  try {
    details = await withLogs(inst, () => timeAll(inst));
  } finally {
    await inst.stop();
  }
  log("counting the shards each request reads (serve-bundle --meter)…");
  inst = await serve(l.dir, true);
  try {
    await withLogs(inst, () => countAll(inst, details));
  } finally {
    await inst.stop();
  }
  return { queries, cells };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sendops-bench-shards-"));
  try {
    const loaded = await load(dir);
    const events = loaded.eventsPerShard * WORKSPACES * DAYS;
    log(
      `${events.toLocaleString("en-US")} events in ${(WORKSPACES * DAYS).toLocaleString("en-US")} shards, ${Math.round(loaded.shardBytes / 1e6)} MB of shard files, loaded in ${round1(loaded.loadSeconds)} s`,
    );
    const { queries, cells } = await measure(loaded);
    const labels: [string, string][] = [
      ...queries.map((x) => [x.key, x.label] as [string, string]),
      ["detail", "message detail, SES id (age in days)"],
      ["detail_other_id", "message detail, id of another shape (age)"],
    ];
    const header = ["p50 / p95 ms (shards read)", ...RANGES.map((n) => `${n} shard${n > 1 ? "s" : ""}`)];
    const rows = labels.map(([key, label]) => [label, ...RANGES.map((n) => `${cells[key]![n]!.p50} / ${cells[key]![n]!.p95} (${cells[key]![n]!.shards ?? "?"})`)]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join("  ");
    console.log(line(header));
    for (const r of rows) console.log(line(r));
    console.log(
      `${events.toLocaleString("en-US")} events (${loaded.eventsPerShard} a shard, ${loaded.messagesPerShard} messages), ${WORKSPACES} workspaces × ${DAYS} days, ` +
        `${Math.round(loaded.shardBytes / events)} bytes of shard file per event, ${dropped.length} dropped connection(s) asked again, load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
    );

    const byShards = (key: string, pick: (c: Cell) => number | undefined) => Object.fromEntries(RANGES.map((n) => [String(n), pick(cells[key]![n]!)]));
    const p95 = (key: string) => byShards(key, (c) => c.p95);
    const last = RANGES[RANGES.length - 1]!;
    const flatness = labels
      .filter(([key]) => key !== "detail_other_id")
      .map(([key]) => cells[key]![last]!.p95 / cells[key]![RANGES[0]!]!.p95);
    console.log(
      JSON.stringify({
        workspaces: WORKSPACES,
        days: DAYS,
        events,
        events_per_shard: loaded.eventsPerShard,
        shard_bytes_per_event: Math.round(loaded.shardBytes / events),
        search_p95_ms_by_shards: p95("search"),
        search_status_p95_ms_by_shards: p95("search_status"),
        search_recipient_p95_ms_by_shards: p95("search_recipient"),
        events_p95_ms_by_shards: p95("events"),
        events_type_p95_ms_by_shards: p95("events_type"),
        events_channel_p95_ms_by_shards: p95("events_channel"),
        detail_p95_ms_by_age_days: p95("detail"),
        detail_other_id_p95_ms_by_age_days: p95("detail_other_id"),
        shards_read: Object.fromEntries(labels.map(([key]) => [key, byShards(key, (c) => c.shards)])),
        max_p95_ratio_widest_vs_1: Math.round(Math.max(...flatness) * 100) / 100,
        dropped_connections: dropped.length,
        load_average: os.loadavg().map((x) => Math.round(x * 10) / 10),
      }),
    );
  } finally {
    if (values.keep) log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
