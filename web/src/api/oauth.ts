import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { OAuthProviderId } from "../../../worker/integrations/oauth-provider";
import type { Connections } from "../../../worker/services/social-sign-in";
import { api } from "./client";

export type { OAuthProviderId };

/** The providers this deployment offers (none configured: no buttons). */
export const providersQuery = queryOptions({
  queryKey: ["auth", "providers"],
  queryFn: ({ signal }) => api<{ providers: { id: OAuthProviderId; name: string }[] }>("/api/auth/providers", { signal }),
  staleTime: 5 * 60_000,
});

export const useProviders = () => useQuery(providersQuery);

export const connectionsQuery = queryOptions({
  queryKey: ["me", "connections"],
  queryFn: ({ signal }) => api<Connections>("/api/me/connections", { signal }),
});

export function useDisconnect() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (provider: OAuthProviderId) => api<Connections>(`/api/me/connections/${provider}`, { method: "DELETE" }),
    onSuccess: (data) => qc.setQueryData(connectionsQuery.queryKey, data),
  });
}

/** Browser navigations (not fetches): the provider's pages must load in the window. */
export const signInWithUrl = (provider: OAuthProviderId) => `/api/auth/oauth/${provider}/start`;
/** Connecting comes back to `returnTo` (the Profile page it started from). */
export const connectUrl = (provider: OAuthProviderId, returnTo: string) => `/api/me/connections/${provider}/connect?returnTo=${encodeURIComponent(returnTo)}`;
