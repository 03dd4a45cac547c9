import { useQuery } from "@tanstack/react-query";
import { useMe, type MeWorkspace } from "../api/account";
import { settingsQuery } from "../api/workspaces";
import { SparklesIcon } from "./icons";

/** Mark colours, each dark enough for white initials on the light and the dark theme. */
const MARK_COLORS = ["#4f46e5", "#0f766e", "#c2410c", "#be185d", "#0369a1", "#15803d", "#7c3aed", "#b45309"];

/** A word every default name carries ("Dana's Workspace"): it tells workspaces apart from nothing. */
const GENERIC = /^workspace$/i;

/** "Acme Mail" → AM, "Dana's Workspace" → DA: the first letters of two words, or two of the only one. */
function initialsOf(name: string): string {
  const words = name
    .split(/\s+/)
    .filter((w) => w && !GENERIC.test(w))
    .map((w) => w.replace(/[^\p{L}\p{N}]/gu, ""))
    .filter(Boolean);
  const letters = words.length >= 2 ? words[0]![0]! + words[1]![0]! : (words[0] ?? "W").slice(0, 2);
  return letters.toUpperCase();
}

/**
 * The workspace's logo, or its initials on a colour of its own: the user's workspaces take the
 * colours in the order they were created (ids sort by creation), so no two of the first eight share
 * one and a rename keeps it. The demo has its own mark. The logo URL carries the logo's version when
 * the settings are cached (so a new upload shows at once); otherwise the plain URL revalidates with its ETag.
 */
export function WorkspaceMark({ workspace }: { workspace: Pick<MeWorkspace, "id" | "name" | "hasLogo" | "isDemo"> }) {
  const cached = useQuery({ ...settingsQuery(workspace.id), enabled: false }).data;
  const own = useMe()
    .workspaces.filter((w) => !w.isDemo)
    .map((w) => w.id)
    .sort();
  const src = workspace.hasLogo ? (cached?.logoUrl ?? `/api/orgs/${encodeURIComponent(workspace.id)}/logo`) : null;
  if (workspace.isDemo && !src)
    return (
      <span className="ws-mark ws-mark-demo" aria-hidden="true">
        <SparklesIcon size={15} />
      </span>
    );
  const color = MARK_COLORS[Math.max(0, own.indexOf(workspace.id)) % MARK_COLORS.length];
  return (
    <span className="ws-mark" aria-hidden="true" style={src ? undefined : { background: color }}>
      {src ? <img src={src} alt="" /> : initialsOf(workspace.name)}
    </span>
  );
}
