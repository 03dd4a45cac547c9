import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ROLES } from "../worker/auth/permissions";
import { sha256Hex } from "../worker/lib/crypto";
import { MAX_ACTIVE_API_KEYS } from "../worker/services/api-keys";
import { call, insertOrgWithMember, json, newUser, newWorkspace } from "./helpers";
import { newApiKey } from "./v1-helpers";

const auditRows = (orgId: string) =>
  env.DB.prepare("SELECT * FROM audit_log WHERE org_id = ? AND resource_type = 'api_key' ORDER BY id")
    .bind(orgId)
    .all<Record<string, unknown>>()
    .then((r) => r.results);

describe("API keys from the dashboard", () => {
  it("creates a key, shows the secret once and stores only its SHA-256, with an audit entry", async () => {
    const u = await newUser("owner", "Olivia Owner");
    const ws = await newWorkspace(u, "Keys Inc");
    const res = await call(`/api/orgs/${ws.id}/api-keys`, { method: "POST", cookie: u.cookie, body: { name: "  Billing backend  " } });
    expect(res.status).toBe(201);
    const created = await json(res);
    expect(created.secret).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
    expect(created.apiKey).toMatchObject({
      name: "Billing backend",
      keyPrefix: created.secret.slice(0, 12),
      createdByUserId: u.id,
      createdByName: "Olivia Owner",
      lastUsedAt: null,
      revokedAt: null,
    });

    const row = await env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(created.apiKey.id).first<Record<string, unknown>>();
    expect(row!.key_hash).toBe(await sha256Hex(created.secret));
    expect(row!.org_id).toBe(ws.id);
    expect(Object.values(row!)).not.toContain(created.secret);

    const listed = await call(`/api/orgs/${ws.id}/api-keys`, { cookie: u.cookie });
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).not.toContain(created.secret);
    expect(text).not.toContain(row!.key_hash as string);
    expect(JSON.parse(text).apiKeys).toEqual([created.apiKey]);

    const audit = await auditRows(ws.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      operation: "created",
      resource_id: created.apiKey.id,
      actor_user_id: u.id,
      actor_name: "Olivia Owner",
      summary: `Created the API key "Billing backend" (${created.apiKey.keyPrefix}…)`,
    });
    expect(JSON.stringify(audit[0])).not.toContain(created.secret);
  });

  it("revokes a key once, with an audit entry; unknown and other workspaces' keys are 404", async () => {
    const u = await newUser();
    const ws = await newWorkspace(u);
    const key = await newApiKey(ws.id, "CI");
    const otherKey = await newApiKey(await insertOrgWithMember((await newUser()).id, "owner"), "Elsewhere");

    const res = await call(`/api/orgs/${ws.id}/api-keys/${key.id}`, { method: "DELETE", cookie: u.cookie });
    expect(res.status).toBe(200);
    const { apiKey } = await json(res);
    expect(apiKey).toMatchObject({ id: key.id, name: "CI" });
    expect(apiKey.revokedAt).toBeGreaterThan(0);
    const stored = await env.DB.prepare("SELECT revoked_at FROM api_keys WHERE id = ?").bind(key.id).first<{ revoked_at: number }>();
    expect(stored!.revoked_at).toBe(apiKey.revokedAt);

    const again = await call(`/api/orgs/${ws.id}/api-keys/${key.id}`, { method: "DELETE", cookie: u.cookie });
    expect(again.status).toBe(409);
    expect((await json(again)).error.code).toBe("CONFLICT");
    expect((await call(`/api/orgs/${ws.id}/api-keys/key_nope`, { method: "DELETE", cookie: u.cookie })).status).toBe(404);
    const foreign = await call(`/api/orgs/${ws.id}/api-keys/${otherKey.id}`, { method: "DELETE", cookie: u.cookie });
    expect(foreign.status).toBe(404);
    const otherRow = await env.DB.prepare("SELECT revoked_at FROM api_keys WHERE id = ?").bind(otherKey.id).first<{ revoked_at: number | null }>();
    expect(otherRow!.revoked_at).toBeNull();

    const audit = await auditRows(ws.id);
    // The key made by the test helper (operator actor) and its revocation by the user.
    expect(audit.map((a) => [a.operation, a.resource_id, a.actor_user_id])).toEqual([
      ["created", key.id, null],
      ["revoked", key.id, u.id],
    ]);
    const listed = (await json(await call(`/api/orgs/${ws.id}/api-keys`, { cookie: u.cookie }))).apiKeys;
    expect(listed).toHaveLength(1);
    expect(listed[0].revokedAt).toBe(apiKey.revokedAt);
  });

  it("names the invalid field and caps active keys per workspace", async () => {
    const u = await newUser();
    const ws = await newWorkspace(u);
    const bad = await call(`/api/orgs/${ws.id}/api-keys`, { method: "POST", cookie: u.cookie, body: { name: "   " } });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("name");

    const keys = [];
    for (let i = 0; i < MAX_ACTIVE_API_KEYS; i++) keys.push(await newApiKey(ws.id, `k${i}`));
    const over = await call(`/api/orgs/${ws.id}/api-keys`, { method: "POST", cookie: u.cookie, body: { name: "one too many" } });
    expect(over.status).toBe(409);
    // Revoked keys do not count.
    await call(`/api/orgs/${ws.id}/api-keys/${keys[0]!.id}`, { method: "DELETE", cookie: u.cookie });
    const ok = await call(`/api/orgs/${ws.id}/api-keys`, { method: "POST", cookie: u.cookie, body: { name: "fits again" } });
    expect(ok.status).toBe(201);
  });

  it("lets only Owner and Org Admin list, create and revoke (Organization Settings)", async () => {
    const owner = await newUser();
    const allowed = new Set(["owner", "org_admin"]);
    for (const role of ROLES) {
      const u = role === "owner" ? owner : await newUser(role);
      const orgId = await insertOrgWithMember(u.id, role);
      const key = await newApiKey(orgId);
      const list = await call(`/api/orgs/${orgId}/api-keys`, { cookie: u.cookie });
      const create = await call(`/api/orgs/${orgId}/api-keys`, { method: "POST", cookie: u.cookie, body: { name: "x" } });
      const revoke = await call(`/api/orgs/${orgId}/api-keys/${key.id}`, { method: "DELETE", cookie: u.cookie });
      const expected = allowed.has(role) ? [200, 201, 200] : [403, 403, 403];
      expect([list.status, create.status, revoke.status], role).toEqual(expected);
      if (!allowed.has(role)) expect((await json(list)).error.code).toBe("FORBIDDEN");
    }
  });

  it("hides the keys of a workspace from non-members and refuses changes in the demo workspace", async () => {
    const owner = await newUser();
    const ws = await newWorkspace(owner);
    const stranger = await newUser("stranger");
    expect((await call(`/api/orgs/${ws.id}/api-keys`, { cookie: stranger.cookie })).status).toBe(404);
    expect((await call(`/api/orgs/${ws.id}/api-keys`)).status).toBe(401);

    const demo = await call("/api/orgs/org_demo/api-keys", { method: "POST", cookie: owner.cookie, body: { name: "demo" } });
    expect(demo.status).toBe(403);
    expect((await json(demo)).error.code).toBe("DEMO_READ_ONLY");
  });
});
