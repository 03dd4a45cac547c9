import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { auditLog, memberships, sessions, userCredentials, users } from "../worker/db/schema";
import { call, db, insertMembership, json, newUser, newWorkspace } from "./helpers";
import { newPersona, signInAs } from "./oauth-helpers";

const close = (cookie: string, body: Record<string, unknown>) => call("/api/me/close", { method: "POST", cookie, body });

describe("closing your account", () => {
  it("is refused while the user owns a workspace, naming it", async () => {
    const owner = await newUser("close-owner");
    const ws = await newWorkspace(owner, "Acme Mail");
    const res = await close(owner.cookie, { password: owner.password, confirmEmail: owner.email });
    expect(res.status).toBe(409);
    const { error } = await json(res);
    expect(error.code).toBe("OWNER_OF_WORKSPACES");
    expect(error.message).toBe(
      'You are the Owner of "Acme Mail". Transfer ownership or delete that workspace (Settings → Workspace → Danger Zone) before closing your account.',
    );
    expect(error.details.workspaces).toEqual([{ id: ws.id, name: "Acme Mail", slug: ws.slug }]);
    expect((await call("/api/me", { cookie: owner.cookie })).status).toBe(200);
  });

  it("a member confirms with email and password; access, sign-in methods and sessions end; the audit trail keeps their name", async () => {
    const owner = await newUser("close-ws-owner");
    const ws = await newWorkspace(owner);
    const member = await newUser("close-member", "Mia Member");
    await insertMembership(ws.id, member.id, "developer");

    expect((await close(member.cookie, { password: "wrong password", confirmEmail: member.email })).status).toBe(422);
    expect((await close(member.cookie, { password: member.password, confirmEmail: "someone@else.test" })).status).toBe(422);
    const res = await close(member.cookie, { password: member.password, confirmEmail: member.email.toUpperCase() });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/sendops_session=;/);

    expect((await call("/api/me", { cookie: member.cookie })).status).toBe(401);
    expect((await call("/api/auth/sign-in", { method: "POST", body: { email: member.email, password: member.password } })).status).toBe(401);
    expect(await db().select().from(memberships).where(eq(memberships.userId, member.id)).all()).toEqual([]);
    expect(await db().select().from(userCredentials).where(eq(userCredentials.userId, member.id)).all()).toEqual([]);
    expect(await db().select().from(sessions).where(eq(sessions.userId, member.id)).all()).toEqual([]);
    const entry = (await db().select().from(auditLog).where(eq(auditLog.orgId, ws.id)).all()).find((a) => a.operation === "closed");
    expect(entry).toMatchObject({ actorUserId: member.id, actorName: "Mia Member", actorEmail: member.email, resourceType: "user_account" });
    // The address is free again.
    const again = await call("/api/auth/sign-up", { method: "POST", body: { name: "Mia Again", email: member.email, password: "another password", acceptTerms: true } });
    expect(again.status).toBe(201);
    expect((await db().select().from(users).where(eq(users.email, member.email)).get())?.id).not.toBe(member.id);
  });

  it("a GitHub/Google-only account confirms by a recent sign-in", async () => {
    const p = await newPersona("google");
    const { session } = await signInAs("google", p.id);
    const me = (await json(await call("/api/me", { cookie: session! }))).user;
    await db().update(sessions).set({ createdAt: Date.now() - 16 * 60_000 }).where(eq(sessions.userId, me.id));
    const stale = await close(session!, { confirmEmail: p.email });
    expect(stale.status).toBe(403);
    expect((await json(stale)).error.code).toBe("REAUTH_REQUIRED");
    const fresh = await signInAs("google", p.id);
    expect((await close(fresh.session!, { confirmEmail: p.email })).status).toBe(200);
    expect(await db().select().from(users).where(eq(users.id, me.id)).get()).toBeUndefined();
  });
});
