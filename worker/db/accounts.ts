import { and, desc, eq } from "drizzle-orm";
import type { Db } from "./client";
import { memberships, orgs, userCredentials, users } from "./schema";

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

export function findUserByEmail(db: Db, email: string) {
  return db.select().from(users).where(eq(users.email, normaliseEmail(email))).get();
}

export function findUserById(db: Db, id: string) {
  return db.select().from(users).where(eq(users.id, id)).get();
}

export function findPasswordCredential(db: Db, userId: string) {
  return db
    .select()
    .from(userCredentials)
    .where(and(eq(userCredentials.userId, userId), eq(userCredentials.kind, "password")))
    .get();
}

/** The workspaces a user belongs to, with their role, demo first then by name. */
export function listMembershipsOfUser(db: Db, userId: string) {
  return db
    .select({
      orgId: orgs.id,
      name: orgs.name,
      slug: orgs.slug,
      isDemo: orgs.isDemo,
      plan: orgs.plan,
      hasLogo: orgs.logoKey,
      role: memberships.role,
    })
    .from(memberships)
    .innerJoin(orgs, eq(orgs.id, memberships.orgId))
    .where(eq(memberships.userId, userId))
    .orderBy(desc(orgs.isDemo), orgs.name)
    .all();
}

export function findDemoOrg(db: Db) {
  return db.select().from(orgs).where(eq(orgs.isDemo, true)).get();
}
