import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import type { Env } from "../worker/env";
import { consumeEvents } from "../queues/events";
import type { EventsQueueMessage } from "../worker/services/ingest/receive";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import bouncePermanentGeneral from "./fixtures/ses-events/bounce-permanent-general.json";
import bouncePermanentNoemail from "./fixtures/ses-events/bounce-permanent-noemail.json";
import bouncePermanentOnAccount from "./fixtures/ses-events/bounce-permanent-onaccountsuppressionlist.json";
import bouncePermanentSuppressed from "./fixtures/ses-events/bounce-permanent-suppressed.json";
import bounceTransientAttachment from "./fixtures/ses-events/bounce-transient-attachmentrejected.json";
import bounceTransientContent from "./fixtures/ses-events/bounce-transient-contentrejected.json";
import bounceTransientGeneral from "./fixtures/ses-events/bounce-transient-general.json";
import bounceTransientMailboxFull from "./fixtures/ses-events/bounce-transient-mailboxfull.json";
import bounceTransientTooLarge from "./fixtures/ses-events/bounce-transient-messagetoolarge.json";
import bounceUndetermined from "./fixtures/ses-events/bounce-undetermined.json";
import click from "./fixtures/ses-events/click.json";
import complaintOnAccount from "./fixtures/ses-events/complaint-onaccountsuppressionlist.json";
import complaint from "./fixtures/ses-events/complaint.json";
import deliveryDelay from "./fixtures/ses-events/delivery-delay.json";
import delivery from "./fixtures/ses-events/delivery.json";
import open from "./fixtures/ses-events/open.json";
import reject from "./fixtures/ses-events/reject.json";
import renderingFailure from "./fixtures/ses-events/rendering-failure.json";
import send from "./fixtures/ses-events/send.json";
import subscription from "./fixtures/ses-events/subscription.json";

/** Every event fixture of ../shared/aws/events (copied to test/fixtures/ses-events), by file name. */
export const FIXTURES: Record<string, SesEventBridgeEvent> = Object.fromEntries(
  Object.entries({
    "bounce-permanent-general": bouncePermanentGeneral,
    "bounce-permanent-noemail": bouncePermanentNoemail,
    "bounce-permanent-onaccountsuppressionlist": bouncePermanentOnAccount,
    "bounce-permanent-suppressed": bouncePermanentSuppressed,
    "bounce-transient-attachmentrejected": bounceTransientAttachment,
    "bounce-transient-contentrejected": bounceTransientContent,
    "bounce-transient-general": bounceTransientGeneral,
    "bounce-transient-mailboxfull": bounceTransientMailboxFull,
    "bounce-transient-messagetoolarge": bounceTransientTooLarge,
    "bounce-undetermined": bounceUndetermined,
    click,
    "complaint-onaccountsuppressionlist": complaintOnAccount,
    complaint,
    "delivery-delay": deliveryDelay,
    delivery,
    open,
    reject,
    "rendering-failure": renderingFailure,
    send,
    subscription,
  }).map(([k, v]) => [k, v as unknown as SesEventBridgeEvent]),
);

export const fixture = (name: string): SesEventBridgeEvent => structuredClone(FIXTURES[name]!);

let orgCounter = 0;

export interface IngestOrgOptions {
  plan?: "free" | "team" | "business";
  identities?: string[];
  /** configuration set names; each becomes a channel with id `<orgId>-chn-<set>`. */
  channels?: string[];
  templateTag?: string | null;
  /** A member to add (for API tests). */
  member?: { userId: string; role: string };
}

/** An org with managed identities and channels, straight in D1. */
export async function newIngestOrg(opts: IngestOrgOptions = {}): Promise<string> {
  const n = ++orgCounter;
  const id = `org_ing${Date.now().toString(36)}${n}${Math.random().toString(36).slice(2, 7)}`;
  const at = Date.now();
  const statements = [
    env.DB.prepare("INSERT INTO orgs (id, name, slug, plan, template_tag, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)").bind(
      id,
      `Ingest Org ${n}`,
      id.replace(/_/g, "-").toLowerCase(),
      opts.plan ?? "business",
      opts.templateTag ?? null,
      at,
      at,
    ),
    ...(opts.identities ?? ["mail.example.com"]).map((identity, i) =>
      env.DB.prepare("INSERT INTO identities (id, org_id, identity, kind, verification_status, created_at) VALUES (?, ?, ?, ?, 'SUCCESS', ?)").bind(
        `${id}-idn-${i}`,
        id,
        identity,
        identity.includes("@") ? "email" : "domain",
        at,
      ),
    ),
    ...(opts.channels ?? ["acme-transactional"]).map((set) =>
      env.DB.prepare("INSERT INTO channels (id, org_id, name, configuration_set_name, created_at) VALUES (?, ?, ?, ?, ?)").bind(
        channelIdOf(id, set),
        id,
        set,
        set,
        at,
      ),
    ),
  ];
  if (opts.member) {
    statements.push(
      env.DB.prepare("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)").bind(id, opts.member.userId, opts.member.role, at),
    );
  }
  await env.DB.batch(statements);
  return id;
}

export const channelIdOf = (orgId: string, set: string) => `${orgId}-chn-${set}`;

export const queued = (orgId: string, event: SesEventBridgeEvent, receivedAt = 1_715_680_000_000): EventsQueueMessage => ({
  kind: "event",
  orgId,
  receivedAt,
  event,
});

let messageCounter = 0;

/** Runs the events consumer on one batch of bodies, with `testEnv` (default: the real bindings). */
export async function runConsumer(bodies: unknown[], testEnv: Env = env, attempts = 1) {
  const batch = createMessageBatch(
    "sendops-events",
    bodies.map((body) => ({ id: `msg-${++messageCounter}`, timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await consumeEvents(batch, testEnv, ctx);
  return getQueueResult(batch, ctx);
}

export function ledger(orgId: string) {
  const ns = env.ORG_LEDGER;
  return ns.get(ns.idFromName(orgId));
}

const PER_CHANNEL_ROLLUPS = [
  "rollup_totals",
  "rollup_providers",
  "rollup_templates",
  "rollup_domains",
  "rollup_bounce_reasons",
  "rollup_complaint_reasons",
  "rollup_latency",
];
/** Per-channel and all-channel rollups, and the sending-domain rollup: ingest writes all of them in the events' transaction. */
const ROLLUP_TABLES = [...PER_CHANNEL_ROLLUPS, ...PER_CHANNEL_ROLLUPS.map((t) => t.replace("rollup_", "rollup_all_")), "rollup_sending_domains"];

async function rows(sql: string, orgId: string) {
  return (await env.DB.prepare(sql).bind(orgId).all<Record<string, unknown>>()).results;
}

/**
 * Everything ingest stored for an org, in a canonical order, without the per-attempt columns (row id,
 * received time) and with the org id replaced, so two orgs fed the same events compare equal.
 */
export async function dumpOrg(orgId: string) {
  const out: Record<string, unknown[]> = {};
  out.events = (await rows("SELECT * FROM events WHERE org_id = ? ORDER BY event_key", orgId)).map(
    ({ id: _id, received_at: _r, ...rest }) => rest,
  );
  out.messages = await rows("SELECT * FROM messages WHERE org_id = ? ORDER BY message_id, recipient", orgId);
  for (const t of ROLLUP_TABLES) {
    // Rows whose counts are all zero carry no information (a unique open that moved out of its bucket).
    const all = (await rows(`SELECT * FROM ${t} WHERE org_id = ?`, orgId)).sort((a, b) =>
      JSON.stringify(a) < JSON.stringify(b) ? -1 : 1,
    );
    out[t] = all.filter((r) => Object.entries(r).some(([k, v]) => typeof v === "number" && v !== 0 && k !== "bucket_start" && k !== "bucket"));
  }
  return JSON.parse(JSON.stringify(out).split(orgId).join("ORG")) as Record<string, Record<string, unknown>[]>;
}

/** The workspace's ingest counters (not the `api.*` response counts that share the table). */
export async function counters(orgId: string): Promise<Record<string, number>> {
  const r = await env.DB.prepare("SELECT counter, SUM(value) AS n FROM ingest_counters WHERE org_id = ? AND counter NOT LIKE 'api.%' GROUP BY counter")
    .bind(orgId)
    .all<{ counter: string; n: number }>();
  return Object.fromEntries(r.results.map((x) => [x.counter, x.n]));
}

/** Deterministic PRNG (mulberry32) for shuffles and splits. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffle<T>(items: T[], random: () => number): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Splits into consecutive batches of random sizes between 1 and `max`. */
export function split<T>(items: T[], random: () => number, max = 7): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const n = 1 + Math.floor(random() * max);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * The full life of one message, built from the fixtures with its own message id, recipients and
 * times: Send, Delivery, a delay, two opens (the later one first in the list), two clicks, and — by
 * `fate` — a hard bounce, a complaint, a reject or nothing. `base` is mail.timestamp. A bounced message
 * to several recipients is delivered to all but the last, which only bounces: SES's opens and clicks
 * name it too, but it is never credited with them.
 */
export function lifecycle(i: number, base: number, fate: "delivered" | "bounced" | "complained" | "rejected", recipients: string[]): SesEventBridgeEvent[] {
  const messageId = `0100018f-test-${i.toString().padStart(6, "0")}-000000`;
  const withMail = (name: string, at: number) => {
    const e = fixture(name);
    e.id = `${name}-${i}-${at}`;
    e.time = iso(at).replace(/\.\d{3}Z$/, "Z");
    e.detail.mail.messageId = messageId;
    e.detail.mail.timestamp = iso(base);
    e.detail.mail.destination = [...recipients];
    if (e.detail.mail.commonHeaders) e.detail.mail.commonHeaders.to = [...recipients];
    if (e.detail.mail.tags) e.detail.mail.tags.template = [`tpl-${i % 3}`];
    return e;
  };
  const out: SesEventBridgeEvent[] = [withMail("send", base)];
  const d = withMail("delivery", base + 900 + i * 37);
  if (d.detail.eventType === "Delivery") {
    d.detail.delivery.timestamp = iso(base + 900 + i * 37);
    d.detail.delivery.recipients = fate === "bounced" && recipients.length > 1 ? recipients.slice(0, -1) : [...recipients];
  }
  out.push(d);
  const delay = withMail("delivery-delay", base + 300);
  if (delay.detail.eventType === "DeliveryDelay") {
    delay.detail.deliveryDelay.timestamp = iso(base + 300);
    delay.detail.deliveryDelay.delayedRecipients = [{ emailAddress: recipients[0]!, status: "4.4.7", diagnosticCode: `smtp; 421 try later ${i}` }];
  }
  out.push(delay);
  // Opens and clicks straddle an hour and a day boundary so their unique counts must move.
  for (const offset of [26 * 3600_000, 40 * 60_000]) {
    const o = withMail("open", base + offset);
    if (o.detail.eventType === "Open") o.detail.open.timestamp = iso(base + offset);
    out.push(o);
  }
  for (const [offset, link] of [
    [30 * 3600_000, "https://www.example.com/b"],
    [50 * 60_000, "https://www.example.com/a"],
  ] as const) {
    const c = withMail("click", base + offset);
    if (c.detail.eventType === "Click") {
      c.detail.click.timestamp = iso(base + offset);
      c.detail.click.link = link;
    }
    out.push(c);
  }
  if (fate === "bounced") {
    const b = withMail(i % 2 ? "bounce-permanent-general" : "bounce-transient-mailboxfull", base + 2000);
    if (b.detail.eventType === "Bounce") {
      b.detail.bounce.timestamp = iso(base + 2000);
      b.detail.bounce.bouncedRecipients = recipients.map((r) => ({ emailAddress: r, action: "failed", status: "5.1.1", diagnosticCode: `smtp; 550 no ${r}` }));
    }
    out.push(b);
  } else if (fate === "complained") {
    const c = withMail("complaint", base + 5 * 3600_000);
    if (c.detail.eventType === "Complaint") {
      c.detail.complaint.timestamp = iso(base + 5 * 3600_000);
      c.detail.complaint.complainedRecipients = [{ emailAddress: recipients[0]! }];
    }
    out.push(c);
  } else if (fate === "rejected") {
    out.push(withMail("reject", base));
  }
  return out;
}

/** A mixed workload over a few days, hours and providers. */
export function workload(count: number, start = Date.UTC(2024, 4, 14, 22, 30)): SesEventBridgeEvent[] {
  const fates = ["delivered", "bounced", "complained", "rejected", "delivered", "bounced"] as const;
  const domains = ["gmail.com", "hotmail.co.uk", "yahoo.fr", "example.org", "icloud.com", "web.de"];
  return Array.from({ length: count }, (_, i) => {
    const recipients = [`user${i}@${domains[i % domains.length]}`];
    // Every fourth message has a second recipient, some of them bounced ones (see lifecycle).
    if (i % 4 === 1) recipients.push(`cc${i}@${domains[(i + 1) % domains.length]}`);
    return lifecycle(i, start + i * 17 * 60_000, fates[i % fates.length]!, recipients);
  }).flat();
}

/** Polls `check` until it returns a truthy value (the queue consumer runs in the background). */
export async function waitFor<T>(check: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > until) throw new Error("waitFor: timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The event with every ISO timestamp moved by `deltaMs` (fixtures are from 2024; ledgers keep a year). */
export function shifted(event: SesEventBridgeEvent, deltaMs: number): SesEventBridgeEvent {
  const move = (v: unknown): unknown => {
    if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v)) {
      const iso = new Date(Date.parse(v) + deltaMs).toISOString();
      return v.includes(".") ? iso : iso.replace(/\.\d{3}Z$/, "Z");
    }
    if (Array.isArray(v)) return v.map(move);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, move(x)]));
    return v;
  };
  return move(event) as SesEventBridgeEvent;
}

/** A migration's statements, as the test pool read them from migrations/. */
export function migrationQueries(name: string): string[] {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name === name);
  if (!migration) throw new Error(`no migration ${name}`);
  return migration.queries;
}

/**
 * Puts back the triggers that kept the all-channel rollups before migration 0018: those of 0006 on every
 * per-channel rollup, and the unique-open triggers of 0010 that write the per-channel rows only. Then a
 * write to a per-channel rollup moves its all-channel row too, as the migrations before 0018 expect.
 */
export async function restoreAllChannelTriggers() {
  const statements = [
    ...migrationQueries("0006_reports_all_channel_triggers.sql").filter((q) => q.includes("CREATE TRIGGER")),
    "DROP TRIGGER messages_unique_engagement_insert",
    "DROP TRIGGER messages_unique_engagement_update",
    ...migrationQueries("0010_messages_unique_engagement.sql"),
  ];
  for (const q of statements) await env.DB.prepare(q).run();
}

/**
 * A deployment whose D1 rows are already migrated to the event shards (state 'shards',
 * worker/services/event-store-migration.ts), for the tests of the shard path. They run the D1 writer
 * alongside in the same D1 as the reference to compare with, so the switch barrier that would stop it
 * (trigger `events_store_switched`) is dropped in their file's storage.
 */
export async function migratedDeployment() {
  await env.DB.batch([
    env.DB.prepare(
      "INSERT OR REPLACE INTO event_store_migration (id, state, started_at, switched_at, d1_cleared_at, updated_at) VALUES (1, 'shards', 0, 0, 0, 0)",
    ),
    env.DB.prepare("DROP TRIGGER IF EXISTS events_store_switched"),
  ]);
}
