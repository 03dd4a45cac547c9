import { env, runInDurableObject } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import type { OrgContext } from "../worker/context";
import { eventReadsOf } from "../worker/services/event-reads";
import type { Env } from "../worker/env";
import { listMessages } from "../worker/services/reports/messages";
import { scopeOfApiKey } from "../worker/services/reports/scope";
import { SHARD_RETRY_HORIZON_MS } from "../worker/services/event-shards";
import { pruneExpiredShards } from "../worker/services/retention";
import { deleteWorkspace } from "../worker/services/workspaces";
import { db } from "./helpers";
import { dumpOrg, lifecycle, newIngestOrg, queued, runConsumer, migratedDeployment } from "./ingest-helpers";

/** Retention and closing a workspace on the shard path (docs/scaling.md, Shards: retention): whole shards go. */

const shardEnv: Env = { ...env, EVENT_STORE: "shards", ROLLUP_FLUSH_SECONDS: "0" };
beforeAll(migratedDeployment);
const DAY = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

const registry = async (orgId: string) =>
  (await env.DB.prepare("SELECT day FROM event_shards WHERE org_id = ? ORDER BY day").bind(orgId).all<{ day: string }>()).results.map((r) => r.day);

/** The tables in a shard's storage (none once it is destroyed). */
const tablesOf = (name: string) =>
  runInDurableObject(env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(name)), (_, state) =>
    state.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf%' ESCAPE '\\' ORDER BY name")
      .toArray()
      .map((r) => r.name),
  );

async function shardedOrg(plan: "free" | "business", sends: number[], now: number) {
  const orgId = await newIngestOrg({ plan });
  const events = sends.flatMap((at, i) => lifecycle(i, at, "delivered", [`r${i}@example.org`]));
  const r = await runConsumer(
    events.map((e) => queued(orgId, e, now)),
    shardEnv,
  );
  expect(r.retryMessages).toEqual([]);
  return orgId;
}

const recipients = async (orgId: string) => (await listMessages(await eventReadsOf(shardEnv), scopeOfApiKey(orgId), { limit: 50 })).messages.map((m) => m.recipient);

describe("event shards: retention and closing", () => {
  const now = Date.UTC(2026, 2, 20, 12);
  const old = now - 10 * DAY;
  const recent = now - 2 * DAY;

  it("drops the shards whose whole day is past the plan's retention, keeps the rest and every rollup", async () => {
    const free = await shardedOrg("free", [old, now - 7 * DAY - 3600_000, recent], now);
    const business = await shardedOrg("business", [old, recent], now);
    const [freeBefore, businessShards] = [await dumpOrg(free), await registry(business)];
    expect(await registry(free)).toEqual([dayOf(old), dayOf(now - 7 * DAY - 3600_000), dayOf(recent)]);

    const result = await pruneExpiredShards(env, now);
    expect(result.shardsDropped).toBe(1);
    // 7 days back from 12:00 is the 13th at 12:00: the 13th's shard still holds messages inside retention.
    expect(await registry(free)).toEqual([dayOf(now - 7 * DAY - 3600_000), dayOf(recent)]);
    expect(await tablesOf(`${free}:${dayOf(old)}`)).toEqual([]);
    expect(await tablesOf(`${free}:${dayOf(recent)}`)).toContain("events");
    expect(await recipients(free)).toEqual(["r2@example.org", "r1@example.org"]);
    const freeAfter = await dumpOrg(free);
    for (const table of Object.keys(freeBefore).filter((t) => t.startsWith("rollup_"))) expect(freeAfter[table], table).toEqual(freeBefore[table]);
    expect(await registry(business)).toEqual(businessShards);
    expect(await recipients(business)).toEqual(["r1@example.org", "r0@example.org"]);

    // Three days later the 13th's shard goes too; a second run finds nothing more.
    expect((await pruneExpiredShards(env, now + 3 * DAY)).shardsDropped).toBe(1);
    expect(await registry(free)).toEqual([dayOf(recent)]);
    expect((await pruneExpiredShards(env, now + 3 * DAY)).shardsDropped).toBe(0);
  });

  it("forgets applied tokens past the retry horizon, unless their shard is still pending", async () => {
    const orgId = await shardedOrg("business", [recent], now);
    const tokens = async () =>
      (await env.DB.prepare("SELECT token FROM applied_shard_tokens WHERE org_id = ?").bind(orgId).all<{ token: string }>()).results.length;
    const applied = await tokens();
    expect(applied).toBeGreaterThan(0);
    const appliedAt = (await env.DB.prepare("SELECT MAX(applied_at) AS t FROM applied_shard_tokens WHERE org_id = ?").bind(orgId).first<{ t: number }>())!.t;

    await pruneExpiredShards(env, appliedAt + SHARD_RETRY_HORIZON_MS);
    expect(await tokens()).toBe(applied);

    await env.DB.prepare("UPDATE event_shards SET pending_since = ? WHERE org_id = ?").bind(appliedAt, orgId).run();
    await pruneExpiredShards(env, appliedAt + SHARD_RETRY_HORIZON_MS + 1);
    expect(await tokens()).toBe(applied);

    await env.DB.prepare("UPDATE event_shards SET pending_since = NULL WHERE org_id = ?").bind(orgId).run();
    await pruneExpiredShards(env, appliedAt + SHARD_RETRY_HORIZON_MS + 1);
    expect(await tokens()).toBe(0);
  });

  it("closing a workspace destroys its shards before its org row goes", async () => {
    const orgId = await shardedOrg("business", [old, recent], now);
    const days = await registry(orgId);
    expect(days).toHaveLength(2);
    const org = { orgId, name: (await env.DB.prepare("SELECT name FROM orgs WHERE id = ?").bind(orgId).first<{ name: string }>())!.name, isDemo: false } as OrgContext;
    await deleteWorkspace(db(), env, env.FILES, org, "no-session", { confirmName: org.name });
    expect(await registry(orgId)).toEqual([]);
    for (const day of days) expect(await tablesOf(`${orgId}:${day}`)).toEqual([]);
    expect(await env.DB.prepare("SELECT id FROM orgs WHERE id = ?").bind(orgId).first()).toBeNull();
  });
});
