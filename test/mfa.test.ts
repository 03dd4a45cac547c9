import { env } from "cloudflare:test";
import * as OTPAuth from "otpauth";
import { describe, expect, it } from "vitest";
import { SIM_SENDOPS_ACCOUNT } from "../sim/aws";
import { listAuditEntries } from "../worker/db/audit";
import { MAX_FAILURES } from "../worker/auth/throttle";
import {
  confirmTotp,
  createSignInChallenge,
  describeSignInChallenge,
  matchTotp,
  SIGN_IN_CHALLENGE_TTL_MS,
  startTotpSetup,
  verifySignInChallenge,
} from "../worker/services/mfa";
import { graceEndsAt, TWO_FACTOR_GRACE_MS, userHasMfa } from "../worker/services/two-factor";
import { DAY } from "../worker/lib/time";
import { sim } from "./aws-helpers";
import { call, db, insertMembership, json, newUser, newWorkspace, sessionCookie, type TestUser } from "./helpers";

const KEY = env.ENCRYPTION_KEY;
const RP = { rpID: "127.0.0.1", origins: ["http://127.0.0.1:8787"] };
const CLIENT = { ip: null, userAgent: "vitest" };
const STEP_MS = 30_000;

/** The code an authenticator app shows at `at` for a base32 secret (computed independently with otpauth). */
const codeAt = (secret: string, at: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({ timestamp: at });

let ipCounter = 0;
const freshIp = () => `10.77.${Math.floor(++ipCounter / 250)}.${ipCounter % 250}`;

const sessionUser = (u: TestUser) => ({ id: u.id, email: u.email, name: "Test User" });

/** Sets up an authenticator app through the API; returns its secret and the recovery codes shown once. */
async function enableTotp(u: TestUser, name = "Work phone") {
  const setup = await json(await call("/api/me/mfa/totp/setup", { method: "POST", cookie: u.cookie }));
  // Codes of the step just used are refused later (replay), so confirm with the previous step's code.
  const res = await call("/api/me/mfa/totp", {
    method: "POST",
    cookie: u.cookie,
    body: { setupId: setup.setupId, name, code: codeAt(setup.secret, Date.now() - STEP_MS) },
  });
  expect(res.status).toBe(201);
  const body = await json(res);
  return { secret: setup.secret as string, recoveryCodes: body.recoveryCodes as string[] | null, methodId: body.method.id as string };
}

const mfaCookie = (res: Response) => {
  const m = /sendops_mfa=([^;]+)/.exec(res.headers.get("set-cookie") ?? "");
  if (!m) throw new Error("no MFA challenge cookie");
  return `sendops_mfa=${m[1]}`;
};

async function passwordStep(u: TestUser, ip = freshIp()) {
  return call("/api/auth/sign-in", { method: "POST", body: { email: u.email, password: u.password }, headers: { "cf-connecting-ip": ip } });
}

describe("authenticator app (TOTP)", () => {
  it("set-up gives a QR code and the manual key; a wrong code is refused, a current one turns MFA on with 10 recovery codes", async () => {
    const u = await newUser("totp-setup");
    const setup = await json(await call("/api/me/mfa/totp/setup", { method: "POST", cookie: u.cookie }));
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.uri).toContain(`otpauth://totp/SendOps:${encodeURIComponent(u.email)}?`);
    expect(atob(setup.qrCodeDataUrl.replace("data:image/svg+xml;base64,", ""))).toContain("<svg");
    const wrong = await call("/api/me/mfa/totp", { method: "POST", cookie: u.cookie, body: { setupId: setup.setupId, name: "Phone", code: "000000" } });
    expect(wrong.status).toBe(422);
    expect((await json(wrong)).error.details.fields[0].field).toBe("code");
    expect(await userHasMfa(db(), u.id)).toBe(false);
    const ok = await call("/api/me/mfa/totp", {
      method: "POST",
      cookie: u.cookie,
      body: { setupId: setup.setupId, name: "Phone", code: codeAt(setup.secret, Date.now()) },
    });
    expect(ok.status).toBe(201);
    const body = await json(ok);
    expect(body.recoveryCodes).toHaveLength(10);
    expect(new Set(body.recoveryCodes).size).toBe(10);
    expect(body.method).toMatchObject({ kind: "totp", name: "Phone", lastUsedAt: null });
    expect(await userHasMfa(db(), u.id)).toBe(true);
    // The secret is stored encrypted, never in the clear.
    const row = await env.DB.prepare("SELECT totp_secret_sealed FROM mfa_methods WHERE user_id = ?").bind(u.id).first<{ totp_secret_sealed: string }>();
    expect(row!.totp_secret_sealed).not.toContain(setup.secret);
    // A set-up is used once.
    const again = await call("/api/me/mfa/totp", {
      method: "POST",
      cookie: u.cookie,
      body: { setupId: setup.setupId, name: "Phone 2", code: codeAt(setup.secret, Date.now()) },
    });
    expect((await json(again)).error.code).toBe("MFA_SETUP_EXPIRED");
    // A second method brings no new codes.
    expect((await enableTotp(u, "Tablet")).recoveryCodes).toBeNull();
    const status = await json(await call("/api/me/mfa", { cookie: u.cookie }));
    expect(status).toMatchObject({ enabled: true, recoveryCodesRemaining: 10 });
    expect(status.methods.map((m: { name: string }) => m.name)).toEqual(["Phone", "Tablet"]);
  });

  it("accepts the current step and one step either side, nothing further (the clock is a parameter)", async () => {
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    const at = Date.UTC(2026, 0, 1, 12, 0, 15);
    const step = Math.floor(at / STEP_MS);
    expect(matchTotp(secret, codeAt(secret, at), at)).toBe(step);
    expect(matchTotp(secret, codeAt(secret, at - STEP_MS), at)).toBe(step - 1);
    expect(matchTotp(secret, codeAt(secret, at + STEP_MS), at)).toBe(step + 1);
    expect(matchTotp(secret, codeAt(secret, at - 2 * STEP_MS), at)).toBeNull();
    expect(matchTotp(secret, codeAt(secret, at + 2 * STEP_MS), at)).toBeNull();
  });

  it("refuses a code replayed within its step, and an older step's code after a newer one was used", async () => {
    const u = await newUser("totp-replay");
    const at = Date.UTC(2026, 2, 3, 9, 0, 5);
    const setup = await startTotpSetup(db(), KEY, sessionUser(u), at);
    await confirmTotp(db(), KEY, sessionUser(u), { setupId: setup.setupId, name: "Phone", code: codeAt(setup.secret, at) }, at);
    // The set-up's code counts as used: signing in with it in the same step is a replay.
    const c1 = await createSignInChallenge(db(), u.id, at + 1000);
    await expect(
      verifySignInChallenge(db(), KEY, c1.challengeToken, { method: "totp", code: codeAt(setup.secret, at) }, CLIENT, RP, at + 2000),
    ).rejects.toMatchObject({ code: "INVALID_MFA_CODE" });
    const next = at + STEP_MS;
    const s = await verifySignInChallenge(db(), KEY, c1.challengeToken, { method: "totp", code: codeAt(setup.secret, next) }, CLIENT, RP, next);
    expect(s.token).toMatch(/^sos_/);
    const c2 = await createSignInChallenge(db(), u.id, next + 1000);
    for (const code of [codeAt(setup.secret, next), codeAt(setup.secret, at)]) {
      await expect(verifySignInChallenge(db(), KEY, c2.challengeToken, { method: "totp", code }, CLIENT, RP, next + 2000)).rejects.toMatchObject({
        code: "INVALID_MFA_CODE",
      });
    }
  });
});

describe("the sign-in challenge", () => {
  it("the password alone never yields a session with MFA on: the answer is a challenge; the code completes it", async () => {
    const u = await newUser("challenge");
    const { secret } = await enableTotp(u);
    const res = await passwordStep(u);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ mfaRequired: true, methods: ["totp", "recovery"] });
    expect(res.headers.get("set-cookie")).not.toContain("sendops_session=");
    const cookie = mfaCookie(res);
    expect(res.headers.get("set-cookie")).toMatch(/sendops_mfa=[^;]+;.*Path=\/api\/auth\/mfa/i);
    expect(res.headers.get("set-cookie")).toMatch(/HttpOnly/i);
    expect(await json(await call("/api/auth/mfa", { cookie }))).toMatchObject({ methods: ["totp", "recovery"] });
    const bad = await call("/api/auth/mfa/verify", { method: "POST", cookie, body: { method: "totp", code: "123456" } });
    expect(bad.status).toBe(401);
    expect((await json(bad)).error.code).toBe("INVALID_MFA_CODE");
    const ok = await call("/api/auth/mfa/verify", { method: "POST", cookie, body: { method: "totp", code: codeAt(secret, Date.now()) } });
    expect(ok.status).toBe(200);
    expect((await json(ok)).user.id).toBe(u.id);
    const me = await call("/api/me", { cookie: sessionCookie(ok) });
    expect(me.status).toBe(200);
    // Used once: the same challenge cannot mint a second session.
    const reuse = await call("/api/auth/mfa/verify", { method: "POST", cookie, body: { method: "recovery", code: "whatever" } });
    expect((await json(reuse)).error.code).toBe("MFA_CHALLENGE_EXPIRED");
    const status = await json(await call("/api/me/mfa", { cookie: sessionCookie(ok) }));
    expect(status.methods[0].lastUsedAt).toBeGreaterThan(0);
  });

  it("expires after 5 minutes", async () => {
    const u = await newUser("challenge-expiry");
    const at = Date.UTC(2026, 4, 1, 8, 0, 0);
    const setup = await startTotpSetup(db(), KEY, sessionUser(u), at);
    await confirmTotp(db(), KEY, sessionUser(u), { setupId: setup.setupId, name: "Phone", code: codeAt(setup.secret, at) }, at);
    const c = await createSignInChallenge(db(), u.id, at);
    expect(c.expiresAt).toBe(at + SIGN_IN_CHALLENGE_TTL_MS);
    expect((await describeSignInChallenge(db(), c.challengeToken, at + SIGN_IN_CHALLENGE_TTL_MS - 1)).methods).toContain("totp");
    const late = at + SIGN_IN_CHALLENGE_TTL_MS;
    await expect(describeSignInChallenge(db(), c.challengeToken, late)).rejects.toMatchObject({ code: "MFA_CHALLENGE_EXPIRED" });
    await expect(
      verifySignInChallenge(db(), KEY, c.challengeToken, { method: "totp", code: codeAt(setup.secret, late) }, CLIENT, RP, late),
    ).rejects.toMatchObject({ code: "MFA_CHALLENGE_EXPIRED", status: 401 });
    await expect(describeSignInChallenge(db(), null, at)).rejects.toMatchObject({ code: "MFA_CHALLENGE_EXPIRED" });
  });

  it("wrong codes are throttled per user like password failures (429 with Retry-After), even with the right code", async () => {
    const u = await newUser("challenge-throttle");
    const { secret } = await enableTotp(u);
    const cookie = mfaCookie(await passwordStep(u));
    for (let i = 0; i < MAX_FAILURES; i++) {
      // A different IP each time: the per-user key alone must stop them.
      const res = await call("/api/auth/mfa/verify", { method: "POST", cookie, body: { method: "totp", code: "000000" }, headers: { "cf-connecting-ip": freshIp() } });
      expect(res.status).toBe(401);
    }
    const blocked = await call("/api/auth/mfa/verify", {
      method: "POST",
      cookie,
      body: { method: "totp", code: codeAt(secret, Date.now()) },
      headers: { "cf-connecting-ip": freshIp() },
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("a user without MFA still gets a session from the password step", async () => {
    const u = await newUser("no-mfa");
    const res = await passwordStep(u);
    expect(res.headers.get("set-cookie")).toContain("sendops_session=");
    expect((await json(res)).user.id).toBe(u.id);
  });
});

describe("recovery codes", () => {
  it("sign in once with a code; the same code is refused the second time; the remaining count drops", async () => {
    const u = await newUser("recovery");
    const { recoveryCodes } = await enableTotp(u);
    const code = recoveryCodes![3]!;
    const first = await call("/api/auth/mfa/verify", { method: "POST", cookie: mfaCookie(await passwordStep(u)), body: { method: "recovery", code: code.toUpperCase() } });
    expect(first.status).toBe(200);
    const second = await call("/api/auth/mfa/verify", { method: "POST", cookie: mfaCookie(await passwordStep(u)), body: { method: "recovery", code } });
    expect(second.status).toBe(401);
    expect((await json(second)).error.code).toBe("INVALID_MFA_CODE");
    expect((await json(await call("/api/me/mfa", { cookie: sessionCookie(first) }))).recoveryCodesRemaining).toBe(9);
  });

  it("regenerating (after re-authentication) invalidates every earlier code", async () => {
    const u = await newUser("recovery-regen");
    const { recoveryCodes } = await enableTotp(u);
    const refused = await call("/api/me/mfa/recovery-codes", { method: "POST", cookie: u.cookie, body: { password: "wrong password" } });
    expect(refused.status).toBe(422);
    const res = await call("/api/me/mfa/recovery-codes", { method: "POST", cookie: u.cookie, body: { password: u.password } });
    expect(res.status).toBe(200);
    const fresh = (await json(res)).recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recoveryCodes!.includes(c))).toBe(false);
    const old = await call("/api/auth/mfa/verify", { method: "POST", cookie: mfaCookie(await passwordStep(u)), body: { method: "recovery", code: recoveryCodes![0] } });
    expect(old.status).toBe(401);
    const now = await call("/api/auth/mfa/verify", { method: "POST", cookie: mfaCookie(await passwordStep(u)), body: { method: "recovery", code: fresh[0] } });
    expect(now.status).toBe(200);
  });
});

describe("managing methods", () => {
  it("rename; remove needs re-authentication; removing the last method turns MFA off (codes too), audited and emailed", async () => {
    const u = await newUser("manage");
    const ws = await newWorkspace(u);
    const { methodId, recoveryCodes, secret } = await enableTotp(u, "Old phone");
    const renamed = await call(`/api/me/mfa/methods/${methodId}`, { method: "PATCH", cookie: u.cookie, body: { name: "New phone" } });
    expect((await json(renamed)).name).toBe("New phone");
    const noAuth = await call(`/api/me/mfa/methods/${methodId}`, { method: "DELETE", cookie: u.cookie, body: {} });
    expect(noAuth.status).toBe(422);
    const wrong = await call(`/api/me/mfa/methods/${methodId}`, { method: "DELETE", cookie: u.cookie, body: { code: "999999" } });
    expect(wrong.status).toBe(422);
    const removed = await call(`/api/me/mfa/methods/${methodId}`, { method: "DELETE", cookie: u.cookie, body: { code: codeAt(secret, Date.now()) } });
    expect(removed.status).toBe(200);
    expect(await json(removed)).toEqual({ enabled: false, methods: [], recoveryCodesRemaining: 0 });
    expect(await userHasMfa(db(), u.id)).toBe(false);
    // Off: the password signs in again, and the old recovery codes are gone.
    const signIn = await passwordStep(u);
    expect(signIn.headers.get("set-cookie")).toContain("sendops_session=");
    const left = await env.DB.prepare("SELECT count(*) AS n FROM mfa_recovery_codes WHERE user_id = ?").bind(u.id).first<{ n: number }>();
    expect(left!.n).toBe(0);
    expect(recoveryCodes).toHaveLength(10);
    const audit = await listAuditEntries(db(), { orgId: ws.id, since: 0, limit: 20 });
    expect(audit.map((e) => `${e.resourceType} ${e.operation}`).reverse()).toEqual(
      expect.arrayContaining(["mfa enabled", "mfa_method added", "mfa_method renamed", "mfa_method removed", "mfa disabled"]),
    );
    expect(audit.find((e) => e.operation === "renamed")!.summary).toBe("Renamed the authenticator app “Old phone” to “New phone”");
    // The security emails (on, then off) reached the mailer.
    const { mails } = await sim<{ mails: { to: string[]; subject: string }[] }>(`/outbox.json?account=${SIM_SENDOPS_ACCOUNT}`);
    const subjects = mails.filter((m) => m.to.includes(u.email)).map((m) => m.subject);
    expect(subjects).toEqual(expect.arrayContaining(["SendOps: Multi-factor authentication is on", "SendOps: Multi-factor authentication is off"]));
  });

  it("a user cannot touch another user's method", async () => {
    const a = await newUser("manage-a");
    const b = await newUser("manage-b");
    const { methodId } = await enableTotp(a);
    expect((await call(`/api/me/mfa/methods/${methodId}`, { method: "PATCH", cookie: b.cookie, body: { name: "Mine" } })).status).toBe(404);
    expect((await call(`/api/me/mfa/methods/${methodId}`, { method: "DELETE", cookie: b.cookie, body: { password: b.password } })).status).toBe(404);
  });
});

describe("workspace 2FA enforcement", () => {
  it("the grace runs 7 days from the enforcement start or the member's joining, whichever is later", () => {
    const t = Date.UTC(2026, 5, 1);
    expect(graceEndsAt(t, t - 30 * DAY)).toBe(t + TWO_FACTOR_GRACE_MS);
    expect(graceEndsAt(t, t + 2 * DAY)).toBe(t + 9 * DAY);
  });

  it("only an admin with MFA can turn it on; members without MFA see their deadline, then are blocked until they set it up", async () => {
    const owner = await newUser("enforce-owner");
    const ws = await newWorkspace(owner);
    const refused = await call(`/api/orgs/${ws.id}/two-factor`, { method: "PUT", cookie: owner.cookie, body: { enforced: true } });
    expect((await json(refused)).error.code).toBe("MFA_REQUIRED_TO_ENFORCE");
    await enableTotp(owner);
    const on = await call(`/api/orgs/${ws.id}/two-factor`, { method: "PUT", cookie: owner.cookie, body: { enforced: true } });
    expect(on.status).toBe(200);
    expect(await json(on)).toMatchObject({ enforced: true, membersWithoutMfa: 0, membersBlocked: 0 });

    const member = await newUser("enforce-member");
    await insertMembership(ws.id, member.id, "org_admin");
    const me = await json(await call("/api/me", { cookie: member.cookie }));
    const deadline = me.workspaces.find((w: { id: string }) => w.id === ws.id).twoFactorGraceEndsAt;
    expect(deadline).toBeGreaterThan(Date.now() + 6 * DAY);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 7 * DAY);
    // Within the grace: access as usual.
    expect((await call(`/api/orgs/${ws.id}/api-keys`, { cookie: member.cookie })).status).toBe(200);
    // Grace over (the enforcement and the joining moved 8 days back): blocked with a clear code.
    const past = Date.now() - 8 * DAY;
    await env.DB.batch([
      env.DB.prepare("UPDATE org_two_factor SET enforced_since = ? WHERE org_id = ?").bind(past, ws.id),
      env.DB.prepare("UPDATE memberships SET created_at = ? WHERE org_id = ? AND user_id = ?").bind(past, ws.id, member.id),
    ]);
    const blocked = await call(`/api/orgs/${ws.id}/api-keys`, { cookie: member.cookie });
    expect(blocked.status).toBe(403);
    expect((await json(blocked)).error).toMatchObject({ code: "TWO_FACTOR_REQUIRED", details: { graceEndedAt: past + TWO_FACTOR_GRACE_MS } });
    expect(await json(await call(`/api/orgs/${ws.id}/two-factor`, { cookie: owner.cookie }))).toMatchObject({ membersWithoutMfa: 1, membersBlocked: 1 });
    // The owner (with MFA) is not affected; the member regains access once MFA is set up.
    expect((await call(`/api/orgs/${ws.id}/api-keys`, { cookie: owner.cookie })).status).toBe(200);
    await enableTotp(member);
    expect((await call(`/api/orgs/${ws.id}/api-keys`, { cookie: member.cookie })).status).toBe(200);
    expect((await json(await call("/api/me", { cookie: member.cookie }))).workspaces.find((w: { id: string }) => w.id === ws.id).twoFactorGraceEndsAt).toBeNull();

    const off = await call(`/api/orgs/${ws.id}/two-factor`, { method: "PUT", cookie: owner.cookie, body: { enforced: false } });
    expect(await json(off)).toMatchObject({ enforced: false });
    const audit = await listAuditEntries(db(), { orgId: ws.id, since: 0, resourceType: "two_factor_enforcement", limit: 5 });
    expect(audit.map((e) => e.operation)).toEqual(["disabled", "enabled"]);
  });
});
