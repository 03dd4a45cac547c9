import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { eventReadsOf } from "../worker/services/event-reads";
import type { Env } from "../worker/env";
import { listEvents, type EventListQuery } from "../worker/services/reports/events";
import { getMessage, listMessages, type MessageListQuery } from "../worker/services/reports/messages";
import { scopeOfApiKey } from "../worker/services/reports/scope";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { generateDemoTraffic } from "../scripts/lib/demo-traffic";
import { DEMO_CHANNELS, DEMO_IDENTITIES } from "../scripts/lib/demo-world";
import { channelIdOf, newIngestOrg, queued, runConsumer, migratedDeployment } from "./ingest-helpers";
import { comparable, pages } from "./event-reads-helpers";

/**
 * Issue 15's "same results as before on the demo data": a slice of the demo seed's own traffic (its
 * generator, seed and channels; 12 days instead of 30, ~1,100 events) loaded through the D1 writer and
 * through the shard writer answers the same message search, message detail and event log.
 */

const shardEnv: Env = { ...env, EVENT_STORE: "shards" };
beforeAll(migratedDeployment);
const END = Date.UTC(2024, 4, 20, 12);
const DAYS = 12;
const MESSAGES = 420;
/** The demo seed's (DEMO_SEED_NAME in scripts/lib/demo-seed.ts, a Node module). */
const SEED = "sendops-demo";

const generated = [...generateDemoTraffic({ seed: SEED, events: 0, days: DAYS, end: END }, MESSAGES)];
const traffic = generated.map((g) => g.event as unknown as SesEventBridgeEvent);

async function ingest(testEnv: Env) {
  const orgId = await newIngestOrg({
    identities: DEMO_IDENTITIES.map((i) => i.identity),
    channels: DEMO_CHANNELS.map((c) => c.configurationSet),
  });
  for (let i = 0; i < traffic.length; i += 100) {
    const r = await runConsumer(
      traffic.slice(i, i + 100).map((e) => queued(orgId, e, END)),
      testEnv,
    );
    expect(r.retryMessages).toEqual([]);
  }
  return orgId;
}

/** The recipient with the most messages, and a two-letter prefix of another. */
function recipients() {
  const counts = new Map<string, number>();
  for (const e of traffic) if (e.detail.eventType === "Send") for (const r of e.detail.mail.destination) counts.set(r, (counts.get(r) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  return { frequent: ranked[0]![0], prefix: ranked[ranked.length - 1]![0].slice(0, 2) };
}

describe("event and message reads on the demo's traffic", () => {
  it("answer the same from D1 and from the shards: message search, every message's detail, the event log", async () => {
    const [d1Org, shardOrg] = [await ingest(env), await ingest(shardEnv)];
    const { frequent, prefix } = recipients();
    const marketing = DEMO_CHANNELS.find((c) => c.purpose === "marketing")!.configurationSet;
    const day = (d: number) => END - d * 86_400_000;
    const channel = (org: string, q: { channel?: string }) => (q.channel ? { channel: channelIdOf(org, q.channel) } : {});

    const messageQueries: Partial<MessageListQuery>[] = [
      { limit: 100 },
      { status: "bounced", limit: 7 },
      { status: "delivered", channel: marketing, limit: 40 },
      { recipient: frequent },
      { recipientPrefix: prefix, limit: 9 },
      { from: day(5), to: day(3), limit: 30 },
    ];
    const eventQueries: Partial<EventListQuery>[] = [
      { limit: 100 },
      { types: "Bounce,Complaint", limit: 10 },
      { types: "Open", limit: 60 },
      { channel: marketing, limit: 50 },
      { recipient: frequent, limit: 5 },
      { recipientPrefix: prefix, limit: 20 },
      { from: day(4), to: day(2), limit: 70 },
    ];

    const answers = async (org: string, testEnv: Env) => {
      const reads = await eventReadsOf(testEnv);
      const scope = scopeOfApiKey(org);
      const messages = [];
      for (const q of messageQueries) messages.push(await pages((cursor) => listMessages(reads, scope, { limit: 50, ...q, ...channel(org, q), cursor })));
      const events = [];
      for (const q of eventQueries) events.push(await pages((cursor) => listEvents(reads, scope, { limit: 50, ...q, ...channel(org, q), cursor })));
      const details = [];
      for (const page of messages[0]!) for (const m of page.messages) details.push(await getMessage(reads, scope, m.id));
      return comparable(org, { messages, events, details });
    };

    const fromD1 = await answers(d1Org, env);
    const fromShards = await answers(shardOrg, shardEnv);
    const shards = await env.DB.prepare("SELECT count(*) AS n FROM event_shards WHERE org_id = ?").bind(shardOrg).first<{ n: number }>();
    // The comparison means something: every message, many pages, every filter finds rows, many shards.
    const sends = generated.filter((g) => g.managed && g.event.detail.eventType === "Send").length;
    expect(fromD1.details.length).toBeGreaterThanOrEqual(sends);
    expect(fromD1.events[0].length).toBeGreaterThan(8);
    const found = [...fromD1.messages, ...fromD1.events].map((list: { messages?: unknown[]; events?: unknown[] }[]) => list.flatMap((p) => p.messages ?? p.events!).length);
    expect(found.every((n) => n > 0)).toBe(true);
    expect(shards!.n).toBeGreaterThanOrEqual(DAYS);
    expect(fromShards).toEqual(fromD1);
  }, 120_000);
});
