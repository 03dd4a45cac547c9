import { and, asc, desc, eq, gt, lte, ne, sql } from "drizzle-orm";
import type { Role } from "../auth/permissions";
import type { Db } from "./client";
import { invitations, memberships, orgs, ownershipTransfers, sessions, users, type InvitationStatus, type TransferStatus } from "./schema";

const memberColumns = {
  userId: users.id,
  name: users.name,
  email: users.email,
  role: memberships.role,
  joinedAt: memberships.createdAt,
  /** Only a member with a verified email can be offered the ownership. */
  emailVerified: sql<boolean>`${users.emailVerifiedAt} IS NOT NULL`.mapWith(Boolean),
};

/** Members of a workspace, oldest first. */
export function listMembersOfOrg(db: Db, orgId: string) {
  return db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.orgId, orgId))
    .orderBy(asc(memberships.createdAt), asc(users.email))
    .all();
}

export function findMember(db: Db, orgId: string, userId: string) {
  return db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)))
    .get();
}

export function deleteMembershipQuery(db: Db, orgId: string, userId: string) {
  return db.delete(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
}

/** Ends a user's sessions that are working in this workspace. */
export function deleteSessionsOfMemberQuery(db: Db, orgId: string, userId: string) {
  return db.delete(sessions).where(and(eq(sessions.orgId, orgId), eq(sessions.userId, userId)));
}

/** How many members a workspace has (the seats in use, before pending invitations). */
export async function countMembers(db: Db, orgId: string): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(memberships).where(eq(memberships.orgId, orgId)).get();
  return row?.n ?? 0;
}

/** Pending invitations that have not run out by `at` (they hold a seat), except `exceptId`. */
export async function countLiveInvitations(db: Db, orgId: string, at: number, exceptId?: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(invitations)
    .where(
      and(
        eq(invitations.orgId, orgId),
        eq(invitations.status, "pending"),
        gt(invitations.expiresAt, at),
        exceptId ? ne(invitations.id, exceptId) : undefined,
      ),
    )
    .get();
  return row?.n ?? 0;
}

export function findMemberByEmail(db: Db, orgId: string, email: string) {
  return db
    .select(memberColumns)
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.orgId, orgId), eq(users.email, email)))
    .get();
}

/** The workspace's pending invitations (including ones past their expiry the cron has not marked yet), newest first. */
export function listPendingInvitations(db: Db, orgId: string) {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), eq(invitations.status, "pending")))
    .orderBy(desc(invitations.createdAt))
    .all();
}

export function findInvitation(db: Db, id: string) {
  return db.select().from(invitations).where(eq(invitations.id, id)).get();
}

export function findPendingInvitation(db: Db, orgId: string, email: string) {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.orgId, orgId), eq(invitations.email, email), eq(invitations.status, "pending")))
    .get();
}

/** Invitations waiting for an address, with the workspace's name (Profile list and dashboard banner). */
export function listInvitationsForEmail(db: Db, email: string, at: number) {
  return db
    .select({
      id: invitations.id,
      orgId: invitations.orgId,
      orgName: orgs.name,
      role: invitations.role,
      invitedByName: invitations.invitedByName,
      expiresAt: invitations.expiresAt,
    })
    .from(invitations)
    .innerJoin(orgs, eq(orgs.id, invitations.orgId))
    .where(and(eq(invitations.email, email), eq(invitations.status, "pending"), gt(invitations.expiresAt, at)))
    .orderBy(asc(invitations.expiresAt))
    .all();
}

/** Pending rows whose time ran out (the cron marks them expired). */
export function listOverdueInvitations(db: Db, at: number) {
  return db
    .select({ id: invitations.id, orgId: invitations.orgId, email: invitations.email, role: invitations.role })
    .from(invitations)
    .where(and(eq(invitations.status, "pending"), lte(invitations.expiresAt, at)))
    .all();
}

/** Moves a pending row to another status; a no-op when it is no longer pending (a concurrent change won). */
export function settleInvitationQuery(db: Db, id: string, status: InvitationStatus, at: number) {
  return db
    .update(invitations)
    .set({ status, respondedAt: at })
    .where(and(eq(invitations.id, id), eq(invitations.status, "pending")));
}

export function findTransfer(db: Db, id: string) {
  return db.select().from(ownershipTransfers).where(eq(ownershipTransfers.id, id)).get();
}

/** The workspace's pending transfer row (its expiry may have passed before the cron marked it). */
export function findPendingTransfer(db: Db, orgId: string) {
  return db
    .select()
    .from(ownershipTransfers)
    .where(and(eq(ownershipTransfers.orgId, orgId), eq(ownershipTransfers.status, "pending")))
    .get();
}

/** Transfers offered to a user that are still open, with the workspace and the offering Owner. */
export function listTransfersToUser(db: Db, userId: string, at: number) {
  return db
    .select({
      id: ownershipTransfers.id,
      orgId: ownershipTransfers.orgId,
      orgName: orgs.name,
      fromName: users.name,
      fromEmail: users.email,
      expiresAt: ownershipTransfers.expiresAt,
    })
    .from(ownershipTransfers)
    .innerJoin(orgs, eq(orgs.id, ownershipTransfers.orgId))
    .innerJoin(users, eq(users.id, ownershipTransfers.fromUserId))
    .where(and(eq(ownershipTransfers.toUserId, userId), eq(ownershipTransfers.status, "pending"), gt(ownershipTransfers.expiresAt, at)))
    .all();
}

export function listOverdueTransfers(db: Db, at: number) {
  return db
    .select()
    .from(ownershipTransfers)
    .where(and(eq(ownershipTransfers.status, "pending"), lte(ownershipTransfers.expiresAt, at)))
    .all();
}

export function settleTransferQuery(db: Db, id: string, status: TransferStatus, at: number) {
  return db
    .update(ownershipTransfers)
    .set({ status, respondedAt: at })
    .where(and(eq(ownershipTransfers.id, id), eq(ownershipTransfers.status, "pending")));
}

export function setRoleQuery(db: Db, orgId: string, userId: string, role: Role) {
  return db.update(memberships).set({ role }).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
}
