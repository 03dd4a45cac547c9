import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, json, newUser, newWorkspace, type TestUser } from "./helpers";

const HOUR = 3_600_000;

async function setTimeout1h(u: TestUser, orgId: string) {
  const res = await call(`/api/orgs/${orgId}/settings`, { method: "PATCH", cookie: u.cookie, body: { sessionTimeoutSeconds: 3600 } });
  expect(res.status).toBe(200);
}

/** Simulates inactivity: the session was last seen `ms` ago. */
async function idle(u: TestUser, ms: number) {
  await env.DB.prepare("UPDATE sessions SET last_seen_at = ? WHERE user_id = ?").bind(Date.now() - ms, u.id).run();
}

describe("session expiry per workspace timeout", () => {
  it("a session idle longer than the workspace's timeout gets 401 SESSION_EXPIRED there and is ended", async () => {
    const u = await newUser("expiry");
    const ws = await newWorkspace(u);
    await setTimeout1h(u, ws.id);
    await idle(u, 2 * HOUR);
    const res = await call(`/api/orgs/${ws.id}/settings`, { cookie: u.cookie });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe("SESSION_EXPIRED");
    expect((await call("/api/me", { cookie: u.cookie })).status).toBe(401);
    const left = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?").bind(u.id).first<any>();
    expect(left.n).toBe(0);
  });

  it("the same idle time is fine in a workspace with a longer timeout (8 h default)", async () => {
    const u = await newUser("expiry-long");
    const short = await newWorkspace(u);
    const long = await newWorkspace(u);
    await setTimeout1h(u, short.id);
    await idle(u, 2 * HOUR);
    expect((await call(`/api/orgs/${long.id}/settings`, { cookie: u.cookie })).status).toBe(200);
  });

  it("activity within the timeout keeps the session alive and slides its expiry to the workspace's timeout", async () => {
    const u = await newUser("expiry-slide");
    const ws = await newWorkspace(u);
    await setTimeout1h(u, ws.id);
    await idle(u, 30 * 60_000);
    const before = Date.now();
    expect((await call(`/api/orgs/${ws.id}/settings`, { cookie: u.cookie })).status).toBe(200);
    const s = await env.DB.prepare("SELECT org_id, last_seen_at, expires_at FROM sessions WHERE user_id = ?").bind(u.id).first<any>();
    expect(s.org_id).toBe(ws.id);
    expect(s.last_seen_at).toBeGreaterThanOrEqual(before);
    expect(s.expires_at - s.last_seen_at).toBe(HOUR);
  });

  it("a session past its expiry time is unknown everywhere (401 UNAUTHORIZED)", async () => {
    const u = await newUser("expiry-abs");
    await env.DB.prepare("UPDATE sessions SET expires_at = ? WHERE user_id = ?").bind(Date.now() - 1, u.id).run();
    const res = await call("/api/me", { cookie: u.cookie });
    expect(res.status).toBe(401);
    expect((await json(res)).error.code).toBe("UNAUTHORIZED");
  });
});
