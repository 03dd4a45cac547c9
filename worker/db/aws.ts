import { and, eq, isNull, lt, or } from "drizzle-orm";
import type { Db } from "./client";
import { awsConnections } from "./schema";

export type AwsConnectionRow = typeof awsConnections.$inferSelect;

export function findAwsConnection(db: Db, orgId: string) {
  return db.select().from(awsConnections).where(eq(awsConnections.orgId, orgId)).get();
}

/** Creates the workspace's pending connection with its External ID unless it exists (first reader wins). */
export function insertPendingConnection(db: Db, orgId: string, externalId: string, at: number) {
  return db.insert(awsConnections).values({ orgId, externalId, status: "pending", createdAt: at, updatedAt: at }).onConflictDoNothing();
}

export function updateAwsConnectionQuery(db: Db, orgId: string, set: Partial<Omit<AwsConnectionRow, "orgId" | "externalId" | "createdAt">>) {
  return db.update(awsConnections).set(set).where(eq(awsConnections.orgId, orgId));
}

/** Connected workspaces whose account sync is older than `staleBefore` and not running (or stuck since `stuckBefore`). */
export async function findOrgsDueForAccountSync(db: Db, staleBefore: number, stuckBefore: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ orgId: awsConnections.orgId })
    .from(awsConnections)
    .where(
      and(
        eq(awsConnections.status, "connected"),
        or(isNull(awsConnections.accountSyncedAt), lt(awsConnections.accountSyncedAt, staleBefore)),
        or(isNull(awsConnections.accountSyncStartedAt), lt(awsConnections.accountSyncStartedAt, stuckBefore)),
      ),
    )
    .orderBy(awsConnections.accountSyncedAt)
    .limit(limit)
    .all();
  return rows.map((r) => r.orgId);
}
