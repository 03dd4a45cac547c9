/** Time is UTC epoch milliseconds everywhere; ranges are half-open [from, to). */
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export const now = (): number => Date.now();

/** Floor a timestamp to the start of its UTC hour or day bucket. */
export function bucketStart(at: number, size: "hour" | "day"): number {
  const step = size === "hour" ? HOUR : DAY;
  return Math.floor(at / step) * step;
}

export interface TimeRange {
  from: number;
  to: number;
}

/** The equal-length range immediately before `range`. */
export function priorRange(range: TimeRange): TimeRange {
  const length = range.to - range.from;
  return { from: range.from - length, to: range.from };
}
