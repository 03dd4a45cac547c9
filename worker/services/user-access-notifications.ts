/**
 * The user-access notifications (notifications__notification-types.md: `user_access.user_invited`,
 * `user_access.role_changed`), each raised from exactly one function here. The notifications service
 * is injected as `raise`; until it is wired in, `noRaise` keeps these changes to their audit entries and
 * emails.
 */
import type { Actor } from "../context";
import { ROLE_LABELS, type Role } from "../auth/permissions";

export interface UserAccessNotification {
  orgId: string;
  key: "user_access.user_invited" | "user_access.role_changed";
  actor: Actor;
  /** The values the catalogue's title/body templates read (worker/lib/notification-types.ts). */
  data: Record<string, string>;
  at: number;
}

export type RaiseUserAccess = (notification: UserAccessNotification) => Promise<void>;

export const noRaise: RaiseUserAccess = async () => {};

export function notifyUserInvited(
  raise: RaiseUserAccess,
  input: { orgId: string; actor: Actor; email: string; role: Role; at: number },
): Promise<void> {
  return raise({
    orgId: input.orgId,
    key: "user_access.user_invited",
    actor: input.actor,
    data: { actor: input.actor.name, email: input.email, role: ROLE_LABELS[input.role] },
    at: input.at,
  });
}

export function notifyRoleChanged(
  raise: RaiseUserAccess,
  input: { orgId: string; actor: Actor; userId: string; name: string; email: string; from: Role; to: Role; at: number },
): Promise<void> {
  return raise({
    orgId: input.orgId,
    key: "user_access.role_changed",
    actor: input.actor,
    data: {
      actor: input.actor.name,
      member: `${input.name} (${input.email})`,
      userId: input.userId,
      previous: ROLE_LABELS[input.from],
      role: ROLE_LABELS[input.to],
    },
    at: input.at,
  });
}
