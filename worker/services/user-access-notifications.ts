/**
 * The user-access notifications (notifications__notification-types.md: `user_access.user_invited`,
 * `user_access.role_changed`), each raised from exactly one function here. The notifications service
 * is injected as `raise` (`raiseUserAccessThrough`); `noRaise` (the services' default, e.g. in the operator
 * CLI) keeps a change to its audit entries and emails.
 */
import type { Actor } from "../context";
import { ROLE_LABELS, type Role } from "../auth/permissions";
import { raiseNotification, type RaiseDeps } from "./notifications/raise";

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

/** Raises through the notification service (inbox, email, Slack, webhooks by each member's preferences). */
export const raiseUserAccessThrough =
  (deps: RaiseDeps): RaiseUserAccess =>
  async (n) => {
    await raiseNotification(deps, { orgId: n.orgId, type: n.key, params: n.data }, n.at);
  };

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
