import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** A person. Sign-in methods live in `user_credentials` so one user can have several. */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  email: text("email").notNull().unique(),
  name: text("name").notNull(),
  /** IANA zone, or null to follow the browser's timezone. */
  timezone: text("timezone"),
  weekStart: text("week_start", { enum: ["monday", "sunday"] }).notNull().default("monday"),
  theme: text("theme", { enum: ["light", "dark", "system"] }).notNull().default("system"),
  /** When the user proved they receive mail at `email` (a verification link, or a provider's verified email); null = unverified. */
  emailVerifiedAt: integer("email_verified_at"),
  createdAt: integer("created_at").notNull(),
});

/**
 * A way to sign in: `password` (subject = email; PBKDF2 hash + salt), `github` / `google`
 * (subject = provider user id). Unique per (kind, subject).
 */
export const userCredentials = sqliteTable(
  "user_credentials",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["password", "github", "google"] }).notNull(),
    subject: text("subject").notNull(),
    passwordHash: text("password_hash"),
    passwordSalt: text("password_salt"),
    passwordIterations: integer("password_iterations"),
    /** A provider credential as its owner recognises it on Profile: `@login` (GitHub) or the Google email. */
    label: text("label"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("user_credentials_kind_subject").on(t.kind, t.subject), index("user_credentials_user").on(t.userId)],
);

/**
 * A signed-in browser. Only the SHA-256 of the token is stored. `orgId` is the workspace whose session
 * timeout governs expiry; `expiresAt` slides forward on activity.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    tokenHash: text("token_hash").notNull().unique(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    orgId: text("org_id"),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user").on(t.userId), index("sessions_org").on(t.orgId)],
);

/** Failed sign-ins, per key (`email:<addr>` or `ip:<addr>`), for throttling. */
export const signInFailures = sqliteTable(
  "sign_in_failures",
  {
    key: text("key").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("sign_in_failures_key_at").on(t.key, t.at)],
);

