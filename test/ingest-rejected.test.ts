import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { findIngestKeyByHash, insertRejectedPayload, REJECTED_DISCARDED_COUNTER } from "../worker/db/ingest";
import { sha256Hex } from "../worker/lib/crypto";
import { HOUR } from "../worker/lib/time";
import { getIngestOverview } from "../worker/services/ingest/admin";
import { createIngestKey } from "../worker/services/ingest/keys";
import { REJECTED_PAYLOADS_KEPT, REJECTED_POSTS_RATE_LIMIT } from "../worker/services/ingest/limits";
import { call, db, json } from "./helpers";
import { fixture, newIngestOrg } from "./ingest-helpers";

const operator = { userId: null, name: "Test operator", email: "operator@example.test" };

async function orgWithKey() {
  const orgId = await newIngestOrg();
  const { key } = await createIngestKey(db(), orgId, operator);
  return { orgId, key };
}

const post = (key: string, body: string) =>
  call("/ingest/eventbridge", { method: "POST", origin: null, body, headers: { "content-type": "application/json", "x-api-key": key } });

const stored = (orgId: string) =>
  env.DB.prepare("SELECT id, length(CAST(body AS BLOB)) AS bytes FROM rejected_payloads WHERE org_id = ? ORDER BY id DESC")
    .bind(orgId)
    .all<{ id: string; bytes: number }>()
    .then((r) => r.results);

const discarded = async (orgId: string) =>
  (await env.DB.prepare("SELECT COALESCE(SUM(value), 0) AS n FROM ingest_counters WHERE org_id = ? AND counter = ?").bind(orgId, REJECTED_DISCARDED_COUNTER).first<{ n: number }>())!.n;

/** The limiter of an ingest key's rejected requests, found by the key as the endpoint finds it. */
async function rejectionLimiter(key: string) {
  const row = (await findIngestKeyByHash(db(), await sha256Hex(key)))!;
  const ns = env.RATE_LIMITER;
  return ns.get(ns.idFromName(`ingest-rejections:${row.id}`));
}

describe("rejected payloads: what is kept", () => {
  it(`keeps the newest ${REJECTED_PAYLOADS_KEPT.count} per workspace and counts the ones it deletes`, async () => {
    const orgId = await newIngestOrg();
    const other = await newIngestOrg();
    const t0 = Date.UTC(2026, 0, 5, 10);
    const extra = 7;
    const ids: string[] = [];
    for (let i = 0; i < REJECTED_PAYLOADS_KEPT.count + extra; i++) {
      const id = `rjp_test_${String(i).padStart(4, "0")}`;
      ids.push(id);
      const row = { id, orgId, receivedAt: t0 + i, status: 400, reason: "Body is not valid JSON.", body: `{oops ${i}`, bodyBytes: 7, truncated: false };
      await insertRejectedPayload(env.DB, row, REJECTED_PAYLOADS_KEPT, t0);
    }
    await insertRejectedPayload(env.DB, { id: "rjp_test_other", orgId: other, receivedAt: t0, status: 400, reason: "x", body: "x", bodyBytes: 1, truncated: false }, REJECTED_PAYLOADS_KEPT, t0);

    expect((await stored(orgId)).map((r) => r.id)).toEqual(ids.slice(extra).reverse());
    expect(await discarded(orgId)).toBe(extra);
    // Another workspace's payloads neither count against this cap nor get deleted by it.
    expect(await stored(other)).toHaveLength(1);
    expect(await discarded(other)).toBe(0);
    const overview = await getIngestOverview(db(), "http://127.0.0.1:8787", orgId, t0 + HOUR);
    expect(overview.counters.rejectedDiscarded).toBe(extra);
  });

  it(`keeps at most ${REJECTED_PAYLOADS_KEPT.bytes} stored bytes per workspace, newest first, over HTTP`, async () => {
    const { orgId, key } = await orgWithKey();
    // Invalid JSON just under the body limit: each is kept whole until the byte cap pushes it out.
    const body = `{${"x".repeat(250 * 1024)}`;
    const posts = 12;
    for (let i = 0; i < posts; i++) expect((await post(key, body)).status).toBe(400);
    const rows = await stored(orgId);
    const fit = Math.floor(REJECTED_PAYLOADS_KEPT.bytes / body.length);
    expect(fit).toBeLessThan(posts);
    expect(rows).toHaveLength(fit);
    expect(rows.reduce((sum, r) => sum + r.bytes, 0)).toBeLessThanOrEqual(REJECTED_PAYLOADS_KEPT.bytes);
    expect(await discarded(orgId)).toBe(posts - fit);
  });

  it("always keeps the newest payload, even one larger than the byte cap allows next to the others", async () => {
    const orgId = await newIngestOrg();
    const t0 = Date.UTC(2026, 0, 6);
    const keep = { count: 10, bytes: 100 };
    await insertRejectedPayload(env.DB, { id: "rjp_big_1", orgId, receivedAt: t0, status: 400, reason: "x", body: "a".repeat(80), bodyBytes: 80, truncated: false }, keep, t0);
    await insertRejectedPayload(env.DB, { id: "rjp_big_2", orgId, receivedAt: t0 + 1, status: 400, reason: "x", body: "b".repeat(150), bodyBytes: 150, truncated: false }, keep, t0);
    expect((await stored(orgId)).map((r) => r.id)).toEqual(["rjp_big_2"]);
    expect(await discarded(orgId)).toBe(1);
  });
});

describe("rejected requests: rate limit per ingest key", () => {
  it(`answers 429 with Retry-After past ${REJECTED_POSTS_RATE_LIMIT.limit} rejections a minute, stores nothing more, and never limits valid events`, async () => {
    const { orgId, key } = await orgWithKey();
    const limiter = await rejectionLimiter(key);
    // Spend all but one of the key's window directly (that many HTTP round trips would only slow the suite).
    for (let i = 0; i < REJECTED_POSTS_RATE_LIMIT.limit - 1; i++) await limiter.hit(REJECTED_POSTS_RATE_LIMIT.limit, REJECTED_POSTS_RATE_LIMIT.windowMs);

    expect((await post(key, "{last one")).status).toBe(400);
    const before = await stored(orgId);
    expect(before).toHaveLength(1);

    const limited = await post(key, "{one too many");
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(REJECTED_POSTS_RATE_LIMIT.windowMs / 1000);
    const err = (await json(limited)).error;
    expect(err.code).toBe("RATE_LIMITED");
    expect(err.details).toEqual({ retry_after_seconds: retryAfter });
    // An oversized body is a rejection too.
    expect((await post(key, "x".repeat(300 * 1024))).status).toBe(429);
    expect(await stored(orgId)).toEqual(before);

    // Valid events from the same key still go through.
    const event = fixture("delivery");
    const ok = await post(key, JSON.stringify(event));
    expect(ok.status).toBe(202);
    expect(await json(ok)).toEqual({ ok: true, id: event.id });

    // The limit is the key's: the workspace's next key starts with an empty window.
    const { key: next } = await createIngestKey(db(), orgId, operator);
    expect((await post(next, "{from the new key")).status).toBe(400);
    expect(await stored(orgId)).toHaveLength(2);
  });
});
