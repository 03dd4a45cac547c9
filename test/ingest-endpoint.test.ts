import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../worker/app";
import type { Env } from "../worker/env";
import { consumeDeadLetters } from "../queues/dead-letters";
import { createIngestKey } from "../worker/services/ingest/keys";
import { inflateJson, type StoredJson } from "../worker/lib/deflate";
import { BASE, call, db, json, newUser } from "./helpers";
import { counters, fixture, FIXTURES, newIngestOrg, queued, runConsumer, waitFor } from "./ingest-helpers";

const operator = { userId: null, name: "Test operator", email: "operator@example.test" };

async function orgWithKey(opts: Parameters<typeof newIngestOrg>[0] = {}) {
  const orgId = await newIngestOrg(opts);
  const { key } = await createIngestKey(db(), orgId, operator);
  return { orgId, key };
}

function post(key: string | null, body: BodyInit, headers: Record<string, string> = {}) {
  return call("/ingest/eventbridge", {
    method: "POST",
    origin: null,
    body: body as never,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "user-agent": "Amazon/EventBridge/ApiDestinations",
      ...(key === null ? {} : { "x-api-key": key }),
      ...headers,
    },
  });
}

async function count(sql: string, ...binds: unknown[]): Promise<number> {
  return (await env.DB.prepare(sql).bind(...binds).first<{ n: number }>())!.n;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("POST /ingest/eventbridge", () => {
  it("accepts every fixture with 202 and the queue consumer stores each", async () => {
    const { orgId, key } = await orgWithKey();
    for (const [name, event] of Object.entries(FIXTURES)) {
      const res = await post(key, JSON.stringify(event));
      expect(res.status, name).toBe(202);
      expect(await json(res)).toEqual({ ok: true, id: event.id });
    }
    await waitFor(async () => (await count("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)) === Object.keys(FIXTURES).length);
    await waitFor(async () => (await counters(orgId)).accepted === Object.keys(FIXTURES).length);
  });

  it("accepts real variants: absent optional fields, null complaintSubType, unknown fields and tags", async () => {
    const { key } = await orgWithKey();
    const e = fixture("complaint") as any;
    delete e.detail.mail.headers;
    delete e.detail.mail.commonHeaders;
    delete e.detail.mail.tags;
    delete e.resources;
    e.detail.complaint.complaintSubType = null;
    e.detail.complaint.somethingNew = { nested: true };
    e["replay-name"] = "x";
    expect((await post(key, JSON.stringify(e))).status).toBe(202);
  });

  it("answers 401 without a key or with a wrong one, and stores nothing", async () => {
    const { key } = await orgWithKey();
    const before = await count("SELECT COUNT(*) AS n FROM rejected_payloads");
    for (const k of [null, "", "sik_wrong", `${key}x`]) {
      const res = await post(k, JSON.stringify(fixture("send")));
      expect(res.status).toBe(401);
      expect((await json(res)).error.code).toBe("UNAUTHORIZED");
    }
    const garbage = await post("sik_wrong", "{not json");
    expect(garbage.status).toBe(401);
    expect(await count("SELECT COUNT(*) AS n FROM rejected_payloads")).toBe(before);
  });

  it("answers 400 naming the field for each malformed input and stores the raw body with the reason", async () => {
    const { orgId, key } = await orgWithKey();
    const mutate = (f: (e: any) => void) => {
      const e = fixture("delivery") as any;
      f(e);
      return JSON.stringify(e);
    };
    const cases: [label: string, body: string, reason: string][] = [
      ["not JSON", "{oops", "Body is not valid JSON."],
      ["empty body", "", "Body is not valid JSON."],
      ["an array", "[1,2]", "(body):"],
      ["wrong source", mutate((e) => (e.source = "aws.ec2")), "source:"],
      ["unknown eventType", mutate((e) => (e.detail.eventType = "Teleport")), "detail.eventType:"],
      ["missing detail", mutate((e) => delete e.detail), "detail:"],
      ["missing mail.messageId", mutate((e) => delete e.detail.mail.messageId), "detail.mail.messageId:"],
      ["detail-type mismatch", mutate((e) => (e["detail-type"] = "Email Bounced")), "detail-type:"],
      ["advisor detail-type", mutate((e) => (e["detail-type"] = "Advisor Recommendation Status Open")), "detail-type:"],
      ["bad timestamp", mutate((e) => (e.detail.delivery.timestamp = "yesterday")), "detail.delivery.timestamp:"],
      ["tag value not an array", mutate((e) => (e.detail.mail.tags.campaign = "welcome")), "detail.mail.tags.campaign:"],
      ["no recipients", mutate((e) => (e.detail.delivery.recipients = [])), "detail.delivery.recipients:"],
      ["bad recipient", mutate((e) => (e.detail.delivery.recipients = ["nobody"])), "detail.delivery.recipients.0:"],
      [
        "bad bounceType",
        JSON.stringify({ ...fixture("bounce-permanent-general"), detail: { ...fixture("bounce-permanent-general").detail, bounce: { ...(fixture("bounce-permanent-general").detail as any).bounce, bounceType: "Hard" } } }),
        "detail.bounce.bounceType:",
      ],
      ["rendering failure without failure", mutate((e) => {
        e["detail-type"] = "Email Rendering Failed";
        e.detail.eventType = "Rendering Failure";
      }), "detail.failure:"],
    ];
    for (const [label, body, reason] of cases) {
      const res = await post(key, body);
      expect(res.status, label).toBe(400);
      const err = (await json(res)).error;
      expect(err.code, label).toBe("INVALID_EVENT");
      expect(err.message.startsWith(reason), `${label}: ${err.message}`).toBe(true);
      const stored = await env.DB.prepare("SELECT * FROM rejected_payloads WHERE id = ?").bind(err.details.rejectedPayloadId).first<any>();
      expect(stored, label).toMatchObject({ org_id: orgId, status: 400, reason: err.message, body, truncated: 0 });
    }
    expect(await count("SELECT COUNT(*) AS n FROM rejected_payloads WHERE org_id = ?", orgId)).toBe(cases.length);
  });

  it("answers 413 above 256 KB: from Content-Length before reading, or while reading a body without one (keeping its first 256 KB)", async () => {
    const { orgId, key } = await orgWithKey();
    const big = JSON.stringify({ ...fixture("send"), padding: "x".repeat(300 * 1024) });
    const bytes = new TextEncoder().encode(big);
    const res = await post(key, big);
    expect(res.status).toBe(413);
    expect((await json(res)).error.code).toBe("PAYLOAD_TOO_LARGE");

    // A streamed body has no Content-Length: the bound is enforced while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16 * 1024) controller.enqueue(bytes.subarray(i, i + 16 * 1024));
        controller.close();
      },
    });
    const streamed = await createApp().fetch(
      new Request(`${BASE}/ingest/eventbridge`, { method: "POST", headers: { "x-api-key": key }, body: stream, duplex: "half" } as RequestInit),
      env,
      createExecutionContext(),
    );
    expect(streamed.status).toBe(413);

    const rows = await env.DB.prepare("SELECT status, truncated, length(body) AS len, body_bytes FROM rejected_payloads WHERE org_id = ? ORDER BY id").bind(orgId).all<any>();
    expect(rows.results).toEqual([
      { status: 413, truncated: 1, len: 0, body_bytes: bytes.length },
      { status: 413, truncated: 1, len: 256 * 1024, body_bytes: 256 * 1024 + 1 },
    ]);
  });

  it("sends an event between 96 KB and 256 KB through R2 and still stores it", async () => {
    const { orgId, key } = await orgWithKey();
    const e = fixture("send") as any;
    e.detail.mail.headers.push({ name: "X-Padding", value: "p".repeat(150 * 1024) });
    expect((await post(key, JSON.stringify(e))).status).toBe(202);
    const stored = await waitFor(() =>
      env.DB.prepare("SELECT detail FROM events WHERE org_id = ?").bind(orgId).first<{ detail: StoredJson }>(),
    );
    expect((inflateJson(stored!.detail) as any).mail.headers.at(-1).value).toHaveLength(150 * 1024);
    // The consumer deletes the R2 copy once the event is committed.
    await waitFor(async () => (await env.FILES.list({ prefix: `ingest-overflow/${orgId}/` })).objects.length === 0);
  });

  it("answers 503 with Retry-After when the queue is unavailable", async () => {
    const { key } = await orgWithKey();
    const broken = {
      ...env,
      EVENTS_QUEUE: {
        send: async () => {
          throw new Error("queue down");
        },
        sendBatch: async () => {
          throw new Error("queue down");
        },
      },
    } as unknown as Env;
    const res = await createApp().fetch(
      new Request(`${BASE}/ingest/eventbridge`, { method: "POST", headers: { "x-api-key": key }, body: JSON.stringify(fixture("send")) }),
      broken,
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("10");
    expect((await json(res)).error.code).toBe("QUEUE_UNAVAILABLE");
  });

  it("keeps a rotated key valid for 24 hours, then refuses it", async () => {
    const { orgId, key: oldKey } = await orgWithKey();
    const { key: newKey } = await createIngestKey(db(), orgId, operator);
    expect(newKey).not.toBe(oldKey);
    const body = JSON.stringify(fixture("send"));
    expect((await post(oldKey, body)).status).toBe(202);
    expect((await post(newKey, body)).status).toBe(202);

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 24 * 3_600_000 - 60_000);
    expect((await post(oldKey, body)).status).toBe(202);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    expect((await post(oldKey, body)).status).toBe(401);
    expect((await post(newKey, body)).status).toBe(202);
  });
});

describe("POST /ingest/noop", () => {
  it("is 404 unless BENCH_BASELINE is true, then only enqueues the body it received", async () => {
    expect((await call("/ingest/noop", { method: "POST", origin: null, body: "{}" })).status).toBe(404);
    const sent: unknown[] = [];
    const benchEnv = { ...env, BENCH_BASELINE: "true", EVENTS_QUEUE: { send: async (m: unknown) => void sent.push(m) } } as unknown as Env;
    const res = await createApp().fetch(new Request(`${BASE}/ingest/noop`, { method: "POST", body: '{"any":"payload"}' }), benchEnv, createExecutionContext());
    expect(res.status).toBe(202);
    expect(sent).toEqual([{ kind: "noop", body: '{"any":"payload"}' }]);
  });
});

describe("ingest admin API", () => {
  it("shows the webhook URL, the valid keys and the last 24 h of counters", async () => {
    const owner = await newUser("ingest-owner");
    const orgId = await newIngestOrg({ member: { userId: owner.id, role: "owner" } });
    const { id: keyId } = await createIngestKey(db(), orgId, operator);
    const unmanaged = fixture("send");
    // Another message: one event (one dedupe key) is never both managed and not.
    unmanaged.detail.mail.messageId = "0100018f-unmanaged-000000";
    unmanaged.detail.mail.source = "x@unmanaged.example";
    unmanaged.detail.mail.sourceArn = "arn:aws:ses:us-east-1:111122223333:identity/unmanaged.example";
    unmanaged.detail.mail.tags!["ses:from-domain"] = ["unmanaged.example"];
    await runConsumer([queued(orgId, fixture("send")), queued(orgId, fixture("send")), queued(orgId, fixture("delivery")), queued(orgId, unmanaged)]);

    const res = await call(`/api/orgs/${orgId}/ingest`, { cookie: owner.cookie });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.webhookUrl).toBe(`${env.APP_URL}/ingest/eventbridge`);
    expect(body.keys).toEqual([{ id: keyId, prefix: expect.stringMatching(/^sik_.{8}$/), createdAt: expect.any(Number), expiresAt: null }]);
    expect(body.counters).toMatchObject({ accepted: 2, duplicates: 1, dropped: { unmanaged_identity: 1 }, windowHours: 24 });
  });

  it("rotates the key for aws.manage holders only, returns it once and audits it", async () => {
    const owner = await newUser("ingest-owner");
    const orgId = await newIngestOrg({ member: { userId: owner.id, role: "owner" } });
    const dev = await newUser("ingest-dev");
    await env.DB.prepare("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, 'developer', ?)").bind(orgId, dev.id, Date.now()).run();

    expect((await call(`/api/orgs/${orgId}/ingest/keys`, { method: "POST", cookie: dev.cookie })).status).toBe(403);
    expect((await call(`/api/orgs/${orgId}/ingest`, { cookie: dev.cookie })).status).toBe(403);

    const first = await call(`/api/orgs/${orgId}/ingest/keys`, { method: "POST", cookie: owner.cookie });
    expect(first.status).toBe(201);
    const k1 = await json(first);
    expect(k1.key).toMatch(/^sik_/);
    const second = await json(await call(`/api/orgs/${orgId}/ingest/keys`, { method: "POST", cookie: owner.cookie }));
    const overview = await json(await call(`/api/orgs/${orgId}/ingest`, { cookie: owner.cookie }));
    expect(overview.keys.map((k: any) => [k.id, k.expiresAt === null])).toEqual([
      [second.id, true],
      [k1.id, false],
    ]);
    expect(JSON.stringify(overview)).not.toContain(k1.key);
    expect((await post(k1.key, JSON.stringify(fixture("send")))).status).toBe(202);
    const audit = await env.DB.prepare("SELECT operation, actor_user_id FROM audit_log WHERE org_id = ? AND resource_type = 'ingest_key' ORDER BY id")
      .bind(orgId)
      .all();
    expect(audit.results).toEqual([
      { operation: "create", actor_user_id: owner.id },
      { operation: "rotate", actor_user_id: owner.id },
    ]);
  });

  it("lists rejected payloads newest first, a page at a time", async () => {
    const owner = await newUser("ingest-owner");
    const orgId = await newIngestOrg({ member: { userId: owner.id, role: "owner" } });
    const { key } = await createIngestKey(db(), orgId, operator);
    await post(key, "{first");
    await post(key, "{second");
    const page1 = await json(await call(`/api/orgs/${orgId}/rejected-payloads?limit=1`, { cookie: owner.cookie }));
    expect(page1.data.map((r: any) => r.body)).toEqual(["{second"]);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = await json(await call(`/api/orgs/${orgId}/rejected-payloads?limit=1&cursor=${page1.nextCursor}`, { cookie: owner.cookie }));
    expect(page2.data.map((r: any) => [r.body, r.status, r.reason])).toEqual([["{first", 400, "Body is not valid JSON."]]);
    expect(page2.nextCursor).toBeNull();
  });
});

describe("dead letters", () => {
  it("records each dead-lettered message once, lists it, and replays it to its queue with an audit entry", async () => {
    const owner = await newUser("ingest-owner");
    const orgId = await newIngestOrg({ member: { userId: owner.id, role: "owner" } });
    const body = queued(orgId, fixture("delivery"));
    const message = { id: `dlq-${orgId}`, timestamp: new Date(), attempts: 1, body };
    for (let i = 0; i < 2; i++) {
      const batch = createMessageBatch("sendops-dead-letters", [message]);
      const ctx = createExecutionContext();
      await consumeDeadLetters(batch, env, ctx);
      expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
    }
    const list = await json(await call(`/api/orgs/${orgId}/dead-letters`, { cookie: owner.cookie }));
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ queue: "sendops-events", status: "pending", attempts: 1, body });

    const replay = await call(`/api/orgs/${orgId}/dead-letters/${list.data[0].id}/replay`, { method: "POST", cookie: owner.cookie });
    expect(replay.status).toBe(200);
    expect(await json(replay)).toMatchObject({ status: "replayed", queue: "sendops-events" });
    // The re-enqueued event reaches the consumer and is stored.
    await waitFor(async () => (await count("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)) === 1);

    const again = await call(`/api/orgs/${orgId}/dead-letters/${list.data[0].id}/replay`, { method: "POST", cookie: owner.cookie });
    expect(again.status).toBe(409);
    const audit = await env.DB.prepare("SELECT operation FROM audit_log WHERE org_id = ? AND resource_type = 'dead_letter'").bind(orgId).all();
    expect(audit.results).toEqual([{ operation: "replay" }]);
    // Another workspace cannot see or replay it.
    const other = await newUser("ingest-other");
    const otherOrg = await newIngestOrg({ member: { userId: other.id, role: "owner" } });
    expect((await json(await call(`/api/orgs/${otherOrg}/dead-letters`, { cookie: other.cookie }))).data).toEqual([]);
    expect((await call(`/api/orgs/${otherOrg}/dead-letters/${list.data[0].id}/replay`, { method: "POST", cookie: other.cookie })).status).toBe(404);
  });
});
