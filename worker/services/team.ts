import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { OrgContext } from "../context";
import type { Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { memberships } from "../db/schema";
import { countMembers, deleteMembershipQuery, deleteSessionsOfMemberQuery, findMember, findPendingTransfer, listMembersOfOrg } from "../db/team";
import { ROLE_LABELS, ROLES, type Role } from "../auth/permissions";
import { conflict, notFound } from "../lib/errors";
import { SEATS, seatLimitReached } from "../lib/plans";
import { noRaise, notifyRoleChanged, type RaiseUserAccess } from "./user-access-notifications";

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

/** Role changes and removal wait while the member is being offered the ownership (team__members-and-roles.md). */
async function assertNoPendingTransferTo(db: Db, orgId: string, userId: string, at: number) {
  const transfer = await findPendingTransfer(db, orgId);
  if (transfer && transfer.toUserId === userId && transfer.expiresAt > at) {
    throw conflict("This member has a pending ownership transfer. Cancel the transfer first from Settings → Workspace.", {
      code: "TRANSFER_PENDING",
    });
  }
}

/**
 * Changes a member's role (never to or from Owner: there is exactly one, changed only by a transfer).
 * The dashboard and the operator CLI both come here.
 */
export async function changeRole(
  db: Db,
  org: OrgContext,
  userId: string,
  input: z.infer<typeof changeRoleSchema>,
  at = Date.now(),
  raise: RaiseUserAccess = noRaise,
) {
  const member = await findMember(db, org.orgId, userId);
  if (!member) throw notFound("Member");
  if (member.role === "owner") throw ownerIsFixed();
  if (member.role === input.role) return member;
  await assertNoPendingTransferTo(db, org.orgId, userId, at);
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
      at,
    }),
  ]);
  await notifyRoleChanged(raise, { orgId: org.orgId, actor: org.actor, userId, name: member.name, email: member.email, from: member.role, to: input.role, at });
  return { ...member, role: input.role };
}

/**
 * Adds an existing user as a member without an invitation (the operator CLI's `set-role` for someone
 * not yet in the workspace): the same seat limit as an accepted invitation, never as Owner.
 */
export async function addMember(db: Db, org: OrgContext, user: { id: string; name: string; email: string }, role: Exclude<Role, "owner">, at = Date.now()) {
  if (await findMember(db, org.orgId, user.id)) throw conflict(`${user.email} is already a member of this workspace.`);
  if ((await countMembers(db, org.orgId)) >= SEATS[org.plan]) {
    throw seatLimitReached(org.plan);
  }
  await db.batch([
    db.insert(memberships).values({ orgId: org.orgId, userId: user.id, role, createdAt: at }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "team",
      resourceId: user.id,
      operation: "created",
      summary: `Added ${user.name} (${user.email}) to the workspace as ${ROLE_LABELS[role]}`,
      after: { role },
      at,
    }),
  ]);
}

/** Removes a member (not the Owner) and ends their sessions working in this workspace. */
export async function removeMember(db: Db, org: OrgContext, userId: string, at = Date.now()): Promise<void> {
  const member = await findMember(db, org.orgId, userId);
  if (!member) throw notFound("Member");
  if (member.role === "owner") throw ownerIsFixed();
  await assertNoPendingTransferTo(db, org.orgId, userId, at);
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
      at,
    }),
  ]);
}
