import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { Env } from "../worker/env";
import { copySuppressionsFromEvents } from "../worker/services/suppressions";
import { lifecycle, newIngestOrg, queued, runConsumer, workload, migratedDeployment } from "./ingest-helpers";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";

/**
 * The demo's suppression list copy derived from its events: from D1's `events` (EVENT_STORE = "d1") and
 * from the workspace's event shards (EVENT_STORE = "shards") it is the same list for the same events.
 */

const shardEnv: Env = { ...env, EVENT_STORE: "shards" };
beforeAll(migratedDeployment);

/**
 * workload(30) (permanent and transient bounces, complaints, a second recipient on some) and recipients
 * whose events live in different shards: a permanent bounce one day and a complaint days later, two
 * permanent bounces on two days, a complaint then a later permanent bounce, a transient bounce only.
 */
function events(): SesEventBridgeEvent[] {
  const day = (d: number, h = 9) => Date.UTC(2024, 5, d, h);
  return [
    ...workload(30),
    ...lifecycle(101, day(3), "bounced", ["twice@example.org"]),
    ...lifecycle(103, day(6), "complained", ["twice@example.org"]),
    ...lifecycle(105, day(3, 10), "bounced", ["again@example.org"]),
    ...lifecycle(107, day(8), "bounced", ["again@example.org"]),
    ...lifecycle(109, day(4), "complained", ["first@example.org"]),
    ...lifecycle(111, day(7), "bounced", ["first@example.org"]),
    ...lifecycle(112, day(5), "bounced", ["soft@example.org"]),
  ];
}

async function ingest(load: SesEventBridgeEvent[], testEnv: Env) {
  const orgId = await newIngestOrg();
  for (let i = 0; i < load.length; i += 60) {
    const r = await runConsumer(
      load.slice(i, i + 60).map((e) => queued(orgId, e)),
      testEnv,
    );
    expect(r.retryMessages).toEqual([]);
  }
  return orgId;
}

async function copy(orgId: string) {
  const { results } = await env.DB.prepare(
    "SELECT email, reason, last_update_time, sync_generation FROM suppressed_destinations WHERE org_id = ? ORDER BY email",
  )
    .bind(orgId)
    .all<{ email: string; reason: string; last_update_time: number; sync_generation: number }>();
  return results;
}

describe("the demo's suppression copy from the event shards", () => {
  it("is exactly the copy the D1 query derives from the same events, generation by generation", async () => {
    const load = events();
    const [d1Org, shardOrg] = [await ingest(load, env), await ingest(load, shardEnv)];
    const shards = await env.DB.prepare("SELECT count(*) AS n FROM event_shards WHERE org_id = ?").bind(shardOrg).first<{ n: number }>();
    expect(shards!.n).toBeGreaterThan(5);
    // An entry from an earlier sync: the next generation refreshes it (its reason and time) in both stores.
    for (const org of [d1Org, shardOrg]) {
      await env.DB.prepare("INSERT INTO suppressed_destinations (org_id, email, reason, last_update_time, sync_generation) VALUES (?, 'twice@example.org', 'BOUNCE', 1, 1)")
        .bind(org)
        .run();
    }

    await copySuppressionsFromEvents(env, d1Org, 2, Date.UTC(2024, 6, 1));
    await copySuppressionsFromEvents(shardEnv, shardOrg, 2, Date.UTC(2024, 6, 1));
    const fromD1 = await copy(d1Org);
    const fromShards = await copy(shardOrg);

    // The comparison means something: both reasons, entries merged over several shards.
    expect(fromD1.filter((r) => r.reason === "COMPLAINT").length).toBeGreaterThan(3);
    expect(fromD1.filter((r) => r.reason === "BOUNCE").length).toBeGreaterThan(3);
    expect(fromD1.find((r) => r.email === "twice@example.org")).toEqual({
      email: "twice@example.org",
      reason: "COMPLAINT",
      last_update_time: Date.UTC(2024, 5, 6, 9) + 5 * 3600_000,
      sync_generation: 2,
    });
    expect(fromD1.find((r) => r.email === "again@example.org")).toMatchObject({ reason: "BOUNCE", last_update_time: Date.UTC(2024, 5, 8, 9) + 2000 });
    expect(fromD1.find((r) => r.email === "first@example.org")).toMatchObject({ reason: "COMPLAINT", last_update_time: Date.UTC(2024, 5, 7, 9) + 2000 });
    expect(fromD1.some((r) => r.email === "soft@example.org")).toBe(false);
    expect(fromShards).toEqual(fromD1);
  }, 120_000);
});
