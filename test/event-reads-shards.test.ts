import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { eventReadsOf, EVENT_SPAN_DAYS } from "../worker/db/event-store";
import type { Env } from "../worker/env";
import { listEvents, type EventListQuery } from "../worker/services/reports/events";
import { getMessage, listMessages, type MessageListQuery } from "../worker/services/reports/messages";
import { scopeOfApiKey } from "../worker/services/reports/scope";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { comparable, pages } from "./event-reads-helpers";
import { lifecycle, newIngestOrg, queued, runConsumer, workload, migratedDeployment } from "./ingest-helpers";

/**
 * Message search, message detail and the event log answer the same from D1 (EVENT_STORE = "d1") and
 * from the event shards (EVENT_STORE = "shards") for the same events: every filter, every page. Event
 * row ids are the store's own (a shard's are offset by its day), so they and the cursors that carry
 * them are compared by what they select, not by value.
 */

const shardEnv: Env = { ...env, EVENT_STORE: "shards" };
beforeAll(migratedDeployment);
const DAY = 86_400_000;
const CHANNELS = ["acme-transactional", "acme-marketing"];

/** workload(40) over three send days (22:30 on 14 May + 17 min each), every third message on the second channel. */
function events(): SesEventBridgeEvent[] {
  const all = workload(40);
  for (const e of all) {
    const n = Number(/test-(\d+)-/.exec(e.detail.mail.messageId)![1]);
    if (n % 3 === 0) {
      e.resources = (e.resources ?? []).map((r) => r.replace("acme-transactional", "acme-marketing"));
      (e.detail.mail.tags as Record<string, string[]>)["ses:configuration-set"] = ["acme-marketing"];
    }
  }
  return all;
}

async function ingest(batch: SesEventBridgeEvent[], testEnv: Env) {
  const orgId = await newIngestOrg({ channels: CHANNELS });
  for (let i = 0; i < batch.length; i += 60) {
    const r = await runConsumer(
      batch.slice(i, i + 60).map((e) => queued(orgId, e)),
      testEnv,
    );
    expect(r.retryMessages).toEqual([]);
  }
  return orgId;
}

describe("event and message reads from D1 and from the shards", () => {
  const load = events();

  it("answer the same message search, message detail and event log, page by page", async () => {
    const [d1Org, shardOrg] = [await ingest(load, env), await ingest(load, shardEnv)];
    const registry = await env.DB.prepare("SELECT day FROM event_shards WHERE org_id = ? ORDER BY day").bind(shardOrg).all<{ day: string }>();
    expect(registry.results.map((r) => r.day)).toEqual(["2024-05-14", "2024-05-15"]);

    const messageQueries: Partial<MessageListQuery>[] = [
      {},
      { limit: 7 },
      { channel: `CHN:acme-marketing`, limit: 4 },
      { status: "bounced", limit: 3 },
      { status: "delivered", channel: `CHN:acme-transactional` },
      { recipientPrefix: "user1", limit: 2 },
      { recipient: "cc5@hotmail.co.uk" },
      { from: Date.UTC(2024, 4, 15, 2), to: Date.UTC(2024, 4, 15, 6), limit: 5 },
      { from: Date.UTC(2024, 4, 14, 23), limit: 6, status: "complained" },
    ];
    const eventQueries: Partial<EventListQuery>[] = [
      { limit: 25 },
      { types: "Open,Click", limit: 9 },
      { types: "Bounce" },
      { channel: `CHN:acme-marketing`, limit: 11 },
      { recipientPrefix: "cc", limit: 4 },
      { recipient: "user7@example.org" },
      // Opens and clicks up to 30 h after their send: the range's events live in the previous day's shard too.
      { from: Date.UTC(2024, 4, 15, 22), to: Date.UTC(2024, 4, 16, 6), limit: 6 },
      { from: Date.UTC(2024, 4, 15, 12), types: "Click", limit: 5 },
    ];
    const channelOf = (org: string, q: { channel?: string }) => (q.channel ? { channel: q.channel.replace("CHN:", `${org}-chn-`) } : {});

    const answers = async (org: string, testEnv: Env) => {
      const reads = await eventReadsOf(testEnv);
      const scope = scopeOfApiKey(org);
      const messages = [];
      for (const q of messageQueries) {
        messages.push(await pages((cursor) => listMessages(reads, scope, { limit: 50, ...q, ...channelOf(org, q), cursor })));
      }
      const events = [];
      for (const q of eventQueries) {
        events.push(await pages((cursor) => listEvents(reads, scope, { limit: 50, ...q, ...channelOf(org, q), cursor })));
      }
      const all = (await listMessages(reads, scope, { limit: 100 })).messages;
      const details = [];
      for (const m of all) details.push(await getMessage(reads, scope, m.id));
      return comparable(org, { messages, events, details });
    };

    const fromD1 = await answers(d1Org, env);
    const fromShards = await answers(shardOrg, shardEnv);
    // The comparison means something: several pages, every message, events from both shards.
    expect(fromD1.messages[1].length).toBeGreaterThan(3);
    expect(fromD1.events[0].length).toBeGreaterThan(3);
    expect(fromD1.events[6].flatMap((p: { events: unknown[] }) => p.events).length).toBeGreaterThan(6);
    expect(fromD1.details.length).toBe(50);
    expect(fromShards).toEqual(fromD1);
  }, 120_000);

  it("answers the same over more shards than one wave asks, and a newest-first page stops after the wave that fills it", async () => {
    // Nine send days, two messages each: nine shards, one and a half waves.
    const load = Array.from({ length: 9 }, (_, d) => [0, 1].flatMap((k) => lifecycle(d * 2 + k, Date.UTC(2024, 6, 1 + d, 8 + k), k ? "bounced" : "delivered", [`p${d}-${k}@example.org`]))).flat();
    const [d1Org, shardOrg] = [await ingest(load, env), await ingest(load, shardEnv)];
    let asked = 0;
    const real = env.EVENT_SHARDS;
    const counting = {
      idFromName: (n: string) => real.idFromName(n),
      get: (id: DurableObjectId) => {
        const stub = real.get(id);
        return {
          messagesPage: (...a: Parameters<typeof stub.messagesPage>) => (asked++, stub.messagesPage(...a)),
          eventsPage: (...a: Parameters<typeof stub.eventsPage>) => (asked++, stub.eventsPage(...a)),
          message: (...a: Parameters<typeof stub.message>) => (asked++, stub.message(...a)),
        };
      },
    } as unknown as Env["EVENT_SHARDS"];
    const countingEnv: Env = { ...shardEnv, EVENT_SHARDS: counting };

    const answers = async (org: string, testEnv: Env) => {
      const reads = await eventReadsOf(testEnv);
      const scope = scopeOfApiKey(org);
      return comparable(org, {
        messages: await pages((cursor) => listMessages(reads, scope, { limit: 3, cursor })),
        bounced: await pages((cursor) => listMessages(reads, scope, { limit: 2, status: "bounced", cursor })),
        events: await pages((cursor) => listEvents(reads, scope, { limit: 7, cursor })),
        ranged: await pages((cursor) => listEvents(reads, scope, { limit: 4, from: Date.UTC(2024, 6, 4), to: Date.UTC(2024, 6, 8), types: "Open", cursor })),
      });
    };
    const fromD1 = await answers(d1Org, env);
    expect(fromD1.messages.length).toBe(6);
    expect(await answers(shardOrg, countingEnv)).toEqual(fromD1);

    asked = 0;
    const first = await listMessages(await eventReadsOf(countingEnv), scopeOfApiKey(shardOrg), { limit: 3 });
    expect(first.messages.map((m) => m.recipient)).toEqual(["p8-1@example.org", "p8-0@example.org", "p7-1@example.org"]);
    expect(asked).toBe(6);
  }, 120_000);

  it(`finds an event up to ${EVENT_SPAN_DAYS} days after its send in a range that starts after the send day`, async () => {
    const base = Date.UTC(2024, 5, 1, 10);
    const life = lifecycle(1, base, "delivered", ["late@example.org"]);
    const late = life.find((e) => e.detail.eventType === "Open")!;
    const at = base + (EVENT_SPAN_DAYS - 1) * DAY;
    late.id = "late-open";
    late.time = new Date(at).toISOString();
    if (late.detail.eventType === "Open") late.detail.open.timestamp = new Date(at).toISOString();
    const orgId = await ingest([...life.filter((e) => e.detail.eventType !== "Open"), late], shardEnv);
    const page = await listEvents(await eventReadsOf(shardEnv), scopeOfApiKey(orgId), { from: at - DAY, limit: 10 });
    expect(page.events.map((e) => [e.type, e.at])).toEqual([["Open", at]]);
  });
});
