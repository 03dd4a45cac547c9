import { RANGE_PRESETS, type RangeKey, type RangeSpec } from "./range";

/**
 * Everything that defines a Reports view lives in the URL, so a view can be shared: tab, sub-tab,
 * range, channel, auto-refresh, each tab's own filters and sort, and the open message. Defaults are
 * left out of the URL (undefined here) to keep links short.
 */
export const REPORT_TABS = ["messages", "deliverability", "engagement"] as const;
export type ReportTab = (typeof REPORT_TABS)[number];
export const MESSAGE_VIEWS = ["messages", "events"] as const;
export type MessageView = (typeof MESSAGE_VIEWS)[number];

export const DEFAULT_TAB: ReportTab = "messages";
export const DEFAULT_RANGE: RangeKey = "7d";

export interface ReportsSearch {
  tab?: ReportTab;
  view?: MessageView;
  range?: RangeKey;
  from?: number;
  to?: number;
  channel?: string;
  live?: boolean;
  /** Messages: status filter and recipient search. */
  status?: string;
  recipient?: string;
  /** Event Log: event types (comma-separated) and recipient. */
  types?: string;
  eventRecipient?: string;
  /** Deliverability by Provider: sort column and direction. */
  sort?: string;
  dir?: "asc" | "desc";
  /** The message whose detail panel is open. */
  message?: string;
}

const oneOf = <T extends string>(values: readonly T[], v: unknown): T | undefined =>
  typeof v === "string" && (values as readonly string[]).includes(v) ? (v as T) : undefined;
const str = (v: unknown, max = 320): string | undefined => {
  if (typeof v === "number") v = String(v);
  return typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, max) : undefined;
};
const ms = (v: unknown): number | undefined => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
};

export function validateReportsSearch(raw: Record<string, unknown>): ReportsSearch {
  const range = oneOf<RangeKey>([...RANGE_PRESETS, "custom"], raw.range);
  const from = ms(raw.from);
  const to = ms(raw.to);
  const custom = range === "custom" && from !== undefined && to !== undefined && to > from;
  return {
    tab: oneOf(REPORT_TABS, raw.tab),
    view: oneOf(MESSAGE_VIEWS, raw.view),
    // A custom range without valid bounds falls back to the default preset.
    range: range === "custom" && !custom ? undefined : range,
    from: custom ? from : undefined,
    to: custom ? to : undefined,
    channel: str(raw.channel, 64),
    live: raw.live === true || raw.live === "true" || raw.live === 1 ? true : undefined,
    status: str(raw.status, 32),
    recipient: str(raw.recipient),
    types: str(raw.types, 200),
    eventRecipient: str(raw.eventRecipient),
    sort: str(raw.sort, 32),
    dir: oneOf(["asc", "desc"] as const, raw.dir),
    message: str(raw.message, 400),
  };
}

export const rangeSpecOf = (s: ReportsSearch): RangeSpec =>
  s.range === "custom" ? { range: "custom", from: s.from, to: s.to } : { range: s.range ?? DEFAULT_RANGE };
