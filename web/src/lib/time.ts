/**
 * Every date and time the dashboard shows goes through this module. Dates are stored as UTC epoch ms and
 * shown in the viewer's timezone (the profile's, or the browser's when the profile follows it), in the
 * viewer's locale: its order of day and month and its clock (12- or 24-hour) are never overridden, so a
 * time reads the same in a list, a detail panel, a chart and the audit log.
 */

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The profile's timezone, or the browser's when the user follows it (timezone = null). */
export const effectiveTimeZone = (profileTz: string | null): string => profileTz ?? browserTimeZone();

const DAY: Intl.DateTimeFormatOptions = { month: "short", day: "numeric" };
const CLOCK: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", second: "2-digit" };
const TIME_OF_DAY: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit" };
const YEAR: Intl.DateTimeFormatOptions = { year: "numeric" };

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The locale's formatter for these parts in `timeZone` (cached: building one is slow). */
function formatter(timeZone: string, parts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${timeZone}|${JSON.stringify(parts)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(undefined, { timeZone, ...parts });
    formatters.set(key, f);
  }
  return f;
}

const yearOf = (ms: number, timeZone: string) => formatter(timeZone, YEAR).format(ms);

/** "Nov 27, 2026, 2:03:09 PM" / "27 Nov 2026, 14:03:09": an exact moment. */
export const formatDateTime = (ms: number, timeZone: string): string => formatter(timeZone, { ...YEAR, ...DAY, ...CLOCK }).format(ms);

/** "Nov 27, 2026". */
export const formatDate = (ms: number, timeZone: string): string => formatter(timeZone, { ...YEAR, ...DAY }).format(ms);

/** "Nov 27" (with the year when asked). */
export const formatDay = (ms: number, timeZone: string, withYear = false): string =>
  formatter(timeZone, withYear ? { ...YEAR, ...DAY } : DAY).format(ms);

/** "2:03 PM" / "14:03": a time of day to the minute (axis ticks, range ends). */
export const formatTimeOfDay = (ms: number, timeZone: string): string => formatter(timeZone, TIME_OF_DAY).format(ms);

/** "Nov 27, 2:00 PM": a day and a time to the minute (hourly buckets). */
export const formatDayTime = (ms: number, timeZone: string): string => formatter(timeZone, { ...DAY, ...TIME_OF_DAY }).format(ms);

/** "2:03:09 PM" / "14:03:09". */
export const formatClock = (ms: number, timeZone: string): string => formatter(timeZone, CLOCK).format(ms);

/** A compact moment for dense tables: "Nov 27, 2:03:09 PM", with the year only when it is not the current one. */
export function formatStamp(ms: number, timeZone: string, now = Date.now()): string {
  const withYear = yearOf(ms, timeZone) !== yearOf(now, timeZone);
  return formatter(timeZone, { ...(withYear ? YEAR : {}), ...DAY, ...CLOCK }).format(ms);
}

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400_000],
  ["month", 30 * 86_400_000],
  ["week", 7 * 86_400_000],
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
];
let relativeFormatter: Intl.RelativeTimeFormat | null = null;

/** "3 hours ago", "in 2 minutes", "now": a moment relative to `now`, in the viewer's locale (the exact time belongs in a title). */
export function formatRelative(ms: number, now = Date.now()): string {
  relativeFormatter ??= new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  const diff = ms - now;
  const unit = RELATIVE_UNITS.find(([, size]) => Math.abs(diff) >= size);
  return unit ? relativeFormatter.format(Math.trunc(diff / unit[1]), unit[0]) : relativeFormatter.format(0, "second");
}

/** Every IANA timezone the browser knows, with its current UTC offset for the picker. */
export function timeZoneOptions(include: (string | null)[] = []): { value: string; label: string }[] {
  const now = Date.now();
  // The browser's list holds canonical zones only; "UTC" or a saved alias must still be selectable.
  const zones = new Set(Intl.supportedValuesOf("timeZone"));
  for (const tz of include) if (tz) zones.add(tz);
  return [...zones].sort().map((tz) => ({ value: tz, label: `${tz.replace(/_/g, " ")} (${offsetOf(tz, now)})` }));
}

function offsetOf(timeZone: string, at: number): string {
  const part = new Intl.DateTimeFormat("en-US", { timeZone, timeZoneName: "shortOffset" })
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName");
  return part?.value.replace("GMT", "UTC") || "UTC";
}
