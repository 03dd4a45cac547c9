import { infiniteQueryOptions, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { createEndpointSchema, getEndpoint, listEndpoints, rotateSecret, updateEndpointSchema, WebhookDeliveryView } from "../../../worker/services/webhooks/endpoints";
import type { resendDelivery, sendTestEvent } from "../../../worker/services/webhooks/delivery";
import { api } from "./client";

export type WebhookList = Awaited<ReturnType<typeof listEndpoints>>;
export type WebhookEndpoint = WebhookList["endpoints"][number];
export type WebhookDetailPage = Awaited<ReturnType<typeof getEndpoint>>;
export type WebhookDelivery = WebhookDeliveryView;
export type CreatedWebhook = { endpoint: WebhookDetailPage["endpoint"]; secret: string };
export type RotatedWebhook = Awaited<ReturnType<typeof rotateSecret>>;

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/webhooks`;
const one = (orgId: string, id: string) => `${base(orgId)}/${encodeURIComponent(id)}`;

export const webhooksQuery = (orgId: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "webhooks"],
    queryFn: ({ signal }) => api<WebhookList>(base(orgId), { signal }),
  });
export const useWebhooks = (orgId: string) => useQuery(webhooksQuery(orgId));

export const webhookQuery = (orgId: string, id: string) =>
  infiniteQueryOptions({
    queryKey: ["orgs", orgId, "webhooks", id],
    queryFn: ({ pageParam, signal }) => api<WebhookDetailPage>(one(orgId, id), { signal, query: { cursor: pageParam } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
  });
export const useWebhook = (orgId: string, id: string) => useInfiniteQuery(webhookQuery(orgId, id));

function useInvalidate(orgId: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: webhooksQuery(orgId).queryKey }),
      qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
    ]);
}

/** Resolves with the signing secret, which the API returns only in this answer. */
export function useCreateWebhook(orgId: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (input: z.input<typeof createEndpointSchema>) => api<CreatedWebhook>(base(orgId), { method: "POST", json: input }),
    onSuccess: invalidate,
  });
}

export function useUpdateWebhook(orgId: string, id: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (input: z.input<typeof updateEndpointSchema>) => api(one(orgId, id), { method: "PATCH", json: input }),
    onSuccess: invalidate,
  });
}

export function useSetWebhookEnabled(orgId: string, id: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (enabled: boolean) => api(`${one(orgId, id)}/enabled`, { method: "PUT", json: { enabled } }),
    onSuccess: invalidate,
  });
}

export function useDeleteWebhook(orgId: string, id: string) {
  const qc = useQueryClient();
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: () => api(one(orgId, id), { method: "DELETE" }),
    onSuccess: () => {
      qc.removeQueries({ queryKey: webhookQuery(orgId, id).queryKey });
      return invalidate();
    },
  });
}

export function useRotateWebhookSecret(orgId: string, id: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: () => api<RotatedWebhook>(`${one(orgId, id)}/rotate-secret`, { method: "POST" }),
    onSuccess: invalidate,
  });
}

export function useSendTestEvent(orgId: string, id: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: () => api<Awaited<ReturnType<typeof sendTestEvent>>>(`${one(orgId, id)}/test`, { method: "POST" }),
    onSuccess: invalidate,
  });
}

export function useResendDelivery(orgId: string, id: string) {
  const invalidate = useInvalidate(orgId);
  return useMutation({
    mutationFn: (deliveryId: string) =>
      api<Awaited<ReturnType<typeof resendDelivery>>>(`${one(orgId, id)}/deliveries/${encodeURIComponent(deliveryId)}/resend`, { method: "POST" }),
    onSuccess: invalidate,
  });
}
