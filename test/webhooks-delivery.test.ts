import { env } from "cloudflare:test";
import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Env } from "../worker/env";
import { getDb } from "../worker/db/client";
import { consumeWebhooks } from "../queues/webhooks";
import { AUTO_DISABLE_AFTER, enqueueDeliveries, resendDelivery, runDeliveryAttempt, type DisabledEndpoint } from "../worker/services/webhooks/delivery";
import { createEndpoint, getEndpoint, rotateSecret, setEndpointEnabled } from "../worker/services/webhooks/endpoints";
import { ACTOR, endpointOn, newOrg, notification, receiverControl, received, recordingDeps, unique } from "./webhooks-helpers";

const db = () => getDb(env.DB);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MIN = 60_000;

async function putDns(name: string, type: "A", values: string[]) {
  const res = await fetch(`${new URL(env.DNS_RESOLVER_URL).origin}/__sim/dns/records`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type, values }) });
  if (!res.ok) throw new Error(`dns sim: ${res.status}`);
}

const logOf = async (orgId: string, endpointId: string) => (await getEndpoint(db(), orgId, endpointId)).deliveries;

describe("delivery to a receiver", () => {
  it("POSTs the docs' payload with a signature the receiver verifies, and logs the attempt", async () => {
    const name = unique("signed");
    const { orgId, endpoint, secret } = await endpointOn(name);
    // The receiver answers after 80 ms, so the logged latency is the real round trip, not a default.
    await receiverControl(name, { secret, delayMs: 80 });
    const { deps, sent } = recordingDeps();
    const n = notification(orgId);
    await enqueueDeliveries(deps, n);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({ kind: "webhook.deliver", attempt: 1, series: 1, orgId });
    expect(sent[0]!.delaySeconds).toBeUndefined();

    expect(await runDeliveryAttempt(deps, sent[0]!.body, Date.now())).toBe("succeeded");
    const [req] = await received(name);
    expect(req!.verified).toBe(true);
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.headers["user-agent"]).toMatch(/^SendOps-Webhooks\//);
    expect(req!.headers["x-sendops-timestamp"]).toMatch(/^\d{10}$/);
    expect(req!.headers["x-sendops-signature"]).toMatch(/^v1=[0-9a-f]{64}$/);
    const body = JSON.parse(req!.body);
    expect(Object.keys(body).sort()).toEqual(["account_id", "body", "id", "notification_type", "payload", "severity", "timestamp", "title"]);
    expect(body).toMatchObject({ notification_type: n.type, severity: "error", timestamp: "2026-03-14T10:30:00Z", title: n.title, body: n.body, payload: n.payload });
    expect(body.id).toMatch(UUID);
    expect(body.account_id).toMatch(UUID);

    const [delivery] = await logOf(orgId, endpoint.id);
    expect(delivery).toMatchObject({ state: "succeeded", attempts: 1, lastStatusCode: 200, body: req!.body });
    expect(delivery!.log).toEqual([expect.objectContaining({ attempt: 1, ok: true, statusCode: 200, error: null })]);
    expect(delivery!.log[0]!.latencyMs).toBeGreaterThanOrEqual(80);
    expect(delivery!.log[0]!.latencyMs).toBeLessThan(10_000);
  });

  it("a UUID notification id is the payload id as is; the same notification keeps its id across endpoints", async () => {
    const a = unique("uuid-a");
    const { orgId } = await endpointOn(a);
    const b = unique("uuid-b");
    await endpointOn(b, { types: ["deliverability.bounce_rate_threshold"] }, orgId);
    const { deps, sent } = recordingDeps();
    const id = crypto.randomUUID();
    await enqueueDeliveries(deps, notification(orgId, "deliverability.bounce_rate_threshold", id));
    expect(sent).toHaveLength(2);
    for (const m of sent) await runDeliveryAttempt(deps, m.body, Date.now());
    expect(JSON.parse((await received(a))[0]!.body).id).toBe(id);
    expect(JSON.parse((await received(b))[0]!.body).id).toBe(id);
  });
});

describe("enqueue", () => {
  it("is idempotent per notification × endpoint, and a duplicate message posts once", async () => {
    const name = unique("idem");
    const { orgId, endpoint } = await endpointOn(name);
    const { deps, sent } = recordingDeps();
    const n = notification(orgId);
    const first = await enqueueDeliveries(deps, n);
    const again = await enqueueDeliveries(deps, n);
    // The retried caller re-offers the same, still unattempted delivery (no second row).
    expect(again.deliveryIds).toEqual(first.deliveryIds);
    expect(await logOf(orgId, endpoint.id)).toHaveLength(1);
    expect(await runDeliveryAttempt(deps, sent[0]!.body)).toBe("succeeded");
    expect(await runDeliveryAttempt(deps, sent[1]!.body)).toBeNull();
    expect((await enqueueDeliveries(deps, n)).deliveryIds).toEqual([]);
    expect(await received(name)).toHaveLength(1);
    expect(await logOf(orgId, endpoint.id)).toHaveLength(1);
  });

  it("routes by whole category and by individual type; disabled endpoints get nothing", async () => {
    const byCategory = await endpointOn(unique("cat"), { categories: ["ses_account_health"] });
    const orgId = byCategory.orgId;
    const byType = await endpointOn(unique("type"), { types: ["deliverability.complaint_rate_threshold"] }, orgId);
    const off = await endpointOn(unique("off"), { categories: ["ses_account_health", "deliverability"] }, orgId);
    await setEndpointEnabled(db(), { orgId, actor: ACTOR }, off.endpoint.id, false);
    const { deps } = recordingDeps();
    const endpointsOf = async (ids: string[]) => {
      const rows = await env.DB.prepare(`SELECT endpoint_id FROM webhook_deliveries WHERE id IN (${ids.map(() => "?").join(",")})`).bind(...ids).all<{ endpoint_id: string }>();
      return rows.results.map((r) => r.endpoint_id).sort();
    };
    expect(await endpointsOf((await enqueueDeliveries(deps, notification(orgId, "ses_account_health.sending_quota_reached"))).deliveryIds)).toEqual([byCategory.endpoint.id]);
    expect(await endpointsOf((await enqueueDeliveries(deps, notification(orgId, "ses_account_health.sandbox_status_change"))).deliveryIds)).toEqual([byCategory.endpoint.id]);
    expect(await endpointsOf((await enqueueDeliveries(deps, notification(orgId, "deliverability.complaint_rate_threshold"))).deliveryIds)).toEqual([byType.endpoint.id]);
    expect((await enqueueDeliveries(deps, notification(orgId, "deliverability.bounce_rate_threshold"))).deliveryIds).toEqual([]);
  });
});

describe("the demo workspace", () => {
  it("sends nothing: its endpoint is a showcase with a seeded log", async () => {
    const orgId = await newOrg();
    const { endpoint } = await endpointOn(unique("demo"), { categories: ["deliverability"] }, orgId);
    const { deps, sent } = recordingDeps();
    await env.DB.prepare("UPDATE orgs SET is_demo = 1 WHERE id = ?").bind(orgId).run();
    expect((await enqueueDeliveries(deps, notification(orgId))).deliveryIds).toEqual([]);
    expect(sent).toEqual([]);
    expect(await logOf(orgId, endpoint.id)).toEqual([]);
  });
});

describe("retries", () => {
  it("retries 5 min after attempt 1 and 15 min after attempt 2, then marks the delivery failed", async () => {
    const name = unique("retry");
    const { orgId, endpoint } = await endpointOn(name);
    await receiverControl(name, { status: 503 });
    const { deps, sent } = recordingDeps();
    await enqueueDeliveries(deps, notification(orgId));
    const t0 = Date.now();

    expect(await runDeliveryAttempt(deps, sent[0]!.body, t0)).toBe("retry_scheduled");
    expect(sent[1]).toEqual({ body: { ...sent[0]!.body, attempt: 2 }, delaySeconds: 300 });
    expect((await logOf(orgId, endpoint.id))[0]).toMatchObject({ state: "pending", attempts: 1, nextAttemptAt: t0 + 5 * MIN, lastStatusCode: 503, lastError: "HTTP 503" });

    expect(await runDeliveryAttempt(deps, sent[1]!.body, t0 + 5 * MIN)).toBe("retry_scheduled");
    expect(sent[2]).toEqual({ body: { ...sent[0]!.body, attempt: 3 }, delaySeconds: 900 });

    expect(await runDeliveryAttempt(deps, sent[2]!.body, t0 + 20 * MIN)).toBe("failed");
    expect(sent).toHaveLength(3);
    const [delivery] = await logOf(orgId, endpoint.id);
    expect(delivery).toMatchObject({ state: "failed", attempts: 3, nextAttemptAt: null });
    expect(delivery!.log.map((a) => [a.attempt, a.at - t0, a.statusCode, a.ok])).toEqual([
      [1, 0, 503, false],
      [2, 5 * MIN, 503, false],
      [3, 20 * MIN, 503, false],
    ]);
    const requests = await received(name);
    expect(requests).toHaveLength(3);
    expect(new Set(requests.map((r) => r.body)).size).toBe(1);
    expect(requests.map((r) => Number(r.headers["x-sendops-timestamp"]) - Math.floor(t0 / 1000))).toEqual([0, 300, 1200]);
    expect((await getEndpoint(db(), orgId, endpoint.id)).endpoint.consecutiveFailures).toBe(1);
  });

  it("a manual resend of a failed delivery starts a new series with the same payload id; stale messages are dropped", async () => {
    const name = unique("resend");
    const { orgId, endpoint } = await endpointOn(name);
    await receiverControl(name, { status: 500 });
    const { deps, sent } = recordingDeps();
    await enqueueDeliveries(deps, notification(orgId));
    const t0 = Date.now();
    for (const [i, at] of [t0, t0 + 5 * MIN, t0 + 20 * MIN].entries()) await runDeliveryAttempt(deps, sent[i]!.body, at);
    const [failed] = await logOf(orgId, endpoint.id);
    expect(failed!.state).toBe("failed");

    await receiverControl(name, { status: 200 });
    await resendDelivery(deps, { orgId, actor: ACTOR }, endpoint.id, failed!.id, t0 + 30 * MIN);
    expect(sent[3]!.body).toMatchObject({ deliveryId: failed!.id, series: 2, attempt: 1 });
    // A replayed message of the first series does nothing.
    expect(await runDeliveryAttempt(deps, sent[2]!.body, t0 + 31 * MIN)).toBeNull();
    expect(await runDeliveryAttempt(deps, sent[3]!.body, t0 + 31 * MIN)).toBe("succeeded");
    const [done] = await logOf(orgId, endpoint.id);
    expect(done).toMatchObject({ state: "succeeded", series: 2, attempts: 1 });
    expect(done!.log.map((a) => [a.series, a.attempt, a.statusCode])).toEqual([[1, 1, 500], [1, 2, 500], [1, 3, 500], [2, 1, 200]]);
    const bodies = (await received(name)).map((r) => JSON.parse(r.body).id);
    expect(new Set(bodies).size).toBe(1);
    expect((await getEndpoint(db(), orgId, endpoint.id)).endpoint.consecutiveFailures).toBe(0);
    await expect(resendDelivery(deps, { orgId, actor: ACTOR }, endpoint.id, failed!.id)).rejects.toMatchObject({ status: 409 });
  });
});

describe("auto-disable", () => {
  async function failOnce(deps: ReturnType<typeof recordingDeps>["deps"], sent: ReturnType<typeof recordingDeps>["sent"], orgId: string, t: number) {
    const from = sent.length;
    await enqueueDeliveries(deps, notification(orgId), t);
    if (sent.length === from) return "not enqueued";
    let outcome = await runDeliveryAttempt(deps, sent[from]!.body, t);
    for (let i = 1; outcome === "retry_scheduled"; i++) outcome = await runDeliveryAttempt(deps, sent[from + i]!.body, t + i * 20 * MIN);
    return outcome;
  }

  it("disables after exactly 10 consecutive failed deliveries; a success resets the count", async () => {
    const name = unique("auto");
    const { orgId, endpoint } = await endpointOn(name);
    const disabled: DisabledEndpoint[] = [];
    const { deps, sent } = recordingDeps({ onEndpointDisabled: async (e) => void disabled.push(e) });
    const t0 = Date.now();
    const state = async () => (await getEndpoint(db(), orgId, endpoint.id)).endpoint;

    await receiverControl(name, { status: 500 });
    for (let i = 0; i < AUTO_DISABLE_AFTER - 1; i++) expect(await failOnce(deps, sent, orgId, t0 + i * MIN)).toBe("failed");
    expect(await state()).toMatchObject({ status: "enabled", consecutiveFailures: 9 });

    await receiverControl(name, { status: 204 });
    await enqueueDeliveries(deps, notification(orgId));
    expect(await runDeliveryAttempt(deps, sent[sent.length - 1]!.body)).toBe("succeeded");
    expect(await state()).toMatchObject({ status: "enabled", consecutiveFailures: 0 });

    await receiverControl(name, { status: 500 });
    for (let i = 0; i < AUTO_DISABLE_AFTER - 1; i++) await failOnce(deps, sent, orgId, t0 + i * MIN);
    expect(await state()).toMatchObject({ status: "enabled", consecutiveFailures: 9 });
    expect(disabled).toEqual([]);

    expect(await failOnce(deps, sent, orgId, t0 + 60 * MIN)).toBe("failed");
    const after = await state();
    expect(after).toMatchObject({ status: "auto_disabled", consecutiveFailures: 10 });
    expect(after.disabledReason).toMatch(/10 consecutive failed deliveries/);
    expect(disabled).toEqual([expect.objectContaining({ orgId, endpointId: endpoint.id, url: endpoint.url, reason: after.disabledReason })]);
    const audit = await env.DB.prepare("SELECT actor_name, operation FROM audit_log WHERE org_id = ? AND resource_id = ? AND operation = 'auto_disabled'").bind(orgId, endpoint.id).all();
    expect(audit.results).toEqual([{ actor_name: "SendOps webhooks", operation: "auto_disabled" }]);

    // Nothing more is delivered until someone enables it; enabling resets the count.
    expect(await failOnce(deps, sent, orgId, t0 + 90 * MIN)).toBe("not enqueued");
    await setEndpointEnabled(db(), { orgId, actor: ACTOR }, endpoint.id, true);
    expect(await state()).toMatchObject({ status: "enabled", consecutiveFailures: 0, disabledReason: null });
  });
});

describe("signing secrets and rotation", () => {
  it("signs with both secrets for 24 hours after a rotation, then with the new one only", async () => {
    const oldName = unique("rot-old");
    const { orgId, endpoint, secret: oldSecret } = await endpointOn(oldName);
    await receiverControl(oldName, { secret: oldSecret });
    const now = Date.now();
    const { secret: newSecret } = await rotateSecret(db(), env as Env, { orgId, actor: ACTOR }, endpoint.id, now);
    expect(newSecret).not.toBe(oldSecret);
    const { deps, sent } = recordingDeps();
    await enqueueDeliveries(deps, notification(orgId));
    expect(await runDeliveryAttempt(deps, sent[0]!.body, now)).toBe("succeeded");
    const [req] = await received(oldName);
    expect(req!.verified).toBe(true);
    const sigs = req!.headers["x-sendops-signature"]!.split(" ");
    expect(sigs).toHaveLength(2);
    const sign = (s: string) => "v1=" + createHmac("sha256", s).update(`${req!.headers["x-sendops-timestamp"]}.${req!.body}`).digest("hex");
    expect(sigs).toEqual([sign(newSecret), sign(oldSecret)]);

    // Rotated more than 24 h ago: only the new secret signs.
    const late = await endpointOn(unique("rot-late"));
    const { secret: current } = await rotateSecret(db(), env as Env, { orgId: late.orgId, actor: ACTOR }, late.endpoint.id, now - 24 * 60 * MIN - 1000);
    const name = late.endpoint.description;
    await enqueueDeliveries(deps, notification(late.orgId));
    expect(await runDeliveryAttempt(deps, sent[1]!.body, now)).toBe("succeeded");
    const [lateReq] = await received(name);
    expect(lateReq!.headers["x-sendops-signature"]!.split(" ")).toHaveLength(1);
    await receiverControl(name, { secret: late.secret });
    await enqueueDeliveries(deps, notification(late.orgId));
    await runDeliveryAttempt(deps, sent[2]!.body, now);
    expect((await received(name))[1]!.verified).toBe(false);
    await receiverControl(name, { secret: current });
    await enqueueDeliveries(deps, notification(late.orgId));
    await runDeliveryAttempt(deps, sent[3]!.body, now);
    expect((await received(name))[2]!.verified).toBe(true);
  });
});

describe("SSRF at delivery time", () => {
  it("a name that resolved publicly at creation but privately now is a failed attempt with 'blocked address', nothing sent", async () => {
    const host = `${unique("rebind")}.hooks.test`;
    await putDns(host, "A", ["93.184.216.34"]);
    const orgId = await newOrg();
    const { endpoint } = await createEndpoint(db(), env as Env, { orgId, actor: ACTOR }, { url: `https://${host}/hook`, description: "", types: [], categories: ["deliverability"] });
    await putDns(host, "A", ["169.254.169.254"]);
    const fetched: string[] = [];
    const { deps, sent } = recordingDeps({
      fetcher: (async (input: RequestInfo | URL, init?: RequestInit) => {
        const url = String(input instanceof Request ? input.url : input);
        if (!url.startsWith(env.DNS_RESOLVER_URL)) fetched.push(url);
        return fetch(input, init);
      }) as typeof fetch,
    });
    await enqueueDeliveries(deps, notification(orgId));
    expect(sent).toHaveLength(1);
    expect(await runDeliveryAttempt(deps, sent[0]!.body)).toBe("retry_scheduled");
    expect(fetched).toEqual([]);
    const [delivery] = await logOf(orgId, endpoint.id);
    expect(delivery!.log[0]).toMatchObject({ ok: false, statusCode: null, latencyMs: null });
    expect(delivery!.log[0]!.error).toMatch(/^blocked address: .* resolves to 169\.254\.169\.254 \(link-local\)/);
  });
});

describe("the sendops-webhooks consumer", () => {
  function batchOf(body: unknown) {
    const calls: string[] = [];
    const message = { id: "m1", timestamp: new Date(), attempts: 1, body, ack: () => calls.push("ack"), retry: (o?: { delaySeconds?: number }) => calls.push(`retry ${o?.delaySeconds}`) };
    return { batch: { queue: "sendops-webhooks", messages: [message], ackAll() {}, retryAll() {} } as unknown as MessageBatch<unknown>, calls };
  }

  it("makes the attempt and acks; an unknown message is retried (then dead-lettered), never dropped", async () => {
    const name = unique("consumer");
    const { orgId, endpoint } = await endpointOn(name);
    const { deps, sent } = recordingDeps();
    await enqueueDeliveries(deps, notification(orgId));
    const ok = batchOf(sent[0]!.body);
    await consumeWebhooks(ok.batch, env as Env, {} as ExecutionContext);
    expect(ok.calls).toEqual(["ack"]);
    expect((await logOf(orgId, endpoint.id))[0]!.state).toBe("succeeded");
    expect(await received(name)).toHaveLength(1);

    const unknown = batchOf({ kind: "something.else" });
    await consumeWebhooks(unknown.batch, env as Env, {} as ExecutionContext);
    expect(unknown.calls).toEqual(["retry 30"]);
  });
});
