import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../db/client";
import {
  findPasswordCredential,
  findUserByEmail,
  findUserById,
  listMembershipsOfUser,
  normaliseEmail,
} from "../db/accounts";
import { memberships, userCredentials, users } from "../db/schema";
import { DUMMY_PASSWORD_HASH, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from "../auth/passwords";
import { permissionsOf } from "../auth/permissions";
import { createSession, DEFAULT_SESSION_TIMEOUT_SECONDS, deleteSessionsOfUserQuery, resolveSession } from "../auth/sessions";
import { assertNotThrottled, clearFailures, recordFailure, throttleKeys } from "../auth/throttle";
import { AppError, notFound, validationError } from "../lib/errors";
import { newId } from "../lib/ids";
import { ensureDemoWorkspace } from "./demo";
import { createSignInChallenge } from "./mfa";
import { twoFactorDeadlines, userHasMfa } from "./two-factor";

export const signUpSchema = z.object({
  name: z.string().trim().min(1, "Enter your full name.").max(200, "Name is at most 200 characters."),
  email: z.email("Enter a valid email address.").max(254),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters.`)
    .max(256, "Password is at most 256 characters."),
  acceptTerms: z.literal(true, { message: "You must agree to the Terms of Service and Privacy Policy." }),
});

export const signInSchema = z.object({
  email: z.string().trim().min(1, "Enter your email address.").max(254),
  password: z.string().min(1, "Enter your password.").max(256),
});

export const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, "Enter your current password."),
  newPassword: signUpSchema.shape.password,
});

export const profileSchema = z
  .object({
    name: z.string().trim().min(1, "Display name cannot be empty.").max(200, "Display name is at most 200 characters."),
    timezone: z
      .string()
      .max(64)
      .refine((tz) => isValidTimeZone(tz), "Unknown timezone.")
      .nullable(),
    weekStart: z.enum(["monday", "sunday"]),
    theme: z.enum(["light", "dark", "system"]),
  })
  .partial();

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the account (password credential + membership of the demo workspace), its email unverified.
 * A duplicate email is answered exactly like a success, so sign-up never reveals whether an address is
 * registered; the caller learns it (null) only to skip the verification mail.
 */
export async function signUp(db: Db, input: z.infer<typeof signUpSchema>, at = Date.now()): Promise<{ userId: string } | null> {
  const email = normaliseEmail(input.email);
  const pw = await hashPassword(input.password);
  if (await findUserByEmail(db, email)) return null;
  const userId = newId("usr", at);
  const demoId = await ensureDemoWorkspace(db, at);
  await db.batch([
    db.insert(users).values({ id: userId, email, name: input.name, createdAt: at }).onConflictDoNothing(),
    db.insert(userCredentials).values({
      id: newId("crd", at),
      userId,
      kind: "password",
      subject: email,
      passwordHash: pw.hash,
      passwordSalt: pw.salt,
      passwordIterations: pw.iterations,
      createdAt: at,
      updatedAt: at,
    }),
    // The demo is read-only for everyone (orgRoute), so the role only decides which pages it shows.
    db.insert(memberships).values({ orgId: demoId, userId, role: "org_admin", createdAt: at }),
  ]);
  return { userId };
}

const INVALID_CREDENTIALS = () => new AppError("INVALID_CREDENTIALS", 401, "Email or password is incorrect.");

export async function signIn(
  db: Db,
  input: z.infer<typeof signInSchema> & { ip: string | null; userAgent: string | null },
  at = Date.now(),
) {
  const email = normaliseEmail(input.email);
  const keys = throttleKeys(email, input.ip);
  await assertNotThrottled(db, keys, at);
  const user = await findUserByEmail(db, email);
  const cred = user ? await findPasswordCredential(db, user.id) : undefined;
  const stored =
    cred?.passwordHash && cred.passwordSalt && cred.passwordIterations
      ? { hash: cred.passwordHash, salt: cred.passwordSalt, iterations: cred.passwordIterations }
      : DUMMY_PASSWORD_HASH;
  const ok = await verifyPassword(input.password, stored);
  if (!user || !cred || !ok) {
    await recordFailure(db, keys, at);
    throw INVALID_CREDENTIALS();
  }
  await clearFailures(db, keys[0]!);
  return completeSignIn(db, user.id, { ip: input.ip, userAgent: input.userAgent }, at);
}

/**
 * The one place a proven first factor (password, or a social provider's callback) becomes a session, so
 * every sign-in method passes the same later checks. A user with MFA gets no session here: the answer is
 * a short-lived sign-in challenge (`mfaRequired: true`) that the second factor turns into a session
 * (services/mfa.ts verifySignInChallenge); routes hand it to the browser with setSignInCookie
 * (auth/sign-in-cookies.ts).
 */
export async function completeSignIn(
  db: Db,
  userId: string,
  client: { ip: string | null; userAgent: string | null },
  at = Date.now(),
): Promise<SignInResult> {
  if (await userHasMfa(db, userId)) {
    return { mfaRequired: true, userId, ...(await createSignInChallenge(db, userId, at)) };
  }
  const session = await createSession(
    db,
    { userId, orgId: null, timeoutSeconds: DEFAULT_SESSION_TIMEOUT_SECONDS, ip: client.ip, userAgent: client.userAgent },
    at,
  );
  return { mfaRequired: false, ...session, userId };
}

export type SignInResult =
  | { mfaRequired: false; token: string; id: string; expiresAt: number; userId: string }
  | { mfaRequired: true; challengeToken: string; expiresAt: number; userId: string };

/** Needs the current password; ends the user's other sessions. */
export async function changePassword(
  db: Db,
  userId: string,
  sessionId: string,
  input: z.infer<typeof changePasswordSchema>,
  at = Date.now(),
): Promise<void> {
  const cred = await findPasswordCredential(db, userId);
  if (!cred?.passwordHash || !cred.passwordSalt || !cred.passwordIterations) {
    throw validationError("This account has no password to change.", { fields: [{ field: "currentPassword", message: "No password set." }] });
  }
  const ok = await verifyPassword(input.currentPassword, {
    hash: cred.passwordHash,
    salt: cred.passwordSalt,
    iterations: cred.passwordIterations,
  });
  if (!ok) {
    throw validationError("currentPassword: The current password is incorrect.", {
      fields: [{ field: "currentPassword", message: "The current password is incorrect." }],
    });
  }
  const pw = await hashPassword(input.newPassword);
  await db.batch([
    db
      .update(userCredentials)
      .set({ passwordHash: pw.hash, passwordSalt: pw.salt, passwordIterations: pw.iterations, updatedAt: at })
      .where(eq(userCredentials.id, cred.id)),
    deleteSessionsOfUserQuery(db, userId, sessionId),
  ]);
}

/** The signed-in user with their profile and workspaces (role + permissions per workspace). */
export async function getMe(db: Db, userId: string) {
  const user = await findUserById(db, userId);
  if (!user) throw notFound("User");
  const orgRows = await listMembershipsOfUser(db, userId);
  const twoFactor = await twoFactorDeadlines(db, userId);
  return {
    user: {
      id: user.id,
      email: user.email,
      /** False until the user proves the address (Profile shows a banner with a resend link). */
      emailVerified: user.emailVerifiedAt !== null,
      name: user.name,
      timezone: user.timezone,
      weekStart: user.weekStart,
      theme: user.theme,
    },
    workspaces: orgRows.map((o) => ({
      id: o.orgId,
      name: o.name,
      slug: o.slug,
      isDemo: o.isDemo,
      plan: o.plan,
      hasLogo: o.hasLogo !== null,
      role: o.role,
      permissions: permissionsOf(o.role),
      /** Set while the workspace requires MFA the user lacks: when their grace ends (then access is blocked). */
      twoFactorGraceEndsAt: twoFactor.get(o.orgId) ?? null,
    })),
  };
}

export type Me = Awaited<ReturnType<typeof getMe>>;

/** Who is signed in: their Me, or `{ user: null }` for a visitor (`GET /api/session`). */
export type SessionAnswer = Me | { user: null };

export async function sessionAnswer(db: Db, token: string | null): Promise<SessionAnswer> {
  const session = token ? await resolveSession(db, token) : null;
  return session ? getMe(db, session.user.id) : { user: null };
}

export async function updateProfile(db: Db, userId: string, input: z.infer<typeof profileSchema>) {
  if (Object.keys(input).length) await db.update(users).set(input).where(eq(users.id, userId));
  return getMe(db, userId);
}
