import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { oauthClients } from "../worker/auth/oauth";
import { auditLog, userCredentials, users } from "../worker/db/schema";
import { call, db, json, newUser, newWorkspace } from "./helpers";
import { authorize, callback, errorOf, navigate, newPersona, oauthSim, signInAs, startFlow } from "./oauth-helpers";

const me = async (cookie: string) => (await json(await call("/api/me", { cookie }))).user;

describe("providers on offer", () => {
  it("lists the configured providers", async () => {
    const res = await call("/api/auth/providers");
    expect(await json(res)).toEqual({ providers: [{ id: "github", name: "GitHub" }, { id: "google", name: "Google" }] });
  });

  it("does not offer a provider without a client id, and its routes are 404", async () => {
    expect(oauthClients({ ...env, GOOGLE_CLIENT_ID: undefined }).map((c) => c.id)).toEqual(["github"]);
    expect(oauthClients({ ...env, GITHUB_CLIENT_SECRET: undefined }).map((c) => c.id)).toEqual(["google"]);
    expect((await call("/api/auth/oauth/gitlab/start")).status).toBe(404);
  });

  it("sends the browser to the provider with state, PKCE S256 and (Google) a nonce, in a sealed short-lived cookie", async () => {
    const res = await navigate("/api/auth/oauth/google/start");
    expect(res.status).toBe(302);
    const url = new URL(res.headers.get("location")!);
    expect(url.origin + url.pathname).toBe(`${env.GOOGLE_ISSUER_URL}/o/oauth2/v2/auth`);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("redirect_uri")).toBe("http://127.0.0.1:8787/api/auth/oauth/google/callback");
    expect(url.searchParams.get("nonce")).toBeTruthy();
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/sendops_oauth=[^;]+; Max-Age=600; Path=\/api\/auth\/oauth; HttpOnly; SameSite=Lax/);
    // Sealed: neither the state nor the verifier can be read from it.
    expect(cookie).not.toContain(url.searchParams.get("state")!);
  });
});

describe("sign up and sign in with a provider", () => {
  it("GitHub: a new verified account signs up (email verified), lands in the app, and signs in again as the same user", async () => {
    const p = await newPersona("github", { name: "Octo Ada" });
    const first = await signInAs("github", p.id);
    expect(first).toMatchObject({ status: 302, location: "/" });
    expect(first.session).toBeTruthy();
    const user = await me(first.session!);
    expect(user).toMatchObject({ email: p.email, name: "Octo Ada", emailVerified: true });
    const again = await signInAs("github", p.id);
    expect((await me(again.session!)).id).toBe(user.id);
    const creds = await db().select().from(userCredentials).where(eq(userCredentials.userId, user.id)).all();
    expect(creds.map((c) => [c.kind, c.subject, c.label])).toEqual([["github", p.id, `@${p.login}`]]);
  });

  it("Google: the id_token is checked and its verified email signs the user up", async () => {
    const p = await newPersona("google");
    const res = await signInAs("google", p.id);
    expect(res.location).toBe("/");
    expect(await me(res.session!)).toMatchObject({ email: p.email, emailVerified: true });
  });

  it("a denied authorization lands on the sign-in page", async () => {
    const { stateCookie, authorizeUrl } = await startFlow("github");
    const res = await callback(await authorize("github", authorizeUrl, { deny: true }), [stateCookie]);
    expect(res.location).toBe("/sign-in?error=OAUTH_DENIED&provider=github");
    expect(res.session).toBeNull();
  });

  it("refuses a callback whose state is not this browser's (tampered, missing or another flow's cookie)", async () => {
    const p = await newPersona("github");
    const a = await startFlow("github");
    const b = await startFlow("github");
    const cb = await authorize("github", a.authorizeUrl, { userId: p.id });
    const tampered = new URL(cb);
    tampered.searchParams.set("state", "forged");
    for (const res of [await callback(tampered, [a.stateCookie]), await callback(cb, []), await callback(cb, [b.stateCookie])]) {
      expect(errorOf(res.location)).toBe("OAUTH_STATE_MISMATCH");
      expect(res.session).toBeNull();
    }
  });

  it("a code bound to another flow's PKCE challenge is refused by the provider (injected code)", async () => {
    const p = await newPersona("google");
    const victim = await startFlow("google");
    const attacker = await startFlow("google");
    const attackerCode = (await authorize("google", attacker.authorizeUrl, { userId: p.id })).searchParams.get("code")!;
    const cb = await authorize("google", victim.authorizeUrl, { userId: p.id });
    cb.searchParams.set("code", attackerCode);
    const res = await callback(cb, [victim.stateCookie]);
    expect(errorOf(res.location)).toBe("OAUTH_FAILED");
    expect(res.session).toBeNull();
  });

  it("a provider account without a verified email signs nobody up", async () => {
    for (const provider of ["github", "google"] as const) {
      const p = await newPersona(provider, { emailVerified: false });
      const res = await signInAs(provider, p.id);
      expect(res.location).toBe(`/sign-in?error=OAUTH_EMAIL_UNVERIFIED&provider=${provider}`);
      expect(await db().select().from(users).where(eq(users.email, p.email)).get()).toBeUndefined();
    }
  });

  it.each(["bad_signature", "wrong_aud", "expired", "wrong_iss", "wrong_nonce"])("refuses an id_token with %s", async (fault) => {
    const p = await newPersona("google");
    const { stateCookie, authorizeUrl } = await startFlow("google");
    const cb = await authorize("google", authorizeUrl, { userId: p.id });
    await oauthSim("/__sim/oauth/faults", { method: "POST", json: { idToken: fault } });
    const res = await callback(cb, [stateCookie]);
    expect(errorOf(res.location)).toBe("OAUTH_FAILED");
    expect(res.session).toBeNull();
    expect(await db().select().from(users).where(eq(users.email, p.email)).get()).toBeUndefined();
  });
});

describe("linking a provider to an existing account by email (account-takeover guard)", () => {
  it("refuses while the existing account's email is unverified, links once it is verified", async () => {
    const owner = await newUser("link");
    const p = await newPersona("github", { email: owner.email });
    const refused = await signInAs("github", p.id);
    expect(refused.location).toBe("/sign-in?error=OAUTH_LINK_REFUSED&provider=github");
    expect(refused.session).toBeNull();
    await db().update(users).set({ emailVerifiedAt: Date.now() }).where(eq(users.id, owner.id));
    const linked = await signInAs("github", p.id);
    expect((await me(linked.session!)).id).toBe(owner.id);
  });

  it("never links through an unverified provider email, even to a verified account", async () => {
    const owner = await newUser("link-unv");
    await db().update(users).set({ emailVerifiedAt: Date.now() }).where(eq(users.id, owner.id));
    const p = await newPersona("google", { email: owner.email, emailVerified: false });
    expect(errorOf((await signInAs("google", p.id)).location)).toBe("OAUTH_EMAIL_UNVERIFIED");
    expect(await db().select().from(userCredentials).where(eq(userCredentials.userId, owner.id)).all()).toHaveLength(1);
  });
});

describe("connected accounts", () => {
  it("connects and disconnects a provider on Profile, with audit entries in the user's workspaces", async () => {
    const user = await newUser("connect");
    const ws = await newWorkspace(user);
    const p = await newPersona("github");
    const res = await signInAs("github", p.id, { cookie: user.cookie, connect: true });
    expect(res.location).toBe("/w/x/profile?connected=github");
    const list = await json(await call("/api/me/connections", { cookie: user.cookie }));
    expect(list).toMatchObject({ hasPassword: true, providers: [{ provider: "github", connected: { label: `@${p.login}` } }, { provider: "google", connected: null }] });
    // The GitHub account now signs in as this user.
    expect((await me((await signInAs("github", p.id)).session!)).id).toBe(user.id);
    const del = await call("/api/me/connections/github", { method: "DELETE", cookie: user.cookie });
    expect(del.status).toBe(200);
    expect((await json(del)).providers[0].connected).toBeNull();
    const audit = await db().select().from(auditLog).where(eq(auditLog.orgId, ws.id)).all();
    expect(audit.filter((a) => a.resourceType === "user_account").map((a) => [a.operation, a.summary])).toEqual([
      ["connected", `Connected GitHub (@${p.login})`],
      ["disconnected", `Disconnected GitHub (@${p.login})`],
    ]);
  });

  it("keeps the last sign-in method", async () => {
    const p = await newPersona("google");
    const { session } = await signInAs("google", p.id);
    const res = await call("/api/me/connections/google", { method: "DELETE", cookie: session! });
    expect(res.status).toBe(409);
    expect((await json(res)).error).toMatchObject({ code: "LAST_SIGN_IN_METHOD", message: "Google is your only way to sign in. Connect another provider before disconnecting it." });
    // With a second method it may go.
    const gh = await newPersona("github");
    await signInAs("github", gh.id, { cookie: session!, connect: true });
    expect((await call("/api/me/connections/google", { method: "DELETE", cookie: session! })).status).toBe(200);
  });

  it("refuses a provider account that belongs to someone else", async () => {
    const p = await newPersona("github");
    await signInAs("github", p.id);
    const other = await newUser("connect-other");
    const res = await signInAs("github", p.id, { cookie: other.cookie, connect: true });
    expect(res.location).toBe("/w/x/profile?error=OAUTH_ALREADY_CONNECTED&provider=github");
  });

  it("returns only to a path of this site after connecting", async () => {
    const user = await newUser("connect-return");
    const p = await newPersona("google");
    const start = await navigate("/api/me/connections/google/connect?returnTo=//evil.example/x", user.cookie);
    const stateCookie = /sendops_oauth=[^;]+/.exec(start.headers.get("set-cookie")!)![0];
    const cb = await authorize("google", new URL(start.headers.get("location")!), { userId: p.id });
    expect((await callback(cb, [stateCookie, user.cookie])).location).toBe("/?connected=google");
  });

  it("a connect needs a session, and the callback must come back to the same user", async () => {
    expect((await call("/api/me/connections/github/connect")).status).toBe(401);
    const a = await newUser("connect-a");
    const b = await newUser("connect-b");
    const p = await newPersona("github");
    const { stateCookie, authorizeUrl } = await startFlow("github", { cookie: a.cookie, connect: true });
    const cb = await authorize("github", authorizeUrl, { userId: p.id });
    expect(errorOf((await callback(cb, [stateCookie, b.cookie])).location)).toBe("OAUTH_STATE_MISMATCH");
    expect(await db().select().from(userCredentials).where(eq(userCredentials.subject, p.id)).all()).toEqual([]);
  });

  it("a new email/password sign-up is unverified", async () => {
    const u = await newUser("pw");
    expect(await me(u.cookie)).toMatchObject({ emailVerified: false });
  });
});
