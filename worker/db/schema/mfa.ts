import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { orgs } from "./orgs";

/**
 * A second factor of a user: an authenticator app (`totp`: the secret AES-GCM encrypted under
 * ENCRYPTION_KEY, and the last accepted time step so a code is never accepted twice) or a WebAuthn
 * security key / passkey (`webauthn`: credential id, COSE public key, signature counter). A user has MFA
 * exactly when they have at least one row here.
 */
export const mfaMethods = sqliteTable(
  "mfa_methods",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["totp", "webauthn"] }).notNull(),
    name: text("name").notNull(),
    totpSecretSealed: text("totp_secret_sealed"),
    totpLastStep: integer("totp_last_step"),
    /** base64url credential id (unique across users: the authenticator names it). */
    webauthnCredentialId: text("webauthn_credential_id"),
    webauthnPublicKey: text("webauthn_public_key"),
    webauthnCounter: integer("webauthn_counter"),
    /** JSON array of AuthenticatorTransport hints. */
    webauthnTransports: text("webauthn_transports"),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at"),
  },
  (t) => [index("mfa_methods_user").on(t.userId), uniqueIndex("mfa_methods_webauthn_id").on(t.webauthnCredentialId)],
);

/** One-time recovery codes: SHA-256 of the code only; `usedAt` set once, never cleared. */
export const mfaRecoveryCodes = sqliteTable(
  "mfa_recovery_codes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    createdAt: integer("created_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("mfa_recovery_codes_user").on(t.userId), uniqueIndex("mfa_recovery_codes_hash").on(t.userId, t.codeHash)],
);

/**
 * Short-lived, single-use server-side state: a sign-in waiting for its second factor (`sign_in`, found by
 * the SHA-256 of the challenge cookie's token), an authenticator app being set up (`totp_setup`: the
 * sealed secret), a WebAuthn registration (`webauthn_register`: the challenge). `data` is JSON.
 */
export const mfaChallenges = sqliteTable(
  "mfa_challenges",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["sign_in", "totp_setup", "webauthn_register"] }).notNull(),
    data: text("data").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("mfa_challenges_user").on(t.userId), index("mfa_challenges_expires").on(t.expiresAt)],
);

/** Workspaces that require MFA of every member, since `enforcedSince` (the grace period counts from it). */
export const orgTwoFactor = sqliteTable("org_two_factor", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  enforcedSince: integer("enforced_since").notNull(),
  enforcedBy: text("enforced_by"),
});
