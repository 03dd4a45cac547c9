/**
 * Report date ranges. A preset is kept in the URL by name and resolved against the clock when a query
 * runs, so a shared "Last 7 days" link stays relative; a custom range is kept as absolute epoch ms.
 * Day and week boundaries are those of the viewer's timezone and week start (profile settings).
 * Ranges are half-open [from, to), like the API's.
 */
import { startOfLocalDay, zoneOffsetMs } from "../../../../worker/lib/timezone";
import { formatDay, formatTimeOfDay } from "../../lib/time";

export const RANGE_PRESETS = ["today", "24h", "7d", "30d", "90d", "this-week", "last-week"] as const;
export type RangePreset = (typeof RANGE_PRESETS)[number];
export type RangeKey = RangePreset | "custom";

export const RANGE_LABELS: Record<RangeKey, string> = {
  today: "Today",
  "24h": "Last 24 hours",
  "7d": "Last 7 days",
  "30d": "Last 30 days",
  "90d": "Last 90 days",
  "this-week": "This week",
  "last-week": "Last week",
  custom: "Custom range",
};

export type WeekStart = "monday" | "sunday";

export interface RangeSpec {
  range: RangeKey;
  /** Only for "custom". */
  from?: number;
  to?: number;
}

export interface Resolved {
  from: number;
  to: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday. */
  weekday: number;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** The wall-clock reading of an instant in a timezone. */
export function zonedParts(ms: number, timeZone: string): ZonedParts {
  let f = partFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    partFormatters.set(timeZone, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(ms)) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS.indexOf(p.weekday ?? "Sun"),
  };
}

/** Midnight (in the timezone) of the calendar day `ms` falls on, shifted by `addDays` calendar days. */
export function startOfDay(ms: number, timeZone: string, addDays = 0): number {
  const p = zonedParts(ms, timeZone);
  return midnightOf(p.year, p.month, p.day + addDays, timeZone);
}

/** Midnight of a calendar date in the timezone (day overflow such as the 32nd rolls into the next month). */
function midnightOf(year: number, month: number, day: number, timeZone: string): number {
  // Noon of that date is inside it whatever the offset (−12…+14 h); its local day starts at midnight.
  const noonUtc = Date.UTC(year, month - 1, day, 12);
  return startOfLocalDay(noonUtc - zoneOffsetMs(noonUtc, timeZone), timeZone);
}

export function startOfWeek(ms: number, timeZone: string, weekStart: WeekStart, addWeeks = 0): number {
  const { weekday } = zonedParts(ms, timeZone);
  const first = weekStart === "monday" ? 1 : 0;
  const back = (weekday - first + 7) % 7;
  return startOfDay(ms, timeZone, -back + addWeeks * 7);
}

/** The clock used as "now": the next whole minute, so ranges of one minute share their cache entry. */
export const nowForRanges = (ms = Date.now()) => Math.ceil(ms / MINUTE) * MINUTE;

export function resolveRange(spec: RangeSpec, timeZone: string, weekStart: WeekStart, now = nowForRanges()): Resolved {
  switch (spec.range) {
    case "today":
      return { from: startOfDay(now - 1, timeZone), to: now };
    case "24h":
      return { from: now - DAY, to: now };
    case "7d":
      return { from: startOfDay(now - 1, timeZone, -6), to: now };
    case "30d":
      return { from: startOfDay(now - 1, timeZone, -29), to: now };
    case "90d":
      return { from: startOfDay(now - 1, timeZone, -89), to: now };
    case "this-week":
      return { from: startOfWeek(now - 1, timeZone, weekStart), to: now };
    case "last-week":
      return { from: startOfWeek(now - 1, timeZone, weekStart, -1), to: startOfWeek(now - 1, timeZone, weekStart) };
    case "custom": {
      const from = spec.from ?? startOfDay(now - 1, timeZone, -6);
      const to = spec.to ?? now;
      return { from, to: Math.max(to, from + MINUTE) };
    }
  }
}

/** The API picks hourly buckets up to 3 days and daily buckets beyond; charts label their axis to match. */
export const isHourly = (r: Resolved) => r.to - r.from <= 3 * DAY;

/** `yyyy-mm-dd` of an instant in the timezone (for <input type="date">). */
export function toDateInput(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/** Midnight of a `yyyy-mm-dd` day in the timezone, or null for an unparseable value. */
export function fromDateInput(value: string, timeZone: string, addDays = 0): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return null;
  return midnightOf(Number(m[1]), Number(m[2]), Number(m[3]) + addDays, timeZone);
}

/**
 * "May 8 – May 14, 2024" for day-aligned or long ranges (the end is exclusive, so the last day shown is
 * the one before `to`); "May 14, 00:00 – 09:30" or "May 13, 09:30 – May 14, 09:30" for short ranges
 * that start or end mid-day.
 */
export function describeRange(r: Resolved, timeZone: string): string {
  const midDay = r.from !== startOfDay(r.from, timeZone) || r.to !== startOfDay(r.to, timeZone);
  const date = (ms: number, year: boolean) => formatDay(ms, timeZone, year);
  if (midDay && r.to - r.from <= 3 * DAY) {
    const time = (ms: number) => formatTimeOfDay(ms, timeZone);
    const sameDay = toDateInput(r.from, timeZone) === toDateInput(r.to - 1, timeZone);
    return sameDay
      ? `${date(r.from, false)}, ${time(r.from)} – ${time(r.to)}`
      : `${date(r.from, false)}, ${time(r.from)} – ${date(r.to, false)}, ${time(r.to)}`;
  }
  const last = r.to - 1;
  if (toDateInput(r.from, timeZone) === toDateInput(last, timeZone)) return date(r.from, true);
  const sameYear = zonedParts(r.from, timeZone).year === zonedParts(last, timeZone).year;
  return `${date(r.from, !sameYear)} – ${date(last, true)}`;
}

/** The range as words after "No sending activity …": "today", "in the last 7 days", "from May 1 – May 5, 2024". */
export function rangePhrase(spec: RangeSpec, timeZone: string, weekStart: WeekStart): string {
  switch (spec.range) {
    case "today":
    case "this-week":
    case "last-week":
      return RANGE_LABELS[spec.range].toLowerCase();
    case "custom":
      return `from ${describeRange(resolveRange(spec, timeZone, weekStart), timeZone)}`;
    default:
      return `in the ${RANGE_LABELS[spec.range].toLowerCase()}`;
  }
}
