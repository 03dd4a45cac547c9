import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_OWNED_WORKSPACES } from "../worker/services/workspaces";
import { call, insertMembership, json, newUser, newWorkspace, sessionCookie } from "./helpers";

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff, 0xe0];
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
/** `size` bytes starting with `magic` (the checks read only the header). */
function image(magic: number[], size = 256): Uint8Array {
  const out = new Uint8Array(size);
  out.set(magic);
  return out;
}
const webp = (size = 256) => image([...ascii("RIFF"), 0, 0, 0, 0, ...ascii("WEBP")], size);
const gif = (size = 256) => image(ascii("GIF89a"), size);

const suffix = () => Math.random().toString(36).slice(2, 8);

async function auditOf(cookie: string, orgId: string, query = "") {
  return (await json(await call(`/api/orgs/${orgId}/audit${query}`, { cookie }))).entries as any[];
}

describe("demo workspace", () => {
  it("every new user is a member of the shared demo workspace", async () => {
    const u = await newUser("demo");
    const me = await json(await call("/api/me", { cookie: u.cookie }));
    const demo = me.workspaces.find((w: any) => w.isDemo);
    expect(demo).toMatchObject({ id: "org_demo", slug: "demo", name: "Demo Workspace", plan: "business", role: "org_admin" });
    expect(demo.permissions).toContain("workspace.view");
    const settings = await call("/api/orgs/org_demo/settings", { cookie: u.cookie });
    expect(settings.status).toBe(200);
    expect(await json(settings)).toMatchObject({ id: "org_demo", isDemo: true });
  });

  it("is read-only: POST, PATCH, PUT and DELETE give 403 DEMO_READ_ONLY", async () => {
    const u = await newUser("demo-ro");
    const other = await newUser("demo-ro2");
    const attempts = [
      call("/api/orgs/org_demo/settings", { method: "PATCH", cookie: u.cookie, body: { name: "Hijacked" } }),
      call("/api/orgs/org_demo/logo", { method: "PUT", cookie: u.cookie, body: image(PNG_MAGIC), headers: { "content-type": "image/png" } }),
      call(`/api/orgs/org_demo/members/${other.id}`, { method: "PATCH", cookie: u.cookie, body: { role: "viewer" } }),
      call(`/api/orgs/org_demo/members/${other.id}`, { method: "DELETE", cookie: u.cookie }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403);
      expect((await json(res)).error.code).toBe("DEMO_READ_ONLY");
    }
    const demo = await json(await call("/api/orgs/org_demo/settings", { cookie: u.cookie }));
    expect(demo.name).toBe("Demo Workspace");
  });

  it("lists only the caller as a member, so users never see each other", async () => {
    const a = await newUser("demo-a");
    await newUser("demo-b");
    const { members } = await json(await call("/api/orgs/org_demo/members", { cookie: a.cookie }));
    expect(members).toHaveLength(1);
    expect(members[0]).toMatchObject({ userId: a.id, email: a.email });
  });

  it("can be left; leaving a normal workspace is refused with 409", async () => {
    const u = await newUser("leaver");
    const own = await newWorkspace(u);
    const refused = await call(`/api/orgs/${own.id}/leave`, { method: "POST", cookie: u.cookie });
    expect(refused.status).toBe(409);
    const left = await call("/api/orgs/org_demo/leave", { method: "POST", cookie: u.cookie });
    expect(left.status).toBe(200);
    const me = await json(await call("/api/me", { cookie: u.cookie }));
    expect(me.workspaces.map((w: any) => w.id)).toEqual([own.id]);
    expect((await call("/api/orgs/org_demo/settings", { cookie: u.cookie })).status).toBe(404);
    // Other members keep it.
    const stayer = await newUser("stayer");
    expect((await json(await call("/api/me", { cookie: stayer.cookie }))).workspaces.some((w: any) => w.id === "org_demo")).toBe(true);
  });
});

describe("creating a workspace", () => {
  it("makes the caller its Owner with a default name, a unique slug and an audit entry", async () => {
    const u = await newUser("creator", "Grace Brewster Hopper");
    const first = await newWorkspace(u);
    expect(first).toMatchObject({ name: "Grace's Workspace", isDemo: false, plan: "free", role: "owner" });
    expect(first.slug).toMatch(/^graces-workspace(-\d+)?$/);
    expect(first.permissions).toContain("workspace.delete");
    const second = await newWorkspace(u);
    expect(second.slug).not.toBe(first.slug);
    expect(second.slug).toMatch(/^graces-workspace-\d+$/);

    const me = await json(await call("/api/me", { cookie: u.cookie }));
    expect(me.workspaces.filter((w: any) => w.role === "owner").map((w: any) => w.id).sort()).toEqual([first.id, second.id].sort());
    const [entry] = await auditOf(u.cookie, first.id);
    expect(entry).toMatchObject({
      resourceType: "workspace",
      resourceId: first.id,
      operation: "created",
      actor: { userId: u.id, email: u.email, name: "Grace Brewster Hopper" },
      after: { name: "Grace's Workspace", slug: first.slug },
    });
  });

  it("takes a given name, validates it and never hands out the reserved demo slug", async () => {
    const u = await newUser("named");
    const ws = await newWorkspace(u, "Demo");
    expect(ws.name).toBe("Demo");
    expect(ws.slug).toMatch(/^demo-workspace/);
    const long = await call("/api/workspaces", { method: "POST", cookie: u.cookie, body: { name: "x".repeat(65) } });
    expect(long.status).toBe(422);
    expect((await json(long)).error.details.fields[0].field).toBe("name");
    const anon = await call("/api/workspaces", { method: "POST", body: {} });
    expect(anon.status).toBe(401);
  });

  it(`is limited to ${MAX_OWNED_WORKSPACES} owned workspaces per user; memberships elsewhere do not count`, async () => {
    const u = await newUser("limit");
    const other = await newUser("limit-other");
    await insertMembership((await newWorkspace(other)).id, u.id, "org_admin");
    const owned = [];
    for (let i = 0; i < MAX_OWNED_WORKSPACES; i++) owned.push(await newWorkspace(u, `Limit ${i}`));
    const refused = await call("/api/workspaces", { method: "POST", cookie: u.cookie, body: { name: "One too many" } });
    expect(refused.status).toBe(409);
    expect((await json(refused)).error).toMatchObject({ code: "WORKSPACE_LIMIT_REACHED", details: { limit: MAX_OWNED_WORKSPACES } });
    const me = await json(await call("/api/me", { cookie: u.cookie }));
    expect(me.workspaces.filter((w: any) => w.role === "owner")).toHaveLength(MAX_OWNED_WORKSPACES);
    expect(me.workspaces.map((w: any) => w.name)).not.toContain("One too many");

    const doomed = owned[0]!;
    const del = await call(`/api/orgs/${doomed.id}`, { method: "DELETE", cookie: u.cookie, body: { confirmName: doomed.name } });
    expect(del.status).toBe(200);
    expect((await newWorkspace(u, "Room again")).name).toBe("Room again");
  });

  it("holds the limit under concurrent creations", async () => {
    const u = await newUser("limit-race");
    for (let i = 0; i < MAX_OWNED_WORKSPACES - 2; i++) await newWorkspace(u, `Race ${i}`);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call("/api/workspaces", { method: "POST", cookie: u.cookie, body: { name: `Burst ${i}` } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 409, 409, 409, 409]);
    const owned = await env.DB.prepare("SELECT count(*) AS n FROM memberships WHERE user_id = ? AND role = 'owner'").bind(u.id).first<{ n: number }>();
    expect(owned!.n).toBe(MAX_OWNED_WORKSPACES);
  });
});

describe("request bodies", () => {
  it("a body on a JSON endpoint must be declared as JSON (415 otherwise), not read as {}", async () => {
    const u = await newUser("media");
    const before = (await json(await call("/api/me", { cookie: u.cookie }))).workspaces.length;
    for (const type of ["text/plain", "application/x-www-form-urlencoded", null]) {
      const res = await call("/api/workspaces", {
        method: "POST",
        cookie: u.cookie,
        body: type === "application/x-www-form-urlencoded" ? "name=Acme" : '{"name":"Acme"}',
        headers: type ? { "content-type": type } : {},
      });
      expect(res.status, String(type)).toBe(415);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect((await json(res)).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    expect((await json(await call("/api/me", { cookie: u.cookie }))).workspaces).toHaveLength(before);

    const ws = await newWorkspace(u, "Typed");
    const patch = await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: u.cookie, body: '{"name":"Renamed"}', headers: { "content-type": "text/plain" } });
    expect(patch.status).toBe(415);
    const withCharset = await call(`/api/orgs/${ws.id}/settings`, {
      method: "PATCH",
      cookie: u.cookie,
      body: '{"name":"Renamed"}',
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(withCharset.status).toBe(200);
    expect((await json(withCharset)).name).toBe("Renamed");
  });

  it("refuses text that is not well-formed Unicode (a lone surrogate) with 422 naming the field", async () => {
    const u = await newUser("surrogate");
    const raw = (body: string, path = "/api/workspaces", method = "POST") =>
      call(path, { method, cookie: u.cookie, body, headers: { "content-type": "application/json" } });
    const before = (await json(await call("/api/me", { cookie: u.cookie }))).workspaces.length;
    for (const name of ["\\ud800", "Acme \\udfff", "\\ude80\\ud83d"]) {
      const res = await raw(`{"name":"${name}"}`);
      expect(res.status, name).toBe(422);
      const { error } = await json(res);
      expect(error.code).toBe("VALIDATION_FAILED");
      expect(error.details.fields).toEqual([{ field: "name", message: expect.stringContaining("Unicode") }]);
    }
    expect((await json(await call("/api/me", { cookie: u.cookie }))).workspaces).toHaveLength(before);

    const ws = await json(await raw('{"name":"Rocket \\ud83d\\ude80"}'));
    expect(ws.workspace.name).toBe("Rocket \u{1F680}");
    const rename = await raw('{"name":"Renamed \\ud800"}', `/api/orgs/${ws.workspace.id}/settings`, "PATCH");
    expect(rename.status).toBe(422);
    expect((await json(rename)).error.details.fields[0].field).toBe("name");
    const profile = await raw('{"name":"\\udc00 Grace"}', "/api/me", "PATCH");
    expect(profile.status).toBe(422);
    expect((await json(profile)).error.details.fields[0].field).toBe("name");
    expect((await auditOf(u.cookie, ws.workspace.id)).map((e: any) => e.operation)).toEqual(["created"]);
  });
});

describe("workspace settings", () => {
  it("updates name and session timeout with before/after in the audit log", async () => {
    const u = await newUser("settings");
    const ws = await newWorkspace(u, "Before Name");
    const res = await call(`/api/orgs/${ws.id}/settings`, {
      method: "PATCH",
      cookie: u.cookie,
      body: { name: "After Name", sessionTimeoutSeconds: 3600 },
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      id: ws.id,
      name: "After Name",
      slug: ws.slug,
      plan: "free",
      isDemo: false,
      sessionTimeoutSeconds: 3600,
      logoUrl: null,
    });
    const [entry] = await auditOf(u.cookie, ws.id);
    expect(entry).toMatchObject({
      resourceType: "settings",
      operation: "updated",
      before: { name: "Before Name", sessionTimeoutSeconds: 28800 },
      after: { name: "After Name", sessionTimeoutSeconds: 3600 },
    });
    expect(entry.summary).toContain('"After Name"');
    // A PATCH that changes nothing writes nothing.
    await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: u.cookie, body: { name: "After Name" } });
    expect((await auditOf(u.cookie, ws.id)).length).toBe(2);
  });

  it("validates each field and names it", async () => {
    const u = await newUser("settings-bad");
    const ws = await newWorkspace(u);
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "x".repeat(65) }, "name"],
      [{ name: "   " }, "name"],
      [{ slug: "ab" }, "slug"],
      [{ slug: "x".repeat(49) }, "slug"],
      [{ slug: "Has_Caps" }, "slug"],
      [{ sessionTimeoutSeconds: 1234 }, "sessionTimeoutSeconds"],
    ];
    for (const [body, field] of cases) {
      const res = await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: u.cookie, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await json(res)).error.details.fields[0].field).toBe(field);
    }
  });

  it("changes the slug; the old slug redirects for 30 days and stays reserved until then", async () => {
    const u = await newUser("slug");
    const ws = await newWorkspace(u);
    const oldSlug = ws.slug;
    const newSlug = `renamed-${suffix()}`;
    const before = Date.now();
    const res = await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: u.cookie, body: { slug: newSlug } });
    expect(res.status).toBe(200);
    expect((await json(res)).slug).toBe(newSlug);

    expect(await json(await call(`/api/slugs/${newSlug}`, { cookie: u.cookie }))).toEqual({ orgId: ws.id, slug: newSlug, redirected: false });
    expect(await json(await call(`/api/slugs/${oldSlug}`, { cookie: u.cookie }))).toEqual({ orgId: ws.id, slug: newSlug, redirected: true });
    const row = await env.DB.prepare("SELECT org_id, expires_at FROM org_slug_redirects WHERE slug = ?").bind(oldSlug).first<any>();
    expect(row.org_id).toBe(ws.id);
    expect(row.expires_at).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(row.expires_at).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);

    // Someone else cannot resolve it, nor take the old or the new slug.
    const other = await newUser("slug-other");
    expect((await call(`/api/slugs/${oldSlug}`, { cookie: other.cookie })).status).toBe(404);
    const otherWs = await newWorkspace(other);
    for (const slug of [oldSlug, newSlug, "demo"]) {
      const clash = await call(`/api/orgs/${otherWs.id}/settings`, { method: "PATCH", cookie: other.cookie, body: { slug } });
      expect(clash.status, slug).toBe(409);
      const err = (await json(clash)).error;
      expect(err.code).toBe("CONFLICT");
      expect(err.details.field).toBe("slug");
    }

    // 30 days later the redirect is gone and the slug is free again.
    await env.DB.prepare("UPDATE org_slug_redirects SET expires_at = ? WHERE slug = ?").bind(Date.now() - 1, oldSlug).run();
    expect((await call(`/api/slugs/${oldSlug}`, { cookie: u.cookie })).status).toBe(404);
    const taken = await call(`/api/orgs/${otherWs.id}/settings`, { method: "PATCH", cookie: other.cookie, body: { slug: oldSlug } });
    expect(taken.status).toBe(200);
    expect(await json(await call(`/api/slugs/${oldSlug}`, { cookie: other.cookie }))).toMatchObject({ orgId: otherWs.id, redirected: false });
  });

  it("lets a workspace take back its own old slug, ending that redirect", async () => {
    const u = await newUser("slug-back");
    const ws = await newWorkspace(u);
    const temp = `temp-${suffix()}`;
    await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: u.cookie, body: { slug: temp } });
    const back = await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: u.cookie, body: { slug: ws.slug } });
    expect(back.status).toBe(200);
    expect(await json(await call(`/api/slugs/${ws.slug}`, { cookie: u.cookie }))).toMatchObject({ redirected: false });
    expect(await json(await call(`/api/slugs/${temp}`, { cookie: u.cookie }))).toMatchObject({ slug: ws.slug, redirected: true });
  });
});

describe("workspace logo", () => {
  it("stores an image in R2, serves it with its type and cache headers, and removes it", async () => {
    const u = await newUser("logo");
    const ws = await newWorkspace(u);
    const bytes = image(PNG_MAGIC, 1000);
    const put = await call(`/api/orgs/${ws.id}/logo`, { method: "PUT", cookie: u.cookie, body: bytes, headers: { "content-type": "image/png" } });
    expect(put.status).toBe(200);
    const { logoUrl } = await json(put);
    expect(logoUrl).toMatch(new RegExp(`^/api/orgs/${ws.id}/logo\\?v=`));

    const got = await call(logoUrl, { cookie: u.cookie });
    expect(got.status).toBe(200);
    expect(got.headers.get("content-type")).toBe("image/png");
    expect(got.headers.get("cache-control")).toContain("immutable");
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(bytes);
    const etag = got.headers.get("etag")!;
    const unversioned = await call(`/api/orgs/${ws.id}/logo`, { cookie: u.cookie, headers: { "if-none-match": etag } });
    expect(unversioned.status).toBe(304);
    expect(unversioned.headers.get("cache-control")).toBe("private, no-cache");

    // Replacing deletes the previous object.
    const key = (await env.DB.prepare("SELECT logo_key FROM orgs WHERE id = ?").bind(ws.id).first<any>()).logo_key;
    const replaced = await call(`/api/orgs/${ws.id}/logo`, { method: "PUT", cookie: u.cookie, body: gif(), headers: { "content-type": "image/gif" } });
    expect(replaced.status).toBe(200);
    expect(await env.FILES.get(key)).toBeNull();

    const del = await call(`/api/orgs/${ws.id}/logo`, { method: "DELETE", cookie: u.cookie });
    expect(del.status).toBe(200);
    expect((await json(del)).logoUrl).toBeNull();
    expect((await call(`/api/orgs/${ws.id}/logo`, { cookie: u.cookie })).status).toBe(404);
    expect((await env.FILES.list({ prefix: `logos/${ws.id}/` })).objects).toHaveLength(0);

    const entries = await auditOf(u.cookie, ws.id, "?resourceType=settings");
    expect(entries.map((e) => e.summary)).toEqual([
      "Removed the workspace logo",
      expect.stringMatching(/^Replaced the workspace logo \(GIF/),
      expect.stringMatching(/^Uploaded the workspace logo \(PNG/),
    ]);
    expect(entries[0]).toMatchObject({ before: { logo: { contentType: "image/gif" } }, after: { logo: null } });
  });

  it("accepts all four formats up to exactly 2 MB (above the 1 MB API body limit)", async () => {
    const u = await newUser("logo-ok");
    const ws = await newWorkspace(u);
    const cases: [string, Uint8Array][] = [
      ["image/png", image(PNG_MAGIC, 2 * 1024 * 1024)],
      ["image/jpeg", image(JPEG_MAGIC)],
      ["image/webp", webp()],
      ["image/gif", gif()],
    ];
    for (const [type, body] of cases) {
      const res = await call(`/api/orgs/${ws.id}/logo`, { method: "PUT", cookie: u.cookie, body, headers: { "content-type": type } });
      expect(res.status, type).toBe(200);
    }
    // Other routes keep the 1 MB limit.
    const big = await call(`/api/orgs/${ws.id}/settings`, {
      method: "PATCH",
      cookie: u.cookie,
      body: JSON.stringify({ name: "x".repeat(1024 * 1024 + 10) }),
      headers: { "content-type": "application/json" },
    });
    expect(big.status).toBe(413);
  });

  it("refuses a wrong type (415), a body that does not match its type (422) and more than 2 MB (413)", async () => {
    const u = await newUser("logo-bad");
    const ws = await newWorkspace(u);
    const put = (body: Uint8Array, type: string) =>
      call(`/api/orgs/${ws.id}/logo`, { method: "PUT", cookie: u.cookie, body, headers: { "content-type": type } });

    for (const type of ["image/svg+xml", "text/plain", "application/octet-stream"]) {
      const res = await put(image(PNG_MAGIC), type);
      expect(res.status, type).toBe(415);
      expect((await json(res)).error.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    }
    for (const [type, body] of [
      ["image/png", image(JPEG_MAGIC)],
      ["image/jpeg", image(PNG_MAGIC)],
      ["image/webp", image(ascii("RIFF"))],
      ["image/gif", image(ascii("GIF90a"))],
      ["image/png", new Uint8Array(0)],
    ] as const) {
      const res = await put(body, type);
      expect(res.status, type).toBe(422);
      expect((await json(res)).error.details.fields[0].field).toBe("logo");
    }
    const tooBig = await put(image(PNG_MAGIC, 2 * 1024 * 1024 + 1), "image/png");
    expect(tooBig.status).toBe(413);
    expect((await json(tooBig)).error.code).toBe("PAYLOAD_TOO_LARGE");

    const settings = await json(await call(`/api/orgs/${ws.id}/settings`, { cookie: u.cookie }));
    expect(settings.logoUrl).toBeNull();
    expect((await env.FILES.list({ prefix: `logos/${ws.id}/` })).objects).toHaveLength(0);
  });
});

describe("deleting a workspace", () => {
  it("needs the exact name, is Owner-only, removes all its data and ends members' sessions there", async () => {
    const owner = await newUser("del-owner");
    const ws = await newWorkspace(owner, "Doomed Corp");
    const admin = await newUser("del-admin");
    const bystander = await newUser("del-bystander");
    await insertMembership(ws.id, admin.id, "org_admin");
    await insertMembership(ws.id, bystander.id, "viewer");
    await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: owner.cookie, body: { slug: `doomed-${suffix()}` } });
    await call(`/api/orgs/${ws.id}/logo`, { method: "PUT", cookie: owner.cookie, body: gif(), headers: { "content-type": "image/gif" } });
    // The admin works in the workspace; the bystander's session works in the demo only.
    expect((await call(`/api/orgs/${ws.id}/members`, { cookie: admin.cookie })).status).toBe(200);
    expect((await call("/api/orgs/org_demo/settings", { cookie: bystander.cookie })).status).toBe(200);

    const byAdmin = await call(`/api/orgs/${ws.id}`, { method: "DELETE", cookie: admin.cookie, body: { confirmName: "Doomed Corp" } });
    expect(byAdmin.status).toBe(403);
    for (const confirmName of ["doomed corp", "Doomed Corp ", ""]) {
      const wrong = await call(`/api/orgs/${ws.id}`, { method: "DELETE", cookie: owner.cookie, body: { confirmName } });
      expect(wrong.status).toBe(422);
      expect((await json(wrong)).error.details.fields[0].field).toBe("confirmName");
    }
    expect((await call(`/api/orgs/${ws.id}/settings`, { cookie: owner.cookie })).status).toBe(200);

    const ok = await call(`/api/orgs/${ws.id}`, { method: "DELETE", cookie: owner.cookie, body: { confirmName: "Doomed Corp" } });
    expect(ok.status).toBe(200);

    const count = async (sql: string) => (await env.DB.prepare(sql).bind(ws.id).first<{ n: number }>())!.n;
    expect(await count("SELECT count(*) AS n FROM orgs WHERE id = ?")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM memberships WHERE org_id = ?")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM org_slug_redirects WHERE org_id = ?")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM audit_log WHERE org_id = ?")).toBe(0);
    expect(await count("SELECT count(*) AS n FROM sessions WHERE org_id = ?")).toBe(0);
    expect((await env.FILES.list({ prefix: `logos/${ws.id}/` })).objects).toHaveLength(0);
    // Other areas' org-owned tables reference orgs ON DELETE CASCADE, which relies on D1 enforcing foreign keys.
    expect(await env.DB.prepare("PRAGMA foreign_keys").first()).toEqual({ foreign_keys: 1 });

    expect((await call("/api/me", { cookie: admin.cookie })).status).toBe(401);
    expect((await call("/api/me", { cookie: bystander.cookie })).status).toBe(200);
    const me = await call("/api/me", { cookie: owner.cookie });
    expect(me.status).toBe(200);
    expect((await json(me)).workspaces.map((w: any) => w.id)).not.toContain(ws.id);
    expect((await call(`/api/orgs/${ws.id}/settings`, { cookie: owner.cookie })).status).toBe(404);
  });

  it("is not possible on the demo workspace", async () => {
    const u = await newUser("del-demo");
    const res = await call("/api/orgs/org_demo", { method: "DELETE", cookie: u.cookie, body: { confirmName: "Demo Workspace" } });
    expect(res.status).toBe(403);
    expect((await call("/api/orgs/org_demo/settings", { cookie: u.cookie })).status).toBe(200);
  });

  it("ends a member's session that switched into the workspace moments after sign-in", async () => {
    const owner = await newUser("del-fresh");
    const ws = await newWorkspace(owner, "Fresh Corp");
    const member = await newUser("del-fresh-m");
    await insertMembership(ws.id, member.id, "viewer");
    const signIn = await call("/api/auth/sign-in", { method: "POST", body: { email: member.email, password: member.password } });
    const fresh = sessionCookie(signIn);
    expect((await call(`/api/orgs/${ws.id}/audit`, { cookie: fresh })).status).toBe(200);
    await call(`/api/orgs/${ws.id}`, { method: "DELETE", cookie: owner.cookie, body: { confirmName: "Fresh Corp" } });
    expect((await call("/api/me", { cookie: fresh })).status).toBe(401);
  });
});
