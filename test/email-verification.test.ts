import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { SIM_SENDOPS_ACCOUNT } from "../sim/aws/credentials";
import { auditLog, users } from "../worker/db/schema";
import { EMAIL_LINK_TTL_MS, redeemEmailToken, verificationMail } from "../worker/services/email-verification";
import { call, db, json, newUser, newWorkspace, uniqueEmail } from "./helpers";
import { newPersona, signInAs } from "./oauth-helpers";

interface SentMail {
  to: string[];
  subject: string;
  text: string;
}

/** The newest mail SendOps sent to `to` (the stand-in's outbox), waiting for background sends. */
async function mailTo(to: string, subject: RegExp): Promise<SentMail> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${env.AWS_ENDPOINT_URL}/__sim/outbox.json?account=${SIM_SENDOPS_ACCOUNT}`);
    const { mails } = (await res.json()) as { mails: SentMail[] };
    const found = mails.find((m) => m.to.includes(to) && subject.test(m.subject));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to} matching ${subject}`);
}

const tokenIn = (mail: SentMail) => /\/verify-email\?token=(\S+)/.exec(mail.text)![1]!;
const verify = (token: string) => call("/api/auth/email/verify", { method: "POST", body: { token: decodeURIComponent(token) } });
const me = async (cookie: string) => (await json(await call("/api/me", { cookie }))).user;

describe("email verification", () => {
  it("a password sign-up gets a verification link; the link verifies once", async () => {
    const u = await newUser("verify");
    expect(await me(u.cookie)).toMatchObject({ emailVerified: false });
    const mail = await mailTo(u.email, /Verify your email/);
    expect(mail.text).toContain("http://127.0.0.1:8787/verify-email?token=");
    const res = await verify(tokenIn(mail));
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ kind: "verified", email: u.email });
    expect(await me(u.cookie)).toMatchObject({ emailVerified: true });
    const again = await verify(tokenIn(mail));
    expect(again.status).toBe(410);
    expect((await json(again)).error).toMatchObject({ code: "EMAIL_LINK_INVALID", message: "This link was already used." });
    // Verified: nothing to resend.
    expect((await call("/api/me/email/verification", { method: "POST", cookie: u.cookie })).status).toBe(409);
  });

  it("a resend replaces the earlier link, and links expire after 24 hours", async () => {
    const u = await newUser("verify-resend");
    const first = tokenIn(await mailTo(u.email, /Verify your email/));
    const res = await call("/api/me/email/verification", { method: "POST", cookie: u.cookie });
    expect(await json(res)).toEqual({ ok: true, sentTo: u.email });
    expect((await verify(first)).status).toBe(410);

    const t0 = Date.UTC(2026, 0, 1);
    const mail = await verificationMail(db(), env.APP_URL, u.id, t0);
    const token = tokenIn({ ...mail, to: [mail.to] });
    await expect(redeemEmailToken(db(), decodeURIComponent(token), t0 + EMAIL_LINK_TTL_MS)).rejects.toMatchObject({ code: "EMAIL_LINK_INVALID", message: "This link has expired. Request a new one from Profile." });
    expect(await redeemEmailToken(db(), decodeURIComponent(token), t0 + EMAIL_LINK_TTL_MS - 1)).toEqual({ kind: "verified", email: u.email });
  });

  it("an unknown link is refused", async () => {
    expect((await verify("eml_nonsense")).status).toBe(410);
  });
});

describe("email change", () => {
  it("mails the new address a link and the old one a notice; applies only when the link is used, once", async () => {
    const u = await newUser("change");
    const ws = await newWorkspace(u);
    const newEmail = uniqueEmail("changed");
    const res = await call("/api/me/email", { method: "POST", cookie: u.cookie, body: { newEmail, currentPassword: u.password } });
    expect(await json(res)).toEqual({ ok: true, sentTo: newEmail });
    const link = await mailTo(newEmail, /Confirm your new email/);
    const notice = await mailTo(u.email, /about to change/);
    expect(notice.text).toContain(newEmail);
    expect(notice.text).not.toContain("verify-email");
    expect((await me(u.cookie)).email).toBe(u.email);

    expect(await json(await verify(tokenIn(link)))).toEqual({ kind: "changed", email: newEmail });
    expect(await me(u.cookie)).toMatchObject({ email: newEmail, emailVerified: true });
    expect((await call("/api/auth/sign-in", { method: "POST", body: { email: newEmail, password: u.password } })).status).toBe(200);
    expect((await call("/api/auth/sign-in", { method: "POST", body: { email: u.email, password: u.password } })).status).toBe(401);
    expect((await verify(tokenIn(link))).status).toBe(410);
    const audit = await db().select().from(auditLog).where(eq(auditLog.orgId, ws.id)).all();
    expect(audit.find((a) => a.operation === "email_changed")).toMatchObject({ resourceType: "user_account", summary: `Changed their email address from ${u.email} to ${newEmail}` });
  });

  it("needs the current password and refuses an address another account uses", async () => {
    const u = await newUser("change-refused");
    const other = await newUser("change-other");
    const wrong = await call("/api/me/email", { method: "POST", cookie: u.cookie, body: { newEmail: uniqueEmail(), currentPassword: "not it" } });
    expect(wrong.status).toBe(422);
    const taken = await call("/api/me/email", { method: "POST", cookie: u.cookie, body: { newEmail: other.email, currentPassword: u.password } });
    expect(taken.status).toBe(409);
    expect((await json(taken)).error.code).toBe("EMAIL_TAKEN");
  });

  it("refuses the change when the address was taken between request and link", async () => {
    const u = await newUser("change-race");
    const newEmail = uniqueEmail("race");
    await call("/api/me/email", { method: "POST", cookie: u.cookie, body: { newEmail, currentPassword: u.password } });
    const link = await mailTo(newEmail, /Confirm your new email/);
    await newUserWithEmail(newEmail);
    expect((await verify(tokenIn(link))).status).toBe(409);
    expect((await db().select().from(users).where(eq(users.id, u.id)).get())!.email).toBe(u.email);
  });

  it("is not offered to an account without a password", async () => {
    const p = await newPersona("github");
    const { session } = await signInAs("github", p.id);
    const res = await call("/api/me/email", { method: "POST", cookie: session!, body: { newEmail: uniqueEmail(), currentPassword: "x" } });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("EMAIL_CHANGE_UNAVAILABLE");
  });
});

async function newUserWithEmail(email: string) {
  const res = await call("/api/auth/sign-up", { method: "POST", body: { name: "Racer", email, password: "correct horse battery", acceptTerms: true } });
  expect(res.status).toBe(201);
}
