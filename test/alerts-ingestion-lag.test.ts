import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MINUTE } from "../worker/lib/time";
import { evaluateOrg } from "../worker/services/alerts/evaluate";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { lagBucketStart, latencyBucket } from "../worker/services/ingest/latency";
import { ingestEvents } from "../worker/services/ingest/writer";
import type { Env } from "../worker/env";
import { lifecycle, newIngestOrg } from "./ingest-helpers";

const T = Date.UTC(2026, 4, 20, 14, 32);
const TYPE = "system_infrastructure.clickhouse_ingestion_lag";

/** `n` stored rows that reached the reports `lagMs` after their SES time, processed at `at`. */
async function lagged(orgId: string, at: number, lagMs: number, n: number) {
  await env.DB.prepare("INSERT INTO ingest_lag (org_id, bucket_start, lag_bucket, count) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET count = count + excluded.count")
    .bind(orgId, lagBucketStart(at), latencyBucket(lagMs), n)
    .run();
}

async function lagRows(orgId: string) {
  const { results } = await env.DB.prepare("SELECT bucket_start, lag_bucket, count FROM ingest_lag WHERE org_id = ? ORDER BY lag_bucket").bind(orgId).all();
  return results;
}

function capture() {
  const raised: RaiseRequest[] = [];
  return { raised, raise: async (r: RaiseRequest) => void raised.push(r), of: (type: string) => raised.filter((r) => r.type === type) };
}
const noPause = async () => ({});

describe("ingestion lag", () => {
  it("records each stored row's lag (processing time − SES's event time) once, duplicates left out", async () => {
    const orgId = await newIngestOrg();
    const base = T - 12 * MINUTE;
    const events = lifecycle(1, base, "delivered", ["lag@example.org"]);
    const items = events.map((event) => ({ orgId, receivedAt: T - MINUTE, event }));
    const first = await ingestEvents(env as unknown as Env, items, T);
    await ingestEvents(env as unknown as Env, items, T + 1000);
    const rows = await lagRows(orgId);
    expect(rows.reduce((a, r) => a + Number(r.count), 0)).toBe(first.inserted);
    expect(rows.every((r) => r.bucket_start === lagBucketStart(T))).toBe(true);
    // The send is 12 minutes old; every later event of the message is younger.
    expect(Math.max(...rows.map((r) => Number(r.lag_bucket)))).toBe(latencyBucket(12 * MINUTE));
  });

  it("raises when the p95 over the last 15 minutes reaches 10 minutes over at least 20 events, once per breach", async () => {
    const c = capture();
    // 19 events 30 minutes late: under the 20-event guard.
    const guarded = await newIngestOrg();
    await lagged(guarded, T, 30 * MINUTE, 19);
    await evaluateOrg(env, guarded, c.raise, T, noPause);
    expect(c.of(TYPE)).toEqual([]);

    // 9.5 minutes: under the threshold (percentiles are exact to one histogram bucket).
    const under = await newIngestOrg();
    await lagged(under, T, 9.5 * MINUTE, 20);
    await evaluateOrg(env, under, c.raise, T, noPause);
    expect(c.of(TYPE)).toEqual([]);

    // Late events processed 20 minutes ago are outside the window.
    const old = await newIngestOrg();
    await lagged(old, T - 20 * MINUTE, 30 * MINUTE, 50);
    await evaluateOrg(env, old, c.raise, T, noPause);
    expect(c.of(TYPE)).toEqual([]);

    const orgId = await newIngestOrg();
    await lagged(orgId, T - 10 * MINUTE, MINUTE, 400);
    await lagged(orgId, T, 10 * MINUTE, 20);
    // 400 prompt events keep the p95 low (20 late ones are under 5 %): nothing.
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(c.of(TYPE)).toEqual([]);
    // 15 minutes on, only the late ones are in the window: raised once however often it is evaluated.
    await evaluateOrg(env, orgId, c.raise, T + 5 * MINUTE, noPause);
    await evaluateOrg(env, orgId, c.raise, T + 6 * MINUTE, noPause);
    expect(c.of(TYPE).map((r) => r.params)).toEqual([{ lag: "11 minutes" }]);
    expect(c.of(TYPE)[0]!.payload).toMatchObject({ events: 20 });

    // Still lagging, or no events at all: nothing more.
    await lagged(orgId, T + 15 * MINUTE, 20 * MINUTE, 30);
    await evaluateOrg(env, orgId, c.raise, T + 15 * MINUTE, noPause);
    await evaluateOrg(env, orgId, c.raise, T + 60 * MINUTE, noPause);
    expect(c.of(TYPE)).toHaveLength(1);
  });
});
