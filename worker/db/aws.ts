import { eq } from "drizzle-orm";
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
