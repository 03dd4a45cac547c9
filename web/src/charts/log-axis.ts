/**
 * A log-scale y-axis that keeps every value inside the plot: the domain runs from the ladder's value
 * below the smallest positive value to the one above the largest, with a margin so no line sits on the
 * axis or on the top edge; the ticks are the ladder's values inside it, at most `maxTicks`.
 */
export interface LogAxis {
  domain: [number, number];
  ticks: number[];
}

/** Round durations in ms, for latency axes: 100 ms … 2 d. */
export const DURATION_LADDER = [
  100, 250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000,
  43_200_000, 86_400_000, 172_800_000,
] as const;

/** At least this factor (0.3 decades) between the extreme values and the plot edges. */
const MARGIN = 2;

export function logAxis(values: readonly (number | null | undefined)[], ladder: readonly number[], maxTicks = 6): LogAxis | null {
  const positive = values.filter((v): v is number => typeof v === "number" && v > 0);
  if (!positive.length || !ladder.length) return null;
  const min = Math.min(...positive) / MARGIN;
  const max = Math.max(...positive) * MARGIN;
  const lo = [...ladder].reverse().find((v) => v <= min) ?? Math.min(ladder[0]!, min);
  const hi = ladder.find((v) => v >= max) ?? Math.max(ladder[ladder.length - 1]!, max);
  const inside = ladder.filter((v) => v >= lo && v <= hi);
  const step = Math.ceil(inside.length / maxTicks);
  // Thinned from the top, so the largest tick (the one next to the slowest values) is always labelled.
  const ticks = inside.filter((_, i) => (inside.length - 1 - i) % step === 0);
  return { domain: [lo, hi], ticks };
}
