import { and, count, desc, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "./client";
import { retryTransient } from "../lib/transient";
import { apiKeys, orgs } from "./schema";

/** The columns the dashboard shows (never the hash). */
const listed = {
  id: apiKeys.id,
  name: apiKeys.name,
  keyPrefix: apiKeys.keyPrefix,
  createdByUserId: apiKeys.createdByUserId,
  createdByName: apiKeys.createdByName,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

/** An org's keys, newest first, revoked ones included (they stay listed as revoked). */
export function listApiKeysOfOrg(db: Db, orgId: string) {
  return db.select(listed).from(apiKeys).where(eq(apiKeys.orgId, orgId)).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id)).all();
}

export function findApiKeyOfOrg(db: Db, orgId: string, id: string) {
  return db.select(listed).from(apiKeys).where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.id, id))).get();
}

export async function countActiveApiKeys(db: Db, orgId: string): Promise<number> {
  const row = await db.select({ n: count() }).from(apiKeys).where(and(eq(apiKeys.orgId, orgId), isNull(apiKeys.revokedAt))).get();
  return row?.n ?? 0;
}

/**
 * A key by the hash of its secret, with its org: what /v1 authentication needs, in one indexed read
 * (retried after a transient failure, like every authentication read).
 */
export function findApiKeyByHash(db: Db, keyHash: string) {
  return retryTransient(() =>
    db
      .select({
        id: apiKeys.id,
        name: apiKeys.name,
        keyPrefix: apiKeys.keyPrefix,
        lastUsedAt: apiKeys.lastUsedAt,
        revokedAt: apiKeys.revokedAt,
        orgId: orgs.id,
        orgName: orgs.name,
        orgSlug: orgs.slug,
        plan: orgs.plan,
      })
      .from(apiKeys)
      .innerJoin(orgs, eq(orgs.id, apiKeys.orgId))
      .where(eq(apiKeys.keyHash, keyHash))
      .get(),
  );
}

/** Records use, unless another request already did within `minIntervalMs` (so at most one write a minute). */
export function touchApiKeyQuery(db: Db, id: string, at: number, minIntervalMs: number) {
  return db
    .update(apiKeys)
    .set({ lastUsedAt: at })
    .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, at - minIntervalMs))));
}
