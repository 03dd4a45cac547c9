import { useQuery } from "@tanstack/react-query";
import type { MeWorkspace } from "../api/account";
import { settingsQuery } from "../api/workspaces";

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join("") || "W";

/**
 * The workspace's logo, or its initials. The logo URL carries the logo's version when the settings are
 * cached (so a new upload shows at once); otherwise the plain URL revalidates with its ETag.
 */
export function WorkspaceMark({ workspace }: { workspace: Pick<MeWorkspace, "id" | "name" | "hasLogo" | "isDemo"> }) {
  const cached = useQuery({ ...settingsQuery(workspace.id), enabled: false }).data;
  const src = workspace.hasLogo ? (cached?.logoUrl ?? `/api/orgs/${encodeURIComponent(workspace.id)}/logo`) : null;
  return (
    <span className={`ws-mark${workspace.isDemo ? " ws-mark-demo" : ""}`} aria-hidden="true">
      {src ? <img src={src} alt="" /> : initials(workspace.name)}
    </span>
  );
}
