/**
 * Report date ranges. A preset is kept in the URL by name and resolved against the clock when a query
 * runs, so a shared "Last 7 days" link stays relative; a custom range is kept as absolute epoch ms.
 * Day and week boundaries are those of the viewer's timezone and week start (profile settings).
 * Ranges are half-open [from, to), like the API's.
 */

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

/** The instant at which a timezone's clocks read the given wall time (the earlier one in a DST overlap). */
export function zonedTimeToUtc(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const offsetAt = (ms: number) => {
    const p = zonedParts(ms, timeZone);
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
  };
  // Two passes settle the offset, including across a DST change between the guess and the answer.
  let guess = wall - offsetAt(wall);
  guess = wall - offsetAt(guess);
  return guess;
}

/** Midnight (in the timezone) of the calendar day `ms` falls on, shifted by `addDays`. */
export function startOfDay(ms: number, timeZone: string, addDays = 0): number {
  const p = zonedParts(ms, timeZone);
  // Date.UTC normalises day overflow (e.g. the 0th or 32nd), so calendar arithmetic is safe here.
  const d = new Date(Date.UTC(p.year, p.month - 1, p.day + addDays));
  return zonedTimeToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, timeZone);
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
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + addDays));
  if (Number.isNaN(d.getTime())) return null;
  return zonedTimeToUtc(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), 0, 0, timeZone);
}

/**
 * "May 8 – May 14, 2024" for day-aligned or long ranges (the end is exclusive, so the last day shown is
 * the one before `to`), "May 14, 09:00 – May 15, 09:00" for short ranges that start or end mid-day.
 */
export function describeRange(r: Resolved, timeZone: string): string {
  const midDay = r.from !== startOfDay(r.from, timeZone) || r.to !== startOfDay(r.to, timeZone);
  const withTime = midDay && r.to - r.from <= 3 * DAY;
  const end = withTime ? r.to : r.to - 1;
  const sameYear = zonedParts(r.from, timeZone).year === zonedParts(end, timeZone).year;
  const base: Intl.DateTimeFormatOptions = { timeZone, month: "short", day: "numeric" };
  if (withTime) Object.assign(base, { hour: "2-digit", minute: "2-digit" });
  const first = new Intl.DateTimeFormat(undefined, sameYear ? base : { ...base, year: "numeric" });
  const last = new Intl.DateTimeFormat(undefined, { ...base, year: "numeric" });
  if (!withTime && toDateInput(r.from, timeZone) === toDateInput(end, timeZone)) return last.format(r.from);
  return `${first.format(r.from)} – ${last.format(end)}`;
}
