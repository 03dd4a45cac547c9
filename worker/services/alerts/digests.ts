/**
 * Digests (docs/alerts.md): daily, weekly and monthly summaries raised as `reporting_digests.*` with the
 * period's key figures from the rollups (the reports' totals and RATES), and the change against the
 * period before. Periods are UTC (workspaces have no timezone of their own): the daily cron, just after
 * midnight UTC, sums up yesterday; on Mondays also the past week (Monday–Sunday); on the 1st also the
 * past month. Each digest is raised once per period: the period is claimed in `alert_states` before
 * raising, and the dedupe key names it.
 */
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { claimPeriod, orgsActiveBetween } from "../../db/alerts";
import { sumRollups } from "../../db/reports";
import { METRIC_NAMES, type MetricCounts } from "../../lib/metrics";
import type { NotificationType } from "../../lib/notification-types";
import { percent } from "../../lib/percent";
import { rateOf, type Rate } from "../../lib/rates";
import { DAY, type TimeRange } from "../../lib/time";
import { countsByInterval, countsRead, toCounts } from "../reports/metrics";
import { partsOf } from "../reports/range";
import type { RaiseFn } from "./raise";

export type DigestKind = "daily" | "weekly" | "monthly";

const TYPES: Record<DigestKind, NotificationType> = {
  daily: "reporting_digests.daily_digest",
  weekly: "reporting_digests.weekly_digest",
  monthly: "reporting_digests.monthly_executive_summary",
};

export interface DigestsJob {
  kind: "alerts.digests";
  orgId: string;
  /** When the cron ran: the periods due are those that ended by then. */
  at: number;
}

const dayStart = (at: number) => Math.floor(at / DAY) * DAY;
const ymd = (t: number) => new Date(t).toISOString().slice(0, 10);

/** The period of a kind that ended last before `at`, with its label and the period before it. */
export function lastPeriod(kind: DigestKind, at: number): { current: TimeRange; previous: TimeRange; label: string } {
  const today = dayStart(at);
  if (kind === "daily") return { current: { from: today - DAY, to: today }, previous: { from: today - 2 * DAY, to: today - DAY }, label: ymd(today - DAY) };
  if (kind === "weekly") {
    const monday = today - ((new Date(today).getUTCDay() + 6) % 7) * DAY;
    return { current: { from: monday - 7 * DAY, to: monday }, previous: { from: monday - 14 * DAY, to: monday - 7 * DAY }, label: `${ymd(monday - 7 * DAY)} – ${ymd(monday - DAY)}` };
  }
  const d = new Date(today);
  const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const prevFirst = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, 1);
  const prevPrevFirst = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 2, 1);
  const label = new Date(prevFirst).toLocaleString("en-US", { month: "long", year: "numeric", timeZone: "UTC" });
  return { current: { from: prevFirst, to: first }, previous: { from: prevPrevFirst, to: prevFirst }, label };
}

/** The digests due at `at`: daily always, weekly on Mondays, monthly on the 1st (UTC). */
export function digestsDue(at: number): DigestKind[] {
  const d = new Date(at);
  return ["daily", ...(d.getUTCDay() === 1 ? ["weekly" as const] : []), ...(d.getUTCDate() === 1 ? ["monthly" as const] : [])];
}

const shownRate = (v: number | null) => (v === null ? "—" : `${v}%`);
const DIGEST_RATES = { deliveryRate: "delivery", bounceRate: "bounce", complaintRate: "complaint", openRate: "open", clickRate: "click" } as const satisfies Record<string, Rate>;

function change(cur: number, prev: number): string {
  const p = percent(cur - prev, prev, 1);
  return p === null ? "no sends before" : `${p >= 0 ? "+" : "−"}${Math.abs(p)}%`;
}

/** Raises each digest due at `at` for the workspace, once per period; returns the kinds raised. */
export async function runDigests(env: Env, orgId: string, at: number, raise: RaiseFn, kinds: readonly DigestKind[] = digestsDue(at)): Promise<DigestKind[]> {
  const db = getDb(env.DB);
  const raised: DigestKind[] = [];
  for (const kind of kinds) {
    const p = lastPeriod(kind, at);
    const [rows] = await sumRollups(db, [countsRead("totals", orgId, undefined, partsOf([p.current, p.previous]), METRIC_NAMES)]);
    const [cur, prev] = countsByInterval(toCounts(rows!), 2) as [MetricCounts, MetricCounts];
    const rates = Object.fromEntries(Object.entries(DIGEST_RATES).map(([k, r]) => [k, rateOf(r, cur)]));
    const previousRates = Object.fromEntries(Object.entries(DIGEST_RATES).map(([k, r]) => [k, rateOf(r, prev)]));
    if (!(await claimPeriod(db, orgId, TYPES[kind], p.current.from, at))) continue;
    await raise({
      orgId,
      type: TYPES[kind],
      params: {
        period: p.label,
        sends: cur.sends,
        sendsChange: change(cur.sends, prev.sends),
        ...Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, shownRate(v)])),
      },
      payload: { period: p.current, previousPeriod: p.previous, totals: cur, previousTotals: prev, rates, previousRates },
      dedupeKey: `${orgId}:${TYPES[kind]}:${p.current.from}`,
    });
    raised.push(kind);
  }
  return raised;
}

/** Daily cron: a digest job for each workspace active in the last two months (the longest period and the one before). */
export async function queueDigests(env: Env, at: number): Promise<number> {
  const orgs = await orgsActiveBetween(getDb(env.DB), dayStart(at) - 62 * DAY, dayStart(at));
  for (const orgId of orgs) {
    const job: DigestsJob = { kind: "alerts.digests", orgId, at };
    await env.JOBS_QUEUE.send(job, { contentType: "json" });
  }
  return orgs.length;
}
