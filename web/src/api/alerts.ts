import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { AlertThresholds, ChannelAlertOverrides } from "../../../worker/lib/alert-thresholds";
import type { ThresholdsView } from "../../../worker/services/alerts/thresholds";
import { api } from "./client";

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;
const key = (orgId: string) => ["orgs", orgId, "alert-thresholds"] as const;

export const alertThresholdsQuery = (orgId: string) =>
  queryOptions({ queryKey: key(orgId), queryFn: ({ signal }) => api<ThresholdsView>(`${base(orgId)}/alert-thresholds`, { signal }) });

export const useAlertThresholds = (orgId: string) => useQuery(alertThresholdsQuery(orgId));

function useThresholdsMutation<I>(orgId: string, fn: (input: I) => Promise<ThresholdsView>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (view) => qc.setQueryData(key(orgId), view),
    onSettled: () => qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
  });
}

export const useSaveWorkspaceThresholds = (orgId: string) =>
  useThresholdsMutation(orgId, (input: AlertThresholds) => api<ThresholdsView>(`${base(orgId)}/alert-thresholds`, { method: "PUT", json: input }));

export const useSaveChannelThresholds = (orgId: string, channelId: string) =>
  useThresholdsMutation(orgId, (input: ChannelAlertOverrides) =>
    api<ThresholdsView>(`${base(orgId)}/channels/${encodeURIComponent(channelId)}/alert-thresholds`, { method: "PUT", json: input }),
  );

/** Overrides of the identity's sending domain (shared by the domain's identities). */
export const useSaveIdentityThresholds = (orgId: string, identityId: string) =>
  useThresholdsMutation(orgId, (input: ChannelAlertOverrides) =>
    api<ThresholdsView>(`${base(orgId)}/identities/${encodeURIComponent(identityId)}/alert-thresholds`, { method: "PUT", json: input }),
  );
