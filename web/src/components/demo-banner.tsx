import { useNavigate } from "@tanstack/react-router";
import type { MeWorkspace } from "../api/account";
import { errorMessage } from "../api/client";
import { useCreateWorkspace } from "../api/workspaces";
import { SparklesIcon } from "./icons";
import { useToast } from "./toast";

/**
 * Shown across the demo workspace. "Switch to your workspace" opens the user's own workspace (the one
 * they own, else any they belong to) or, when they have none, creates it and opens its Setup Guide.
 */
export function DemoBanner({ workspaces }: { workspaces: MeWorkspace[] }) {
  const navigate = useNavigate();
  const notify = useToast();
  const create = useCreateWorkspace();
  const own = workspaces.find((w) => !w.isDemo && w.role === "owner") ?? workspaces.find((w) => !w.isDemo);

  const onSwitch = () => {
    if (own) {
      void navigate({ to: "/w/$slug", params: { slug: own.slug } });
      return;
    }
    create.mutate(
      {},
      {
        onSuccess: (ws) => void navigate({ to: "/w/$slug/setup", params: { slug: ws.slug } }),
        onError: (err) => notify(errorMessage(err), "error"),
      },
    );
  };

  return (
    <div className="demo-banner" role="region" aria-label="Demo workspace">
      <div className="demo-banner-text">
        <SparklesIcon />
        Exploring with sample data
        <span>· the demo workspace is read-only</span>
      </div>
      <button type="button" className="btn btn-sm" onClick={onSwitch} disabled={create.isPending}>
        {create.isPending && <span className="spinner" aria-hidden="true" />}
        Switch to your workspace
      </button>
    </div>
  );
}
