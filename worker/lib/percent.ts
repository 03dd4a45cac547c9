/**
 * The one percentage helper: `part` over `whole` as a percentage number (not a string), or null when the
 * denominator is zero. Each rate's numerator and denominator are defined in ./rates.ts.
 */
export function percent(part: number, whole: number, decimals = 2): number | null {
  if (whole <= 0) return null;
  const factor = 10 ** decimals;
  return Math.round((part / whole) * 100 * factor) / factor;
}
