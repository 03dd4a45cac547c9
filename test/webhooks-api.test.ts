import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, json, newUser, newWorkspace } from "./helpers";
import { receiverControl, received, receiverUrl, unique } from "./webhooks-helpers";

async function owner() {
  const user = await newUser("hooks");
  const ws = await newWorkspace(user);
  const api = (rest = "") => `/api/orgs/${ws.id}/webhooks${rest}`;
  return { user, orgId: ws.id, api, cookie: user.cookie };
}

describe("webhook endpoints API", () => {
  it("creates an endpoint and shows its secret once; lists, edits, tests, disables, rotates and deletes it, auditing each change", async () => {
    const { orgId, api, cookie } = await owner();
    const name = unique("api");
    const created = await call(api(), { method: "POST", cookie, body: { url: receiverUrl(name), description: "Incident bot", categories: ["deliverability"], types: ["billing.payment_failed"] } });
    expect(created.status).toBe(201);
    const { endpoint, secret } = await json(created);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(endpoint).toMatchObject({ url: receiverUrl(name), description: "Incident bot", status: "enabled", categories: ["deliverability"], types: ["billing.payment_failed"] });

    const listText = await (await call(api(), { cookie })).text();
    expect(listText).not.toContain(secret);
    const list = JSON.parse(listText);
    expect(list.accountId).toMatch(/^[0-9a-f-]{36}$/);
    expect(list.endpoints).toEqual([expect.objectContaining({ id: endpoint.id, lastDelivery: null })]);
    const stored = await env.DB.prepare("SELECT secret_enc FROM webhook_endpoints WHERE id = ?").bind(endpoint.id).first<{ secret_enc: string }>();
    expect(stored!.secret_enc).not.toContain(secret);

    const patched = await call(api(`/${endpoint.id}`), { method: "PATCH", cookie, body: { categories: ["ses_account_health"], types: [] } });
    expect((await json(patched)).endpoint).toMatchObject({ categories: ["ses_account_health"], types: [] });
    expect((await call(api(`/${endpoint.id}`), { method: "PATCH", cookie, body: { categories: [], types: [] } })).status).toBe(422);

    // Send test event: a real signed delivery, checked by the receiver with the secret shown at creation.
    await receiverControl(name, { secret });
    const tested = await json(await call(api(`/${endpoint.id}/test`), { method: "POST", cookie }));
    expect(tested.delivery).toMatchObject({ state: "succeeded", test: true, lastStatusCode: 200 });
    expect(tested.delivery.log).toEqual([expect.objectContaining({ attempt: 1, ok: true, statusCode: 200 })]);
    const [req] = await received(name);
    expect(req!.verified).toBe(true);
    expect(JSON.parse(req!.body)).toMatchObject({ notification_type: "deliverability.bounce_rate_threshold", account_id: list.accountId });
    const detail = await json(await call(api(`/${endpoint.id}`), { cookie }));
    expect(detail.deliveries).toHaveLength(1);
    expect(detail.deliveries[0].body).toBe(req!.body);
    expect((await json(await call(api(), { cookie }))).endpoints[0].lastDelivery).toMatchObject({ state: "succeeded", statusCode: 200 });

    const off = await call(api(`/${endpoint.id}/enabled`), { method: "PUT", cookie, body: { enabled: false } });
    expect((await json(off)).endpoint.status).toBe("disabled");
    const refused = await call(api(`/${endpoint.id}/test`), { method: "POST", cookie });
    expect(refused.status).toBe(409);
    expect((await json(await call(api(`/${endpoint.id}/enabled`), { method: "PUT", cookie, body: { enabled: true } }))).endpoint.status).toBe("enabled");

    const rotated = await json(await call(api(`/${endpoint.id}/rotate-secret`), { method: "POST", cookie }));
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.endpoint.previousSecretValidUntil).toBeGreaterThan(Date.now() + 23 * 3600_000);

    expect((await call(api(`/${endpoint.id}`), { method: "DELETE", cookie })).status).toBe(200);
    expect((await call(api(`/${endpoint.id}`), { cookie })).status).toBe(404);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM webhook_deliveries WHERE endpoint_id = ?").bind(endpoint.id).first<{ n: number }>();
    expect(left!.n).toBe(0);

    const audit = await env.DB.prepare("SELECT operation FROM audit_log WHERE org_id = ? AND resource_type = 'webhook_endpoint' ORDER BY id").bind(orgId).all<{ operation: string }>();
    expect(audit.results.map((r) => r.operation)).toEqual(["created", "updated", "test_sent", "disabled", "enabled", "rotated", "deleted"]);
  });

  it("refuses URLs that are not public with a clear 400 naming the field", async () => {
    const { api, cookie } = await owner();
    const res = await call(api(), { method: "POST", cookie, body: { url: "http://169.254.169.254/latest/meta-data/", categories: ["billing"] } });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error.code).toBe("WEBHOOK_URL_REFUSED");
    expect(body.error.message).toMatch(/169\.254\.169\.254 \(link-local\)/);
    expect(body.error.details.fields[0].field).toBe("url");
    expect((await json(await call(api(), { cookie }))).endpoints).toEqual([]);
  });

  it("refuses unknown types and categories and an endpoint without any subscription", async () => {
    const { api, cookie } = await owner();
    const unknown = await call(api(), { method: "POST", cookie, body: { url: receiverUrl("x"), types: ["deliverability.nope"] } });
    expect(unknown.status).toBe(422);
    const none = await call(api(), { method: "POST", cookie, body: { url: receiverUrl("x") } });
    expect(none.status).toBe(422);
    expect((await json(none)).error.details.fields[0].field).toBe("types");
  });
});
