import { eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { awsStackDrift } from "./schema";

export type StackDriftRow = typeof awsStackDrift.$inferSelect;

export function findStackDrift(db: Db, orgId: string) {
  return db.select().from(awsStackDrift).where(eq(awsStackDrift.orgId, orgId)).get();
}

/** Creates or updates the workspace's drift row with `set`. */
export function upsertStackDriftQuery(db: Db, orgId: string, stackName: string, set: Partial<Omit<StackDriftRow, "orgId" | "stackName" | "updatedAt">>, at: number) {
  return db
    .insert(awsStackDrift)
    .values({ orgId, stackName, ...set, updatedAt: at })
    .onConflictDoUpdate({ target: awsStackDrift.orgId, set: { stackName, ...set, updatedAt: at } });
}

/** Forgets the drift found through a connection the workspace no longer has (disconnected, another account or region). */
export function clearStackDriftQuery(db: Db, orgId: string) {
  return db.delete(awsStackDrift).where(eq(awsStackDrift.orgId, orgId));
}

/**
 * Connected workspaces whose connection came from the SendOps stack: their latest finished validation
 * found the template version the stack writes into its rule (a manually made role has no stack).
 */
export async function orgsWithStackConnections(db: Db): Promise<string[]> {
  const rows = await db.all<{ org_id: string }>(sql`SELECT c.org_id FROM aws_connections c JOIN orgs o ON o.id = c.org_id
    WHERE c.status = 'connected' AND c.role_arn IS NOT NULL AND o.is_demo = 0
      AND (SELECT v.deployed_template_version FROM aws_validations v WHERE v.org_id = c.org_id AND v.finished_at IS NOT NULL
           ORDER BY v.created_at DESC LIMIT 1) IS NOT NULL`);
  return rows.map((r) => r.org_id);
}
