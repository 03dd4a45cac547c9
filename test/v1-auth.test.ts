import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../worker/app";
import { randomToken } from "../worker/lib/crypto";
import { BASE, call, insertOrgWithMember, json, newUser, newWorkspace } from "./helpers";
import { newApiKey, v1 } from "./v1-helpers";

async function orgWithKey(name: string) {
  const u = await newUser();
  const orgId = await insertOrgWithMember(u.id, "owner", { name, plan: "team" });
  return { user: u, orgId, key: await newApiKey(orgId, `${name} key`) };
}

const lastUsed = (id: string) =>
  env.DB.prepare("SELECT last_used_at FROM api_keys WHERE id = ?").bind(id).first<{ last_used_at: number | null }>().then((r) => r!.last_used_at);

const app = createApp();

/** A /v1 request that resolves once its deferred work (`waitUntil`, where last use is written) has finished. */
async function v1Settled(path: string, key: string) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`${BASE}/v1${path}`, { headers: { authorization: `Bearer ${key}` } }), env, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
}

describe("/v1 authentication", () => {
  it("answers GET /v1/account for the key's own workspace", async () => {
    const { orgId, key } = await orgWithKey("Acme Mail");
    const res = await v1("/account", { key: key.secret });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      id: orgId,
      name: "Acme Mail",
      slug: orgId.replace(/_/g, "-").toLowerCase(),
      plan: "team",
      apiKey: { id: key.id, name: "Acme Mail key", prefix: key.prefix },
    });
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("ratelimit-limit")).toBe("600");
    expect(Number(res.headers.get("ratelimit-remaining"))).toBe(599);
  });

  it("scopes each key to its own workspace", async () => {
    const a = await orgWithKey("Org A");
    const b = await orgWithKey("Org B");
    const [ra, rb] = await Promise.all([v1("/account", { key: a.key.secret }), v1("/account", { key: b.key.secret })]);
    expect((await json(ra)).id).toBe(a.orgId);
    expect((await json(rb)).id).toBe(b.orgId);
  });

  it("refuses a missing key with 401 API_KEY_MISSING and a Bearer challenge", async () => {
    const res = await v1("/account");
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe("API_KEY_MISSING");
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
  });

  it("refuses malformed Authorization headers with 401 API_KEY_MALFORMED", async () => {
    const { key } = await orgWithKey("Malformed");
    const headers = [
      `Basic ${btoa(`user:${key.secret}`)}`,
      "Bearer",
      `Bearer ${key.secret.slice(0, -1)}`,
      `Bearer ${key.secret}x`,
      `Bearer sk_test_${key.secret.slice(8)}`,
      `Bearer ${key.secret} extra`,
      key.secret,
    ];
    for (const authorization of headers) {
      const res = await v1("/account", { headers: { authorization } });
      expect(res.status, authorization).toBe(401);
      expect((await json(res)).error.code, authorization).toBe("API_KEY_MALFORMED");
    }
    // The scheme is case-insensitive.
    expect((await v1("/account", { headers: { authorization: `bearer ${key.secret}` } })).status).toBe(200);
  });

  it("answers an unknown and a revoked key identically (401 API_KEY_INVALID)", async () => {
    const { user, orgId, key } = await orgWithKey("Revoked");
    expect((await v1("/account", { key: key.secret })).status).toBe(200);
    const ws = await call(`/api/orgs/${orgId}/api-keys/${key.id}`, { method: "DELETE", cookie: user.cookie });
    expect(ws.status).toBe(200);
    const revoked = await v1("/account", { key: key.secret });
    const unknown = await v1("/account", { key: randomToken("sk_live") });
    expect(revoked.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await revoked.json()).toEqual(await unknown.json());
  });

  it("does not accept the dashboard's session cookie", async () => {
    const u = await newUser();
    await newWorkspace(u);
    const res = await v1("/account", { headers: { cookie: u.cookie } });
    expect(res.status).toBe(401);
  });

  it("refuses requests from browsers (Origin or Sec-Fetch-Site) with 403 and never sends CORS headers", async () => {
    const { key } = await orgWithKey("Browser");
    const browserHeaders: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "http://127.0.0.1:8787" },
      { origin: "null" },
      // A same-origin GET from a page carries no Origin, but every browser request carries Sec-Fetch-Site.
      { "sec-fetch-site": "same-origin", "sec-fetch-mode": "cors" },
      { "sec-fetch-site": "none", "sec-fetch-mode": "navigate" },
    ];
    for (const headers of browserHeaders) {
      const res = await v1("/account", { key: key.secret, headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect((await json(res)).error.code).toBe("BROWSER_REQUEST_REFUSED");
      expect([...res.headers.keys()].filter((h) => h.startsWith("access-control-"))).toEqual([]);
    }
    const preflight = await v1("/account", {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });
    expect(preflight.status).toBe(403);
    expect([...preflight.headers.keys()].filter((h) => h.startsWith("access-control-"))).toEqual([]);
    const ok = await v1("/account", { key: key.secret });
    expect([...ok.headers.keys()].filter((h) => h.startsWith("access-control-"))).toEqual([]);
  });

  it("records last use at most once a minute", async () => {
    const { key } = await orgWithKey("Last used");
    expect(await lastUsed(key.id)).toBeNull();
    const before = Date.now();
    await v1Settled("/account", key.secret);
    const first = await lastUsed(key.id);
    expect(first).toBeGreaterThanOrEqual(before);
    await v1Settled("/account", key.secret);
    await v1Settled("/account", key.secret);
    expect(await lastUsed(key.id)).toBe(first);

    // A use more than a minute after the recorded one is recorded again.
    await env.DB.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").bind(first! - 61_000, key.id).run();
    await v1Settled("/account", key.secret);
    expect(await lastUsed(key.id)).toBeGreaterThanOrEqual(first!);
  });

  it("answers unknown /v1 paths with the JSON error contract", async () => {
    const { key } = await orgWithKey("Not found");
    const res = await v1("/nope", { key: key.secret });
    expect(res.status).toBe(404);
    expect(await json(res)).toEqual({ error: { code: "NOT_FOUND", message: "No route for GET /v1/nope.", details: null } });
  });
});
