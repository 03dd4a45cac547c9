import { and, eq } from "drizzle-orm";
import type { Db } from "./client";
import { identities } from "./schema";

/**
 * Data access for the Identities page and the identities half of the account sync (docs/identities.md).
 * The inserts and updates the account sync shared before this page existed stay in db/ingest.ts
 * (`insertIdentityQuery`, `updateIdentityQuery`).
 */

/** Every identity of the org, archived ones included, by name. */
export function listAllIdentities(db: Db, orgId: string) {
  return db.select().from(identities).where(eq(identities.orgId, orgId)).orderBy(identities.identity).all();
}

export function findIdentityById(db: Db, orgId: string, id: string) {
  return db
    .select()
    .from(identities)
    .where(and(eq(identities.orgId, orgId), eq(identities.id, id)))
    .get();
}

export function findIdentityByName(db: Db, orgId: string, identity: string) {
  return db
    .select()
    .from(identities)
    .where(and(eq(identities.orgId, orgId), eq(identities.identity, identity)))
    .get();
}

export function deleteIdentityQuery(db: Db, orgId: string, id: string) {
  return db.delete(identities).where(and(eq(identities.orgId, orgId), eq(identities.id, id)));
}
