import type { QueryClient } from "@tanstack/react-query";
import type { UseNavigateResult } from "@tanstack/react-router";
import { meQuery, type Me } from "../api/account";
import { api } from "../api/client";
import { forgetWorkspace } from "./last-workspace";

/**
 * After the user deleted or left the workspace they are in: open another one (the demo first), or the
 * "no workspace" page. The fresh profile goes into the cache only after navigating away, so the
 * workspace being left never renders without its data.
 */
export async function goAfterLeaving(qc: QueryClient, navigate: UseNavigateResult<string>, orgId: string): Promise<void> {
  const fresh = await api<Me>("/api/me");
  forgetWorkspace(fresh.user.id);
  const next = fresh.workspaces.find((w) => w.isDemo) ?? fresh.workspaces[0];
  if (next) {
    await navigate({ to: "/w/$slug", params: { slug: next.slug }, replace: true });
    qc.setQueryData(meQuery.queryKey, fresh);
  } else {
    qc.setQueryData(meQuery.queryKey, fresh);
    await navigate({ to: "/", replace: true });
  }
  qc.removeQueries({ queryKey: ["orgs", orgId] });
}
