import { and, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { memberships, mfaChallenges, mfaMethods, mfaRecoveryCodes, orgs, orgTwoFactor } from "./schema";

export type MfaMethodRow = typeof mfaMethods.$inferSelect;
export type ChallengePurpose = (typeof mfaChallenges.$inferSelect)["purpose"];

export function listMfaMethods(db: Db, userId: string) {
  return db.select().from(mfaMethods).where(eq(mfaMethods.userId, userId)).orderBy(mfaMethods.createdAt).all();
}

export function findMfaMethod(db: Db, userId: string, id: string) {
  return db
    .select()
    .from(mfaMethods)
    .where(and(eq(mfaMethods.userId, userId), eq(mfaMethods.id, id)))
    .get();
}

export async function hasMfaMethod(db: Db, userId: string): Promise<boolean> {
  const row = await db.select({ one: sql<number>`1` }).from(mfaMethods).where(eq(mfaMethods.userId, userId)).limit(1).get();
  return row !== undefined;
}

export async function countUnusedRecoveryCodes(db: Db, userId: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(mfaRecoveryCodes)
    .where(and(eq(mfaRecoveryCodes.userId, userId), isNull(mfaRecoveryCodes.usedAt)))
    .get();
  return row?.n ?? 0;
}

/** Marks one unused recovery code used; true when it existed and was unused (single use, atomic). */
export async function consumeRecoveryCode(db: Db, userId: string, codeHash: string, at: number): Promise<boolean> {
  const rows = await db
    .update(mfaRecoveryCodes)
    .set({ usedAt: at })
    .where(and(eq(mfaRecoveryCodes.userId, userId), eq(mfaRecoveryCodes.codeHash, codeHash), isNull(mfaRecoveryCodes.usedAt)))
    .returning({ id: mfaRecoveryCodes.id })
    .all();
  return rows.length === 1;
}

/**
 * Records a TOTP code's time step as used, unless that step (or a later one) was already accepted:
 * false means a replay. Atomic, so two requests with the same code cannot both pass.
 */
export async function acceptTotpStep(db: Db, methodId: string, step: number, at: number): Promise<boolean> {
  const rows = await db
    .update(mfaMethods)
    .set({ totpLastStep: step, lastUsedAt: at })
    .where(and(eq(mfaMethods.id, methodId), or(isNull(mfaMethods.totpLastStep), lt(mfaMethods.totpLastStep, step))))
    .returning({ id: mfaMethods.id })
    .all();
  return rows.length === 1;
}

/** Stores a WebAuthn assertion's counter, refusing one that does not move forward (a cloned key) unless both are 0. */
export async function acceptWebauthnCounter(db: Db, methodId: string, counter: number, at: number): Promise<boolean> {
  const rows = await db
    .update(mfaMethods)
    .set({ webauthnCounter: counter, lastUsedAt: at })
    .where(
      and(
        eq(mfaMethods.id, methodId),
        or(lt(mfaMethods.webauthnCounter, counter), and(eq(mfaMethods.webauthnCounter, 0), sql`${counter} = 0`)),
      ),
    )
    .returning({ id: mfaMethods.id })
    .all();
  return rows.length === 1;
}

export function insertChallenge(
  db: Db,
  row: { id: string; userId: string; purpose: ChallengePurpose; data: unknown; createdAt: number; expiresAt: number },
) {
  return db.insert(mfaChallenges).values({ ...row, data: JSON.stringify(row.data) });
}

/** A live challenge of the purpose (expired ones read as absent). */
export async function findChallenge(db: Db, id: string, purpose: ChallengePurpose, at: number) {
  const row = await db
    .select()
    .from(mfaChallenges)
    .where(and(eq(mfaChallenges.id, id), eq(mfaChallenges.purpose, purpose), gt(mfaChallenges.expiresAt, at)))
    .get();
  return row ? { ...row, data: JSON.parse(row.data) as Record<string, unknown> } : undefined;
}

export async function updateChallengeData(db: Db, id: string, data: unknown): Promise<void> {
  await db.update(mfaChallenges).set({ data: JSON.stringify(data) }).where(eq(mfaChallenges.id, id));
}

/** Deletes a live challenge and returns it: whoever gets the row back is its one user. */
export async function takeChallenge(db: Db, id: string, purpose: ChallengePurpose, at: number) {
  const row = await db
    .delete(mfaChallenges)
    .where(and(eq(mfaChallenges.id, id), eq(mfaChallenges.purpose, purpose), gt(mfaChallenges.expiresAt, at)))
    .returning()
    .get();
  return row ? { ...row, data: JSON.parse(row.data) as Record<string, unknown> } : undefined;
}

export function deleteExpiredChallengesQuery(db: Db, at: number) {
  return db.delete(mfaChallenges).where(lt(mfaChallenges.expiresAt, at));
}

/** The non-demo workspaces of a user (where their account-security changes are audited). */
export function listAuditOrgsOfUser(db: Db, userId: string) {
  return db
    .select({ orgId: orgs.id })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), eq(orgs.isDemo, false)))
    .all();
}

export function findOrgTwoFactor(db: Db, orgId: string) {
  return db.select().from(orgTwoFactor).where(eq(orgTwoFactor.orgId, orgId)).get();
}

/** Every workspace of the user that enforces 2FA, with when the user joined it. */
export function listEnforcingOrgsOfUser(db: Db, userId: string) {
  return db
    .select({ orgId: memberships.orgId, joinedAt: memberships.createdAt, enforcedSince: orgTwoFactor.enforcedSince })
    .from(memberships)
    .innerJoin(orgTwoFactor, eq(orgTwoFactor.orgId, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .all();
}

/** Members of a workspace with whether each has MFA. */
export function listMembersMfa(db: Db, orgId: string) {
  return db
    .select({
      userId: memberships.userId,
      joinedAt: memberships.createdAt,
      // Spelled out: drizzle leaves columns unqualified in a one-table select, which the subquery would misread.
      hasMfa: sql<number>`exists (select 1 from mfa_methods where mfa_methods.user_id = memberships.user_id)`,
    })
    .from(memberships)
    .where(eq(memberships.orgId, orgId))
    .all();
}
