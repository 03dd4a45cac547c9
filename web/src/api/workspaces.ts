import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type {
  createWorkspace,
  deleteWorkspaceSchema,
  resolveSlug,
  settingsSchema,
  WorkspaceSettings,
} from "../../../worker/services/workspaces";
import type { DemoSeedStatus } from "../../../worker/services/demo-seed";
import { api } from "./client";
import { meQuery } from "./account";

export type { WorkspaceSettings };
export type CreatedWorkspace = Awaited<ReturnType<typeof createWorkspace>>;
export type SettingsInput = z.input<typeof settingsSchema>;
export type SlugResolution = Awaited<ReturnType<typeof resolveSlug>>;

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;

export const settingsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "settings"],
    queryFn: ({ signal }) => api<WorkspaceSettings>(`${base(orgId)}/settings`, { signal }),
  });

export const useWorkspaceSettings = (orgId: string) => useQuery(settingsQuery(orgId));

/** How often the demo's seed progress is read while the seed runs. */
export const DEMO_SEED_POLL_MS = 5_000;

/** The demo's seed progress; polled while the seed runs, not at all in other workspaces. */
export const useDemoSeed = (orgId: string, isDemo: boolean) =>
  useQuery({
    queryKey: ["orgs", orgId, "demo-seed"],
    queryFn: ({ signal }) => api<DemoSeedStatus>(`${base(orgId)}/demo-seed`, { signal }),
    enabled: isDemo,
    refetchInterval: (q) => (q.state.data?.seeding ? DEMO_SEED_POLL_MS : false),
  });

/** A current or old (within its redirect window) slug among the caller's workspaces. */
export const fetchSlug = (slug: string) => api<SlugResolution>(`/api/slugs/${encodeURIComponent(slug)}`);

export function useCreateWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { name?: string } = {}) =>
      api<{ workspace: CreatedWorkspace }>("/api/workspaces", { method: "POST", json: input }).then((r) => r.workspace),
    onSuccess: () => qc.invalidateQueries({ queryKey: meQuery.queryKey }),
  });
}

/** Settings changes also change what /api/me lists (name, slug, logo), so both are refreshed. */
function useSettingsMutation<TInput>(orgId: string, fn: (input: TInput) => Promise<WorkspaceSettings>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async (settings) => {
      qc.setQueryData(settingsQuery(orgId).queryKey, settings);
      await qc.invalidateQueries({ queryKey: meQuery.queryKey });
      await qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] });
    },
  });
}

export const useUpdateSettings = (orgId: string) =>
  useSettingsMutation(orgId, (input: SettingsInput) =>
    api<WorkspaceSettings>(`${base(orgId)}/settings`, { method: "PATCH", json: input }),
  );

export const useUploadLogo = (orgId: string) =>
  useSettingsMutation(orgId, (file: File) => api<WorkspaceSettings>(`${base(orgId)}/logo`, { method: "PUT", body: file }));

export const useRemoveLogo = (orgId: string) =>
  useSettingsMutation(orgId, () => api<WorkspaceSettings>(`${base(orgId)}/logo`, { method: "DELETE" }));

export function useDeleteWorkspace(orgId: string) {
  return useMutation({
    mutationFn: (input: z.input<typeof deleteWorkspaceSchema>) =>
      api<{ ok: true }>(base(orgId), { method: "DELETE", json: input }),
  });
}

export function useLeaveDemo(orgId: string) {
  return useMutation({
    mutationFn: () => api<{ ok: true }>(`${base(orgId)}/leave`, { method: "POST" }),
  });
}
