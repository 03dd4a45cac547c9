import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HOUR } from "../worker/lib/time";
import { evaluateOrg } from "../worker/services/alerts/evaluate";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { newIngestOrg } from "./ingest-helpers";

const T = Date.UTC(2026, 4, 20, 14, 30);
const hour = (at: number) => Math.floor(at / HOUR) * HOUR;

async function counter(orgId: string, at: number, name: string, value: number) {
  await env.DB.prepare("INSERT INTO ingest_counters (org_id, bucket_start, counter, value) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value")
    .bind(orgId, hour(at), name, value)
    .run();
}

function capture() {
  const raised: RaiseRequest[] = [];
  return { raised, raise: async (r: RaiseRequest) => void raised.push(r), of: (type: string) => raised.filter((r) => r.type === type) };
}
const noPause = async () => ({});

describe("system evaluators from the ingest counters", () => {
  it("raises an EventBridge connection issue when a workspace that usually gets events gets none for 3 hours", async () => {
    const orgId = await newIngestOrg();
    // A week of 12 events an hour: about 36 expected per 3 hours.
    for (let h = 3; h < 3 + 7 * 24; h++) await counter(orgId, hour(T) - (h - 1) * HOUR, "accepted", 12);
    const c = capture();
    await counter(orgId, T - HOUR, "accepted", 1);
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(c.of("system_infrastructure.eventbridge_connection_issue")).toEqual([]);
    // 3 hours later nothing arrived since: silent, raised once across evaluations.
    await evaluateOrg(env, orgId, c.raise, T + 3 * HOUR, noPause);
    await evaluateOrg(env, orgId, c.raise, T + 3 * HOUR + 60_000, noPause);
    expect(c.of("system_infrastructure.eventbridge_connection_issue").map((r) => r.params)).toEqual([{ silence: "3 hours", region: "your AWS account" }]);
  });

  it("never calls a quiet workspace silent", async () => {
    const orgId = await newIngestOrg();
    for (let h = 3; h < 3 + 7 * 24; h += 24) await counter(orgId, hour(T) - (h - 1) * HOUR, "accepted", 10);
    const c = capture();
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(c.raised).toEqual([]);
  });

  it("raises a high duplicate rate at 10 % of at least 100 events received in 24 hours", async () => {
    const orgId = await newIngestOrg();
    // 9 of 99: under the 100-event guard.
    await counter(orgId, T - 2 * HOUR, "accepted", 90);
    await counter(orgId, T - 2 * HOUR, "duplicates", 9);
    const c = capture();
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(c.of("system_infrastructure.duplicate_event_rate")).toEqual([]);
    await counter(orgId, T - HOUR, "duplicates", 1);
    await evaluateOrg(env, orgId, c.raise, T + 1000, noPause);
    await evaluateOrg(env, orgId, c.raise, T + 2000, noPause);
    expect(c.of("system_infrastructure.duplicate_event_rate").map((r) => r.params)).toEqual([{ rate: "10%", duplicates: 10, events: 100, window: "24 hours" }]);
  });
});
