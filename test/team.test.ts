import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, insertMembership, json, newUser, newWorkspace, sessionCookie } from "./helpers";

describe("team members", () => {
  it("lists members with role and join time to Owner and Org Admin only", async () => {
    const owner = await newUser("team-owner", "Olive Owner");
    const ws = await newWorkspace(owner);
    const dev = await newUser("team-dev", "Dev Eloper");
    await insertMembership(ws.id, dev.id, "developer");

    const res = await call(`/api/orgs/${ws.id}/members`, { cookie: owner.cookie });
    expect(res.status).toBe(200);
    const { members } = await json(res);
    expect(members).toHaveLength(2);
    expect(members[0]).toMatchObject({ userId: owner.id, name: "Olive Owner", email: owner.email, role: "owner" });
    expect(members[1]).toMatchObject({ userId: dev.id, name: "Dev Eloper", email: dev.email, role: "developer" });
    expect(typeof members[0].joinedAt).toBe("number");

    const denied = await call(`/api/orgs/${ws.id}/members`, { cookie: dev.cookie });
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.code).toBe("FORBIDDEN");
  });

  it("changes a role with before/after in the audit log; the new role applies at once", async () => {
    const owner = await newUser("role-owner");
    const ws = await newWorkspace(owner);
    const m = await newUser("role-member", "Mara Member");
    await insertMembership(ws.id, m.id, "viewer");
    expect((await call(`/api/orgs/${ws.id}/members`, { cookie: m.cookie })).status).toBe(403);

    const res = await call(`/api/orgs/${ws.id}/members/${m.id}`, { method: "PATCH", cookie: owner.cookie, body: { role: "org_admin" } });
    expect(res.status).toBe(200);
    expect((await json(res)).member).toMatchObject({ userId: m.id, role: "org_admin" });
    expect((await call(`/api/orgs/${ws.id}/members`, { cookie: m.cookie })).status).toBe(200);

    const { entries } = await json(await call(`/api/orgs/${ws.id}/audit?resourceType=team`, { cookie: owner.cookie }));
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      resourceType: "team",
      resourceId: m.id,
      operation: "updated",
      before: { role: "viewer" },
      after: { role: "org_admin" },
      summary: `Changed the role of Mara Member (${m.email}) from Viewer to Org Admin`,
    });
  });

  it("never grants Owner, never changes or removes the Owner: exactly one Owner per workspace", async () => {
    const owner = await newUser("one-owner");
    const ws = await newWorkspace(owner);
    const admin = await newUser("one-admin");
    await insertMembership(ws.id, admin.id, "org_admin");

    const grant = await call(`/api/orgs/${ws.id}/members/${admin.id}`, { method: "PATCH", cookie: owner.cookie, body: { role: "owner" } });
    expect(grant.status).toBe(422);
    expect((await json(grant)).error.details.fields[0].field).toBe("role");
    const demote = await call(`/api/orgs/${ws.id}/members/${owner.id}`, { method: "PATCH", cookie: admin.cookie, body: { role: "viewer" } });
    expect(demote.status).toBe(409);
    const remove = await call(`/api/orgs/${ws.id}/members/${owner.id}`, { method: "DELETE", cookie: admin.cookie });
    expect(remove.status).toBe(409);

    const owners = await env.DB.prepare("SELECT user_id FROM memberships WHERE org_id = ? AND role = 'owner'").bind(ws.id).all();
    expect(owners.results).toEqual([{ user_id: owner.id }]);
    // The database refuses a second Owner too (partial unique index memberships_one_owner).
    await expect(
      env.DB.prepare("UPDATE memberships SET role = 'owner' WHERE org_id = ? AND user_id = ?").bind(ws.id, admin.id).run(),
    ).rejects.toThrow(/UNIQUE/);
  });

  it("validates the role and answers 404 for someone who is not a member", async () => {
    const owner = await newUser("role-bad");
    const ws = await newWorkspace(owner);
    const stranger = await newUser("role-stranger");
    const bad = await call(`/api/orgs/${ws.id}/members/${owner.id}`, { method: "PATCH", cookie: owner.cookie, body: { role: "king" } });
    expect(bad.status).toBe(422);
    const missing = await call(`/api/orgs/${ws.id}/members/${stranger.id}`, { method: "PATCH", cookie: owner.cookie, body: { role: "viewer" } });
    expect(missing.status).toBe(404);
    const missingDelete = await call(`/api/orgs/${ws.id}/members/${stranger.id}`, { method: "DELETE", cookie: owner.cookie });
    expect(missingDelete.status).toBe(404);
  });

  it("removes a member: access ends immediately, their sessions there end, the audit log keeps their actions", async () => {
    const owner = await newUser("rm-owner");
    const ws = await newWorkspace(owner);
    const other = await newWorkspace(owner);
    const m = await newUser("rm-member", "Remy Removed");
    await insertMembership(ws.id, m.id, "org_admin");
    await insertMembership(other.id, m.id, "viewer");
    // Two sessions: one working in the workspace, one in another workspace.
    const elsewhere = sessionCookie(await call("/api/auth/sign-in", { method: "POST", body: { email: m.email, password: m.password } }));
    expect((await call(`/api/orgs/${other.id}/audit`, { cookie: elsewhere })).status).toBe(200);
    const rename = await call(`/api/orgs/${ws.id}/settings`, { method: "PATCH", cookie: m.cookie, body: { name: "Renamed by Remy" } });
    expect(rename.status).toBe(200);

    const res = await call(`/api/orgs/${ws.id}/members/${m.id}`, { method: "DELETE", cookie: owner.cookie });
    expect(res.status).toBe(200);
    expect((await call("/api/me", { cookie: m.cookie })).status).toBe(401);
    expect((await call("/api/me", { cookie: elsewhere })).status).toBe(200);
    expect((await call(`/api/orgs/${ws.id}/settings`, { cookie: elsewhere })).status).toBe(404);

    const { entries } = await json(await call(`/api/orgs/${ws.id}/audit`, { cookie: owner.cookie }));
    expect(entries[0]).toMatchObject({
      resourceType: "team",
      resourceId: m.id,
      operation: "deleted",
      before: { email: m.email, role: "org_admin" },
      summary: `Removed Remy Removed (${m.email}) from the workspace`,
    });
    expect(entries[1]).toMatchObject({ actor: { userId: m.id, name: "Remy Removed" }, after: { name: "Renamed by Remy" } });
  });
});
