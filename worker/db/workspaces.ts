import { and, eq, gt, like, or, sql } from "drizzle-orm";
import type { Db } from "./client";
import { memberships, orgs, orgSlugRedirects } from "./schema";

export function findOrgById(db: Db, orgId: string) {
  return db.select().from(orgs).where(eq(orgs.id, orgId)).get();
}

export function findOrgBySlug(db: Db, slug: string) {
  return db.select({ id: orgs.id }).from(orgs).where(eq(orgs.slug, slug)).get();
}

/** How many workspaces (the demo aside) `userId` is the Owner of, as an SQL expression. */
const ownedWorkspaces = (userId: string) =>
  sql<number>`(select count(*) from ${memberships} inner join ${orgs} on ${orgs.id} = ${memberships.orgId}
    where ${memberships.userId} = ${userId} and ${memberships.role} = 'owner' and ${orgs.isDemo} = 0)`;

/**
 * Inserts the workspace row, but only while its future Owner owns fewer than `limit` workspaces. The
 * INSERT counts them itself, inside the batch, so concurrent creations cannot overshoot: over the limit
 * the id is NULL, the NOT NULL constraint fails and the whole batch rolls back (`isOwnerLimitViolation`).
 */
export function insertOrgWithinOwnerLimit(db: Db, org: { id: string; name: string; slug: string; at: number }, ownerId: string, limit: number) {
  return db.insert(orgs).values({
    id: sql`case when ${ownedWorkspaces(ownerId)} < ${limit} then ${org.id} end`,
    name: org.name,
    slug: org.slug,
    createdAt: org.at,
    updatedAt: org.at,
  });
}

/** True when `err` is the refusal of `insertOrgWithinOwnerLimit` (or its cause, as drizzle wraps D1 errors). */
export function isOwnerLimitViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.message.includes("NOT NULL constraint failed: orgs.id")) return true;
  }
  return false;
}

/** A redirect from an old slug that has not expired yet. */
export function findLiveRedirect(db: Db, slug: string, at: number) {
  return db
    .select()
    .from(orgSlugRedirects)
    .where(and(eq(orgSlugRedirects.slug, slug), gt(orgSlugRedirects.expiresAt, at)))
    .get();
}

/** The workspace a slug names for this user: by its current slug, else by a live old-slug redirect. */
export async function findMemberOrgBySlug(db: Db, userId: string, slug: string, at: number) {
  const current = await db
    .select({ orgId: orgs.id, slug: orgs.slug })
    .from(orgs)
    .innerJoin(memberships, and(eq(memberships.orgId, orgs.id), eq(memberships.userId, userId)))
    .where(eq(orgs.slug, slug))
    .get();
  if (current) return { ...current, redirected: false };
  const old = await db
    .select({ orgId: orgs.id, slug: orgs.slug })
    .from(orgSlugRedirects)
    .innerJoin(orgs, eq(orgs.id, orgSlugRedirects.orgId))
    .innerJoin(memberships, and(eq(memberships.orgId, orgs.id), eq(memberships.userId, userId)))
    .where(and(eq(orgSlugRedirects.slug, slug), gt(orgSlugRedirects.expiresAt, at)))
    .get();
  return old ? { ...old, redirected: true } : undefined;
}

/** Slugs equal to `base` or of the form `base-…` held by a workspace or a live redirect. */
export async function takenSlugsLike(db: Db, base: string, at: number): Promise<Set<string>> {
  // `base` holds only [a-z0-9-], so it carries no LIKE wildcards.
  const [current, redirected] = await db.batch([
    db
      .select({ slug: orgs.slug })
      .from(orgs)
      .where(or(eq(orgs.slug, base), like(orgs.slug, `${base}-%`))),
    db
      .select({ slug: orgSlugRedirects.slug })
      .from(orgSlugRedirects)
      .where(
        and(
          or(eq(orgSlugRedirects.slug, base), like(orgSlugRedirects.slug, `${base}-%`)),
          gt(orgSlugRedirects.expiresAt, at),
        ),
      ),
  ]);
  return new Set([...current, ...redirected].map((r) => r.slug));
}

/** True when `err` (or its cause, as drizzle wraps D1 errors) is a UNIQUE violation on `column`. */
export function isUniqueViolation(err: unknown, column: string): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.message.includes(`UNIQUE constraint failed: ${column}`)) return true;
  }
  return false;
}
