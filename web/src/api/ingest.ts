import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { IngestOverview, listRejectedPayloads } from "../../../worker/services/ingest/admin";
import type { listDeadLetters, replayDeadLetter } from "../../../worker/services/ingest/dead-letters";
import type { createIngestKey } from "../../../worker/services/ingest/keys";
import type { DropReason } from "../../../worker/services/ingest/normalise";
import { api } from "./client";

export type { DropReason, IngestOverview };
export type IngestKey = IngestOverview["keys"][number];
export type CreatedIngestKey = Awaited<ReturnType<typeof createIngestKey>>;
export type RejectedPayloadsPage = Awaited<ReturnType<typeof listRejectedPayloads>>;
export type RejectedPayload = RejectedPayloadsPage["data"][number];
export type DeadLettersPage = Awaited<ReturnType<typeof listDeadLetters>>;
export type DeadLetter = DeadLettersPage["data"][number];
export type ReplayedDeadLetter = Awaited<ReturnType<typeof replayDeadLetter>>;

/** Rejected bodies can be up to 256 KB each, so pages stay small. */
const PAGE_SIZE = 25;
const org = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;

export const ingestOverviewQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "ingest", "overview"],
    queryFn: ({ signal }) => api<IngestOverview>(`${org(orgId)}/ingest`, { signal }),
  });

export const useIngestOverview = (orgId: string) => useQuery(ingestOverviewQuery(orgId));

/** Creates the new key (the old one keeps 24 h); resolves with the plaintext, which the API returns only here. */
export function useRotateIngestKey(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api<CreatedIngestKey>(`${org(orgId)}/ingest/keys`, { method: "POST" }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: ingestOverviewQuery(orgId).queryKey }),
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
      ]),
  });
}

/** Keyset pagination: each page continues after the previous page's last row. */
export const rejectedPayloadsQuery = (orgId: string) =>
  infiniteQueryOptions({
    queryKey: ["orgs", orgId, "ingest", "rejected"],
    queryFn: ({ pageParam, signal }) =>
      api<RejectedPayloadsPage>(`${org(orgId)}/rejected-payloads`, { signal, query: { cursor: pageParam, limit: PAGE_SIZE } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

export const useRejectedPayloads = (orgId: string) => useInfiniteQuery(rejectedPayloadsQuery(orgId));

export const deadLettersQuery = (orgId: string) =>
  infiniteQueryOptions({
    queryKey: ["orgs", orgId, "ingest", "dead-letters"],
    queryFn: ({ pageParam, signal }) =>
      api<DeadLettersPage>(`${org(orgId)}/dead-letters`, { signal, query: { cursor: pageParam, limit: PAGE_SIZE } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });

export const useDeadLetters = (orgId: string) => useInfiniteQuery(deadLettersQuery(orgId));

export function useReplayDeadLetter(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api<ReplayedDeadLetter>(`${org(orgId)}/dead-letters/${encodeURIComponent(id)}/replay`, { method: "POST" }),
    onSuccess: () =>
      Promise.all([
        qc.invalidateQueries({ queryKey: deadLettersQuery(orgId).queryKey }),
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
      ]),
  });
}
