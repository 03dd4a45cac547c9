import { can, ROLE_LABELS, ROLES, type Permission } from "../../../worker/auth/permissions";
import type { WorkspaceScope } from "../workspace";

/** "Owners, Org Admins and Infra Admins": the roles that hold a permission, for "only … can" messages. */
export const holdersOf = (permission: Permission) =>
  new Intl.ListFormat("en", { type: "conjunction" }).format(ROLES.filter((r) => can(r, permission)).map((r) => `${ROLE_LABELS[r]}s`));

/**
 * Why the member cannot take an action, or null when they can: the demo workspace is read-only for
 * everyone; otherwise the role must hold `permission`. Shown as the disabled button's tooltip.
 */
export function blockerFor({ workspace, can: allowed }: WorkspaceScope, permission: Permission, action: string): string | null {
  if (workspace.isDemo) return `The demo workspace is read-only: switch to your workspace to ${action}.`;
  if (allowed(permission)) return null;
  return `Only ${holdersOf(permission)} can ${action}; your role is ${ROLE_LABELS[workspace.role]}.`;
}
