import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { retryTransient } from "../lib/transient";
import { undeliverableExclusions, undeliverableRules } from "./schema";

/** Read by every undeliverable list, export and rules page, and by the ingest path's classification: a read worth retrying. */
export function findSavedRules(db: Db, orgId: string) {
  return retryTransient(() => db.select().from(undeliverableRules).where(eq(undeliverableRules.orgId, orgId)).get());
}

export function findExclusion(db: Db, orgId: string, email: string) {
  return db
    .select()
    .from(undeliverableExclusions)
    .where(and(eq(undeliverableExclusions.orgId, orgId), eq(undeliverableExclusions.email, email)))
    .get();
}

/** The delete for an exclusion; with `allowedAt`, only that very Allow (a newer one is left alone). */
export function deleteExclusionQuery(db: Db, orgId: string, email: string, allowedAt?: number) {
  const where = [eq(undeliverableExclusions.orgId, orgId), eq(undeliverableExclusions.email, email)];
  if (allowedAt !== undefined) where.push(eq(undeliverableExclusions.allowedAt, allowedAt));
  return db.delete(undeliverableExclusions).where(and(...where));
}
