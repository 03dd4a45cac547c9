import type { Actor } from "../context";
import type { Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { listMembershipsOfUser } from "../db/accounts";
import { users } from "../db/schema";

/**
 * Audit entries for a change to a person's own account (sign-in methods, email, closing): the audit log
 * is per workspace, so the entry goes to each workspace the user belongs to — except the shared demo,
 * whose log every user reads.
 */
export async function accountAuditInserts(
  db: Db,
  user: Pick<typeof users.$inferSelect, "id" | "name" | "email">,
  entry: { operation: string; summary: string; before?: unknown; after?: unknown },
  at: number,
) {
  const actor: Actor = { userId: user.id, name: user.name, email: user.email };
  const workspaces = (await listMembershipsOfUser(db, user.id)).filter((w) => !w.isDemo);
  return workspaces.map((w) => auditInsert(db, { orgId: w.orgId, actor, resourceType: "user_account", resourceId: user.id, at, ...entry }));
}
