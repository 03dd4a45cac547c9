import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import type { AuditPage, listAuditFacets } from "../../../worker/services/audit";
import { api } from "./client";

export type AuditEntry = AuditPage["entries"][number];
export type AuditFacets = Awaited<ReturnType<typeof listAuditFacets>>;

export interface AuditFilters {
  resourceType: string;
  operation: string;
  actor: string;
}

const PAGE_SIZE = 50;
const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/audit`;

/** Keyset pagination: each page asks for entries older than the previous page's last id. */
export const auditQuery = (orgId: string, filters: AuditFilters) =>
  infiniteQueryOptions({
    queryKey: ["orgs", orgId, "audit", "entries", filters],
    queryFn: ({ pageParam, signal }) =>
      api<AuditPage>(base(orgId), {
        signal,
        query: { ...filters, cursor: pageParam, limit: PAGE_SIZE },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Changing a filter keeps the current rows on screen until the new ones arrive.
    placeholderData: keepPreviousData,
  });

export const useAuditLog = (orgId: string, filters: AuditFilters) => useInfiniteQuery(auditQuery(orgId, filters));

export const useAuditFacets = (orgId: string) =>
  useQuery(
    queryOptions({
      queryKey: ["orgs", orgId, "audit", "facets"],
      queryFn: ({ signal }) => api<AuditFacets>(`${base(orgId)}/facets`, { signal }),
    }),
  );
