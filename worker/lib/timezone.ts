import { DAY, HOUR } from "./time";

/** IANA timezone helpers (Intl only, no tz database of our own). */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

export function isValidTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

/** Offset of `tz` from UTC at instant `at`, in ms (local wall time − UTC). */
export function zoneOffsetMs(at: number, tz: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(tz).formatToParts(at)) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return wall - Math.floor(at / 1000) * 1000;
}

/** The UTC instant of local midnight of the local day that contains `at` (DST-aware). */
export function startOfLocalDay(at: number, tz: string): number {
  const offset = zoneOffsetMs(at, tz);
  const localMidnight = Math.floor((at + offset) / DAY) * DAY;
  // The offset at midnight may differ from the offset at `at` (a DST change during the day).
  const guess = localMidnight - offset;
  return localMidnight - zoneOffsetMs(guess, tz);
}

/**
 * Starts of the local days that overlap [from, to), each floored to the whole UTC hour (rollups have
 * hour resolution; this only moves the boundary in zones whose offset is not a whole number of hours).
 */
export function localDayStarts(from: number, to: number, tz: string): number[] {
  const out: number[] = [];
  let day = startOfLocalDay(from, tz);
  while (day < to) {
    out.push(Math.floor(day / HOUR) * HOUR);
    // Local days last 23–25 hours: 26 hours after midnight is always inside the next day.
    day = startOfLocalDay(day + 26 * HOUR, tz);
  }
  return out;
}
