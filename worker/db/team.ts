import { and, asc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { memberships, sessions, users } from "./schema";

const memberColumns = {
  userId: users.id,
  name: users.name,
  email: users.email,
  role: memberships.role,
  joinedAt: memberships.createdAt,
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
