import { z } from "zod";
import { validationError } from "../../lib/errors";
import { DAY, HOUR, priorRange, type TimeRange } from "../../lib/time";
import { isValidTimeZone, localDayStarts } from "../../lib/timezone";
import type { RollupPart } from "../../db/reports";

/**
 * Report ranges (docs/reports.md). Rollups have hour and day buckets (UTC). A range is widened to whole
 * hours; each series point is an interval (a UTC hour, or a local day in `tz`), and every interval is
 * read as the cheapest signed sum of day and hour buckets, so the cost of a report follows the number
 * of buckets in the range, never the number of events.
 */

export const DEFAULT_RANGE_DAYS = 30;
export const MAX_RANGE_DAYS = 400;
/** Ranges up to this long get an hourly series by default. */
export const HOURLY_UP_TO_MS = 3 * DAY;
export const MAX_SERIES_POINTS = 1000;

export const GRANULARITIES = ["hour", "day"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

const epochMs = z.coerce.number().int().min(0).max(8.64e15);

/** Query fields of every report endpoint (dashboard /api and public /v1 alike). */
export const reportQuerySchema = z.object({
  from: epochMs.optional().describe(`Start of the range, epoch ms, inclusive. Default: \`to\` − ${DEFAULT_RANGE_DAYS} days.`),
  to: epochMs.optional().describe("End of the range, epoch ms, exclusive. Default: now."),
  channel: z.string().trim().min(1).max(100).optional().describe("A channel id (see the channels list); omit for all channels."),
  tz: z
    .string()
    .max(64)
    .refine(isValidTimeZone, "Unknown timezone.")
    .default("UTC")
    .describe("IANA timezone whose local days the daily series follows (default UTC)."),
  granularity: z
    .enum(GRANULARITIES)
    .optional()
    .describe("Series step. Default: hour for ranges up to 3 days, day beyond."),
});
export type ReportQuery = z.output<typeof reportQuerySchema>;

/** A 422 naming one field, in the shape every validation error has. */
export function fieldError(field: string, message: string) {
  return validationError(`${field}: ${message}`, { fields: [{ field, message }] });
}

/** One series point: its label `t` (start of the hour or local day) and the interval it sums. */
export interface SeriesInterval extends TimeRange {
  t: number;
}

export interface ResolvedRange {
  /** The range actually reported: [from, to) widened to whole hours. */
  range: TimeRange;
  channel: string | undefined;
  tz: string;
  granularity: Granularity;
  /** Consecutive, non-overlapping intervals that exactly cover `range`. */
  intervals: SeriesInterval[];
}

const floorHour = (t: number) => Math.floor(t / HOUR) * HOUR;
const ceilHour = (t: number) => Math.ceil(t / HOUR) * HOUR;

/** Validates and resolves the query's range; `now` is the default end. */
export function resolveReportRange(q: ReportQuery, now = Date.now()): ResolvedRange {
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_RANGE_DAYS * DAY;
  if (from >= to) throw fieldError("from", "Must be before `to`.");
  const range = { from: floorHour(from), to: ceilHour(to) };
  if (range.to - range.from > MAX_RANGE_DAYS * DAY) throw fieldError("from", `The range may span at most ${MAX_RANGE_DAYS} days.`);
  const granularity = q.granularity ?? (range.to - range.from <= HOURLY_UP_TO_MS ? "hour" : "day");
  let intervals: SeriesInterval[];
  if (granularity === "hour") {
    const points = (range.to - range.from) / HOUR;
    if (points > MAX_SERIES_POINTS) throw fieldError("granularity", `An hourly series may have at most ${MAX_SERIES_POINTS} points; use day.`);
    intervals = Array.from({ length: points }, (_, i) => {
      const t = range.from + i * HOUR;
      return { t, from: t, to: t + HOUR };
    });
  } else {
    const starts = localDayStarts(range.from, range.to, q.tz);
    intervals = starts.map((t, i) => ({
      t,
      from: Math.max(t, range.from),
      to: Math.min(starts[i + 1] ?? range.to, range.to),
    }));
  }
  return { range, channel: q.channel, tz: q.tz, granularity, intervals };
}

/** The equal-length period right before the reported range (for the providers' deltas). */
export const priorOf = (r: ResolvedRange): TimeRange => priorRange(r.range);

function hourParts(from: number, to: number, idx: number, sign: 1 | -1): RollupPart[] {
  const out: RollupPart[] = [];
  for (let t = from; t < to; t += HOUR) out.push(["hour", t, idx, sign]);
  return out;
}

/**
 * The buckets whose signed sum is the total of hour-aligned interval [from, to): either its hour
 * buckets, or the day buckets between the UTC midnights nearest to each end corrected by at most 12
 * hour buckets per end (added when the interval reaches past that midnight, subtracted when it stops
 * short of it) — whichever reads fewer buckets. Day and hour rollups count the same events, so both
 * give the same sum.
 */
export function partsOfInterval(interval: TimeRange, idx: number): RollupPart[] {
  const { from, to } = interval;
  const hoursOnly = (to - from) / HOUR;
  const dayFrom = Math.round(from / DAY) * DAY;
  const dayTo = Math.round(to / DAY) * DAY;
  const days = (dayTo - dayFrom) / DAY;
  const corrections = (Math.abs(from - dayFrom) + Math.abs(to - dayTo)) / HOUR;
  if (days <= 0 || days + corrections >= hoursOnly) return hourParts(from, to, idx, 1);
  const out: RollupPart[] = [];
  for (let t = dayFrom; t < dayTo; t += DAY) out.push(["day", t, idx, 1]);
  if (from < dayFrom) out.push(...hourParts(from, dayFrom, idx, 1));
  else out.push(...hourParts(dayFrom, from, idx, -1));
  if (to > dayTo) out.push(...hourParts(dayTo, to, idx, 1));
  else out.push(...hourParts(to, dayTo, idx, -1));
  return out;
}

/** Parts of several intervals; the `idx` of each part is its interval's index in the list. */
export const partsOf = (intervals: readonly TimeRange[]): RollupPart[] => intervals.flatMap((iv, i) => partsOfInterval(iv, i));
