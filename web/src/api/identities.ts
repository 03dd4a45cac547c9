import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { IdentitiesView, IdentityView } from "../../../worker/services/identities/views";
import { api } from "./client";
import { setupKey } from "./setup";

export type * from "../../../worker/services/identities/views";
export type { DkimRecordCheck, DnsCheck, DnsCheckStatus } from "../../../worker/services/identities/dns-check";
export type { DnsRecordView } from "../../../worker/services/identities/records";
export { DNS_PROVIDER_TIPS } from "../../../worker/services/identities/records";
export { isDomainName, isEmailAddress } from "../../../worker/services/identities/names";

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/identities`;
export const identitiesKey = (orgId: string) => ["orgs", orgId, "identities"] as const;

export const identitiesQuery = (orgId: string, archived: boolean) =>
  queryOptions({
    queryKey: [...identitiesKey(orgId), { archived }],
    queryFn: ({ signal }) => api<IdentitiesView>(base(orgId), { signal, query: archived ? { archived: "true" } : {} }),
  });

export const useIdentities = (orgId: string, archived: boolean) => useQuery(identitiesQuery(orgId, archived));

/** Any identity change shows on the Identities page, the Setup Guide's phase 3 and the audit log. */
function useInvalidate(orgId: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: identitiesKey(orgId) }),
      qc.invalidateQueries({ queryKey: setupKey(orgId) }),
      qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
    ]);
}

export function useAddIdentity(orgId: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (input: { kind: "domain"; domain: string } | { kind: "email"; email: string }) =>
      input.kind === "domain"
        ? api<IdentityView>(`${base(orgId)}/domains`, { method: "POST", json: { domain: input.domain } })
        : api<IdentityView>(`${base(orgId)}/emails`, { method: "POST", json: { email: input.email } }),
    onSuccess: invalidate,
  });
}

/** The per-row actions that answer the identity as it is afterwards. */
export type IdentityAction = "refresh" | "archive" | "restore" | "connect" | "disconnect";

export function useIdentityAction(orgId: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: IdentityAction }) =>
      api<IdentityView>(`${base(orgId)}/${encodeURIComponent(id)}/${action}`, { method: "POST" }),
    onSuccess: invalidate,
  });
}

export function useAssignChannel(orgId: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: ({ id, channelId }: { id: string; channelId: string | null }) =>
      api<IdentityView>(`${base(orgId)}/${encodeURIComponent(id)}/channel`, { method: "PUT", json: { channelId } }),
    onSuccess: invalidate,
  });
}

export function useDeleteIdentity(orgId: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (id: string) => api<{ deleted: true; id: string }>(`${base(orgId)}/${encodeURIComponent(id)}`, { method: "DELETE" }),
    onSuccess: invalidate,
  });
}
