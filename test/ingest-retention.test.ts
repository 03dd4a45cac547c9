import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { pruneIngestRound } from "../worker/db/ingest";
import { pruneExpired } from "../worker/services/retention";
import { db } from "./helpers";
import { counters, dumpOrg, lifecycle, newIngestOrg, queued, runConsumer } from "./ingest-helpers";

const DAY = 86_400_000;

async function n(sql: string, orgId: string): Promise<number> {
  return (await env.DB.prepare(sql).bind(orgId).first<{ n: number }>())!.n;
}

describe("retention", () => {
  it("prunes events and messages older than the plan's retention and keeps every rollup", async () => {
    const now = Date.now();
    const free = await newIngestOrg({ plan: "free" });
    const business = await newIngestOrg({ plan: "business" });
    const old = lifecycle(1, now - 10 * DAY, "bounced", ["old@example.org"]);
    const recent = lifecycle(2, now - 2 * DAY, "complained", ["recent@example.org"]);
    for (const org of [free, business]) await runConsumer([...old, ...recent].map((e) => queued(org, e, now)));
    const before = await dumpOrg(free);
    const businessBefore = await dumpOrg(business);

    const result = await pruneExpired(db(), now);
    expect(result.eventsDeleted).toBeGreaterThan(0);
    expect(result.messagesDeleted).toBeGreaterThanOrEqual(1);

    const after = await dumpOrg(free);
    const cutoff = now - 7 * DAY;
    expect(after.events).toEqual(before.events!.filter((e) => (e.at as number) >= cutoff));
    expect(after.events!.length).toBeLessThan(before.events!.length);
    expect(after.messages!.map((m) => m.recipient)).toEqual(["recent@example.org"]);
    for (const table of Object.keys(before).filter((t) => t.startsWith("rollup_"))) expect(after[table], table).toEqual(before[table]);
    // A plan with longer retention keeps everything.
    expect(await dumpOrg(business)).toEqual(businessBefore);
    expect(await counters(free)).toEqual({ accepted: before.events!.length });
  });

  it("prunes the dedupe marks of dropped events with the events", async () => {
    const now = Date.now();
    const orgId = await newIngestOrg({ plan: "free", identities: ["other.example"] });
    const old = lifecycle(20, now - 10 * DAY, "delivered", ["old@example.org"]);
    const recent = lifecycle(21, now - 2 * DAY, "delivered", ["recent@example.org"]);
    await runConsumer([...old, ...recent].map((e) => queued(orgId, e, now)));
    const marks = () => env.DB.prepare("SELECT at FROM dropped_events WHERE org_id = ?").bind(orgId).all<{ at: number }>().then((r) => r.results);
    expect((await marks()).length).toBe(old.length + recent.length);

    await pruneExpired(db(), now);
    const left = await marks();
    expect(left.length).toBe(recent.length);
    for (const m of left) expect(m.at).toBeGreaterThanOrEqual(now - 7 * DAY);
  });

  it("deletes in bounded rounds", async () => {
    const orgId = await newIngestOrg({ plan: "free" });
    const now = Date.now();
    await runConsumer(
      [1, 2, 3].flatMap((i) => lifecycle(10 + i, now - 30 * DAY, "delivered", [`r${i}@example.org`])).map((e) => queued(orgId, e, now)),
    );
    const events = await n("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId);
    const round = await pruneIngestRound(db(), orgId, now - 7 * DAY, 2);
    expect(round).toMatchObject({ events: 2, messages: 2 });
    expect(await n("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)).toBe(events - 2);
    await pruneExpired(db(), now);
    expect(await n("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)).toBe(0);
    expect(await n("SELECT COUNT(*) AS n FROM messages WHERE org_id = ?", orgId)).toBe(0);
    expect(await n("SELECT COUNT(*) AS n FROM rollup_totals WHERE org_id = ?", orgId)).toBeGreaterThan(0);
  });
});
