import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { AwsConnectionView } from "../../../worker/services/aws-connection";
import type { AwsRegion } from "../../../worker/aws/regions";
import type { Suppression, SuppressionSyncView } from "../../../worker/services/suppressions";
import type { Page } from "../../../worker/lib/pagination";
import type { SuppressionReason } from "../../../worker/aws/ses";
import { api } from "./client";
import { refreshSetup } from "./setup";

export type { AwsConnectionView, Suppression, SuppressionReason, SuppressionSyncView };

const org = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;

// ---- Settings → AWS Connection ----

export const awsConnectionQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "aws-connection"],
    queryFn: ({ signal }) => api<AwsConnectionView>(`${org(orgId)}/aws-connection`, { signal }),
  });

export const useAwsConnection = (orgId: string) => useQuery(awsConnectionQuery(orgId));

/**
 * Every change of the connection also changes the suppression list (another account), the audit log, the
 * Setup Guide (its progress, the role's console link) and the status badge.
 */
function useConnectionMutation<I>(orgId: string, call: (input: I) => Promise<AwsConnectionView>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: (view) => {
      qc.setQueryData(awsConnectionQuery(orgId).queryKey, view);
      return Promise.all([
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "suppressions"] }),
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
        refreshSetup(qc, orgId),
      ]);
    },
  });
}

export const useConnectAws = (orgId: string) =>
  useConnectionMutation(orgId, (input: { roleArn: string; region: AwsRegion }) =>
    api<AwsConnectionView>(`${org(orgId)}/aws-connection`, { method: "PUT", json: input }),
  );
export const useRevalidateAws = (orgId: string) =>
  useConnectionMutation(orgId, () => api<AwsConnectionView>(`${org(orgId)}/aws-connection/validate`, { method: "POST" }));
export const useDisconnectAws = (orgId: string) =>
  useConnectionMutation(orgId, () => api<AwsConnectionView>(`${org(orgId)}/aws-connection`, { method: "DELETE" }));

// ---- Reports → Deliverability: Suppression List ----

export interface SuppressionFilters {
  q: string;
  reason: SuppressionReason | "";
  sort: "address" | "lastUpdate";
  order: "asc" | "desc";
}

const PAGE_SIZE = 50;

export const suppressionsQuery = (orgId: string, filters: SuppressionFilters) =>
  infiniteQueryOptions({
    queryKey: ["orgs", orgId, "suppressions", "list", filters],
    queryFn: ({ pageParam, signal }) =>
      api<Page<Suppression>>(`${org(orgId)}/suppressions`, { signal, query: { ...filters, cursor: pageParam, limit: PAGE_SIZE } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });

export const useSuppressions = (orgId: string, filters: SuppressionFilters) => useInfiniteQuery(suppressionsQuery(orgId, filters));

const syncKey = (orgId: string) => ["orgs", orgId, "suppressions", "sync"];

/** The sync's state, polled every 2 s while a sync runs; the list reloads when it ends. */
export function useSuppressionSync(orgId: string) {
  const qc = useQueryClient();
  return useQuery({
    queryKey: syncKey(orgId),
    queryFn: async ({ signal }) => {
      const previous = qc.getQueryData<SuppressionSyncView>(syncKey(orgId));
      const view = await api<SuppressionSyncView>(`${org(orgId)}/suppressions/sync`, { signal });
      if (previous?.running && !view.running) void qc.invalidateQueries({ queryKey: ["orgs", orgId, "suppressions", "list"] });
      return view;
    },
    refetchInterval: (q) => (q.state.data?.running ? 2000 : false),
  });
}

export function useRefreshSuppressions(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<SuppressionSyncView>(`${org(orgId)}/suppressions/sync`, { method: "POST" }),
    onSuccess: (view) => qc.setQueryData(syncKey(orgId), view),
  });
}

export function useDeleteSuppression(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (email: string) =>
      api<{ email: string; removedFromSes: boolean }>(`${org(orgId)}/suppressions/${encodeURIComponent(email)}`, { method: "DELETE" }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "suppressions"] }),
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
      ]),
  });
}
