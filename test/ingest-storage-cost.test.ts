import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { batchWriteStatements } from "../worker/db/ingest";
import { inflateJson, type StoredJson } from "../worker/lib/deflate";
import { normaliseEvent, type EventRow } from "../worker/services/ingest/normalise";
import { channelIdOf, lifecycle } from "./ingest-helpers";
import { feed, MARKETING, newReportOrg, ok, TRANSACTIONAL } from "./reports-helpers";

/**
 * What one event costs in D1 (docs/scaling.md): D1 counts a row written for the row and for each index
 * entry a statement writes, and reports it per statement (`meta.rows_written`, the figure it bills).
 */

const BASE = Date.UTC(2024, 7, 3, 9, 15);
/** Rows written per event of one delivered message (docs/scaling.md), without and with the sending-domain rollup. */
const BEFORE_PER_EVENT = 38.29;
const AFTER_PER_EVENT = 38.57;

/** The rows of one message (one recipient) of `orgId`: Send, Delivery, a delay, opens, clicks. */
async function rowsOf(orgId: string, i: number): Promise<EventRow[][]> {
  const config = {
    orgId,
    identities: new Set(["mail.example.com"]),
    channelsByConfigurationSet: new Map([[TRANSACTIONAL, channelIdOf(orgId, TRANSACTIONAL)]]),
    templateTag: "template",
  };
  const out: EventRow[][] = [];
  for (const event of lifecycle(i, BASE + i * 7 * 86_400_000, "delivered", [`cost${i}@example.org`])) {
    const result = await normaliseEvent(event, config, BASE);
    if (!result.ok) throw new Error("dropped");
    out.push(result.rows);
  }
  return out;
}

/** Rows written by each statement of one transaction (no counters: the messages statements come last). */
async function rowsWritten(rows: EventRow[]): Promise<number[]> {
  const results = await env.DB.batch(batchWriteStatements(env.DB, { rows, counters: new Map(), counterBucket: 0 }));
  return results.map((r) => r.meta.rows_written);
}

describe("rows written per event", () => {
  it("writes an event row with its five indexes, and a new rollup row once (WITHOUT ROWID)", async () => {
    const { orgId } = await newReportOrg();
    const [send] = await rowsOf(orgId, 1);
    const written = await rowsWritten(send!);
    const [events, totals, allTotals] = written;
    expect(events).toBe(6);
    // The hour and the day row, each once (no second row for a rowid), in each scope.
    expect(totals).toBe(2);
    expect(allTotals).toBe(2);
    // A new messages row: the row (its primary key is its own index) and its four secondary indexes.
    expect(written.at(-3)).toBe(6);
  });

  it("writes an all-channel rollup row once per transaction, however many channels moved", async () => {
    const { orgId } = await newReportOrg();
    const [transactional] = await rowsOf(orgId, 5);
    // The same hour, on a second channel.
    const marketing = transactional!.map((r) => ({ ...r, eventKey: `${r.eventKey}-m`, messageId: `${r.messageId}-m`, channelId: channelIdOf(orgId, MARKETING) }));
    const [, totals, allTotals] = await rowsWritten([...transactional!, ...marketing]);
    // Hour and day rows of two channels; the all-channel hour and day rows once each (the triggers of
    // migration 0006 wrote them once per per-channel row: 4).
    expect(totals).toBe(4);
    expect(allTotals).toBe(2);
    const all = await env.DB.prepare("SELECT bucket_size, sends FROM rollup_all_totals WHERE org_id = ? ORDER BY 1").bind(orgId).all();
    expect(all.results).toEqual([
      { bucket_size: "day", sends: 2 },
      { bucket_size: "hour", sends: 2 },
    ]);
  });

  it("writes a stored message's index entries only when their column changes", async () => {
    const { orgId } = await newReportOrg();
    const [send, delivery, delay] = await rowsOf(orgId, 2);
    await rowsWritten(send!);
    // Delivery: status sent → delivered, so the status index moves; send time and channel stay.
    expect((await rowsWritten(delivery!)).slice(-3)).toEqual([1, 2, 0]);
    // A delay ranks below delivered: the row changes, none of its index entries does.
    expect((await rowsWritten(delay!)).slice(-3)).toEqual([1, 0, 0]);
    const stored = await env.DB.prepare("SELECT status, sent_at, channel_id, event_count FROM messages WHERE org_id = ?").bind(orgId).first();
    expect(stored).toEqual({ status: "delivered", sent_at: BASE + 2 * 7 * 86_400_000, channel_id: channelIdOf(orgId, TRANSACTIONAL), event_count: 3 });
  });

  it("gives a row inserted with several events in one transaction the merge of all of them", async () => {
    const { orgId } = await newReportOrg();
    const events = await rowsOf(orgId, 3);
    // Delivery before Send in one transaction: the row is inserted delivered, nothing moves afterwards.
    const written = await rowsWritten([...events[1]!, ...events[0]!]);
    expect(written.slice(-2)).toEqual([0, 0]);
    const stored = await env.DB.prepare("SELECT status, event_count FROM messages WHERE org_id = ?").bind(orgId).first();
    expect(stored).toEqual({ status: "delivered", event_count: 2 });
  });
});

describe("the sending-domain rollup (docs/scaling.md)", () => {
  /** Rows written by one transaction: in all, and by its sending-domain statement. */
  async function domainRowsWritten(rows: EventRow[]): Promise<{ total: number; domain: number }> {
    const tables: string[] = [];
    const recording = { prepare: (sql: string) => (tables.push(/INSERT INTO (\w+)|UPDATE (\w+)/.exec(sql)!.slice(1).find(Boolean)!), env.DB.prepare(sql)) } as D1Database;
    const results = await env.DB.batch(batchWriteStatements(recording, { rows, counters: new Map(), counterBucket: 0 }));
    const written = results.map((r) => r.meta.rows_written);
    return { total: written.reduce((a, b) => a + b, 0), domain: written.filter((_, i) => tables[i] === "rollup_sending_domains").reduce((a, b) => a + b, 0) };
  }

  it("writes one row per hour and sending domain (WITHOUT ROWID), nothing for events no alert rate counts", async () => {
    const { orgId } = await newReportOrg();
    const lifecycleRows = await rowsOf(orgId, 6);
    const perEvent = [];
    for (const rows of lifecycleRows) perEvent.push(await domainRowsWritten(rows));
    // Send: a new row; Delivery, the same hour: that row again; the delay, opens and clicks: nothing.
    expect(perEvent.map((w) => w.domain)).toEqual([1, 1, 0, 0, 0, 0, 0]);
    // The figures docs/scaling.md quotes: rows written per event on this message's 7 events, before and after.
    const total = perEvent.reduce((a, w) => a + w.total, 0);
    const before = total - 2;
    expect([before, total].map((n) => Math.round((n / perEvent.length) * 100) / 100)).toEqual([BEFORE_PER_EVENT, AFTER_PER_EVENT]);
    const stored = await env.DB.prepare("SELECT sending_domain, sends, deliveries, hard_bounces, complaints FROM rollup_sending_domains WHERE org_id = ?").bind(orgId).all();
    expect(stored.results).toEqual([{ sending_domain: "mail.example.com", sends: 1, deliveries: 1, hard_bounces: 0, complaints: 0 }]);
  });

  it("folds a transaction's increments into one row per (org, hour, domain)", async () => {
    const { orgId } = await newReportOrg();
    const messages = await Promise.all([7, 8, 9].map((i) => rowsOf(orgId, i)));
    // Three sends a week apart (three hours), each with its delivery, in one transaction: three rows, each written once.
    const w = await domainRowsWritten(messages.flatMap((m) => [...m[0]!, ...m[1]!]));
    expect(w.domain).toBe(3);
    const stored = await env.DB.prepare("SELECT SUM(sends) AS sends, SUM(deliveries) AS deliveries, COUNT(*) AS n FROM rollup_sending_domains WHERE org_id = ?").bind(orgId).first();
    expect(stored).toEqual({ sends: 3, deliveries: 3, n: 3 });
  });
});

describe("the raw SES detail", () => {
  it("is stored deflated, and the message detail answers it as SES sent it, as it does for rows stored as text", async () => {
    const org = await newReportOrg();
    const events = lifecycle(4, BASE, "delivered", ["raw@example.org"]).slice(0, 2);
    await feed(org.orgId, events);
    const stored = await env.DB.prepare("SELECT id, typeof(detail) AS kind, length(detail) AS bytes, detail FROM events WHERE org_id = ? ORDER BY at")
      .bind(org.orgId)
      .all<{ id: number; kind: string; bytes: number; detail: StoredJson }>();
    expect(stored.results.map((r) => r.kind)).toEqual(["blob", "blob"]);
    for (const [i, r] of stored.results.entries()) {
      expect(r.bytes).toBeLessThan(JSON.stringify(events[i]!.detail).length * 0.6);
      expect(inflateJson(r.detail)).toEqual(events[i]!.detail);
    }

    const list = await ok<{ messages: { id: string }[] }>(org.get("/messages", { recipient: "raw@example.org" }));
    const detail = async () => (await ok<{ events: { detail: unknown }[] }>(org.get(`/messages/${list.messages[0]!.id}`))).events.map((e) => e.detail);
    expect(await detail()).toEqual(events.map((e) => e.detail));
    // A row from before migration 0017 holds the JSON text: the same answer.
    await env.DB.prepare("UPDATE events SET detail = ? WHERE id = ?").bind(JSON.stringify(events[0]!.detail), stored.results[0]!.id).run();
    expect((await env.DB.prepare("SELECT typeof(detail) AS kind FROM events WHERE id = ?").bind(stored.results[0]!.id).first())!.kind).toBe("text");
    expect(await detail()).toEqual(events.map((e) => e.detail));
  });
});
