/**
 * Multi-factor authentication (product docs: team__account-settings.md § Multi-factor authentication):
 * authenticator apps (TOTP, otpauth), security keys and passkeys (WebAuthn, @simplewebauthn/server),
 * ten single-use recovery codes, and the sign-in challenge a password or provider sign-in becomes when
 * the user has MFA. A user has MFA exactly when they have at least one method.
 */
import { eq } from "drizzle-orm";
import * as OTPAuth from "otpauth";
import { renderSVG } from "uqr";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { z } from "zod";
import type { SessionUser } from "../context";
import type { Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { findPasswordCredential, findUserById } from "../db/accounts";
import {
  acceptTotpStep,
  acceptWebauthnCounter,
  consumeRecoveryCode,
  countUnusedRecoveryCodes,
  deleteExpiredChallengesQuery,
  findChallenge,
  findMfaMethod,
  hasMfaMethod,
  insertChallenge,
  listAuditOrgsOfUser,
  listMfaMethods,
  takeChallenge,
  updateChallengeData,
  type MfaMethodRow,
} from "../db/mfa";
import { mfaMethods, mfaRecoveryCodes } from "../db/schema";
import { verifyPassword } from "../auth/passwords";
import { createSession, DEFAULT_SESSION_TIMEOUT_SECONDS } from "../auth/sessions";
import { assertNotThrottled, clearFailures, recordFailure } from "../auth/throttle";
import { decryptSecret, encryptSecret, fromBase64, randomBytes, randomToken, sha256Hex, toBase64Url } from "../lib/crypto";
import { AppError, notFound, validationError } from "../lib/errors";
import { newId } from "../lib/ids";
import { MINUTE } from "../lib/time";

export const MFA_ISSUER = "SendOps";
export const TOTP_PERIOD_SECONDS = 30;
/** Codes of the previous and the next 30-second step are accepted too (clock drift). */
export const TOTP_WINDOW = 1;
export const SIGN_IN_CHALLENGE_TTL_MS = 5 * MINUTE;
const SETUP_TTL_MS = 10 * MINUTE;
const WEBAUTHN_TTL_MS = 5 * MINUTE;
export const RECOVERY_CODE_COUNT = 10;

export type MfaKind = MfaMethodRow["kind"];
export type SecondFactor = "totp" | "webauthn" | "recovery";
/** Whether a change turned the user's MFA on or off (they get a security email), or neither. */
export type MfaChange = "enabled" | "disabled" | null;

/** Who WebAuthn credentials are bound to: the RP ID (a host name) and the origins assertions may come from. */
export interface RelyingParty {
  rpID: string;
  origins: string[];
}

const KIND_LABELS: Record<MfaKind, string> = { totp: "authenticator app", webauthn: "security key" };

export const methodNameSchema = z.string().trim().min(1, "Give the credential a name.").max(64, "Name is at most 64 characters.");
const totpCodeSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "Enter the 6-digit code from your authenticator app.");
const webauthnResponse = <T>() =>
  z.custom<T>((v) => typeof v === "object" && v !== null && typeof (v as { id?: unknown }).id === "string", "Missing security key response.");

export const totpConfirmSchema = z.object({ setupId: z.string().min(1).max(100), name: methodNameSchema, code: totpCodeSchema });
export const webauthnRegisterSchema = z.object({
  registrationId: z.string().min(1).max(100),
  name: methodNameSchema,
  response: webauthnResponse<RegistrationResponseJSON>(),
});
export const renameMethodSchema = z.object({ name: methodNameSchema });
/** Removing a method or regenerating codes needs the password or a current code (app or recovery). */
export const reauthSchema = z
  .object({ password: z.string().max(256).optional(), code: z.string().trim().max(32).optional() })
  .refine((v) => Boolean(v.password || v.code), { message: "Enter your password or a current code.", path: ["password"] });
export const challengeVerifySchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("totp"), code: totpCodeSchema }),
  z.object({ method: z.literal("recovery"), code: z.string().trim().min(1, "Enter a recovery code.").max(32) }),
  z.object({ method: z.literal("webauthn"), response: webauthnResponse<AuthenticationResponseJSON>() }),
]);

// ---------------------------------------------------------------------------------------------------
// TOTP

function totpFor(secret: OTPAuth.Secret, label: string) {
  return new OTPAuth.TOTP({ issuer: MFA_ISSUER, label, algorithm: "SHA1", digits: 6, period: TOTP_PERIOD_SECONDS, secret });
}

/** The time step a code belongs to when it is valid at `at` (±TOTP_WINDOW steps), else null. */
export function matchTotp(secretBase32: string, code: string, at: number): number | null {
  const totp = totpFor(OTPAuth.Secret.fromBase32(secretBase32), "");
  const delta = totp.validate({ token: code, timestamp: at, window: TOTP_WINDOW });
  return delta === null ? null : Math.floor(at / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** A new secret, held server-side (encrypted) until the user confirms it with a code. */
export async function startTotpSetup(db: Db, encryptionKey: string, user: SessionUser, at = Date.now()) {
  const secret = new OTPAuth.Secret({ size: 20 });
  const setupId = newId("mfs", at);
  await db.batch([
    insertChallenge(db, {
      id: setupId,
      userId: user.id,
      purpose: "totp_setup",
      data: { sealed: await encryptSecret(encryptionKey, secret.base32) },
      createdAt: at,
      expiresAt: at + SETUP_TTL_MS,
    }),
    deleteExpiredChallengesQuery(db, at),
  ]);
  const uri = totpFor(secret, user.email).toString();
  return {
    setupId,
    secret: secret.base32,
    uri,
    qrCodeDataUrl: `data:image/svg+xml;base64,${btoa(renderSVG(uri, { border: 2 }))}`,
    expiresAt: at + SETUP_TTL_MS,
  };
}

const setupExpired = () => new AppError("MFA_SETUP_EXPIRED", 409, "This set-up expired or was already used. Start again.");
const codeField = (message: string) => validationError(`code: ${message}`, { fields: [{ field: "code", message }] });

/** Confirms the set-up with a current code; the code's step counts as used. */
export async function confirmTotp(
  db: Db,
  encryptionKey: string,
  user: SessionUser,
  input: z.infer<typeof totpConfirmSchema>,
  at = Date.now(),
) {
  const setup = await findChallenge(db, input.setupId, "totp_setup", at);
  if (!setup || setup.userId !== user.id) throw setupExpired();
  const sealed = setup.data.sealed as string;
  const step = matchTotp(await decryptSecret(encryptionKey, sealed), input.code, at);
  if (step === null) throw codeField("That code is not valid. Check the time on your device and try again.");
  if (!(await takeChallenge(db, setup.id, "totp_setup", at))) throw setupExpired();
  return addMethod(db, user, { kind: "totp", name: input.name, totpSecretSealed: sealed, totpLastStep: step }, at);
}

// ---------------------------------------------------------------------------------------------------
// WebAuthn

const transportsOf = (m: MfaMethodRow) => (m.webauthnTransports ? (JSON.parse(m.webauthnTransports) as AuthenticatorTransportFuture[]) : undefined);

export async function startWebauthnRegistration(db: Db, user: SessionUser, rp: RelyingParty, at = Date.now()) {
  const existing = (await listMfaMethods(db, user.id)).filter((m) => m.kind === "webauthn");
  const options = await generateRegistrationOptions({
    rpName: MFA_ISSUER,
    rpID: rp.rpID,
    userName: user.email,
    userDisplayName: user.name,
    userID: new Uint8Array(new TextEncoder().encode(user.id)),
    attestationType: "none",
    excludeCredentials: existing.map((m) => ({ id: m.webauthnCredentialId!, transports: transportsOf(m) })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
  const registrationId = newId("mfw", at);
  await db.batch([
    insertChallenge(db, {
      id: registrationId,
      userId: user.id,
      purpose: "webauthn_register",
      data: { challenge: options.challenge },
      createdAt: at,
      expiresAt: at + WEBAUTHN_TTL_MS,
    }),
    deleteExpiredChallengesQuery(db, at),
  ]);
  return { registrationId, options };
}

export async function finishWebauthnRegistration(
  db: Db,
  user: SessionUser,
  rp: RelyingParty,
  input: z.infer<typeof webauthnRegisterSchema>,
  at = Date.now(),
) {
  const reg = await findChallenge(db, input.registrationId, "webauthn_register", at);
  if (!reg || reg.userId !== user.id || !(await takeChallenge(db, reg.id, "webauthn_register", at))) throw setupExpired();
  const refused = () => new AppError("WEBAUTHN_REFUSED", 422, "The security key's answer could not be verified. Try again.");
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: reg.data.challenge as string,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpID,
      requireUserVerification: false,
    });
  } catch {
    throw refused();
  }
  if (!verification.verified || !verification.registrationInfo) throw refused();
  const { credential } = verification.registrationInfo;
  return addMethod(
    db,
    user,
    {
      kind: "webauthn",
      name: input.name,
      webauthnCredentialId: credential.id,
      webauthnPublicKey: toBase64Url(credential.publicKey),
      webauthnCounter: credential.counter,
      webauthnTransports: credential.transports ? JSON.stringify(credential.transports) : null,
    },
    at,
  );
}

// ---------------------------------------------------------------------------------------------------
// Recovery codes

const RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/** `xxxxx-xxxxx` from an alphabet without look-alikes (0/o, 1/l/i). */
function newRecoveryCode(): string {
  const chars = [...randomBytes(10)].map((b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]).join("");
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

const normaliseRecoveryCode = (code: string) => code.toLowerCase().replace(/[^a-z0-9]/g, "");
const hashRecoveryCode = (code: string) => sha256Hex(normaliseRecoveryCode(code));

/** A fresh set: the statements that replace the user's codes, and the codes to show once. */
async function recoveryCodeSet(db: Db, userId: string, at: number) {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  const rows = await Promise.all(codes.map(async (c) => ({ id: newId("mfr", at), userId, codeHash: await hashRecoveryCode(c), createdAt: at })));
  return {
    codes,
    statements: [db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId)), db.insert(mfaRecoveryCodes).values(rows)] as const,
  };
}

// ---------------------------------------------------------------------------------------------------
// Managing methods

const actorOf = (user: SessionUser) => ({ userId: user.id, name: user.name, email: user.email });

/**
 * Account security is the user's own, but a workspace's admins see it in their audit log: one entry per
 * workspace the user belongs to (not the shared demo).
 */
async function securityAudit(
  db: Db,
  user: SessionUser,
  entries: { resourceType: string; resourceId: string; operation: string; summary: string }[],
  at: number,
) {
  const orgIds = await listAuditOrgsOfUser(db, user.id);
  return orgIds.flatMap((o) => entries.map((e) => auditInsert(db, { orgId: o.orgId, actor: actorOf(user), ...e, at })));
}

const methodLabel = (m: { kind: MfaKind; name: string }) => `the ${KIND_LABELS[m.kind]} “${m.name}”`;

function publicMethod(m: MfaMethodRow) {
  return { id: m.id, kind: m.kind, name: m.name, createdAt: m.createdAt, lastUsedAt: m.lastUsedAt };
}
export type MfaMethod = ReturnType<typeof publicMethod>;

type NewMethod = Omit<typeof mfaMethods.$inferInsert, "id" | "userId" | "createdAt">;

/** Adds a method; the first one turns MFA on and comes with ten recovery codes (shown once). */
async function addMethod(db: Db, user: SessionUser, values: NewMethod & { kind: MfaKind; name: string }, at: number) {
  const first = !(await hasMfaMethod(db, user.id));
  const row = { ...values, id: newId("mfa", at), userId: user.id, createdAt: at, lastUsedAt: null } as MfaMethodRow;
  const recovery = first ? await recoveryCodeSet(db, user.id, at) : null;
  const audit = await securityAudit(
    db,
    user,
    [
      ...(first ? [{ resourceType: "mfa", resourceId: user.id, operation: "enabled", summary: "Turned on multi-factor authentication" }] : []),
      { resourceType: "mfa_method", resourceId: row.id, operation: "added", summary: `Added ${methodLabel(row)}` },
    ],
    at,
  );
  try {
    await db.batch([db.insert(mfaMethods).values(row), ...(recovery?.statements ?? []), ...audit]);
  } catch (e) {
    if (String(e).includes("UNIQUE") && values.kind === "webauthn") {
      throw new AppError("WEBAUTHN_ALREADY_REGISTERED", 409, "This security key is already registered.");
    }
    throw e;
  }
  return { method: publicMethod(row), recoveryCodes: recovery?.codes ?? null, mfaChange: (first ? "enabled" : null) as MfaChange };
}

export async function getMfaStatus(db: Db, userId: string) {
  const methods = (await listMfaMethods(db, userId)).map(publicMethod);
  return { enabled: methods.length > 0, methods, recoveryCodesRemaining: await countUnusedRecoveryCodes(db, userId) };
}
export type MfaStatus = Awaited<ReturnType<typeof getMfaStatus>>;

export async function renameMethod(db: Db, user: SessionUser, methodId: string, input: z.infer<typeof renameMethodSchema>, at = Date.now()) {
  const m = await findMfaMethod(db, user.id, methodId);
  if (!m) throw notFound("MFA method");
  if (m.name !== input.name) {
    await db.batch([
      db.update(mfaMethods).set({ name: input.name }).where(eq(mfaMethods.id, m.id)),
      ...(await securityAudit(
        db,
        user,
        [{ resourceType: "mfa_method", resourceId: m.id, operation: "renamed", summary: `Renamed ${methodLabel(m)} to “${input.name}”` }],
        at,
      )),
    ]);
  }
  return publicMethod({ ...m, name: input.name });
}

/** Removes a method after re-authentication; removing the last one turns MFA off and drops the recovery codes. */
export async function removeMethod(
  db: Db,
  encryptionKey: string,
  user: SessionUser,
  methodId: string,
  reauth: z.infer<typeof reauthSchema>,
  at = Date.now(),
): Promise<{ mfaChange: MfaChange }> {
  const m = await findMfaMethod(db, user.id, methodId);
  if (!m) throw notFound("MFA method");
  await assertReauthenticated(db, encryptionKey, user.id, reauth, at);
  const last = (await listMfaMethods(db, user.id)).length === 1;
  await db.batch([
    db.delete(mfaMethods).where(eq(mfaMethods.id, m.id)),
    ...(last ? [db.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id))] : []),
    ...(await securityAudit(
      db,
      user,
      [
        { resourceType: "mfa_method", resourceId: m.id, operation: "removed", summary: `Removed ${methodLabel(m)}` },
        ...(last
          ? [{ resourceType: "mfa", resourceId: user.id, operation: "disabled", summary: "Turned off multi-factor authentication (removed the last method)" }]
          : []),
      ],
      at,
    )),
  ]);
  return { mfaChange: last ? "disabled" : null };
}

/** A new set of ten codes after re-authentication; every earlier code stops working. */
export async function regenerateRecoveryCodes(
  db: Db,
  encryptionKey: string,
  user: SessionUser,
  reauth: z.infer<typeof reauthSchema>,
  at = Date.now(),
) {
  if (!(await hasMfaMethod(db, user.id))) throw new AppError("MFA_NOT_ENABLED", 409, "Set up an authenticator app or a security key first.");
  await assertReauthenticated(db, encryptionKey, user.id, reauth, at);
  const recovery = await recoveryCodeSet(db, user.id, at);
  await db.batch([
    ...recovery.statements,
    ...(await securityAudit(
      db,
      user,
      [{ resourceType: "recovery_codes", resourceId: user.id, operation: "regenerated", summary: "Regenerated the MFA recovery codes" }],
      at,
    )),
  ]);
  return { recoveryCodes: recovery.codes };
}

// ---------------------------------------------------------------------------------------------------
// Verifying a second factor (sign-in challenge, re-authentication)

const mfaThrottleKeys = (userId: string, ip: string | null) => [`mfa:${userId}`, ...(ip ? [`ip:${ip}`] : [])];

/** True when the code is a current code of one of the user's authenticator apps, not used before. */
async function verifyTotp(db: Db, encryptionKey: string, methods: MfaMethodRow[], code: string, at: number): Promise<boolean> {
  for (const m of methods.filter((x) => x.kind === "totp")) {
    const step = matchTotp(await decryptSecret(encryptionKey, m.totpSecretSealed!), code, at);
    // A matching code whose step was already accepted is a replay: refused, whatever other methods hold.
    if (step !== null) return acceptTotpStep(db, m.id, step, at);
  }
  return false;
}

async function verifyWebauthn(
  db: Db,
  methods: MfaMethodRow[],
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  rp: RelyingParty,
  at: number,
): Promise<boolean> {
  const m = methods.find((x) => x.kind === "webauthn" && x.webauthnCredentialId === response.id);
  if (!m) return false;
  try {
    const { verified, authenticationInfo } = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origins,
      expectedRPID: rp.rpID,
      credential: { id: m.webauthnCredentialId!, publicKey: fromBase64(m.webauthnPublicKey!), counter: m.webauthnCounter ?? 0, transports: transportsOf(m) },
      requireUserVerification: false,
    });
    return verified && (await acceptWebauthnCounter(db, m.id, authenticationInfo.newCounter, at));
  } catch {
    // A bad signature, a wrong origin/RP or a counter that went backwards (a cloned key).
    return false;
  }
}

/** Password or a current code (authenticator app, else a recovery code, which is then used up); throttled. */
async function assertReauthenticated(db: Db, encryptionKey: string, userId: string, input: z.infer<typeof reauthSchema>, at: number) {
  const keys = mfaThrottleKeys(userId, null);
  await assertNotThrottled(db, keys, at);
  let ok = false;
  if (input.password) {
    const cred = await findPasswordCredential(db, userId);
    ok = Boolean(
      cred?.passwordHash &&
        cred.passwordSalt &&
        cred.passwordIterations &&
        (await verifyPassword(input.password, { hash: cred.passwordHash, salt: cred.passwordSalt, iterations: cred.passwordIterations })),
    );
  } else if (input.code) {
    const code = input.code.replace(/\s/g, "");
    ok = /^\d{6}$/.test(code)
      ? await verifyTotp(db, encryptionKey, await listMfaMethods(db, userId), code, at)
      : await consumeRecoveryCode(db, userId, await hashRecoveryCode(code), at);
  }
  if (!ok) {
    await recordFailure(db, keys, at);
    const field = input.password ? "password" : "code";
    const message = input.password ? "The password is incorrect." : "That code is not valid.";
    throw validationError(`${field}: ${message}`, { fields: [{ field, message }] });
  }
}

// ---------------------------------------------------------------------------------------------------
// The sign-in challenge

export interface SignInClient {
  ip: string | null;
  userAgent: string | null;
}

/**
 * A sign-in that proved its first factor, waiting for the second: the token goes to the browser (the
 * MFA challenge cookie), only its SHA-256 is stored. Valid for 5 minutes, used once.
 */
export async function createSignInChallenge(db: Db, userId: string, at = Date.now()) {
  const challengeToken = randomToken("mfa");
  const expiresAt = at + SIGN_IN_CHALLENGE_TTL_MS;
  await db.batch([
    insertChallenge(db, {
      id: await sha256Hex(challengeToken),
      userId,
      purpose: "sign_in",
      data: { webauthnChallenge: null },
      createdAt: at,
      expiresAt,
    }),
    deleteExpiredChallengesQuery(db, at),
  ]);
  return { challengeToken, expiresAt };
}

const challengeExpired = () =>
  new AppError("MFA_CHALLENGE_EXPIRED", 401, "Your sign-in expired or was already completed. Sign in again.");

async function liveSignInChallenge(db: Db, token: string | null, at: number) {
  const row = token ? await findChallenge(db, await sha256Hex(token), "sign_in", at) : undefined;
  if (!row) throw challengeExpired();
  return row;
}

/** The second factors the user can answer with, in the order the sign-in page offers them. */
async function availableFactors(db: Db, userId: string): Promise<SecondFactor[]> {
  const methods = await listMfaMethods(db, userId);
  const out: SecondFactor[] = [];
  if (methods.some((m) => m.kind === "totp")) out.push("totp");
  if (methods.some((m) => m.kind === "webauthn")) out.push("webauthn");
  if ((await countUnusedRecoveryCodes(db, userId)) > 0) out.push("recovery");
  return out;
}

export async function describeSignInChallenge(db: Db, token: string | null, at = Date.now()) {
  const row = await liveSignInChallenge(db, token, at);
  return { methods: await availableFactors(db, row.userId), expiresAt: row.expiresAt };
}
export type SignInChallengeAnswer = Awaited<ReturnType<typeof describeSignInChallenge>>;

/** WebAuthn request options for the challenge's user; the WebAuthn challenge is kept for one answer. */
export async function signInWebauthnOptions(db: Db, token: string | null, rp: RelyingParty, at = Date.now()) {
  const row = await liveSignInChallenge(db, token, at);
  const keys = (await listMfaMethods(db, row.userId)).filter((m) => m.kind === "webauthn");
  if (!keys.length) throw new AppError("WEBAUTHN_NOT_SET_UP", 409, "No security key is registered on this account.");
  const options = await generateAuthenticationOptions({
    rpID: rp.rpID,
    allowCredentials: keys.map((m) => ({ id: m.webauthnCredentialId!, transports: transportsOf(m) })),
    userVerification: "preferred",
  });
  await updateChallengeData(db, row.id, { ...row.data, webauthnChallenge: options.challenge });
  return options;
}

/**
 * Answers the challenge: on success it is used up and becomes a session; a wrong answer counts as a
 * failed sign-in for the user and the IP (throttled like passwords).
 */
export async function verifySignInChallenge(
  db: Db,
  encryptionKey: string,
  token: string | null,
  input: z.infer<typeof challengeVerifySchema>,
  client: SignInClient,
  rp: RelyingParty,
  at = Date.now(),
) {
  const row = await liveSignInChallenge(db, token, at);
  const keys = mfaThrottleKeys(row.userId, client.ip);
  await assertNotThrottled(db, keys, at);
  const methods = await listMfaMethods(db, row.userId);
  let ok = false;
  if (input.method === "totp") ok = await verifyTotp(db, encryptionKey, methods, input.code, at);
  else if (input.method === "recovery") ok = await consumeRecoveryCode(db, row.userId, await hashRecoveryCode(input.code), at);
  else {
    const expected = row.data.webauthnChallenge as string | null;
    // Each WebAuthn challenge answers once, right or wrong.
    if (expected) await updateChallengeData(db, row.id, { ...row.data, webauthnChallenge: null });
    ok = expected !== null && (await verifyWebauthn(db, methods, input.response, expected, rp, at));
  }
  if (!ok) {
    await recordFailure(db, keys, at);
    const message =
      input.method === "webauthn" ? "The security key could not be verified." : input.method === "recovery" ? "That recovery code is not valid or was already used." : "That code is not valid.";
    throw new AppError("INVALID_MFA_CODE", 401, message, input.method === "webauthn" ? null : { fields: [{ field: "code", message }] });
  }
  if (!(await takeChallenge(db, row.id, "sign_in", at))) throw challengeExpired();
  await clearFailures(db, keys[0]!);
  const user = await findUserById(db, row.userId);
  if (!user) throw challengeExpired();
  const session = await createSession(
    db,
    { userId: row.userId, orgId: null, timeoutSeconds: DEFAULT_SESSION_TIMEOUT_SECONDS, ip: client.ip, userAgent: client.userAgent },
    at,
  );
  return { ...session, userId: row.userId, usedRecoveryCode: input.method === "recovery" };
}
