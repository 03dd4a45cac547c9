import { env, runInDurableObject } from "cloudflare:test";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { beforeAll, describe, expect, it } from "vitest";
import { EVENT_SPAN_DAYS, sendDayHint, shardWaves } from "../worker/db/event-store";
import { eventReadsOf } from "../worker/services/event-reads";
import type { EventShard } from "../durable-objects/event-shard";
import { shardIdBase } from "../worker/db/event-shards";
import { eventsPageQuery, messagesPageQuery } from "../worker/db/reports";
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

/** The shard namespace with every read call counted: how many shards were asked, and the most at once. */
function countingShards() {
  const real = env.EVENT_SHARDS;
  const state = { asked: 0, inFlight: 0, peak: 0, days: [] as string[] };
  const counted =
    <A extends [string, ...unknown[]], R>(call: (...a: A) => Promise<R>) =>
    async (...a: A) => {
      state.asked++;
      state.days.push(a[0]);
      state.peak = Math.max(state.peak, ++state.inFlight);
      try {
        return await call(...a);
      } finally {
        state.inFlight--;
      }
    };
  const counting = {
    idFromName: (n: string) => real.idFromName(n),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      return {
        messagesPage: counted((...a: Parameters<typeof stub.messagesPage>) => stub.messagesPage(...a)),
        eventsPage: counted((...a: Parameters<typeof stub.eventsPage>) => stub.eventsPage(...a)),
        message: counted((...a: Parameters<typeof stub.message>) => stub.message(...a)),
      };
    },
  } as unknown as Env["EVENT_SHARDS"];
  return Object.assign(state, {
    env: { ...shardEnv, EVENT_SHARDS: counting } as Env,
    reset: () => Object.assign(state, { asked: 0, inFlight: 0, peak: 0, days: [] }),
  });
}

/** An SES-shaped message id ("01" + the send time in ms as 14 hex digits + a UUID) for message i. */
const sesId = (at: number, i: number) => `0100${at.toString(16).padStart(12, "0")}-${i.toString(16).padStart(8, "0")}-0000-4000-8000-000000000000-000000`;

function withMessageId(events: SesEventBridgeEvent[], id: string) {
  for (const e of events) e.detail.mail.messageId = id;
  return events;
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
    const calls = countingShards();
    const countingEnv = calls.env;

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

    calls.reset();
    const first = await listMessages(await eventReadsOf(countingEnv), scopeOfApiKey(shardOrg), { limit: 3 });
    expect(first.messages.map((m) => m.recipient)).toEqual(["p8-1@example.org", "p8-0@example.org", "p7-1@example.org"]);
    expect(calls.asked).toBe(6);
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

  it("asks shards in growing waves, 6 first and at most 96 at once, so a year of daily shards is 8 waves", () => {
    const year = Array.from({ length: 365 + EVENT_SPAN_DAYS }, (_, i) => i);
    expect(shardWaves(year).map((w) => w.length)).toEqual([6, 12, 24, 48, 96, 96, 96, 17]);
    expect(shardWaves(year).flat()).toEqual(year);
    expect(shardWaves([1, 2]).map((w) => w.length)).toEqual([2]);
  });

  it("reads the send day an SES message id carries, and none from another shape", () => {
    // The SES fixtures' id: 0x018f7a2b9c3d ms.
    expect(sendDayHint("0100018f7a2b9c3d-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8-000000")).toBe("2024-05-15");
    expect(sendDayHint(sesId(Date.UTC(2024, 0, 9, 23, 59), 1))).toBe("2024-01-09");
    expect(sendDayHint("0100018f-test-000001-000000")).toBeUndefined();
    expect(sendDayHint("<abc@example.org>")).toBeUndefined();
  });

  it("answers the same for selective filters over 40 shards, reading them in growing waves", async () => {
    // One message a send day over 40 days, SES-shaped ids; one recipient on three days only, one message
    // with an id of another shape on the oldest day, one whose id names a day the workspace has no shard of.
    const day0 = Date.UTC(2024, 0, 1, 12);
    const load = Array.from({ length: 40 }, (_, d) => {
      const at = day0 + d * DAY;
      const life = lifecycle(100 + d, at, d % 5 === 0 ? "bounced" : "delivered", [[3, 29, 31].includes(d) ? "rare@example.org" : `r${d}@example.org`]);
      if (d === 0) return life;
      return withMessageId(life, sesId(d === 20 ? Date.UTC(2030, 0, 1) : at, d));
    }).flat();
    const [d1Org, shardOrg] = [await ingest(load, env), await ingest(load, shardEnv)];
    const calls = countingShards();

    const answers = async (org: string, testEnv: Env) => {
      const reads = await eventReadsOf(testEnv);
      const scope = scopeOfApiKey(org);
      return comparable(org, {
        rare: await pages((cursor) => listMessages(reads, scope, { limit: 1, recipient: "rare@example.org", cursor })),
        rareEvents: await pages((cursor) => listEvents(reads, scope, { limit: 4, recipient: "rare@example.org", cursor })),
        bounced: await pages((cursor) => listMessages(reads, scope, { limit: 3, status: "bounced", cursor })),
        clicks: await pages((cursor) => listEvents(reads, scope, { limit: 9, types: "Click", from: day0 + 10 * DAY, cursor })),
        none: await listMessages(reads, scope, { limit: 50, recipient: "nobody@example.org" }),
      });
    };
    const fromD1 = await answers(d1Org, env);
    expect(fromD1.rare.flatMap((p: { messages: unknown[] }) => p.messages).length).toBe(3);
    expect(fromD1.bounced.length).toBe(3);
    expect(await answers(shardOrg, calls.env)).toEqual(fromD1);

    // A filter no row matches reads every shard once: waves of 6, 12, then the other 22.
    calls.reset();
    await listMessages(await eventReadsOf(calls.env), scopeOfApiKey(shardOrg), { limit: 50, recipient: "nobody@example.org" });
    expect([calls.asked, calls.peak]).toEqual([40, 22]);
    // The first page of a rare recipient (its row and the next, for the cursor: days 31 and 29) stops
    // after the wave that holds both.
    calls.reset();
    const first = await listMessages(await eventReadsOf(calls.env), scopeOfApiKey(shardOrg), { limit: 1, recipient: "rare@example.org" });
    expect(first.messages.map((m) => m.sentAt)).toEqual([day0 + 31 * DAY]);
    expect(calls.asked).toBe(18);
  }, 120_000);

  it("finds a message's detail in the shard its SES id names, and by the full scan otherwise", async () => {
    const day0 = Date.UTC(2024, 2, 1, 0, 10);
    const load = Array.from({ length: 12 }, (_, d) => {
      const at = day0 + d * DAY;
      const life = lifecycle(200 + d, at, "delivered", [`m${d}@example.org`]);
      if (d === 0) return life;
      // Message 5's id is stamped a minute before its send: the day before, as a skewed clock would.
      return withMessageId(life, sesId(d === 7 ? Date.UTC(2031, 5, 1) : d === 5 ? at - 11 * 60_000 : at, d));
    }).flat();
    const [d1Org, shardOrg] = [await ingest(load, env), await ingest(load, shardEnv)];
    const calls = countingShards();
    const detailOf = async (org: string, testEnv: Env, recipient: string) => {
      const scope = scopeOfApiKey(org);
      const reads = await eventReadsOf(testEnv);
      const [m] = (await listMessages(reads, scope, { limit: 50, recipient })).messages;
      if (testEnv === calls.env) calls.reset();
      return comparable(org, await getMessage(reads, scope, m!.id));
    };
    const day = (d: number) => new Date(day0 + d * DAY).toISOString().slice(0, 10);

    // A hint: the hinted day and its neighbours, in one wave, and no other shard.
    expect(await detailOf(shardOrg, calls.env, "m4@example.org")).toEqual(await detailOf(d1Org, env, "m4@example.org"));
    expect([...calls.days].sort()).toEqual([day(3), day(4), day(5)]);
    // The hint names the day before the send: the day after it holds the message.
    expect(await detailOf(shardOrg, calls.env, "m5@example.org")).toEqual(await detailOf(d1Org, env, "m5@example.org"));
    expect([...calls.days].sort()).toEqual([day(3), day(4), day(5)]);
    // The newest day: no shard after it.
    await detailOf(shardOrg, calls.env, "m11@example.org");
    expect([...calls.days].sort()).toEqual([day(10), day(11)]);
    // An id of another shape, on the oldest day: every shard, newest first, in waves of 6 and 12.
    expect(await detailOf(shardOrg, calls.env, "m0@example.org")).toEqual(await detailOf(d1Org, env, "m0@example.org"));
    expect([calls.asked, calls.peak]).toEqual([12, 6]);
    // An SES id whose day has no shard: the full scan finds it.
    expect(await detailOf(shardOrg, calls.env, "m7@example.org")).toEqual(await detailOf(d1Org, env, "m7@example.org"));
    expect(calls.days.slice(0, 5)).toEqual([day(11), day(10), day(9), day(8), day(7)]);
  }, 120_000);

  it("plans a shard's pages on the index of their filter, never on the org column (which would sort the whole shard)", async () => {
    const day = "2024-01-01";
    const target = { shard: true, idBase: shardIdBase(day) } as const;
    const range = { orgId: "org_plan", from: Date.UTC(2024, 0, 1), to: Date.UTC(2024, 0, 2), limit: 51 };
    const queries = {
      messages: messagesPageQuery(range, target),
      messagesChannel: messagesPageQuery({ ...range, channel: "chn_1" }, target),
      events: eventsPageQuery(range, target),
      eventsTypes: eventsPageQuery({ ...range, types: ["open", "click"] }, target),
      eventsChannel: eventsPageQuery({ ...range, channel: "chn_1" }, target),
    };
    const dialect = new SQLiteSyncDialect();
    const plans = await runInDurableObject(env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(`org_plan:${day}`)), (_: EventShard, state) =>
      Object.fromEntries(
        Object.entries(queries).map(([name, query]) => {
          const { sql, params } = dialect.sqlToQuery(query);
          const plan = state.storage.sql.exec<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, ...(params as SqlStorageValue[])).toArray();
          return [name, plan.map((r) => r.detail).join("; ")];
        }),
      ),
    );
    expect(plans.messages).toContain("USING INDEX messages_sent (sent_at>? AND sent_at<?)");
    expect(plans.messagesChannel).toContain("USING INDEX messages_channel_sent (channel_id=? AND sent_at>? AND sent_at<?)");
    expect(plans.events).toMatch(/USING (COVERING )?INDEX events_at \(at>\? AND at<\?\)/);
    expect(plans.eventsTypes).toMatch(/USING (COVERING )?INDEX events_at \(at>\? AND at<\?\)/);
    expect(plans.eventsChannel).toMatch(/USING (COVERING )?INDEX events_channel_at \(channel_id=\? AND at>\? AND at<\?\)/);
    for (const plan of Object.values(plans)) expect(plan).not.toMatch(/org_event_key|autoindex_messages|TEMP B-TREE FOR ORDER BY/);
  });
});
