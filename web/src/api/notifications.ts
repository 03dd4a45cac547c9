import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { InboxPage } from "../../../worker/services/notifications/inbox";
import type { PreferenceChanges, PreferencesView, PresetView, TeamMemberPreferences } from "../../../worker/services/notifications/preferences";
import type { SlackIntegrationView } from "../../../worker/services/notifications/slack";
import type { NotificationCategory, NotificationSeverity } from "../../../worker/lib/notification-types";
import { applyChanges } from "../../../worker/lib/notification-preferences";
import { api } from "./client";

export type InboxItem = InboxPage["data"][number];
export type { PreferencesView, PresetView, TeamMemberPreferences, SlackIntegrationView };
export type PreferenceChange = PreferenceChanges["changes"][number];

export interface InboxFilters {
  category: NotificationCategory | "";
  severity: NotificationSeverity | "";
}

const PAGE_SIZE = 25;
const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/notifications`;
const keyOf = (orgId: string) => ["orgs", orgId, "notifications"] as const;

export const inboxQuery = (orgId: string, filters: InboxFilters) =>
  infiniteQueryOptions({
    queryKey: [...keyOf(orgId), "inbox", filters],
    queryFn: ({ pageParam, signal }) =>
      api<InboxPage>(`${base(orgId)}/inbox`, {
        signal,
        query: { category: filters.category || undefined, severity: filters.severity || undefined, cursor: pageParam, limit: PAGE_SIZE },
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    placeholderData: keepPreviousData,
  });

export const useInbox = (orgId: string, filters: InboxFilters) => useInfiniteQuery(inboxQuery(orgId, filters));

/** The sidebar's unread counter; refreshed every minute so new alerts show without a reload. */
export const useUnreadCount = (orgId: string, enabled: boolean) =>
  useQuery(
    queryOptions({
      queryKey: [...keyOf(orgId), "unread"],
      queryFn: ({ signal }) => api<{ unread: number }>(`${base(orgId)}/unread-count`, { signal }),
      enabled,
      refetchInterval: 60_000,
    }),
  );

function useInvalidateInbox(orgId: string) {
  const qc = useQueryClient();
  return () =>
    Promise.all([qc.invalidateQueries({ queryKey: [...keyOf(orgId), "inbox"] }), qc.invalidateQueries({ queryKey: [...keyOf(orgId), "unread"] })]);
}

export function useMarkNotifications(orgId: string) {
  const invalidate = useInvalidateInbox(orgId);
  return useMutation({
    mutationFn: (input: { ids: string[]; read: boolean }) => api<{ changed: number; unread: number }>(`${base(orgId)}/inbox/mark`, { method: "POST", json: input }),
    onSuccess: invalidate,
  });
}

export function useMarkAllRead(orgId: string) {
  const invalidate = useInvalidateInbox(orgId);
  return useMutation({
    mutationFn: () => api<{ changed: number; unread: number }>(`${base(orgId)}/inbox/mark-all-read`, { method: "POST" }),
    onSuccess: invalidate,
  });
}

const preferencesQuery = (orgId: string) =>
  queryOptions({ queryKey: [...keyOf(orgId), "preferences"], queryFn: ({ signal }) => api<PreferencesView>(`${base(orgId)}/preferences`, { signal }) });

export const usePreferences = (orgId: string) => useQuery(preferencesQuery(orgId));

/** Saved on change: the toggle flips at once, the answer (the whole map) replaces it, a failure puts it back. */
export function useUpdatePreferences(orgId: string) {
  const qc = useQueryClient();
  const { queryKey } = preferencesQuery(orgId);
  return useMutation({
    mutationFn: (changes: PreferenceChange[]) => api<PreferencesView>(`${base(orgId)}/preferences`, { method: "PATCH", json: { changes } }),
    onMutate: async (changes) => {
      await qc.cancelQueries({ queryKey });
      const previous = qc.getQueryData(queryKey);
      if (previous) qc.setQueryData(queryKey, { ...previous, preferences: applyChanges(previous.preferences, changes) });
      return { previous };
    },
    onError: (_err, _changes, context) => context?.previous && qc.setQueryData(queryKey, context.previous),
    onSuccess: (view) => qc.setQueryData(queryKey, view),
  });
}

const presetsQuery = (orgId: string) =>
  queryOptions({
    queryKey: [...keyOf(orgId), "presets"],
    queryFn: ({ signal }) => api<{ presets: PresetView[] }>(`${base(orgId)}/presets`, { signal }).then((r) => r.presets),
  });

export const usePresets = (orgId: string) => useQuery(presetsQuery(orgId));

export function useCreatePreset(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api<PresetView>(`${base(orgId)}/presets`, { method: "POST", json: { name } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: presetsQuery(orgId).queryKey }),
  });
}

export function useApplyPreset(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (presetId: string) => api<PreferencesView>(`${base(orgId)}/presets/apply`, { method: "POST", json: { presetId } }),
    onSuccess: (view) => qc.setQueryData(preferencesQuery(orgId).queryKey, view),
  });
}

export function useDeletePreset(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (presetId: string) => api<void>(`${base(orgId)}/presets/${encodeURIComponent(presetId)}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: presetsQuery(orgId).queryKey }),
  });
}

const teamQuery = (orgId: string) =>
  queryOptions({
    queryKey: [...keyOf(orgId), "team"],
    queryFn: ({ signal }) => api<{ members: TeamMemberPreferences[] }>(`${base(orgId)}/team`, { signal }).then((r) => r.members),
  });

export const useTeamPreferences = (orgId: string, enabled: boolean) => useQuery({ ...teamQuery(orgId), enabled });

/** As useUpdatePreferences, for a member's row of the Team tab. */
export function useUpdateMemberPreferences(orgId: string) {
  const qc = useQueryClient();
  const { queryKey } = teamQuery(orgId);
  return useMutation({
    mutationFn: ({ userId, changes }: { userId: string; changes: PreferenceChange[] }) =>
      api<PreferencesView>(`${base(orgId)}/team/${encodeURIComponent(userId)}`, { method: "PATCH", json: { changes } }),
    onMutate: async ({ userId, changes }) => {
      await qc.cancelQueries({ queryKey });
      const previous = qc.getQueryData(queryKey);
      if (previous) qc.setQueryData(queryKey, previous.map((m) => (m.userId === userId ? { ...m, preferences: applyChanges(m.preferences, changes) } : m)));
      return { previous };
    },
    onError: (_err, _input, context) => context?.previous && qc.setQueryData(queryKey, context.previous),
    onSettled: () => qc.invalidateQueries({ queryKey: keyOf(orgId) }),
  });
}

export function useApplyPresetToMember(orgId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, presetId }: { userId: string; presetId: string }) =>
      api<PreferencesView>(`${base(orgId)}/team/${encodeURIComponent(userId)}/apply-preset`, { method: "POST", json: { presetId } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: keyOf(orgId) }),
  });
}

// ---- Connections → Integrations → Slack ----

const slackBase = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}/integrations/slack`;
const slackQuery = (orgId: string) =>
  queryOptions({ queryKey: ["orgs", orgId, "integrations", "slack"], queryFn: ({ signal }) => api<SlackIntegrationView>(slackBase(orgId), { signal }) });

export const useSlackIntegration = (orgId: string) => useQuery(slackQuery(orgId));

function useSlackMutation<I>(orgId: string, fn: (input: I) => Promise<SlackIntegrationView>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (view) => {
      qc.setQueryData(slackQuery(orgId).queryKey, view);
      void qc.invalidateQueries({ queryKey: ["orgs", orgId, "audit"] });
    },
  });
}

export const useSaveSlack = (orgId: string) =>
  useSlackMutation(orgId, (webhookUrl: string) => api<SlackIntegrationView>(slackBase(orgId), { method: "PUT", json: { webhookUrl } }));
export const useRemoveSlack = (orgId: string) => useSlackMutation(orgId, () => api<SlackIntegrationView>(slackBase(orgId), { method: "DELETE" }));
export const useTestSlack = (orgId: string) => useMutation({ mutationFn: () => api<{ sent: true }>(`${slackBase(orgId)}/test`, { method: "POST" }) });
