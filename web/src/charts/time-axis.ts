import { zonedParts } from "../routes/reports/range";

/** Time labels for chart axes and tooltips, in the viewer's timezone. */

const cache = new Map<string, Intl.DateTimeFormat>();
function fmt(timeZone: string, kind: "day" | "hour" | "full-hour"): Intl.DateTimeFormat {
  const key = `${timeZone}|${kind}`;
  let f = cache.get(key);
  if (!f) {
    const opts: Intl.DateTimeFormatOptions =
      kind === "day"
        ? { timeZone, month: "short", day: "numeric" }
        : kind === "hour"
          ? { timeZone, hour: "2-digit", minute: "2-digit" }
          : { timeZone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    f = new Intl.DateTimeFormat(undefined, opts);
    cache.set(key, f);
  }
  return f;
}

/** Axis tick: "14:00" within a day, the date at midnight and for daily buckets. */
export function timeTick(t: number, hourly: boolean, timeZone: string): string {
  if (!hourly) return fmt(timeZone, "day").format(t);
  const p = zonedParts(t, timeZone);
  return p.hour === 0 && p.minute === 0 ? fmt(timeZone, "day").format(t) : fmt(timeZone, "hour").format(t);
}

/** Tooltip / table label of a bucket: "May 14, 14:00 – 15:00" or "May 14". */
export function bucketLabel(t: number, hourly: boolean, timeZone: string): string {
  if (!hourly) return fmt(timeZone, "day").format(t);
  return `${fmt(timeZone, "full-hour").format(t)} – ${fmt(timeZone, "hour").format(t + 3_600_000)}`;
}
