import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { createTrackingDomainSchema, DeletedTrackingDomain } from "../../../worker/services/tracking-domains/manage";
import type { TrackingDomainView } from "../../../worker/services/tracking-domains/views";
import { api } from "./client";

export type TrackingDomain = TrackingDomainView;
export type { DeletedTrackingDomain };

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/tracking-domains`;
const one = (orgId: string, id: string) => `${base(orgId)}/${encodeURIComponent(id)}`;

export const trackingDomainsQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "tracking-domains"],
    queryFn: ({ signal }) => api<{ data: TrackingDomain[]; limit: number }>(base(orgId), { signal }),
  });

export const trackingDomainQuery = (orgId: string, id: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "tracking-domains", id],
    queryFn: ({ signal }) => api<TrackingDomain>(one(orgId, id), { signal }),
  });

export const useTrackingDomains = (orgId: string) => useQuery(trackingDomainsQuery(orgId));

/** While a check is scheduled, the page follows it: the background checks change the statuses. */
export const useTrackingDomain = (orgId: string, id: string) =>
  useQuery({ ...trackingDomainQuery(orgId, id), refetchInterval: (q) => (q.state.data?.nextCheckAt ? 30_000 : false) });

function useSettle(orgId: string) {
  const qc = useQueryClient();
  return (view?: TrackingDomain) => {
    if (view) qc.setQueryData(trackingDomainQuery(orgId, view.id).queryKey, view);
    return Promise.all([
      qc.invalidateQueries({ queryKey: trackingDomainsQuery(orgId).queryKey, exact: true }),
      qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
    ]);
  };
}

export function useCreateTrackingDomain(orgId: string) {
  const settle = useSettle(orgId);
  return useMutation({
    mutationFn: (input: z.input<typeof createTrackingDomainSchema>) => api<TrackingDomain>(base(orgId), { method: "POST", json: input }),
    onSuccess: settle,
  });
}

export function useUpdateTrackingDomainCdn(orgId: string, id: string) {
  const settle = useSettle(orgId);
  return useMutation({
    mutationFn: (cdnDomain: string) => api<TrackingDomain>(one(orgId, id), { method: "PATCH", json: { cdnDomain } }),
    onSuccess: settle,
  });
}

export function useVerifyTrackingDomain(orgId: string, id: string) {
  const settle = useSettle(orgId);
  return useMutation({
    mutationFn: () => api<TrackingDomain>(`${one(orgId, id)}/verify`, { method: "POST" }),
    onSuccess: settle,
  });
}

export function useDeleteTrackingDomain(orgId: string, id: string) {
  const qc = useQueryClient();
  const settle = useSettle(orgId);
  return useMutation({
    mutationFn: () => api<DeletedTrackingDomain>(one(orgId, id), { method: "DELETE" }),
    onSuccess: () => {
      qc.removeQueries({ queryKey: trackingDomainQuery(orgId, id).queryKey });
      return settle();
    },
  });
}
