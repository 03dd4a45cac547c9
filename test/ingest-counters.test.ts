import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { HOUR } from "../worker/lib/time";
import { createIngestKey } from "../worker/services/ingest/keys";
import { call, db, insertMembership, json, newUser, type TestUser } from "./helpers";
import { fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";
import { newApiKey, v1 } from "./v1-helpers";

/**
 * GET /v1/ingest/counters: what ingest did with what it received — accepted, duplicates, dropped by
 * reason (each drop once), rejected requests and discarded rejected payloads — for the key's workspace.
 */

const operator = { userId: null, name: "Test operator", email: "operator@example.test" };

const postEvent = (key: string, body: string) =>
  call("/ingest/eventbridge", { method: "POST", origin: null, body, headers: { "content-type": "application/json", "x-api-key": key } });

async function counters(apiKey: string, query = "") {
  const res = await v1(`/ingest/counters${query}`, { key: apiKey });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body;
}

describe("GET /v1/ingest/counters", () => {
  let orgId: string;
  let apiKey: string;
  let owner: TestUser;

  beforeAll(async () => {
    // Manages mail.example.com only: the fixtures' mail is accepted; mail from elsewhere is dropped.
    orgId = await newIngestOrg();
    apiKey = (await newApiKey(orgId)).secret;
    owner = await newUser("counters");
    await insertMembership(orgId, owner.id, "owner");

    const unmanaged = fixture("send");
    unmanaged.detail.mail.messageId = "0100018f-unmanaged-000000";
    unmanaged.detail.mail.source = "bot@elsewhere.example";
    delete unmanaged.detail.mail.sourceArn;
    delete unmanaged.detail.mail.tags!["ses:from-domain"];
    const batch = [queued(orgId, fixture("send")), queued(orgId, fixture("delivery")), queued(orgId, unmanaged)];
    await runConsumer(batch);
    // EventBridge delivers all three again: three duplicates, no second drop.
    await runConsumer(batch);

    const { key } = await createIngestKey(db(), orgId, operator);
    expect((await postEvent(key, "{not json")).status).toBe(400);
    expect((await postEvent(key, JSON.stringify({ source: "aws.ses" }))).status).toBe(400);
  });

  it("answers accepted, duplicates, dropped by reason and rejected for the last 24 hours by default", async () => {
    const now = Date.now();
    const body = await counters(apiKey);
    expect(body).toEqual({
      from: Math.floor((now - 24 * HOUR) / HOUR) * HOUR,
      to: Math.ceil(now / HOUR) * HOUR,
      accepted: 2,
      duplicates: 3,
      dropped: { unmanaged_identity: 1 },
      rejected: 2,
      rejectedDiscarded: 0,
    });
  });

  it("gives the same counts as Settings → Ingest", async () => {
    const res = await call(`/api/orgs/${orgId}/ingest`, { cookie: owner.cookie });
    expect(res.status).toBe(200);
    const { from: _from, to: _to, ...api } = await counters(apiKey);
    const { since: _since, windowHours, ...dashboard } = (await json(res)).counters;
    expect(windowHours).toBe(24);
    expect(dashboard).toEqual(api);
  });

  it("sums the hour buckets of a range widened to whole hours, and nothing outside it", async () => {
    const t0 = Date.UTC(2026, 0, 10, 8);
    const rows: [number, string, number][] = [
      [t0 - HOUR, "accepted", 1000],
      [t0, "accepted", 5],
      [t0, "dropped.unmanaged_identity", 2],
      [t0 + HOUR, "duplicates", 3],
      [t0 + 2 * HOUR, "rejected", 7],
      [t0 + 3 * HOUR, "accepted", 2000],
    ];
    await env.DB.batch(
      rows.map(([bucket, counter, value]) =>
        env.DB.prepare("INSERT INTO ingest_counters (org_id, bucket_start, counter, value) VALUES (?, ?, ?, ?)").bind(orgId, bucket, counter, value),
      ),
    );
    // [08:30, 10:15) covers the hours 08, 09 and 10.
    expect(await counters(apiKey, `?from=${t0 + HOUR / 2}&to=${t0 + 2 * HOUR + HOUR / 4}`)).toEqual({
      from: t0,
      to: t0 + 3 * HOUR,
      accepted: 5,
      duplicates: 3,
      dropped: { unmanaged_identity: 2 },
      rejected: 7,
      rejectedDiscarded: 0,
    });
    // `to` is exclusive: a range ending at 09:00 stops before the 09 bucket.
    expect(await counters(apiKey, `?from=${t0}&to=${t0 + HOUR}`)).toMatchObject({ accepted: 5, duplicates: 0, rejected: 0 });
  });

  it("counts only the key's workspace", async () => {
    const other = await newIngestOrg();
    const otherKey = (await newApiKey(other)).secret;
    expect(await counters(otherKey)).toMatchObject({ accepted: 0, duplicates: 0, dropped: { unmanaged_identity: 0 }, rejected: 0 });
  });

  it("refuses a range that ends before it starts, naming the field", async () => {
    const res = await v1("/ingest/counters?from=2000&to=1000", { key: apiKey });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details.fields).toEqual([{ field: "from", message: "Must be before `to`." }]);
    expect((await v1("/ingest/counters?from=yesterday", { key: apiKey })).status).toBe(422);
  });

  it("needs an API key", async () => {
    expect((await v1("/ingest/counters")).status).toBe(401);
  });
});
