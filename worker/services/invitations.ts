/**
 * Invitations (team__members-and-roles.md): an Owner or Org Admin invites an address with any role but
 * Owner; the emailed link (or the dashboard banner / Profile list, for someone already signed in as that
 * address) accepts or declines it within 7 days. Seats are checked on invite (members + pending
 * invitations) and again on accept (members), with the plan's documented message.
 */
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Actor, OrgContext, SessionUser } from "../context";
import type { Db } from "../db/client";
import type { Env } from "../env";
import { auditInsert } from "../db/audit";
import { findUserByEmail, normaliseEmail } from "../db/accounts";
import { findOrgById } from "../db/workspaces";
import { invitations, memberships, type Plan } from "../db/schema";
import {
  countLiveInvitations,
  countMembers,
  findInvitation,
  findMember,
  findMemberByEmail,
  findPendingInvitation,
  listInvitationsForEmail,
  listOverdueInvitations,
  listPendingInvitations,
  settleInvitationQuery,
} from "../db/team";
import { ROLE_LABELS, ROLES } from "../auth/permissions";
import { assertLinkNotThrottled, newLinkToken, parseLinkToken, recordLinkMiss, secretMatches } from "../auth/link-tokens";
import { sendMail, type MailerEnv } from "../integrations/mailer";
import { AppError, conflict, forbidden, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { SEATS, seatLimitReached } from "../lib/plans";
import { DAY } from "../lib/time";
import { noRaise, notifyUserInvited, type RaiseUserAccess } from "./user-access-notifications";

export const INVITATION_TTL_MS = 7 * DAY;

/** Who the audit log names for what SendOps does on its own schedule. */
export const SYSTEM_ACTOR: Actor = { userId: null, name: "SendOps", email: "" };

export type TeamMailEnv = MailerEnv & Pick<Env, "APP_URL">;

const INVITABLE = ROLES.filter((r) => r !== "owner") as [Exclude<(typeof ROLES)[number], "owner">, ...Exclude<(typeof ROLES)[number], "owner">[]];
export type InvitableRole = (typeof INVITABLE)[number];

export const inviteSchema = z.object({
  email: z.email("Enter a valid email address.").max(254),
  role: z.enum(INVITABLE, { message: "Choose a role: the Owner role is only transferred, never given by an invitation." }),
});

export const invitationTokenSchema = z.object({ token: z.string().min(3).max(200) });

const expiredError = () =>
  new AppError("INVITATION_EXPIRED", 410, "This invitation has expired. Ask the workspace's Owner or an Org Admin to send a new one from System → Team.");

const closedError = (status: string) => new AppError("INVITATION_CLOSED", 409, `This invitation is no longer open (it was ${status}).`);

/** Seats in use on invite: members plus live pending invitations (one of which may be the one being resent). */
async function assertSeatForInvite(db: Db, org: { orgId: string; plan: Plan }, at: number, exceptId?: string) {
  const used = (await countMembers(db, org.orgId)) + (await countLiveInvitations(db, org.orgId, at, exceptId));
  if (used >= SEATS[org.plan]) throw seatLimitReached(org.plan);
}

const acceptUrl = (env: TeamMailEnv, token: string) => new URL(`/invite/${encodeURIComponent(token)}`, env.APP_URL).toString();

function invitationMail(env: TeamMailEnv, input: { orgName: string; role: InvitableRole; inviter: Actor; token: string; expiresAt: number }) {
  const inviter = input.inviter.email ? `${input.inviter.name} (${input.inviter.email})` : input.inviter.name;
  const url = acceptUrl(env, input.token);
  return {
    subject: `${input.inviter.name} invited you to ${input.orgName} on SendOps`,
    text: [
      `${inviter} invited you to join the workspace "${input.orgName}" on SendOps as ${ROLE_LABELS[input.role]}.`,
      ``,
      `Accept invitation: ${url}`,
      ``,
      `If you do not have a SendOps account yet, you can create one from that page. The invitation expires on ${new Date(input.expiresAt).toUTCString()}.`,
      `If you were not expecting it, you can decline it from the same page or ignore this email.`,
    ].join("\n"),
  };
}

/** The workspace's pending invitations for the Team page; `expired` marks ones past their time the cron has not marked yet. */
export async function listInvitations(db: Db, org: OrgContext, at = Date.now()) {
  const rows = await listPendingInvitations(db, org.orgId);
  return {
    invitations: rows.map((r) => ({
      id: r.id,
      email: r.email,
      role: r.role,
      invitedByName: r.invitedByName,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      expired: r.expiresAt <= at,
    })),
  };
}

export type InvitationRow = Awaited<ReturnType<typeof listInvitations>>["invitations"][number];

/** Sends an invitation email and records it; refused for members, for an address already invited and beyond the plan's seats. */
export async function inviteMember(
  db: Db,
  env: TeamMailEnv,
  org: OrgContext,
  input: z.infer<typeof inviteSchema>,
  at = Date.now(),
  raise: RaiseUserAccess = noRaise,
) {
  const email = normaliseEmail(input.email);
  if (await findMemberByEmail(db, org.orgId, email)) {
    throw conflict(`${email} is already a member of this workspace.`, { field: "email", code: "ALREADY_MEMBER" });
  }
  const existing = await findPendingInvitation(db, org.orgId, email);
  if (existing && existing.expiresAt > at) {
    throw conflict(`${email} already has a pending invitation. Resend it from the list instead.`, { field: "email", code: "ALREADY_INVITED" });
  }
  await assertSeatForInvite(db, org, at);
  const id = newId("inv", at);
  const { token, secretHash } = await newLinkToken(id);
  const expiresAt = at + INVITATION_TTL_MS;
  // Mail first: when it cannot be sent nothing is stored, and the Owner can simply try again.
  await sendMail(env, { to: email, ...invitationMail(env, { orgName: org.name, role: input.role, inviter: org.actor, token, expiresAt }) });
  // A lapsed invitation to the same address gives way to the new one (one pending per address).
  if (existing) await settleInvitationQuery(db, existing.id, "expired", at);
  await db.batch([
    db.insert(invitations).values({
      id,
      orgId: org.orgId,
      email,
      role: input.role,
      secretHash,
      invitedByUserId: org.actor.userId,
      invitedByName: org.actor.name,
      createdAt: at,
      expiresAt,
    }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "invitation",
      resourceId: id,
      operation: "sent",
      summary: `Invited ${email} as ${ROLE_LABELS[input.role]}`,
      after: { email, role: input.role, expiresAt },
      at,
    }),
  ]);
  await notifyUserInvited(raise, { orgId: org.orgId, actor: org.actor, email, role: input.role, at });
  return { invitation: { id, email, role: input.role, invitedByName: org.actor.name, createdAt: at, expiresAt, expired: false } };
}

async function pendingOf(db: Db, org: OrgContext, id: string) {
  const row = await findInvitation(db, id);
  if (!row || row.orgId !== org.orgId) throw notFound("Invitation");
  if (row.status !== "pending") throw closedError(row.status);
  return row;
}

/** A new link (the old one stops working) and a new 7-day expiry. */
export async function resendInvitation(db: Db, env: TeamMailEnv, org: OrgContext, id: string, at = Date.now()) {
  const row = await pendingOf(db, org, id);
  // A lapsed invitation no longer held a seat: taking it up again needs one.
  if (row.expiresAt <= at) await assertSeatForInvite(db, org, at, row.id);
  const { token, secretHash } = await newLinkToken(row.id);
  const expiresAt = at + INVITATION_TTL_MS;
  await sendMail(env, { to: row.email, ...invitationMail(env, { orgName: org.name, role: row.role, inviter: org.actor, token, expiresAt }) });
  await db.batch([
    db.update(invitations).set({ secretHash, expiresAt }).where(and(eq(invitations.id, row.id), eq(invitations.status, "pending"))),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "invitation",
      resourceId: row.id,
      operation: "resent",
      summary: `Resent the invitation of ${row.email} (${ROLE_LABELS[row.role]})`,
      before: { expiresAt: row.expiresAt },
      after: { expiresAt },
      at,
    }),
  ]);
  return { invitation: { id: row.id, email: row.email, role: row.role, invitedByName: row.invitedByName, createdAt: row.createdAt, expiresAt, expired: false } };
}

export async function revokeInvitation(db: Db, org: OrgContext, id: string, at = Date.now()): Promise<void> {
  const row = await pendingOf(db, org, id);
  await db.batch([
    settleInvitationQuery(db, row.id, "revoked", at),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "invitation",
      resourceId: row.id,
      operation: "revoked",
      summary: `Revoked the invitation of ${row.email} (${ROLE_LABELS[row.role]})`,
      before: { email: row.email, role: row.role },
      at,
    }),
  ]);
}

/** The invitation a link token names, or a 404 (a miss counts toward the client's throttle). */
async function byToken(db: Db, token: string, ip: string | null, at: number) {
  await assertLinkNotThrottled(db, ip, at);
  const parsed = parseLinkToken(token);
  const row = parsed ? await findInvitation(db, parsed.id) : undefined;
  if (!parsed || !row || !(await secretMatches(parsed.secret, row.secretHash))) {
    await recordLinkMiss(db, ip, at);
    throw notFound("Invitation");
  }
  return row;
}

/** What the acceptance page shows for a link, signed in or not. */
export async function previewInvitation(db: Db, token: string, ip: string | null, at = Date.now()) {
  const row = await byToken(db, token, ip, at);
  const org = await findOrgById(db, row.orgId);
  if (!org) throw notFound("Invitation");
  const status = row.status === "pending" && row.expiresAt <= at ? "expired" : row.status;
  return {
    invitation: {
      workspaceName: org.name,
      role: row.role,
      invitedByName: row.invitedByName,
      email: row.email,
      status,
      expiresAt: row.expiresAt,
      // Whether the invitee signs in or creates an account first.
      hasAccount: !!(await findUserByEmail(db, row.email)),
    },
  };
}

export type InvitationPreview = Awaited<ReturnType<typeof previewInvitation>>["invitation"];

const actorOf = (user: SessionUser): Actor => ({ userId: user.id, name: user.name, email: user.email });

/** Joins the workspace with the invited role; only as the invited address, within 7 days, with a seat free. */
async function accept(db: Db, row: NonNullable<Awaited<ReturnType<typeof findInvitation>>>, user: SessionUser, at: number) {
  if (row.status !== "pending") throw closedError(row.status);
  if (row.expiresAt <= at) throw expiredError();
  if (normaliseEmail(user.email) !== row.email) {
    throw forbidden(`This invitation was sent to ${row.email}, but you are signed in as ${user.email}. Sign in with the invited address to accept it.`, {
      code: "EMAIL_MISMATCH",
    });
  }
  const org = await findOrgById(db, row.orgId);
  if (!org) throw notFound("Invitation");
  if (await findMember(db, row.orgId, user.id)) throw conflict(`You are already a member of ${org.name}.`);
  if ((await countMembers(db, row.orgId)) >= SEATS[org.plan]) throw seatLimitReached(org.plan);
  await db.batch([
    settleInvitationQuery(db, row.id, "accepted", at),
    db.insert(memberships).values({ orgId: row.orgId, userId: user.id, role: row.role, createdAt: at }),
    auditInsert(db, {
      orgId: row.orgId,
      actor: actorOf(user),
      resourceType: "invitation",
      resourceId: row.id,
      operation: "accepted",
      summary: `${user.name} (${user.email}) accepted the invitation and joined as ${ROLE_LABELS[row.role]}`,
      after: { userId: user.id, role: row.role },
      at,
    }),
  ]);
  return { workspace: { id: org.id, slug: org.slug, name: org.name }, role: row.role };
}

async function decline(db: Db, row: NonNullable<Awaited<ReturnType<typeof findInvitation>>>, actor: Actor, at: number): Promise<void> {
  if (row.status !== "pending") throw closedError(row.status);
  if (row.expiresAt <= at) throw expiredError();
  await db.batch([
    settleInvitationQuery(db, row.id, "declined", at),
    auditInsert(db, {
      orgId: row.orgId,
      actor,
      resourceType: "invitation",
      resourceId: row.id,
      operation: "declined",
      summary: `${row.email} declined the invitation (${ROLE_LABELS[row.role]})`,
      at,
    }),
  ]);
}

export async function acceptInvitationByToken(db: Db, user: SessionUser, token: string, ip: string | null, at = Date.now()) {
  return accept(db, await byToken(db, token, ip, at), user, at);
}

/** The link alone proves the address received it, so declining needs no account. */
export async function declineInvitationByToken(db: Db, token: string, ip: string | null, at = Date.now()): Promise<void> {
  const row = await byToken(db, token, ip, at);
  await decline(db, row, { userId: null, name: row.email, email: row.email }, at);
}

/** For the signed-in invitee (dashboard banner, Profile): the invitation must be addressed to them. */
async function mine(db: Db, user: SessionUser, id: string) {
  const row = await findInvitation(db, id);
  if (!row || row.email !== normaliseEmail(user.email)) throw notFound("Invitation");
  return row;
}

export async function acceptMyInvitation(db: Db, user: SessionUser, id: string, at = Date.now()) {
  return accept(db, await mine(db, user, id), user, at);
}

export async function declineMyInvitation(db: Db, user: SessionUser, id: string, at = Date.now()): Promise<void> {
  await decline(db, await mine(db, user, id), actorOf(user), at);
}

export async function listMyInvitations(db: Db, user: SessionUser, at = Date.now()) {
  return { invitations: await listInvitationsForEmail(db, normaliseEmail(user.email), at) };
}

export type MyInvitation = Awaited<ReturnType<typeof listMyInvitations>>["invitations"][number];

/** Cron: pending invitations past their 7 days become `expired`, each with its audit entry. */
export async function expireInvitations(db: Db, at = Date.now()): Promise<number> {
  const overdue = await listOverdueInvitations(db, at);
  if (!overdue.length) return 0;
  const statements = overdue.flatMap((r) => [
    settleInvitationQuery(db, r.id, "expired", at),
    auditInsert(db, {
      orgId: r.orgId,
      actor: SYSTEM_ACTOR,
      resourceType: "invitation",
      resourceId: r.id,
      operation: "expired",
      summary: `The invitation of ${r.email} (${ROLE_LABELS[r.role]}) expired unanswered`,
      at,
    }),
  ]);
  await db.batch([statements[0]!, ...statements.slice(1)]);
  return overdue.length;
}
