import { createContext, useContext } from "react";
import type { Permission } from "../../worker/auth/permissions";
import type { MeWorkspace } from "./api/account";

export interface WorkspaceScope {
  workspace: MeWorkspace;
  can: (permission: Permission) => boolean;
}

export const WorkspaceContext = createContext<WorkspaceScope | null>(null);

/** The workspace the current page belongs to (provided by the workspace shell). */
export function useWorkspace(): WorkspaceScope {
  const scope = useContext(WorkspaceContext);
  if (!scope) throw new Error("useWorkspace() is only available below the workspace shell.");
  return scope;
}

export const scopeOf = (workspace: MeWorkspace): WorkspaceScope => ({
  workspace,
  can: (permission) => (workspace.permissions as readonly string[]).includes(permission),
});
