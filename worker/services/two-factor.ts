/**
 * Workspace 2FA enforcement (product docs: team__account-settings.md § Security): when a workspace
 * enforces it, each member without MFA has 7 days from the enforcement start or from joining, whichever
 * is later, then loses access to that workspace (orgRoute answers 403 TWO_FACTOR_REQUIRED) until they
 * set MFA up.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { OrgContext } from "../context";
import type { Db } from "../db/client";
import { auditInsert } from "../db/audit";
import { findOrgTwoFactor, hasMfaMethod, listEnforcingOrgsOfUser, listMembersMfa } from "../db/mfa";
import { orgTwoFactor } from "../db/schema";
import { AppError } from "../lib/errors";
import { DAY } from "../lib/time";

export const TWO_FACTOR_GRACE_MS = 7 * DAY;

export const twoFactorSettingSchema = z.object({ enforced: z.boolean() });

/** Whether the user has at least one MFA method (the ownership transfer checks it too). */
export const userHasMfa = (db: Db, userId: string): Promise<boolean> => hasMfaMethod(db, userId);

/** The workspace's enforcement, or null when it does not enforce 2FA. */
export async function orgEnforcesTwoFactor(db: Db, orgId: string): Promise<{ enforcedSince: number } | null> {
  const row = await findOrgTwoFactor(db, orgId);
  return row ? { enforcedSince: row.enforcedSince } : null;
}

/** When a member's grace ends: 7 days after the enforcement start or their joining, whichever is later. */
export const graceEndsAt = (enforcedSince: number, joinedAt: number) => Math.max(enforcedSince, joinedAt) + TWO_FACTOR_GRACE_MS;

export const twoFactorRequiredError = (graceEndedAt: number) =>
  new AppError(
    "TWO_FACTOR_REQUIRED",
    403,
    "This workspace requires multi-factor authentication. Set it up in Profile → Security to regain access.",
    { graceEndedAt },
  );

/** Per workspace of the user that enforces 2FA while they have none: when their grace ends (for Me). */
export async function twoFactorDeadlines(db: Db, userId: string): Promise<Map<string, number>> {
  const rows = await listEnforcingOrgsOfUser(db, userId);
  if (!rows.length || (await userHasMfa(db, userId))) return new Map();
  return new Map(rows.map((r) => [r.orgId, graceEndsAt(r.enforcedSince, r.joinedAt)]));
}

/** Settings → Security: the enforcement and, while it is on, how many members still lack MFA. */
export async function getTwoFactorSetting(db: Db, orgId: string, at = Date.now()) {
  const row = await findOrgTwoFactor(db, orgId);
  const members = await listMembersMfa(db, orgId);
  const without = members.filter((m) => !m.hasMfa);
  return {
    enforced: row !== undefined,
    enforcedSince: row?.enforcedSince ?? null,
    membersWithoutMfa: without.length,
    membersBlocked: row ? without.filter((m) => graceEndsAt(row.enforcedSince, m.joinedAt) <= at).length : 0,
  };
}
export type TwoFactorSetting = Awaited<ReturnType<typeof getTwoFactorSetting>>;

/**
 * Turns enforcement on or off (audited). Whoever turns it on must have MFA themselves, so the change can
 * never lock out the person making it.
 */
export async function setTwoFactorEnforcement(db: Db, org: OrgContext, input: z.infer<typeof twoFactorSettingSchema>, at = Date.now()) {
  const current = await findOrgTwoFactor(db, org.orgId);
  if (input.enforced && !current) {
    if (!org.actor.userId || !(await userHasMfa(db, org.actor.userId))) {
      throw new AppError(
        "MFA_REQUIRED_TO_ENFORCE",
        409,
        "Set up multi-factor authentication on your own account (Profile → Security) before requiring it of the workspace.",
      );
    }
    await db.batch([
      db.insert(orgTwoFactor).values({ orgId: org.orgId, enforcedSince: at, enforcedBy: org.actor.userId }),
      auditInsert(db, {
        orgId: org.orgId,
        actor: org.actor,
        resourceType: "two_factor_enforcement",
        resourceId: org.orgId,
        operation: "enabled",
        summary: "Required two-factor authentication of every member (7-day grace for members without it)",
        after: { enforced: true },
        at,
      }),
    ]);
  } else if (!input.enforced && current) {
    await db.batch([
      db.delete(orgTwoFactor).where(eq(orgTwoFactor.orgId, org.orgId)),
      auditInsert(db, {
        orgId: org.orgId,
        actor: org.actor,
        resourceType: "two_factor_enforcement",
        resourceId: org.orgId,
        operation: "disabled",
        summary: "Stopped requiring two-factor authentication",
        before: { enforced: true, enforcedSince: current.enforcedSince },
        after: { enforced: false },
        at,
      }),
    ]);
  }
  return getTwoFactorSetting(db, org.orgId, at);
}
