/**
 * The facts of tracking domains (product docs: domains__tracking-domains.md), pure so the dashboard
 * imports them too: the per-workspace limit, the Verify Now cooldown, the decay schedule of the
 * background checks, and the DNS records a tracking domain needs.
 */
import type { TrackingCheckStatus } from "../../db/schema";
import { DAY, HOUR, MINUTE, SECOND } from "../../lib/time";

export const MAX_TRACKING_DOMAINS = 10;
export const VERIFY_NOW_COOLDOWN_MS = 30 * SECOND;

/** The decay schedule: checks every `every` while less than `until` has passed since it started. */
export const CHECK_SCHEDULE = [
  { until: HOUR, every: 2 * MINUTE },
  { until: DAY, every: 10 * MINUTE },
  { until: 7 * DAY, every: HOUR },
] as const;
/** What is still pending this long after the schedule started is failed. */
export const VERIFICATION_WINDOW = CHECK_SCHEDULE[CHECK_SCHEDULE.length - 1]!.until;
/**
 * Once the window is over, a half that is verified (or invalid) is still looked at this often: drift
 * (the CNAME now pointing elsewhere, SES revoking DKIM) shows within this bound, and a fixed CNAME
 * turns an invalid half verified again.
 */
export const DRIFT_CHECK_INTERVAL = HOUR;

export interface CheckStatuses {
  cname: TrackingCheckStatus;
  identity: TrackingCheckStatus;
}

/**
 * When the next background check is due after one at `at`, on a schedule that started at `start`.
 * While a half is pending the checks follow the decay schedule on a grid anchored at `start` (so a
 * check that ran a little late does not shift the later ones), the last one exactly at the end of the
 * window; after that only verified or invalid halves are watched, hourly; null when nothing is left.
 */
export function nextCheckAt(start: number, at: number, s: CheckStatuses): number | null {
  const deadline = start + VERIFICATION_WINDOW;
  if ((s.cname === "pending" || s.identity === "pending") && at < deadline) {
    const elapsed = Math.max(0, at - start);
    const { every } = CHECK_SCHEDULE.find((step) => elapsed < step.until)!;
    return Math.min(start + (Math.floor(elapsed / every) + 1) * every, deadline);
  }
  const watched = [s.cname, s.identity].some((v) => v === "verified" || v === "invalid");
  return watched ? at + DRIFT_CHECK_INTERVAL : null;
}

/** The one status of the list: what needs attention first (invalid, failed), then pending, else verified. */
export function combinedStatus(s: CheckStatuses): TrackingCheckStatus {
  for (const status of ["invalid", "failed", "pending"] as const) if (s.cname === status || s.identity === status) return status;
  return "verified";
}

export type TrackingProtocol = "http" | "https";

/** SES's open and click tracking endpoint of a region (docs: the HTTP CNAME target). */
export const awsTrackingEndpoint = (region: string) => `r.${region}.awstrack.me`;

/** Where the tracking subdomain's CNAME must point: SES's regional endpoint (HTTP) or the CDN (HTTPS). */
export const cnameTarget = (protocol: TrackingProtocol, region: string, cdnDomain: string | null) =>
  protocol === "https" && cdnDomain ? cdnDomain : awsTrackingEndpoint(region);

export interface TrackingDnsRecord {
  purpose: "tracking" | "dkim";
  type: "CNAME";
  name: string;
  value: string;
}

/** Every record the tracking domain needs: its CNAME, then the three Easy DKIM CNAMEs of its SES identity. */
export function trackingDnsRecords(subdomain: string, target: string, dkimTokens: readonly string[]): TrackingDnsRecord[] {
  return [
    { purpose: "tracking", type: "CNAME", name: subdomain, value: target },
    ...dkimTokens.map((t) => ({ purpose: "dkim" as const, type: "CNAME" as const, name: `${t}._domainkey.${subdomain}`, value: `${t}.dkim.amazonses.com` })),
  ];
}

/** A DNS host name as SES and resolvers take it: lower-case labels of letters, digits and inner hyphens. */
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
export function isHostname(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.split(".");
  return labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!);
}
