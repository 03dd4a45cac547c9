import { formatDay, formatDayTime, formatTimeOfDay } from "../lib/time";
import { zonedParts } from "../routes/reports/range";

/** Time labels for chart axes and tooltips, in the viewer's timezone (formats from lib/time.ts). */

/** Axis tick: "14:00" within a day, the date at midnight and for daily buckets. */
export function timeTick(t: number, hourly: boolean, timeZone: string): string {
  if (!hourly) return formatDay(t, timeZone);
  const p = zonedParts(t, timeZone);
  return p.hour === 0 && p.minute === 0 ? formatDay(t, timeZone) : formatTimeOfDay(t, timeZone);
}

/** Tooltip / table label of a bucket: "May 14, 14:00 – 15:00" or "May 14". */
export function bucketLabel(t: number, hourly: boolean, timeZone: string): string {
  if (!hourly) return formatDay(t, timeZone);
  return `${formatDayTime(t, timeZone)} – ${formatTimeOfDay(t + 3_600_000, timeZone)}`;
}
