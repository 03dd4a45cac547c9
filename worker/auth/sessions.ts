import { and, eq, ne, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { memberships, orgs, orgTwoFactor, sessions, users } from "../db/schema";
import type { AuthSession } from "../context";
import type { Role } from "./permissions";
import { randomToken, sha256Hex } from "../lib/crypto";
import { newId } from "../lib/ids";
import { retryTransient } from "../lib/transient";
import { MINUTE } from "../lib/time";

export const SESSION_COOKIE = "sendops_session";
export const DEFAULT_SESSION_TIMEOUT_SECONDS = 8 * 3600;
/** Allowed workspace session timeouts: 1 h, 4 h, 8 h (default), 24 h, 7 d, 30 d. */
export const SESSION_TIMEOUTS_SECONDS = [3600, 14400, 28800, 86400, 604800, 2592000] as const;
/** Activity refreshes `last_seen_at` at most this often, to keep reads cheap. */
const TOUCH_INTERVAL_MS = MINUTE;

export interface NewSession {
  token: string;
  session: AuthSession;
}

export async function createSession(
  db: Db,
  input: { userId: string; orgId: string | null; timeoutSeconds: number; ip: string | null; userAgent: string | null },
  at = Date.now(),
): Promise<{ token: string; id: string; expiresAt: number }> {
  const token = randomToken("sos");
  const id = newId("ses", at);
  const expiresAt = at + input.timeoutSeconds * 1000;
  await db.insert(sessions).values({
    id,
    tokenHash: await sha256Hex(token),
    userId: input.userId,
    orgId: input.orgId,
    createdAt: at,
    lastSeenAt: at,
    expiresAt,
    ip: input.ip,
    userAgent: input.userAgent?.slice(0, 300) ?? null,
  });
  return { token, id, expiresAt };
}

const sessionColumns = {
  id: sessions.id,
  orgId: sessions.orgId,
  lastSeenAt: sessions.lastSeenAt,
  expiresAt: sessions.expiresAt,
  userId: users.id,
  email: users.email,
  name: users.name,
};

type SessionRow = { id: string; orgId: string | null; lastSeenAt: number; expiresAt: number; userId: string; email: string; name: string };

/** The session a row describes, or null when it expired (the row is then removed). */
async function liveSession(db: Db, row: SessionRow | undefined, at: number): Promise<AuthSession | null> {
  if (!row) return null;
  if (row.expiresAt <= at) {
    await db.delete(sessions).where(eq(sessions.id, row.id));
    return null;
  }
  return {
    id: row.id,
    user: { id: row.userId, email: row.email, name: row.name },
    orgId: row.orgId,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
  };
}

/**
 * The live session for a cookie token, or null (unknown or expired; expired rows are removed). Every
 * signed-in request starts with this read, so it is retried after a transient failure.
 */
export async function resolveSession(db: Db, token: string, at = Date.now()): Promise<AuthSession | null> {
  const tokenHash = await sha256Hex(token);
  const row = await retryTransient(() =>
    db.select(sessionColumns).from(sessions).innerJoin(users, eq(users.id, sessions.userId)).where(eq(sessions.tokenHash, tokenHash)).get(),
  );
  return liveSession(db, row, at);
}

/** The caller's membership of one workspace, read together with the session. */
export interface SessionMembership {
  orgId: string;
  name: string;
  slug: string;
  isDemo: boolean;
  plan: (typeof orgs.$inferSelect)["plan"];
  timeoutSeconds: number;
  role: Role;
  /** For workspace 2FA enforcement: when the member joined, when enforcement began (null: off), whether the user has MFA. */
  joinedAt: number;
  twoFactorSince: number | null;
  hasMfa: boolean;
}

/**
 * The live session for a cookie token and its user's membership of `orgId` (null when not a member),
 * in one query: every workspace request needs both, and a D1 round trip is most of its fixed cost.
 * Retried after a transient failure, like resolveSession.
 */
export async function resolveSessionInOrg(
  db: Db,
  token: string,
  orgId: string,
  at = Date.now(),
): Promise<{ session: AuthSession; membership: SessionMembership | null } | null> {
  const tokenHash = await sha256Hex(token);
  const row = await retryTransient(() =>
    db
      .select({
        ...sessionColumns,
        memberOrgId: orgs.id,
        orgName: orgs.name,
        slug: orgs.slug,
        isDemo: orgs.isDemo,
        plan: orgs.plan,
        timeoutSeconds: orgs.sessionTimeoutSeconds,
        role: memberships.role,
        joinedAt: memberships.createdAt,
        twoFactorSince: orgTwoFactor.enforcedSince,
        hasMfa: sql<number>`exists (select 1 from mfa_methods where mfa_methods.user_id = sessions.user_id)`,
      })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .leftJoin(memberships, and(eq(memberships.userId, sessions.userId), eq(memberships.orgId, orgId)))
      .leftJoin(orgs, eq(orgs.id, memberships.orgId))
      .leftJoin(orgTwoFactor, eq(orgTwoFactor.orgId, memberships.orgId))
      .where(eq(sessions.tokenHash, tokenHash))
      .get(),
  );
  const session = await liveSession(db, row, at);
  if (!session || !row) return null;
  const membership =
    row.memberOrgId !== null && row.role !== null
      ? {
          orgId: row.memberOrgId,
          name: row.orgName!,
          slug: row.slug!,
          isDemo: row.isDemo!,
          plan: row.plan!,
          timeoutSeconds: row.timeoutSeconds!,
          role: row.role,
          joinedAt: row.joinedAt!,
          twoFactorSince: row.twoFactorSince,
          hasMfa: Boolean(row.hasMfa),
        }
      : null;
  return { session, membership };
}

/** Ends the session a cookie token belongs to, if any (sign-out). */
export async function deleteSessionByToken(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, await sha256Hex(token)));
}

/**
 * Record activity in a workspace: the session now expires `timeoutSeconds` after this moment
 * (an inactivity timeout, governed by the workspace being used).
 */
export async function touchSession(
  db: Db,
  session: AuthSession,
  orgId: string | null,
  timeoutSeconds: number,
  at = Date.now(),
): Promise<void> {
  const expiresAt = at + timeoutSeconds * 1000;
  // Switching workspace always records, so ending a workspace's sessions finds everyone working in it.
  if (
    session.orgId === orgId &&
    at - session.lastSeenAt < TOUCH_INTERVAL_MS &&
    Math.abs(expiresAt - session.expiresAt) < TOUCH_INTERVAL_MS
  )
    return;
  await db.update(sessions).set({ lastSeenAt: at, expiresAt, orgId }).where(eq(sessions.id, session.id));
  session.orgId = orgId;
  session.lastSeenAt = at;
  session.expiresAt = expiresAt;
}

export async function deleteSession(db: Db, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export function deleteSessionsOfUserQuery(db: Db, userId: string, exceptSessionId?: string) {
  return exceptSessionId
    ? db.delete(sessions).where(and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId)))
    : db.delete(sessions).where(eq(sessions.userId, userId));
}
