import { infiniteQueryOptions, keepPreviousData, queryOptions, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api, ApiError } from "./client";
import type { ChannelList } from "../../../worker/services/reports/catalog";
import type { ExportView } from "../../../worker/services/reports/csv";
import type { DeliverabilityReport } from "../../../worker/services/reports/deliverability";
import type { EngagementReport } from "../../../worker/services/reports/engagement";
import type { EventLogPage } from "../../../worker/services/reports/events";
import type { LatencyReport } from "../../../worker/services/reports/latency";
import type { MessageDetail, MessagePage } from "../../../worker/services/reports/messages";
import type { ProviderReport, ProviderSortColumn } from "../../../worker/services/reports/providers";
import { resolveRange, type RangeSpec, type Resolved, type WeekStart } from "../routes/reports/range";

export type { ChannelList, DeliverabilityReport, ExportView, EngagementReport, EventLogPage, LatencyReport, MessageDetail, MessagePage, ProviderReport, ProviderSortColumn };
export type MessageRow = MessagePage["messages"][number];
export type EventRow = EventLogPage["events"][number];
export type ProviderRow = ProviderReport["rows"][number];

/** What every report query depends on: the range (resolved when the request is made), channel, clock. */
export interface ReportScope {
  orgId: string;
  range: RangeSpec;
  channel: string | undefined;
  timeZone: string;
  weekStart: WeekStart;
  /** Refetch every 30 s while the Auto-refresh toggle is on. */
  live: boolean;
}

export const AUTO_REFRESH_MS = 30_000;
const PAGE_SIZE = 50;

const base = (orgId: string) => `/api/orgs/${encodeURIComponent(orgId)}`;
const keyOf = (s: ReportScope) => [s.range, s.channel ?? null, s.timeZone, s.weekStart] as const;

/** The query string shared by every report endpoint, with the range resolved against the clock now. */
export function scopeQuery(s: ReportScope, resolved: Resolved = resolveRange(s.range, s.timeZone, s.weekStart)) {
  return { from: resolved.from, to: resolved.to, channel: s.channel, tz: s.timeZone };
}

function reportQuery<T>(s: ReportScope, name: string, extra: Record<string, string | undefined> = {}) {
  return queryOptions({
    queryKey: ["orgs", s.orgId, "reports", name, ...keyOf(s), extra],
    queryFn: ({ signal }) => api<T>(`${base(s.orgId)}/reports/${name}`, { signal, query: { ...scopeQuery(s), ...extra } }),
    refetchInterval: s.live ? AUTO_REFRESH_MS : false,
    // A new filter keeps the previous figures on screen (dimmed) until the new ones arrive.
    placeholderData: keepPreviousData,
  });
}

export const useDeliverability = (s: ReportScope) => useQuery(reportQuery<DeliverabilityReport>(s, "deliverability"));
export const useLatency = (s: ReportScope) => useQuery(reportQuery<LatencyReport>(s, "latency"));
export const useEngagement = (s: ReportScope) => useQuery(reportQuery<EngagementReport>(s, "engagement"));
export const useProviders = (s: ReportScope, sort: ProviderSortColumn | undefined, dir: "asc" | "desc" | undefined) =>
  useQuery(reportQuery<ProviderReport>(s, "providers", { sort, dir }));

export interface MessageFilters {
  status: string | undefined;
  /** The beginning of the recipient's address (the search box). */
  recipientPrefix: string | undefined;
}

export const useMessages = (s: ReportScope, f: MessageFilters) =>
  useInfiniteQuery(
    infiniteQueryOptions({
      queryKey: ["orgs", s.orgId, "messages", ...keyOf(s), f],
      queryFn: ({ pageParam, signal }) =>
        api<MessagePage>(`${base(s.orgId)}/messages`, {
          signal,
          query: { ...scopeQuery(s), status: f.status, recipientPrefix: f.recipientPrefix, cursor: pageParam, limit: PAGE_SIZE },
        }),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.nextCursor,
      refetchInterval: s.live ? AUTO_REFRESH_MS : false,
      placeholderData: keepPreviousData,
    }),
  );

export interface EventFilters {
  types: readonly string[];
  /** The beginning of the recipient's address (the search box). */
  recipientPrefix: string | undefined;
}

export const useEventLog = (s: ReportScope, f: EventFilters) =>
  useInfiniteQuery(
    infiniteQueryOptions({
      queryKey: ["orgs", s.orgId, "events", ...keyOf(s), f],
      queryFn: ({ pageParam, signal }) =>
        api<EventLogPage>(`${base(s.orgId)}/events`, {
          signal,
          query: {
            ...scopeQuery(s),
            types: f.types.length ? f.types.join(",") : undefined,
            recipientPrefix: f.recipientPrefix,
            cursor: pageParam,
            limit: PAGE_SIZE,
          },
        }),
      initialPageParam: null as string | null,
      getNextPageParam: (last) => last.nextCursor,
      refetchInterval: s.live ? AUTO_REFRESH_MS : false,
      placeholderData: keepPreviousData,
    }),
  );

export const useMessageDetail = (orgId: string, id: string | undefined, live: boolean) =>
  useQuery(
    queryOptions({
      queryKey: ["orgs", orgId, "messages", "detail", id],
      queryFn: ({ signal }) => api<MessageDetail>(`${base(orgId)}/messages/${encodeURIComponent(id!)}`, { signal }),
      enabled: id !== undefined,
      refetchInterval: live ? AUTO_REFRESH_MS : false,
    }),
  );

export const useChannels = (orgId: string) =>
  useQuery(
    queryOptions({
      queryKey: ["orgs", orgId, "channels"],
      queryFn: ({ signal }) => api<ChannelList>(`${base(orgId)}/reports/channels`, { signal }),
      staleTime: 60_000,
    }),
  );


export interface ExportProgress {
  rows: number;
  bytes: number;
  /** From Content-Length when the server sends one (a streamed export usually does not). */
  totalBytes: number | null;
}

/**
 * Streams `GET …/reports/export.csv` and returns the file as a Blob, reporting rows and bytes as they
 * arrive (rows = newlines after the header). Errors come back as the API's JSON error body.
 */
export async function downloadExport(
  orgId: string,
  query: Record<string, string | number | undefined>,
  onProgress: (p: ExportProgress) => void,
  signal: AbortSignal,
): Promise<{ blob: Blob; filename: string; rows: number }> {
  const url = new URL(`${base(orgId)}/reports/export.csv`, window.location.origin);
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") url.searchParams.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(url, { credentials: "same-origin", signal, headers: { accept: "text/csv" } });
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    throw new ApiError(0, "NETWORK", "Could not reach SendOps. Check your connection and try again.");
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    let e: { code?: unknown; message?: unknown; details?: unknown } | undefined;
    try {
      e = (JSON.parse(text) as { error?: typeof e }).error;
    } catch {
      e = undefined;
    }
    throw new ApiError(
      res.status,
      typeof e?.code === "string" ? e.code : "HTTP_ERROR",
      typeof e?.message === "string" ? e.message : `Export failed (${res.status}).`,
      e?.details ?? null,
    );
  }
  const length = Number(res.headers.get("content-length"));
  const totalBytes = Number.isFinite(length) && length > 0 ? length : null;
  const reader = res.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  const lines = new CsvLineCounter();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value as Uint8Array<ArrayBuffer>);
    bytes += value.length;
    lines.feed(value);
    onProgress({ rows: lines.dataRows(), bytes, totalBytes });
  }
  const rows = lines.dataRows(true);
  onProgress({ rows, bytes, totalBytes });
  const disposition = res.headers.get("content-disposition") ?? "";
  const filename = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? "sendops-export.csv";
  return { blob: new Blob(chunks, { type: "text/csv" }), filename, rows };
}

/** Counts CSV records as bytes stream in: a newline inside a quoted field does not end a record. */
class CsvLineCounter {
  private records = 0;
  private inQuotes = false;
  private pending = false;

  feed(bytes: Uint8Array) {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === 0x22) this.inQuotes = !this.inQuotes;
      if (b === 0x0a && !this.inQuotes) {
        this.records++;
        this.pending = false;
      } else if (b !== 0x0d) {
        this.pending = true;
      }
    }
  }

  /** Records after the header; at the end, a last record without a trailing newline counts too. */
  dataRows(final = false) {
    return Math.max(0, this.records + (final && this.pending ? 1 : 0) - 1);
  }
}
