/**
 * Ownership transfer (team__members-and-roles.md): the Owner offers the workspace to a member with a
 * verified email; the member has 72 hours to accept by the emailed link or the dashboard banner. On
 * accept the target becomes Owner, the former Owner Org Admin, and both are signed out everywhere.
 * The Owner can cancel; the cron expires what was not accepted. Every step is audited and emailed.
 */
import { z } from "zod";
import type { Actor, OrgContext, SessionUser } from "../context";
import type { Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { findUserById } from "../db/accounts";
import { findOrgById } from "../db/workspaces";
import { ownershipTransfers } from "../db/schema";
import {
  findMember,
  findPendingTransfer,
  findTransfer,
  listOverdueTransfers,
  listTransfersToUser,
  setRoleQuery,
  settleTransferQuery,
} from "../db/team";
import { deleteSessionsOfUserQuery } from "../auth/sessions";
import { assertLinkNotThrottled, newLinkToken, parseLinkToken, recordLinkMiss, secretMatches } from "../auth/link-tokens";
import { sendMail } from "../integrations/mailer";
import { AppError, conflict, forbidden, notFound, validationError } from "../lib/errors";
import { newId } from "../lib/ids";
import { HOUR } from "../lib/time";
import { SYSTEM_ACTOR, type TeamMailEnv } from "./invitations";
import { orgEnforcesTwoFactor, userHasMfa } from "./two-factor";
import { noRaise, notifyRoleChanged, type RaiseUserAccess } from "./user-access-notifications";

export const TRANSFER_TTL_MS = 72 * HOUR;

export const offerTransferSchema = z.object({ userId: z.string().min(1, "Choose the member to transfer ownership to.").max(64) });

type TransferRow = NonNullable<Awaited<ReturnType<typeof findTransfer>>>;

/**
 * Whether the workspace's 2FA rule lets this member become Owner: when the workspace enforces 2FA, the
 * target must have MFA set up (no grace period for the Owner's seat).
 */
export async function targetMeetsTwoFactorRule(db: Db, orgId: string, userId: string): Promise<boolean> {
  if (!(await orgEnforcesTwoFactor(db, orgId))) return true;
  return userHasMfa(db, userId);
}

const expiredError = () => new AppError("TRANSFER_EXPIRED", 410, "This ownership transfer has expired. Ask the Owner to start a new one.");
const closedError = (status: string) => new AppError("TRANSFER_CLOSED", 409, `This ownership transfer is no longer open (it was ${status}).`);

const who = (u: { name: string; email: string }) => `${u.name} (${u.email})`;

/** Sends every mail of a step; one that cannot be sent does not undo the step (it is in the audit log and on the dashboard). */
async function mailAll(env: TeamMailEnv, mails: { to: string; subject: string; text: string }[]) {
  for (const mail of mails) {
    try {
      await sendMail(env, mail);
    } catch (err) {
      console.warn(`ownership transfer mail to ${mail.to} not sent: ${(err as Error).message}`);
    }
  }
}

/** The open transfer of a workspace (Team page banner, Danger Zone), or null. */
export async function getPendingTransfer(db: Db, org: OrgContext, at = Date.now()) {
  const row = await findPendingTransfer(db, org.orgId);
  if (!row || row.expiresAt <= at) return { transfer: null };
  const to = await findMember(db, org.orgId, row.toUserId);
  return {
    transfer: {
      id: row.id,
      to: { userId: row.toUserId, name: to?.name ?? "", email: to?.email ?? "" },
      createdAt: row.createdAt,
      expiresAt: row.expiresAt,
    },
  };
}

export type PendingTransfer = NonNullable<Awaited<ReturnType<typeof getPendingTransfer>>["transfer"]>;

export async function offerTransfer(db: Db, env: TeamMailEnv, org: OrgContext, input: z.infer<typeof offerTransferSchema>, at = Date.now()) {
  const fromId = org.actor.userId!;
  if (input.userId === fromId) throw validationError("userId: You are the Owner already.", { fields: [{ field: "userId", message: "Choose another member." }] });
  const target = await findMember(db, org.orgId, input.userId);
  if (!target) throw notFound("Member");
  const targetUser = await findUserById(db, input.userId);
  if (!targetUser?.emailVerifiedAt) {
    throw validationError(`userId: ${target.name} has not verified their email address yet; only a member with a verified email can become Owner.`, {
      fields: [{ field: "userId", message: "This member's email address is not verified." }],
    });
  }
  if (!(await targetMeetsTwoFactorRule(db, org.orgId, input.userId))) {
    throw conflict(`This workspace enforces two-factor authentication: ${target.name} must set up MFA before they can become Owner.`, { field: "userId" });
  }
  const open = await findPendingTransfer(db, org.orgId);
  if (open && open.expiresAt > at) throw conflict("An ownership transfer is already pending. Cancel it first.");
  if (open) await expireOne(db, env, open, at);
  const id = newId("otr", at);
  const { token, secretHash } = await newLinkToken(id);
  const expiresAt = at + TRANSFER_TTL_MS;
  await db.batch([
    db.insert(ownershipTransfers).values({ id, orgId: org.orgId, fromUserId: fromId, toUserId: input.userId, secretHash, createdAt: at, expiresAt }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "ownership_transfer",
      resourceId: id,
      operation: "initiated",
      summary: `Offered the ownership of the workspace to ${who(target)}`,
      after: { toUserId: input.userId, expiresAt },
      at,
    }),
  ]);
  const url = new URL(`/ownership/${encodeURIComponent(token)}`, env.APP_URL).toString();
  const until = new Date(expiresAt).toUTCString();
  await mailAll(env, [
    {
      to: target.email,
      subject: `${org.actor.name} wants to make you the Owner of ${org.name} on SendOps`,
      text: [
        `${who(org.actor)} offered you the ownership of the workspace "${org.name}" on SendOps.`,
        `When you accept, you become its Owner and ${org.actor.name} becomes an Org Admin. You will both be signed out and sign in again.`,
        ``,
        `Accept ownership: ${url}`,
        ``,
        `The offer expires on ${until}.`,
      ].join("\n"),
    },
    {
      to: org.actor.email,
      subject: `You offered the ownership of ${org.name} to ${target.name}`,
      text: `${who(target)} has until ${until} to accept the ownership of "${org.name}". You can cancel the transfer from Settings → Workspace until then.`,
    },
  ]);
  return getPendingTransfer(db, org, at);
}

export async function cancelTransfer(db: Db, env: TeamMailEnv, org: OrgContext, at = Date.now()): Promise<void> {
  const row = await findPendingTransfer(db, org.orgId);
  if (!row || row.expiresAt <= at) throw notFound("Pending ownership transfer");
  const target = await findMember(db, org.orgId, row.toUserId);
  await db.batch([
    settleTransferQuery(db, row.id, "cancelled", at),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "ownership_transfer",
      resourceId: row.id,
      operation: "cancelled",
      summary: `Cancelled the ownership transfer to ${target ? who(target) : row.toUserId}`,
      before: { toUserId: row.toUserId, expiresAt: row.expiresAt },
      at,
    }),
  ]);
  if (target) {
    await mailAll(env, [
      { to: target.email, subject: `The ownership transfer of ${org.name} was cancelled`, text: `${who(org.actor)} cancelled the offer to make you the Owner of "${org.name}".` },
    ]);
  }
}

/** Marks one overdue transfer expired (audited) and tells both parties. */
async function expireOne(db: Db, env: TeamMailEnv, row: TransferRow, at: number) {
  const [org, from, to] = await Promise.all([findOrgById(db, row.orgId), findUserById(db, row.fromUserId), findUserById(db, row.toUserId)]);
  const [result] = await db.batch([
    settleTransferQuery(db, row.id, "expired", at),
    auditInsert(db, {
      orgId: row.orgId,
      actor: SYSTEM_ACTOR,
      resourceType: "ownership_transfer",
      resourceId: row.id,
      operation: "expired",
      summary: `The ownership transfer to ${to ? who(to) : row.toUserId} expired after 72 hours without an answer`,
      before: { toUserId: row.toUserId, expiresAt: row.expiresAt },
      at,
    }),
  ]);
  if (!org || (result as { meta?: { changes?: number } }).meta?.changes === 0) return;
  const text = `The offer to make ${to ? who(to) : "a member"} the Owner of "${org.name}" expired after 72 hours. The Owner can start a new transfer from Settings → Workspace.`;
  await mailAll(env, [from, to].filter((u) => !!u).map((u) => ({ to: u.email, subject: `The ownership transfer of ${org.name} expired`, text })));
}

/** Cron: pending transfers past their 72 hours expire. */
export async function expireTransfers(db: Db, env: TeamMailEnv, at = Date.now()): Promise<number> {
  const overdue = await listOverdueTransfers(db, at);
  for (const row of overdue) await expireOne(db, env, row, at);
  return overdue.length;
}

/** Transfers offered to the signed-in user (dashboard banner). */
export async function listMyTransfers(db: Db, user: SessionUser, at = Date.now()) {
  return { transfers: await listTransfersToUser(db, user.id, at) };
}

export type MyTransfer = Awaited<ReturnType<typeof listMyTransfers>>["transfers"][number];

async function accept(db: Db, env: TeamMailEnv, row: TransferRow, user: SessionUser, at: number, raise: RaiseUserAccess) {
  if (row.status !== "pending") throw closedError(row.status);
  if (row.expiresAt <= at) throw expiredError();
  if (row.toUserId !== user.id) throw forbidden("This ownership transfer was offered to another member. Sign in as that member to accept it.");
  const [org, from, to] = await Promise.all([findOrgById(db, row.orgId), findMember(db, row.orgId, row.fromUserId), findMember(db, row.orgId, row.toUserId)]);
  if (!org || !to) throw notFound("Ownership transfer");
  if (!from || from.role !== "owner") throw closedError("overtaken by another ownership change");
  if (!(await targetMeetsTwoFactorRule(db, row.orgId, user.id))) {
    throw new AppError("MFA_REQUIRED", 403, `${org.name} enforces two-factor authentication: set up MFA on your Profile before accepting the ownership.`);
  }
  const actor: Actor = { userId: user.id, name: user.name, email: user.email };
  // Demote first: the partial unique index allows one Owner row at every step of the batch.
  await db.batch([
    settleTransferQuery(db, row.id, "accepted", at),
    setRoleQuery(db, row.orgId, row.fromUserId, "org_admin"),
    setRoleQuery(db, row.orgId, row.toUserId, "owner"),
    deleteSessionsOfUserQuery(db, row.fromUserId),
    deleteSessionsOfUserQuery(db, row.toUserId),
    auditInsert(db, {
      orgId: row.orgId,
      actor,
      resourceType: "ownership_transfer",
      resourceId: row.id,
      operation: "accepted",
      summary: `${who(to)} accepted the ownership; ${who(from)} is now an Org Admin. Both were signed out.`,
      before: { ownerUserId: row.fromUserId, newOwnerRole: to.role },
      after: { ownerUserId: row.toUserId, formerOwnerRole: "org_admin" },
      at,
    }),
  ]);
  await notifyRoleChanged(raise, { orgId: row.orgId, actor, userId: from.userId, name: from.name, email: from.email, from: "owner", to: "org_admin", at });
  await notifyRoleChanged(raise, { orgId: row.orgId, actor, userId: to.userId, name: to.name, email: to.email, from: to.role, to: "owner", at });
  const text = `${who(to)} is now the Owner of "${org.name}" on SendOps and ${who(from)} an Org Admin. Both of you were signed out of SendOps; sign in again to continue. New Owner: please review the billing contact details on the Billing page.`;
  await mailAll(env, [from, to].map((u) => ({ to: u.email, subject: `The ownership of ${org.name} was transferred`, text })));
  return { workspace: { id: org.id, slug: org.slug, name: org.name } };
}

async function byToken(db: Db, token: string, ip: string | null, at: number) {
  await assertLinkNotThrottled(db, ip, at);
  const parsed = parseLinkToken(token);
  const row = parsed ? await findTransfer(db, parsed.id) : undefined;
  if (!parsed || !row || !(await secretMatches(parsed.secret, row.secretHash))) {
    await recordLinkMiss(db, ip, at);
    throw notFound("Ownership transfer");
  }
  return row;
}

export const acceptTransferSchema = z.union([z.object({ token: z.string().min(3).max(200) }), z.object({ id: z.string().min(1).max(64) })]);

/** Accepts by the emailed link's token or, from the dashboard banner, by id; the caller must be the target. */
export async function acceptTransfer(
  db: Db,
  env: TeamMailEnv,
  user: SessionUser,
  input: z.infer<typeof acceptTransferSchema>,
  ip: string | null,
  at = Date.now(),
  raise: RaiseUserAccess = noRaise,
) {
  let row: TransferRow | undefined;
  if ("token" in input) row = await byToken(db, input.token, ip, at);
  else {
    row = await findTransfer(db, input.id);
    if (!row || row.toUserId !== user.id) throw notFound("Ownership transfer");
  }
  return accept(db, env, row, user, at, raise);
}
