import { and, asc, count, eq, inArray, isNotNull, lte } from "drizzle-orm";
import type { Db } from "./client";
import { trackingDomains } from "./schema";

export type TrackingDomainRow = typeof trackingDomains.$inferSelect;
export type NewTrackingDomain = typeof trackingDomains.$inferInsert;
/** What a check or an edit may change. */
export type TrackingDomainPatch = Partial<Omit<TrackingDomainRow, "id" | "orgId" | "subdomain" | "createdAt" | "createdByUserId" | "createdByName">>;

export function listTrackingDomainRows(db: Db, orgId: string) {
  return db.select().from(trackingDomains).where(eq(trackingDomains.orgId, orgId)).orderBy(asc(trackingDomains.subdomain)).all();
}

export function findTrackingDomain(db: Db, orgId: string, id: string) {
  return db
    .select()
    .from(trackingDomains)
    .where(and(eq(trackingDomains.orgId, orgId), eq(trackingDomains.id, id)))
    .get();
}

export function findTrackingDomainBySubdomain(db: Db, orgId: string, subdomain: string) {
  return db
    .select({ id: trackingDomains.id })
    .from(trackingDomains)
    .where(and(eq(trackingDomains.orgId, orgId), eq(trackingDomains.subdomain, subdomain)))
    .get();
}

export async function countTrackingDomains(db: Db, orgId: string): Promise<number> {
  const row = await db.select({ n: count() }).from(trackingDomains).where(eq(trackingDomains.orgId, orgId)).get();
  return row?.n ?? 0;
}

export function insertTrackingDomainQuery(db: Db, row: NewTrackingDomain) {
  return db.insert(trackingDomains).values(row);
}

export function updateTrackingDomainQuery(db: Db, orgId: string, id: string, patch: TrackingDomainPatch) {
  return db
    .update(trackingDomains)
    .set(patch)
    .where(and(eq(trackingDomains.orgId, orgId), eq(trackingDomains.id, id)));
}

export function deleteTrackingDomainQuery(db: Db, orgId: string, id: string) {
  return db.delete(trackingDomains).where(and(eq(trackingDomains.orgId, orgId), eq(trackingDomains.id, id)));
}

/**
 * Claims up to `limit` background checks due at `at` (oldest first, on the `next_check_at` index): their
 * `next_check_at` moves to `leaseUntil` in the same statement, so the next cron tick does not queue them
 * again while their jobs wait, and a lost job is queued again once the lease runs out.
 */
export function claimDueTrackingChecks(db: Db, at: number, leaseUntil: number, limit: number) {
  const due = db
    .select({ id: trackingDomains.id })
    .from(trackingDomains)
    .where(and(isNotNull(trackingDomains.nextCheckAt), lte(trackingDomains.nextCheckAt, at)))
    .orderBy(asc(trackingDomains.nextCheckAt))
    .limit(limit);
  return db
    .update(trackingDomains)
    .set({ nextCheckAt: leaseUntil })
    .where(inArray(trackingDomains.id, due))
    .returning({ id: trackingDomains.id, orgId: trackingDomains.orgId });
}
