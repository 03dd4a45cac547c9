import { queryOptions, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { z } from "zod";
import type { createChannelSchema } from "../../../worker/services/channels/manage";
import type { SettingsPatch } from "../../../worker/services/channels/sync";
import type { EventDestinationsView } from "../../../worker/services/channels/manage";
import type { ChannelView, EventDestinationView } from "../../../worker/services/channels/views";
import { api } from "./client";
import { identitiesKey } from "./identities";
import { setupIdentitiesKey } from "./setup";

export type Channel = ChannelView;
export type EventDestination = EventDestinationView;
export type EventDestinations = EventDestinationsView;
export type NewChannel = z.input<typeof createChannelSchema>;

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/channels`;
const one = (orgId: string, id: string) => `${base(orgId)}/${encodeURIComponent(id)}`;

export const channelsQuery = (orgId: string, archived: boolean) =>
  queryOptions({
    queryKey: ["orgs", orgId, "channels", "list", { archived }],
    queryFn: ({ signal }) => api<{ channels: Channel[] }>(`${base(orgId)}${archived ? "?archived=1" : ""}`, { signal }).then((r) => r.channels),
  });

export const channelQuery = (orgId: string, id: string) =>
  queryOptions({
    queryKey: ["orgs", orgId, "channels", "one", id],
    queryFn: ({ signal }) => api<{ channel: Channel }>(one(orgId, id), { signal }).then((r) => r.channel),
  });

export const useChannels = (orgId: string, archived: boolean) => useQuery(channelsQuery(orgId, archived));
export const useChannel = (orgId: string, id: string) => useQuery(channelQuery(orgId, id));

/** Read from SES on every visit: what the set publishes now (for the demo, possibly what SendOps configured; see `source`). */
export const useEventDestinations = (orgId: string, id: string, enabled: boolean) =>
  useQuery({
    queryKey: ["orgs", orgId, "channels", "one", id, "event-destinations"],
    queryFn: ({ signal }) => api<EventDestinations>(`${one(orgId, id)}/event-destinations`, { signal }),
    enabled,
  });

/**
 * After any change: the channel (list and detail), the report filter's channels, the audit log, and what
 * shows channels beside identities (the Identities page's Channel column and dropdown — a rename or delete
 * moves identities — and the Setup Guide's configuration sets).
 */
function useChannelMutation<I, O>(orgId: string, fn: (input: I) => Promise<O>, deletes?: string) {
  const qc = useQueryClient();
  const ofDeleted = (key: readonly unknown[]) => deletes !== undefined && channelQuery(orgId, deletes).queryKey.every((part, i) => key[i] === part);
  return useMutation({
    mutationFn: fn,
    onSettled: () =>
      Promise.all([
        // A deleted channel's detail is not refetched: its 404 would replace the page before Delete's own navigation away.
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "channels"], predicate: (q) => !ofDeleted(q.queryKey) }),
        qc.invalidateQueries({ queryKey: identitiesKey(orgId) }),
        qc.invalidateQueries({ queryKey: setupIdentitiesKey(orgId) }),
        qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] }),
      ]),
  });
}

export const useCreateChannel = (orgId: string) =>
  useChannelMutation(orgId, (input: NewChannel) => api<{ channel: Channel }>(base(orgId), { method: "POST", json: input }).then((r) => r.channel));

export const useUpdateChannelSettings = (orgId: string, id: string) =>
  useChannelMutation(orgId, (patch: SettingsPatch) => api<{ channel: Channel }>(`${one(orgId, id)}/settings`, { method: "PATCH", json: patch }).then((r) => r.channel));

export const useRetryChannelSync = (orgId: string, id: string) =>
  useChannelMutation(orgId, () => api<{ channel: Channel }>(`${one(orgId, id)}/retry-sync`, { method: "POST" }).then((r) => r.channel));

export const useSetDefaultChannel = (orgId: string, id: string) =>
  useChannelMutation(orgId, () => api<{ channel: Channel }>(`${one(orgId, id)}/default`, { method: "POST" }).then((r) => r.channel));

export const useRenameChannel = (orgId: string, id: string) =>
  useChannelMutation(orgId, (name: string) => api<{ channel: Channel }>(one(orgId, id), { method: "PATCH", json: { name } }).then((r) => r.channel));

export const useDeleteChannel = (orgId: string, id: string) =>
  useChannelMutation(orgId, () => api<{ deleted: true; identitiesMoved: string[] }>(one(orgId, id), { method: "DELETE" }), id);

export const useArchiveChannel = (orgId: string, id: string) =>
  useChannelMutation(orgId, (archived: boolean) => api<{ channel: Channel }>(`${one(orgId, id)}/${archived ? "archive" : "restore"}`, { method: "POST" }).then((r) => r.channel));
