import { can, DEMO_READ_ONLY_MESSAGE, ROLE_LABELS, ROLES, type Permission } from "../../../worker/auth/permissions";
import { useWorkspace, type WorkspaceScope } from "../workspace";

/** "Owners, Org Admins and Infra Admins": the roles that hold a permission, for "only … can" messages. */
export const holdersOf = (permission: Permission) =>
  new Intl.ListFormat("en", { type: "conjunction" }).format(ROLES.filter((r) => can(r, permission)).map((r) => `${ROLE_LABELS[r]}s`));

/**
 * Why the member cannot take a state-changing action, or null when they can: the demo workspace refuses
 * every change (the API's own message, the same for every action); otherwise the role must hold
 * `permission`. The one rule every mutating control of the dashboard follows, shown as its tooltip
 * (GuardedButton) so nothing fails only after the user confirmed.
 */
export function blockerFor({ workspace, can: allowed }: WorkspaceScope, permission: Permission, action: string): string | null {
  if (workspace.isDemo) return DEMO_READ_ONLY_MESSAGE;
  if (allowed(permission)) return null;
  return `Only ${holdersOf(permission)} can ${action}; your role is ${ROLE_LABELS[workspace.role]}.`;
}

/** blockerFor the current page's workspace. */
export const useBlocker = (permission: Permission, action: string): string | null => blockerFor(useWorkspace(), permission, action);
