import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { OrgContext } from "../context";
import type { Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { memberships } from "../db/schema";
import { deleteMembershipQuery, deleteSessionsOfMemberQuery, findMember, listMembersOfOrg } from "../db/team";
import { ROLE_LABELS, ROLES } from "../auth/permissions";
import { conflict, notFound } from "../lib/errors";

export const changeRoleSchema = z.object({
  role: z
    .enum(ROLES)
    .refine((r) => r !== "owner", "The Owner role cannot be granted here; ownership is transferred from Settings → Workspace."),
});

/**
 * The members of a workspace. In the demo workspace (which every user of the deployment joins) only the
 * caller is listed, so users never see each other there.
 */
export async function listMembers(db: Db, org: OrgContext) {
  if (org.isDemo) {
    const self = org.actor.userId ? await findMember(db, org.orgId, org.actor.userId) : undefined;
    return { members: self ? [self] : [] };
  }
  return { members: await listMembersOfOrg(db, org.orgId) };
}

const ownerIsFixed = () =>
  conflict("The Owner's membership cannot be changed here; transfer ownership first.", { field: "userId" });

/** Changes a member's role (never to or from Owner: there is exactly one, changed only by a transfer). */
export async function changeRole(db: Db, org: OrgContext, userId: string, input: z.infer<typeof changeRoleSchema>) {
  const member = await findMember(db, org.orgId, userId);
  if (!member) throw notFound("Member");
  if (member.role === "owner") throw ownerIsFixed();
  if (member.role === input.role) return member;
  await db.batch([
    db.update(memberships).set({ role: input.role }).where(and(eq(memberships.orgId, org.orgId), eq(memberships.userId, userId))),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "team",
      resourceId: userId,
      operation: "updated",
      summary: `Changed the role of ${member.name} (${member.email}) from ${ROLE_LABELS[member.role]} to ${ROLE_LABELS[input.role]}`,
      before: { role: member.role },
      after: { role: input.role },
    }),
  ]);
  return { ...member, role: input.role };
}

/** Removes a member (not the Owner) and ends their sessions working in this workspace. */
export async function removeMember(db: Db, org: OrgContext, userId: string): Promise<void> {
  const member = await findMember(db, org.orgId, userId);
  if (!member) throw notFound("Member");
  if (member.role === "owner") throw ownerIsFixed();
  await db.batch([
    deleteMembershipQuery(db, org.orgId, userId),
    deleteSessionsOfMemberQuery(db, org.orgId, userId),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "team",
      resourceId: userId,
      operation: "deleted",
      summary: `Removed ${member.name} (${member.email}) from the workspace`,
      before: { name: member.name, email: member.email, role: member.role },
    }),
  ]);
}
