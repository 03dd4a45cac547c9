/** Workspace names: the limit and the default. Pure, so the dashboard's forms share them. */

export const WORKSPACE_NAME_MAX = 64;

/** "Ada Lovelace" → "Ada's Workspace". */
export function defaultWorkspaceName(userName: string): string {
  const suffix = "'s Workspace";
  const first = userName.trim().split(/\s+/)[0] || "My";
  return `${first.slice(0, WORKSPACE_NAME_MAX - suffix.length)}${suffix}`;
}
