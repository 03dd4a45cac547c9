/** Dates are stored as UTC epoch ms; the dashboard shows them in the viewer's timezone. */

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The profile's timezone, or the browser's when the user follows it (timezone = null). */
export const effectiveTimeZone = (profileTz: string | null): string => profileTz ?? browserTimeZone();

export function formatDateTime(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, {
    timeZone,
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).format(ms);
}

export function formatDate(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat(undefined, { timeZone, year: "numeric", month: "short", day: "numeric" }).format(ms);
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
