/**
 * Number formatting for the dashboard, in one place so every count, rate and duration reads the same
 * way on every page. The API returns rates as percentage numbers (e.g. 2.5 = 2.5 %) or null when their
 * denominator is zero; null is shown as an em dash, never as 0 %.
 */

const DASH = "—";

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat(undefined, { notation: "compact", maximumFractionDigits: 1 });

/** 12,345 */
export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? DASH : integer.format(n);
}

/**
 * The counts under a rate: "12 of 340 sends". With an empty denominator there is no rate (it shows
 * "—"), and the events counted are about earlier mail, so it says so: "3 complaints, no deliveries in
 * this range".
 */
export function formatShare(part: number, whole: number, noun: { part: readonly [one: string, other: string]; whole: string }): string {
  if (whole > 0) return `${formatCount(part)} of ${formatCount(whole)} ${noun.whole}`;
  if (part === 0) return `No ${noun.whole} in this range`;
  return `${formatCount(part)} ${part === 1 ? noun.part[0] : noun.part[1]}, no ${noun.whole} in this range`;
}

/** 12.3K (axis ticks and tight spaces). */
export function formatCompact(n: number | null | undefined): string {
  return n === null || n === undefined ? DASH : compact.format(n);
}

const pctFormats = new Map<number, Intl.NumberFormat>();
function pctFormat(decimals: number): Intl.NumberFormat {
  let f = pctFormats.get(decimals);
  if (!f) {
    f = new Intl.NumberFormat(undefined, { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
    pctFormats.set(decimals, f);
  }
  return f;
}

/** 2.50 % (two decimals by default, as the API rounds them). */
export function formatPercent(pct: number | null | undefined, decimals = 2): string {
  return pct === null || pct === undefined ? DASH : `${pctFormat(decimals).format(pct)}%`;
}

/** Axis ticks: as few decimals as the value needs (0.08%, 5%, 12.5%). */
export function formatPercentTick(pct: number): string {
  const decimals = pct === 0 || Math.abs(pct) >= 10 ? 0 : Math.abs(pct) >= 1 ? 1 : 2;
  return `${pctFormat(decimals).format(pct)}%`;
}

/** A change in percentage points with its sign: +0.40pp, −0.05pp, 0.00pp. */
export function formatDeltaPp(pp: number | null | undefined): string {
  if (pp === null || pp === undefined) return DASH;
  const abs = pctFormat(2).format(Math.abs(pp));
  if (pp > 0) return `+${abs}pp`;
  if (pp < 0) return `−${abs}pp`;
  return `${abs}pp`;
}

/** 850 ms, 1.2 s, 3.4 min, 2.1 h: delivery latencies span all of these. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return DASH;
  if (ms < 1000) return `${integer.format(ms)} ms`;
  const oneDecimal = (v: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: v < 10 ? 1 : 0 }).format(v);
  if (ms < 60_000) return `${oneDecimal(ms / 1000)} s`;
  if (ms < 3_600_000) return `${oneDecimal(ms / 60_000)} min`;
  return `${oneDecimal(ms / 3_600_000)} h`;
}

/** 1.4 MB */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${integer.format(bytes)} B`;
  const units = ["KB", "MB", "GB"];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${new Intl.NumberFormat(undefined, { maximumFractionDigits: v < 10 ? 1 : 0 }).format(v)} ${units[i]}`;
}
