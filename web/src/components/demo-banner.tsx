import { useState } from "react";
import { useNavigate } from "@tanstack/react-router";
import type { MeWorkspace } from "../api/account";
import { CreateWorkspaceDialog } from "./create-workspace-dialog";
import { SparklesIcon } from "./icons";

/**
 * Shown across the demo workspace. "Switch to your workspace" opens the user's own workspace (the one
 * they own, else any they belong to) or, when they have none, asks for its name and creates it.
 */
export function DemoBanner({ workspaces }: { workspaces: MeWorkspace[] }) {
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  const own = workspaces.find((w) => !w.isDemo && w.role === "owner") ?? workspaces.find((w) => !w.isDemo);

  const onSwitch = () => {
    if (own) void navigate({ to: "/w/$slug", params: { slug: own.slug } });
    else setCreating(true);
  };

  // The dialog sits outside the banner, whose button styles would otherwise reach into it.
  return (
    <>
      <div className="demo-banner" role="region" aria-label="Demo workspace">
        <div className="demo-banner-text">
          <SparklesIcon />
          Exploring with sample data
          <span>· the demo workspace is read-only</span>
        </div>
        <button type="button" className="btn btn-sm" onClick={onSwitch}>
          Switch to your workspace
        </button>
      </div>
      <CreateWorkspaceDialog open={creating} onClose={() => setCreating(false)} />
    </>
  );
}
