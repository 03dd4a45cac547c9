/**
 * `npm run bench:reports`: report and message-search latency over HTTP against a local instance holding
 * 1M and 10M synthetic events (docs/reports.md, "Benchmark").
 *
 * For each size: a fresh persist dir with the migrations applied; a user and workspace created through
 * the API; then the workspace's data — 90 days, 5 channels (+ mail without one), 60 providers, 100
 * templates — written straight into the local D1 SQLite file with the `sqlite3` CLI (apt package
 * `sqlite3`, bench-only): messages, their events, and the rollups aggregated from those events exactly
 * as the consumer would (hour buckets by event time, day buckets as their sums). Then wrangler dev
 * serves that dir and every report endpoint is timed over 30 days, plus message search by recipient.
 *
 * Flags: --events 1000000,10000000 (sizes, in order), --requests 30 (timed requests per endpoint),
 * --keep (keep the temp dirs), --reuse dir1,dir2 (time dirs kept by an earlier run, no loading). The
 * last line printed is one JSON object with the figures.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { LATENCY_BUCKET_EDGES_MS } from "../worker/services/ingest/latency";
import { providerOf } from "../worker/services/ingest/providers";
import { METRIC_NAMES, METRICS } from "../worker/lib/metrics";
import { applyMigrations, startWrangler, type Instance } from "./lib/instance";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "1000000,10000000" },
    requests: { type: "string", default: "30" },
    keep: { type: "boolean", default: false },
    reuse: { type: "string" },
  },
});
const SIZES = values.events.split(",").map((s) => Number(s.trim()));
const REQUESTS = Number(values.requests);
const WARMUP = 10;
const BENCH_WORKSPACE = "Bench Reports";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SPAN_DAYS = 90;
const REPORT_DAYS = 30;
const TZ = "America/New_York";
const CHANNELS = 5;
const TEMPLATES = 100;
/** Average events per message of the mix below (send + delivery + opens, clicks, delays, complaints…). */
const EVENTS_PER_MESSAGE = 2.44;
/** Average messages per recipient address. */
const MESSAGES_PER_RECIPIENT = 5;

const log = (...a: unknown[]) => console.error(`[bench:reports ${new Date().toISOString().slice(11, 19)}]`, ...a);

/** 60 providers: 31 recognised brands (some with several alias domains) and 29 raw company domains. */
function providerDomains(): { domain: string; provider: string; weight: number }[] {
  const brands = [
    ["gmail.com", "googlemail.com"],
    ["outlook.com", "hotmail.com", "live.com"],
    ["yahoo.com", "ymail.com"],
    ["icloud.com", "me.com"],
    ["aol.com"], ["proton.me"], ["zoho.com"], ["comcast.net"], ["free.fr"], ["orange.fr"], ["sfr.fr"],
    ["laposte.net"], ["gmx.de", "gmx.net"], ["web.de"], ["t-online.de"], ["yandex.ru"], ["mail.ru"],
    ["libero.it"], ["virgilio.it"], ["seznam.cz"], ["onet.pl"], ["wp.pl"], ["interia.pl"], ["naver.com"],
    ["daum.net"], ["qq.com"], ["163.com"], ["sina.com"], ["sohu.com"], ["aliyun.com"], ["rediffmail.com"],
  ];
  const groups = [...brands, ...Array.from({ length: 29 }, (_, i) => [`company-${String(i + 1).padStart(2, "0")}.com`])];
  // Zipf-like popularity by rank; a brand's first domain takes 70 % of its share, its aliases the rest.
  return groups.flatMap((domains, rank) => {
    const share = 1 / (rank + 1) ** 1.1;
    return domains.map((domain, j) => ({
      domain,
      provider: providerOf(domain),
      weight: domains.length === 1 ? share : j === 0 ? share * 0.7 : (share * 0.3) / (domains.length - 1),
    }));
  });
}

/** 1000 slots, each a domain, in proportion to the weights (every domain at least one slot). */
function slots(): { domain: string; provider: string }[] {
  const list = providerDomains();
  const total = list.reduce((s, d) => s + d.weight, 0);
  const counts = list.map((d) => Math.max(1, Math.round((d.weight / total) * 1000)));
  let sum = counts.reduce((a, b) => a + b, 0);
  for (let i = 0; sum !== 1000; i = (i + 1) % counts.length) {
    if (sum > 1000 && counts[i]! > 1) {
      counts[i]!--;
      sum--;
    } else if (sum < 1000) {
      counts[i]!++;
      sum++;
    }
  }
  return list.flatMap((d, i) => Array.from({ length: counts[i]! }, () => ({ domain: d.domain, provider: d.provider })));
}

const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * The SQL that fills one org with `messages` messages sent over [start, start + 90 days). Every value is
 * a deterministic hash of the message number. The mix: 0.5 % rejected, 2 % hard / 1 % soft / 0.1 %
 * undetermined bounces, the rest delivered (2 % delayed first, 35 % opened, 9 % clicked, 0.1 %
 * complained); latency 0.2–5.2 s with 1 % up to an hour longer.
 */
function generationSql(orgId: string, messages: number, start: number, now: number, objects: { type: string; name: string; sql: string }[]): string {
  const dropObjects = objects.map((i) => `${i.type.toUpperCase()} ${i.name}`);
  const createObjects = objects.map((i) => i.sql);
  const span = SPAN_DAYS * DAY;
  const recipients = Math.max(1, Math.floor(messages / MESSAGES_PER_RECIPIENT));
  const slotRows = slots().map((s, i) => `(${i}, ${q(s.provider)}, ${q(s.domain)})`);
  const edgeRows = LATENCY_BUCKET_EDGES_MS.map((e, i) => `(${e}, ${i})`);
  const cfg = "CASE WHEN ch IS NULL THEN 'sendops-events' ELSE 'bench-set-' || substr(ch, 6) END";
  const iso = (col: string) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${col} / 1000.0, 'unixepoch')`;
  const mailJson = `json_object('timestamp', ${iso("sent_at")}, 'messageId', message_id, 'source', 'notifications@mail.example.com',
    'destination', json_array(recipient), 'commonHeaders', json_object('subject', subject),
    'tags', json_object('ses:configuration-set', json_array(${cfg}), 'template', json_array(tpl)))`;
  /** One INSERT into ev per event type: the narrow event list every later step reads. */
  const ev = (type: string, sesType: string, at: string, where: string, extra: Record<string, string>, detail: string) => `
INSERT INTO ev (i, type, at, bounce_type, bounce_sub_type, feedback, delay_type, diagnostic, reason, link, latency_ms, latency_bucket, detail)
SELECT i, '${type}', ${at}, ${extra.bounce_type ?? "NULL"}, ${extra.bounce_sub_type ?? "NULL"}, ${extra.feedback ?? "NULL"},
  ${extra.delay_type ?? "NULL"}, ${extra.diagnostic ?? "NULL"}, ${extra.reason ?? "NULL"}, ${extra.link ?? "NULL"},
  ${extra.latency_ms ?? "NULL"}, ${extra.latency_bucket ?? "NULL"},
  json_object('eventType', '${sesType}', 'mail', ${mailJson}${detail ? `, ${detail}` : ""})
FROM m WHERE ${where};`;
  const metricCols = METRIC_NAMES.map((m) => METRICS[m].column).join(", ");
  // Each metric counts its events (worker/lib/metrics.ts); a generated message opens and clicks at most
  // once, so its unique opens (clicks) are its opens (clicks).
  const metricSums = METRIC_NAMES.map((m) => {
    const e: { type: string; bounceType?: string } = METRICS[m].event;
    return `SUM(type = '${e.type}'${e.bounceType ? ` AND bounce_type = '${e.bounceType}'` : ""})`;
  }).join(", ");
  const sumsOf = (cols: string) =>
    cols
      .split(", ")
      .map((c) => `SUM(${c})`)
      .join(", ");
  const daySums = sumsOf(metricCols);
  /**
   * Hour rows aggregated from the events, then day rows as sums of hour rows (what the consumer's two
   * bucket sizes amount to), then the all-channel rows as sums over channels (which the consumer writes
   * alongside).
   */
  const rollup = (table: string, dimCols: string[], dimExprs: string[], where: string, metric: boolean) => {
    const keys = ["org_id", "bucket_size", "bucket_start", "channel_id", ...dimCols].join(", ");
    const cols = metric ? metricCols : "count";
    const dimSel = dimExprs.map((e, k) => `, ${e} AS d${k}`).join("");
    const dimGroup = dimExprs.map((_, k) => `, d${k}`).join("");
    const dimRef = dimCols.map((c) => `, ${c}`).join("");
    return `
INSERT INTO ${table} (${keys}, ${cols})
SELECT ${q(orgId)}, 'hour', (at / ${HOUR}) * ${HOUR} AS b, COALESCE(ch, '') AS c${dimSel}, ${metric ? metricSums : "COUNT(*)"}
FROM evd WHERE ${where} GROUP BY b, c${dimGroup};
INSERT INTO ${table} (${keys}, ${cols})
SELECT org_id, 'day', (bucket_start / ${DAY}) * ${DAY} AS b, channel_id${dimRef}, ${metric ? daySums : "SUM(count)"}
FROM ${table} WHERE org_id = ${q(orgId)} AND bucket_size = 'hour' GROUP BY b, channel_id${dimRef};
INSERT INTO ${table.replace("rollup_", "rollup_all_")} (org_id, bucket_size, bucket_start${dimRef}, ${cols})
SELECT org_id, bucket_size, bucket_start${dimRef}, ${sumsOf(cols)}
FROM ${table} WHERE org_id = ${q(orgId)} GROUP BY bucket_size, bucket_start${dimRef};`;
  };

  return `
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -1500000;
PRAGMA foreign_keys = OFF;
.bail on

INSERT INTO channels (id, org_id, name, configuration_set_name, created_at)
SELECT 'bchn_' || value, ${q(orgId)}, 'Channel ' || (value + 1), 'bench-set-' || value, ${now} FROM generate_series(0, ${CHANNELS - 1});
INSERT INTO identities (id, org_id, identity, kind, verification_status, created_at)
VALUES ('bidn_1', ${q(orgId)}, 'mail.example.com', 'domain', 'SUCCESS', ${now});

CREATE TEMP TABLE slots (slot INTEGER PRIMARY KEY, provider TEXT, domain TEXT);
INSERT INTO slots VALUES ${slotRows.join(",")};
CREATE TEMP TABLE edges (e INTEGER PRIMARY KEY, idx INTEGER);
INSERT INTO edges VALUES ${edgeRows.join(",")};

CREATE TEMP TABLE g AS
SELECT value AS i, (value * 2654435761) % 4294967296 AS h1, ((value + 7) * 2246822519) % 4294967296 AS h2,
  ((value + 13) * 3266489917) % 4294967296 AS h3
FROM generate_series(1, ${messages});

-- One row per message (one recipient each), every time and outcome decided here.
CREATE TEMP TABLE m AS
SELECT i, message_id, recipient, domain, provider, ch, tpl, subject, sent_at, fate, latency,
  CASE WHEN fate = 'delivered' THEN sent_at + latency END AS delivered_at,
  CASE WHEN fate IN ('delivered', 'soft') AND h1 % 100 < 2 THEN sent_at + 1000 END AS delay_at,
  CASE WHEN fate = 'delivered' AND h3 % 100 < 35 THEN sent_at + latency + 60000 + h2 % 7200000 END AS open_at,
  CASE WHEN fate = 'delivered' AND h3 % 100 < 9 THEN sent_at + latency + 60000 + h2 % 7200000 + 5000 + h3 % 600000 END AS click_at,
  CASE WHEN fate = 'delivered' AND h3 % 1000 = 999 THEN sent_at + latency + 3600000 + h1 % 86400000 END AS complaint_at,
  CASE WHEN fate IN ('hard', 'soft', 'undetermined') THEN sent_at + 2000 + h3 % 60000 END AS bounce_at,
  CASE fate WHEN 'hard' THEN 'Permanent' WHEN 'soft' THEN 'Transient' WHEN 'undetermined' THEN 'Undetermined' END AS bounce_type,
  CASE fate WHEN 'hard' THEN (CASE h1 % 3 WHEN 0 THEN 'General' WHEN 1 THEN 'NoEmail' ELSE 'Suppressed' END)
    WHEN 'soft' THEN (CASE h1 % 3 WHEN 0 THEN 'MailboxFull' WHEN 1 THEN 'General' ELSE 'MessageTooLarge' END)
    WHEN 'undetermined' THEN 'Undetermined' END AS bounce_sub_type,
  CASE WHEN h2 % 10 < 8 THEN 'abuse' WHEN h2 % 10 = 8 THEN 'not-spam' END AS feedback
FROM (
  SELECT g.*, 'bmsg-' || printf('%09d', i) AS message_id, 'user' || (h1 % ${recipients}) || '@' || s.domain AS recipient,
    s.domain, s.provider,
    CASE WHEN h1 % ${CHANNELS + 1} = ${CHANNELS} THEN NULL ELSE 'bchn_' || (h1 % ${CHANNELS + 1}) END AS ch,
    CASE WHEN h3 % 105 >= ${TEMPLATES} THEN NULL ELSE 'template-' || printf('%03d', h3 % ${TEMPLATES}) END AS tpl,
    'Your order ' || (i % 9973) AS subject,
    ${start} + ((i - 1) * ${span}) / ${messages} AS sent_at,
    CASE WHEN h2 % 10000 < 50 THEN 'reject' WHEN h2 % 10000 < 250 THEN 'hard' WHEN h2 % 10000 < 350 THEN 'soft'
      WHEN h2 % 10000 < 360 THEN 'undetermined' ELSE 'delivered' END AS fate,
    200 + h3 % 5000 + CASE WHEN h1 % 100 = 0 THEN h2 % 3600000 ELSE 0 END AS latency
  FROM g JOIN slots s ON s.slot = (((h1 % ${recipients}) * 2654435761) % 4294967296) % 1000
);
CREATE INDEX temp.m_i ON m (i);

CREATE TEMP TABLE ev (i INTEGER, type TEXT, at INTEGER, bounce_type TEXT, bounce_sub_type TEXT, feedback TEXT, delay_type TEXT,
  diagnostic TEXT, reason TEXT, link TEXT, latency_ms INTEGER, latency_bucket INTEGER, detail TEXT);
${ev("send", "Send", "sent_at", "fate <> 'reject'", {}, "'send', json_object()")}
${ev("reject", "Reject", "sent_at", "fate = 'reject'", { reason: "'Bad content'" }, "'reject', json_object('reason', 'Bad content')")}
${ev(
  "delivery",
  "Delivery",
  "delivered_at",
  "fate = 'delivered'",
  {
    diagnostic: "'250 2.0.0 OK'",
    latency_ms: "latency",
    latency_bucket: `COALESCE((SELECT idx FROM edges WHERE e > latency ORDER BY e LIMIT 1), ${LATENCY_BUCKET_EDGES_MS.length})`,
  },
  `'delivery', json_object('timestamp', ${iso("delivered_at")}, 'processingTimeMillis', latency, 'recipients', json_array(recipient), 'smtpResponse', '250 2.0.0 OK', 'remoteMtaIp', '198.51.100.27')`,
)}
${ev(
  "bounce",
  "Bounce",
  "bounce_at",
  "bounce_at IS NOT NULL",
  { bounce_type: "bounce_type", bounce_sub_type: "bounce_sub_type", diagnostic: "'smtp; 550 5.1.1 user unknown'" },
  `'bounce', json_object('bounceType', bounce_type, 'bounceSubType', bounce_sub_type, 'timestamp', ${iso("bounce_at")},
    'bouncedRecipients', json_array(json_object('emailAddress', recipient, 'status', '5.1.1', 'diagnosticCode', 'smtp; 550 5.1.1 user unknown')))`,
)}
${ev(
  "delivery_delay",
  "DeliveryDelay",
  "delay_at",
  "delay_at IS NOT NULL",
  { delay_type: "'TransientCommunicationFailure'", diagnostic: "'smtp; 421 4.4.7 try later'" },
  `'deliveryDelay', json_object('timestamp', ${iso("delay_at")}, 'delayType', 'TransientCommunicationFailure')`,
)}
${ev("open", "Open", "open_at", "open_at IS NOT NULL", {}, `'open', json_object('timestamp', ${iso("open_at")}, 'ipAddress', '203.0.113.201')`)}
${ev("click", "Click", "click_at", "click_at IS NOT NULL", { link: "'https://www.example.com/offer'" }, `'click', json_object('timestamp', ${iso("click_at")}, 'link', 'https://www.example.com/offer')`)}
${ev(
  "complaint",
  "Complaint",
  "complaint_at",
  "complaint_at IS NOT NULL",
  { feedback: "feedback" },
  `'complaint', json_object('timestamp', ${iso("complaint_at")}, 'complaintFeedbackType', feedback, 'complainedRecipients', json_array(json_object('emailAddress', recipient)))`,
)}

-- The events and messages tables fill without their indexes, which are rebuilt afterwards (a sort each), and
-- without their triggers: the unique opens and clicks are aggregated below with the other metrics.
${dropObjects.map((n) => `DROP ${n};`).join("\n")}

INSERT INTO events (org_id, event_key, eventbridge_id, type, at, received_at, message_id, recipient, recipient_domain, provider,
  from_address, subject, channel_id, configuration_set, template, sending_identity, sent_at, bounce_type, bounce_sub_type,
  complaint_feedback_type, complaint_sub_type, delay_type, smtp_status, diagnostic, reason, link, latency_ms, latency_bucket, detail)
SELECT ${q(orgId)}, ev.type || ':' || ev.i, 'bench-' || ev.type || '-' || ev.i, ev.type, ev.at, ev.at + 800, m.message_id, m.recipient,
  m.domain, m.provider, 'Acme <notifications@mail.example.com>', m.subject, m.ch, ${cfg.replace(/\bch\b/g, "m.ch")}, m.tpl, 'mail.example.com',
  m.sent_at, ev.bounce_type, ev.bounce_sub_type, ev.feedback, NULL, ev.delay_type, NULL, ev.diagnostic, ev.reason, ev.link,
  ev.latency_ms, ev.latency_bucket, ev.detail
FROM ev JOIN m ON m.i = ev.i;

INSERT INTO messages (org_id, message_id, recipient, recipient_domain, provider, from_address, subject, channel_id, configuration_set,
  template, status, sent_at, delivered_at, latency_ms, first_open_at, first_click_at, open_count, click_count, bounced_at, bounce_type,
  bounce_sub_type, complained_at, complaint_feedback_type, rejected_at, first_delay_at, rendering_failed_at, last_diagnostic,
  last_diagnostic_at, last_event_at, event_count)
SELECT ${q(orgId)}, message_id, recipient, domain, provider, 'Acme <notifications@mail.example.com>', subject, ch, ${cfg}, tpl,
  CASE WHEN fate = 'reject' THEN 'rejected' WHEN bounce_at IS NOT NULL THEN 'bounced' WHEN complaint_at IS NOT NULL THEN 'complained' ELSE 'delivered' END,
  sent_at, delivered_at, CASE WHEN delivered_at IS NOT NULL THEN latency END, open_at, click_at,
  open_at IS NOT NULL, click_at IS NOT NULL, bounce_at, bounce_type, bounce_sub_type, complaint_at,
  CASE WHEN complaint_at IS NOT NULL THEN feedback END, CASE WHEN fate = 'reject' THEN sent_at END, delay_at, NULL,
  CASE WHEN bounce_at IS NOT NULL THEN 'smtp; 550 5.1.1 user unknown' WHEN delivered_at IS NOT NULL THEN '250 2.0.0 OK' WHEN delay_at IS NOT NULL THEN 'smtp; 421 4.4.7 try later' END,
  COALESCE(bounce_at, delivered_at, delay_at),
  MAX(sent_at, COALESCE(delivered_at, 0), COALESCE(open_at, 0), COALESCE(click_at, 0), COALESCE(complaint_at, 0), COALESCE(bounce_at, 0), COALESCE(delay_at, 0)),
  1 + (delivered_at IS NOT NULL) + (open_at IS NOT NULL) + (click_at IS NOT NULL) + (complaint_at IS NOT NULL) + (bounce_at IS NOT NULL) + (delay_at IS NOT NULL)
FROM m;

${createObjects.map((sql) => `${sql};`).join("\n")}

-- The rollups read a narrow copy of the event dimensions.
CREATE TEMP TABLE evd AS SELECT ev.type, ev.at, m.ch, m.provider, COALESCE(m.tpl, '') AS tpl, m.domain, ev.bounce_type, ev.bounce_sub_type,
  COALESCE(ev.feedback, '') AS feedback, ev.latency_bucket FROM ev JOIN m ON m.i = ev.i;
${rollup("rollup_totals", [], [], "1", true)}
${rollup("rollup_providers", ["provider"], ["provider"], "1", true)}
${rollup("rollup_templates", ["template"], ["tpl"], "1", true)}
${rollup("rollup_domains", ["recipient_domain"], ["domain"], "1", true)}
${rollup("rollup_bounce_reasons", ["bounce_type", "bounce_sub_type"], ["bounce_type", "bounce_sub_type"], "type = 'bounce'", false)}
${rollup("rollup_complaint_reasons", ["feedback_type"], ["feedback"], "type = 'complaint'", false)}
${rollup("rollup_latency", ["bucket"], ["latency_bucket"], "type = 'delivery'", false)}
PRAGMA journal_mode = WAL;
`;
}

/** Runs SQL through the sqlite3 CLI on a database file; resolves with its output. */
async function sqlite(db: string, input: string): Promise<string> {
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

function d1File(persistDir: string): string {
  const dir = path.join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (!file) throw new Error(`no D1 database file in ${dir}`);
  return path.join(dir, file);
}

async function api(inst: Instance, p: string, init: { method?: string; body?: unknown; cookie?: string } = {}) {
  const res = await fetch(`${inst.url}${p}`, {
    method: init.method ?? "GET",
    headers: {
      origin: inst.url,
      ...(init.body ? { "content-type": "application/json" } : {}),
      ...(init.cookie ? { cookie: init.cookie } : {}),
    },
    body: init.body ? JSON.stringify(init.body) : undefined,
  });
  return res;
}

async function signIn(inst: Instance, email: string, password: string): Promise<string> {
  const res = await api(inst, "/api/auth/sign-in", { method: "POST", body: { email, password } });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const m = /sendops_session=([^;]+)/.exec(res.headers.get("set-cookie") ?? "");
  if (!m) throw new Error("no session cookie");
  return `sendops_session=${m[1]}`;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
};
const round1 = (x: number) => Math.round(x * 10) / 10;

interface SizeResult {
  events: number;
  messages: number;
  dbBytes: number;
  loadSeconds: number;
  p95: Record<string, number>;
  p50: Record<string, number>;
  searchP95: number;
  searchP50: number;
  baseline: { p50: number; p95: number };
}

const REPORTS = ["deliverability", "providers", "latency", "engagement"] as const;

async function timeRequests(inst: Instance, cookie: string, paths: string[]): Promise<number[]> {
  const out: number[] = [];
  for (const p of paths) {
    const t = performance.now();
    const res = await fetch(`${inst.url}${p}`, { headers: { cookie } });
    const body = await res.text();
    const ms = performance.now() - t;
    if (res.status !== 200) throw new Error(`${p} → ${res.status} ${body.slice(0, 300)}`);
    out.push(ms);
  }
  return out;
}

const PASSWORD = "correct horse battery";

interface Loaded {
  dir: string;
  orgId: string;
  email: string;
  /** End of the synthetic data (the current hour when it was generated). */
  end: number;
  loadSeconds: number;
}

/** A fresh dir with migrations, a user and workspace made through the API, and the synthetic data. */
async function load(target: number): Promise<Loaded> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sendops-bench-reports-"));
  log(`${target.toLocaleString("en-US")} events: migrations in ${dir}`);
  await applyMigrations(dir);
  const email = `bench.${Date.now()}@example.test`;
  const inst = await startWrangler({ persistDir: dir, logLevel: "warn" });
  let orgId: string;
  try {
    const up = await api(inst, "/api/auth/sign-up", { method: "POST", body: { name: "Bench", email, password: PASSWORD, acceptTerms: true } });
    if (up.status !== 201) throw new Error(`sign-up failed: ${up.status} ${await up.text()}`);
    const cookie = await signIn(inst, email, PASSWORD);
    const ws = await api(inst, "/api/workspaces", { method: "POST", cookie, body: { name: BENCH_WORKSPACE } });
    if (ws.status !== 201) throw new Error(`workspace creation failed: ${ws.status} ${await ws.text()}`);
    orgId = ((await ws.json()) as { workspace: { id: string } }).workspace.id;
  } finally {
    await inst.stop();
  }

  const now = Date.now();
  const end = Math.floor(now / HOUR) * HOUR;
  const messages = Math.round(target / EVENTS_PER_MESSAGE);
  const db = d1File(dir);
  log(`generating ${messages.toLocaleString("en-US")} messages into ${path.basename(db)}…`);
  const t0 = performance.now();
  // The schema's own index and trigger definitions (migrations), dropped for the bulk load and re-created from this text.
  const objects = (await sqlite(db, "SELECT type || char(9) || name || char(9) || replace(sql, char(10), ' ') FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name IN ('events', 'messages') AND sql IS NOT NULL;"))
    .trim()
    .split("\n")
    .map((line) => {
      const [type, name, sql] = line.split("\t");
      return { type: type!, name: name!, sql: sql! };
    });
  await sqlite(db, generationSql(orgId, messages, end - SPAN_DAYS * DAY, now, objects));
  return { dir, orgId, email, end, loadSeconds: (performance.now() - t0) / 1000 };
}

/** A dir kept by an earlier run (--keep): its bench workspace, user and data end. */
async function reuse(dir: string): Promise<Loaded> {
  const db = d1File(dir);
  const [orgId, email, lastSent] = (
    await sqlite(
      db,
      `SELECT id FROM orgs WHERE name = ${q(BENCH_WORKSPACE)}; SELECT email FROM users WHERE email LIKE 'bench.%' LIMIT 1; SELECT MAX(sent_at) FROM messages;`,
    )
  )
    .trim()
    .split("\n");
  if (!orgId || !email || !lastSent) throw new Error(`${dir} holds no bench data`);
  return { dir, orgId, email, end: Math.ceil(Number(lastSent) / HOUR) * HOUR, loadSeconds: Number.NaN };
}

async function measure(l: Loaded): Promise<SizeResult> {
  const db = d1File(l.dir);
  const [events, messages] = (await sqlite(db, `SELECT COUNT(*) FROM events; SELECT COUNT(*) FROM messages;`)).trim().split("\n").map(Number);
  const searchRecipients = (
    await sqlite(db, `SELECT recipient FROM messages WHERE sent_at >= ${l.end - REPORT_DAYS * DAY} AND rowid % ${Math.max(1, Math.floor(messages! / 300))} = 0 LIMIT ${REQUESTS + WARMUP};`)
  )
    .trim()
    .split("\n");
  const dbBytes = statSync(db).size;
  log(`${events!.toLocaleString("en-US")} events, ${messages!.toLocaleString("en-US")} messages (${Math.round(dbBytes / 1e6)} MB)${Number.isNaN(l.loadSeconds) ? "" : `, loaded in ${round1(l.loadSeconds)} s`}`);

  const inst = await startWrangler({ persistDir: l.dir, logLevel: "warn" });
  try {
    const cookie = await signIn(inst, l.email, PASSWORD);
    const base = `/api/orgs/${l.orgId}`;
    const range = `from=${l.end - REPORT_DAYS * DAY}&to=${l.end}&tz=${encodeURIComponent(TZ)}`;
    const p95: Record<string, number> = {};
    const p50: Record<string, number> = {};
    for (const report of REPORTS) {
      const url = `${base}/reports/${report}?${range}`;
      await timeRequests(inst, cookie, Array(WARMUP).fill(url));
      const ms = await timeRequests(inst, cookie, Array(REQUESTS).fill(url));
      p95[report] = round1(percentile(ms, 95));
      p50[report] = round1(percentile(ms, 50));
      log(`${report}: p50 ${p50[report]} ms, p95 ${p95[report]} ms`);
    }
    // The fixed cost of any org route (session, membership, routing) for comparison: the channel list.
    const channelsUrl = `${base}/reports/channels`;
    await timeRequests(inst, cookie, Array(WARMUP).fill(channelsUrl));
    const channelMs = await timeRequests(inst, cookie, Array(REQUESTS).fill(channelsUrl));
    const baseline = { p50: round1(percentile(channelMs, 50)), p95: round1(percentile(channelMs, 95)) };
    log(`baseline /channels: p50 ${baseline.p50} ms, p95 ${baseline.p95} ms`);
    const searchUrls = searchRecipients.map((r) => `${base}/messages?recipient=${encodeURIComponent(r)}&limit=50`);
    await timeRequests(inst, cookie, searchUrls.slice(0, WARMUP));
    const search = await timeRequests(inst, cookie, searchUrls.slice(WARMUP));
    log(`search: p50 ${round1(percentile(search, 50))} ms, p95 ${round1(percentile(search, 95))} ms`);
    return {
      events: events!,
      messages: messages!,
      dbBytes,
      loadSeconds: l.loadSeconds,
      p95,
      p50,
      searchP95: round1(percentile(search, 95)),
      searchP50: round1(percentile(search, 50)),
      baseline,
    };
  } finally {
    await inst.stop();
  }
}

async function main() {
  const results: SizeResult[] = [];
  if (values.reuse) {
    for (const dir of values.reuse.split(",")) results.push(await measure(await reuse(dir.trim())));
  } else {
    for (const size of SIZES) {
      const loaded = await load(size);
      try {
        results.push(await measure(loaded));
      } finally {
        if (values.keep) log(`kept ${loaded.dir}`);
        else rmSync(loaded.dir, { recursive: true, force: true });
      }
    }
  }

  const header = ["endpoint (30 days, tz " + TZ + ")", ...results.map((r) => `${(r.events / 1e6).toFixed(2)}M events p50 / p95 ms`)];
  const rows: string[][] = [
    ...REPORTS.map((r) => [`GET /reports/${r}`, ...results.map((x) => `${x.p50[r]} / ${x.p95[r]}`)]),
    ["GET /messages?recipient=…", ...results.map((x) => `${x.searchP50} / ${x.searchP95}`)],
    ["GET /channels (fixed cost of an org route)", ...results.map((x) => `${x.baseline.p50} / ${x.baseline.p95}`)],
    ["messages / DB size", ...results.map((x) => `${x.messages.toLocaleString("en-US")} / ${Math.round(x.dbBytes / 1e6)} MB`)],
    ["load time (sqlite3)", ...results.map((x) => (Number.isNaN(x.loadSeconds) ? "reused" : `${round1(x.loadSeconds)} s`))],
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ");
  console.log(line(header));
  for (const r of rows) console.log(line(r));

  const first = results[0]!;
  const last = results[results.length - 1]!;
  const ratios = [...REPORTS.map((r) => last.p95[r]! / first.p95[r]!), last.searchP95 / first.searchP95];
  console.log(
    JSON.stringify({
      events: last.events,
      report_p95_ms: last.p95,
      search_p95_ms: last.searchP95,
      ratio_10m_vs_1m: results.length > 1 ? Math.round(Math.max(...ratios) * 100) / 100 : null,
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
