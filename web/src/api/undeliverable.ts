import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Reason, Rules } from "../../../worker/classification/rules";
import type { Preview } from "../../../worker/classification/preview";
import type { RulesView, UndeliverablePage, UndeliverableRow } from "../../../worker/classification/types";
import { api } from "./client";

export type { Preview, Reason, Rules, RulesView, UndeliverablePage, UndeliverableRow };

export interface UndeliverableFilters {
  search: string;
  status: "listed" | "excluded" | "all";
  reason: Reason | "";
}

const PAGE_SIZE = 50;
const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/undeliverable`;

/** Keyset pagination: each page continues after the previous page's last row. */
export const undeliverableQuery = (orgId: string, filters: UndeliverableFilters) =>
  infiniteQueryOptions({
    queryKey: ["orgs", orgId, "undeliverable", "list", filters],
    queryFn: ({ pageParam, signal }) =>
      api<UndeliverablePage>(base(orgId), { signal, query: { ...filters, cursor: pageParam, limit: PAGE_SIZE } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });

export const useUndeliverable = (orgId: string, filters: UndeliverableFilters) => useInfiniteQuery(undeliverableQuery(orgId, filters));

/** The CSV export of the same filters (a plain link: the browser streams the download). */
export function exportUrl(orgId: string, filters: UndeliverableFilters): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  return `${base(orgId)}/export.csv?${params}`;
}

export const rulesQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "undeliverable", "rules"],
    queryFn: ({ signal }) => api<RulesView>(`${base(orgId)}/rules`, { signal }),
  });

export const useRules = (orgId: string) => useQuery(rulesQuery(orgId));

/** The live preview of candidate rules; null while there is nothing to compare. */
export const usePreview = (orgId: string, candidate: Rules | null) =>
  useQuery({
    queryKey: ["orgs", orgId, "undeliverable", "preview", candidate],
    queryFn: ({ signal }) => api<Preview>(`${base(orgId)}/rules/preview`, { method: "POST", json: candidate, signal }),
    enabled: candidate !== null,
    placeholderData: keepPreviousData,
    staleTime: 10_000,
  });

function useInvalidate(orgId: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ["orgs", orgId, "undeliverable"] }),
      qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
    ]);
}

/** `onSaved` runs before the queries refetch (the editor remounts on the new version). */
export function useSaveRules(orgId: string, onSaved: (saved: RulesView) => void) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (rules: Rules) => api<RulesView>(`${base(orgId)}/rules`, { method: "PUT", json: rules }),
    onSuccess: (saved) => {
      onSaved(saved);
      return invalidate();
    },
  });
}

export function useAllow(orgId: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (input: { email: string; note?: string }) =>
      api<{ row: UndeliverableRow }>(`${base(orgId)}/allow`, { method: "POST", json: input }),
    onSuccess: invalidate,
  });
}

export function useRelist(orgId: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (email: string) => api<{ row: UndeliverableRow | null }>(`${base(orgId)}/relist`, { method: "POST", json: { email } }),
    onSuccess: invalidate,
  });
}
