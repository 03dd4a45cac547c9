/**
 * Proving an email address by a mailed link: the account's own address (after a password sign-up, or
 * resent from Profile) and a new address (email change for password accounts, applied only when the
 * link is used). Tokens are random, stored as SHA-256, single use and expiring. The functions return the
 * mail; the route hands it to the mailer (services know no delivery).
 */
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import { findPasswordCredential, findUserByEmail, findUserById, normaliseEmail } from "../db/accounts";
import { emailTokens, userCredentials, users } from "../db/schema";
import { verifyPassword } from "../auth/passwords";
import { randomToken, sha256Hex } from "../lib/crypto";
import { AppError, conflict, notFound, validationError } from "../lib/errors";
import { newId } from "../lib/ids";
import { HOUR } from "../lib/time";
import type { Mail } from "../integrations/mailer";
import { accountAuditInserts } from "./account-audit";

export const EMAIL_LINK_TTL_MS = 24 * HOUR;
export type EmailTokenPurpose = (typeof emailTokens.$inferSelect)["purpose"];

export const verifyEmailSchema = z.object({ token: z.string().min(1, "The link has no token.").max(200) });
export const changeEmailSchema = z.object({
  newEmail: z.email("Enter a valid email address.").max(254),
  currentPassword: z.string().min(1, "Enter your current password."),
});

async function issueToken(db: Db, userId: string, purpose: EmailTokenPurpose, email: string, at: number): Promise<string> {
  const token = randomToken("eml");
  await db.batch([
    // One live link per purpose: a resend (or a second change request) makes the earlier links useless.
    db.delete(emailTokens).where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt))),
    db.insert(emailTokens).values({ id: newId("emt", at), userId, purpose, email, tokenHash: await sha256Hex(token), createdAt: at, expiresAt: at + EMAIL_LINK_TTL_MS }),
  ]);
  return token;
}

const link = (appUrl: string, token: string) => `${appUrl.replace(/\/+$/, "")}/verify-email?token=${encodeURIComponent(token)}`;

/** The verification mail for the user's current address; refused when it is already verified. */
export async function verificationMail(db: Db, appUrl: string, userId: string, at = Date.now()): Promise<Mail> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound("User");
  if (user.emailVerifiedAt !== null) throw conflict("Your email address is already verified.");
  const token = await issueToken(db, user.id, "verify", user.email, at);
  return {
    to: user.email,
    subject: "Verify your email address for SendOps",
    text: `Hello ${user.name},\n\nConfirm that ${user.email} is your address by opening this link within 24 hours:\n\n${link(appUrl, token)}\n\nIf you did not create a SendOps account, ignore this email.\n`,
  };
}

/**
 * Email change for an account with a password: the link goes to the new address, a notice to the old
 * one; nothing changes until the link is used.
 */
export async function emailChangeMails(db: Db, appUrl: string, userId: string, input: z.infer<typeof changeEmailSchema>, at = Date.now()): Promise<Mail[]> {
  const user = await findUserById(db, userId);
  if (!user) throw notFound("User");
  const cred = await findPasswordCredential(db, userId);
  if (!cred?.passwordHash || !cred.passwordSalt || !cred.passwordIterations) {
    throw new AppError("EMAIL_CHANGE_UNAVAILABLE", 409, "Your email address comes from GitHub or Google: change it there. Only accounts with a password change their email here.");
  }
  const ok = await verifyPassword(input.currentPassword, { hash: cred.passwordHash, salt: cred.passwordSalt, iterations: cred.passwordIterations });
  if (!ok) {
    throw validationError("currentPassword: The current password is incorrect.", { fields: [{ field: "currentPassword", message: "The current password is incorrect." }] });
  }
  const newEmail = normaliseEmail(input.newEmail);
  if (newEmail === user.email) throw validationError("newEmail: This is already your email address.", { fields: [{ field: "newEmail", message: "This is already your email address." }] });
  if (await findUserByEmail(db, newEmail)) {
    throw new AppError("EMAIL_TAKEN", 409, "Another SendOps account uses this email address.", { fields: [{ field: "newEmail", message: "Another SendOps account uses this email address." }] });
  }
  const token = await issueToken(db, user.id, "change", newEmail, at);
  return [
    {
      to: newEmail,
      subject: "Confirm your new email address for SendOps",
      text: `Hello ${user.name},\n\nYou asked to change the email address of your SendOps account from ${user.email} to ${newEmail}. Confirm it by opening this link within 24 hours:\n\n${link(appUrl, token)}\n\nUntil then you sign in with ${user.email}. If you did not ask for this, ignore this email.\n`,
    },
    {
      to: user.email,
      subject: "Your SendOps email address is about to change",
      text: `Hello ${user.name},\n\nSomeone signed in to your SendOps account asked to change its email address to ${newEmail}. Nothing changes unless the link sent to that address is used within 24 hours.\n\nIf this was not you, change your password from Profile now.\n`,
    },
  ];
}

const linkInvalid = (why: string) => new AppError("EMAIL_LINK_INVALID", 410, why);

/** Uses a link: verifies the address, or applies the email change. */
export async function redeemEmailToken(db: Db, token: string, at = Date.now()): Promise<{ kind: "verified" | "changed"; email: string }> {
  const row = await db.select().from(emailTokens).where(eq(emailTokens.tokenHash, await sha256Hex(token))).get();
  if (!row) throw linkInvalid("This link is not valid (a newer one may have been sent). Request a new one from Profile.");
  if (row.usedAt !== null) throw linkInvalid("This link was already used.");
  if (row.expiresAt <= at) throw linkInvalid("This link has expired. Request a new one from Profile.");
  const user = await findUserById(db, row.userId);
  if (!user) throw linkInvalid("This link is not valid.");
  const markUsed = db.update(emailTokens).set({ usedAt: at }).where(and(eq(emailTokens.id, row.id), isNull(emailTokens.usedAt)));
  if (row.purpose === "verify") {
    // The address changed since the link was sent: it proves nothing about the current one.
    if (row.email !== user.email) throw linkInvalid("This link is for an address your account no longer uses.");
    await db.batch([markUsed, db.update(users).set({ emailVerifiedAt: user.emailVerifiedAt ?? at }).where(eq(users.id, user.id))]);
    return { kind: "verified", email: user.email };
  }
  if (await findUserByEmail(db, row.email)) throw new AppError("EMAIL_TAKEN", 409, "Another SendOps account uses this email address now; the change was not made.");
  await db.batch([
    markUsed,
    db.update(users).set({ email: row.email, emailVerifiedAt: at }).where(eq(users.id, user.id)),
    db.update(userCredentials).set({ subject: row.email, updatedAt: at }).where(and(eq(userCredentials.userId, user.id), eq(userCredentials.kind, "password"))),
    ...(await accountAuditInserts(db, user, { operation: "email_changed", summary: `Changed their email address from ${user.email} to ${row.email}`, before: { email: user.email }, after: { email: row.email } }, at)),
  ]);
  return { kind: "changed", email: row.email };
}
