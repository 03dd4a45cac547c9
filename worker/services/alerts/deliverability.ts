/**
 * Deliverability evaluators (docs/alerts.md), from the rollups only — one read of every channel's totals
 * over this window and the one before it, whatever the number of events:
 * - bounce / complaint rate thresholds, for the workspace, each channel and each sending domain (their
 *   overrides applied; the domains' counts from the sending-domain rollup, one more read);
 * - bounce / complaint trends: this window's rate at least TREND_FACTOR times the previous window's;
 * - channel health degraded (a channel's rate at its warning level) and auto-pause (at its critical
 *   level, when the channel opted in);
 * - suppression list growth spike (the list copy, by SES's update time).
 * Every rate is RATES' (worker/lib/rates.ts); a rate is judged only when its denominator reaches the
 * minimum volume.
 */
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { listChannels } from "../../db/channels";
import { listOrgIdentities } from "../../db/ingest";
import { sumSendingDomains } from "../../db/sending-domains";
import { countSuppressionsUpdated } from "../../db/alerts";
import { sumRollups } from "../../db/reports";
import {
  ALERT_RATES,
  effectiveThresholds,
  EVALUATION_WINDOW_MS,
  formatPercent,
  RATE_LABELS,
  SUPPRESSION_SPIKE_FACTOR,
  SUPPRESSION_SPIKE_MIN,
  TREND_FACTOR,
  TREND_FLOOR_FRACTION,
  type AlertRate,
  type AlertThresholds,
} from "../../lib/alert-thresholds";
import type { NotificationParams } from "../../lib/notification-types";
import { METRIC_NAMES, type MetricCounts } from "../../lib/metrics";
import { percent } from "../../lib/percent";
import { rateParts } from "../../lib/rates";
import { DAY, HOUR, type TimeRange } from "../../lib/time";
import { parseSettings } from "../channels/views";
import { domainOf } from "../ingest/identities";
import { addCounts, countsRead, toCounts, zeroCounts } from "../reports/metrics";
import { partsOf } from "../reports/range";
import { loadThresholds } from "./thresholds";
import type { Observation } from "./state";

/** The evaluation windows at `at`: the 24 hours up to the end of the current hour, and the 24 before. */
export function evaluationWindows(at: number): { current: TimeRange; previous: TimeRange } {
  const to = Math.floor(at / HOUR) * HOUR + HOUR;
  const current = { from: to - EVALUATION_WINDOW_MS, to };
  return { current, previous: { from: current.from - EVALUATION_WINDOW_MS, to: current.from } };
}

const WINDOW_WORDS = "24 hours";
const rateKey = (rate: AlertRate) => (rate === "bounce" ? "bounce_rate" : "complaint_rate");

/** A rate judged against a level: exactly (no rounding), as part × 100 ≥ level × whole. */
export interface RateReading {
  part: number;
  whole: number;
  /** Percent, unrounded (0 without a denominator). */
  value: number;
}
export function readRate(rate: AlertRate, c: MetricCounts): RateReading {
  const [part, whole] = rateParts(rate, c);
  return { part, whole, value: whole > 0 ? (part * 100) / whole : 0 };
}

/** Rates are shown as the reports show them: 2 decimals (worker/lib/percent.ts). */
const shown = (r: RateReading) => formatPercent(percent(r.part, r.whole) ?? 0);

/** A trend's value: the ratio of this window's rate to the previous one, 0 while the rate is under the floor. */
function trendValue(cur: RateReading, prev: RateReading, warning: number): number {
  if (cur.value < warning * TREND_FLOOR_FRACTION) return 0;
  if (prev.value === 0) return cur.value > 0 ? Number.MAX_SAFE_INTEGER : 0;
  return cur.value / prev.value;
}

interface ScopeCounts {
  scope: string;
  label: string;
  link?: string;
  current: MetricCounts;
  previous: MetricCounts;
  thresholds: AlertThresholds;
}

function rateObservations(s: ScopeCounts): Observation[] {
  const out: Observation[] = [];
  for (const rate of ALERT_RATES) {
    const cur = readRate(rate, s.current);
    const prev = readRate(rate, s.previous);
    const { warning } = s.thresholds[rate];
    const min = s.thresholds.minVolume;
    const counted: NotificationParams = rate === "bounce" ? { bounces: cur.part } : { complaints: cur.part };
    out.push({
      alertKey: `deliverability.${rateKey(rate)}_threshold`,
      scope: s.scope,
      value: cur.value,
      threshold: warning,
      eligible: cur.whole >= min,
      raise: {
        type: `deliverability.${rateKey(rate)}_threshold`,
        params: { rate: shown(cur), scope: s.label, window: WINDOW_WORDS, ...counted, sends: s.current.sends, threshold: formatPercent(warning) },
        payload: { scope: s.scope, rate: percent(cur.part, cur.whole), threshold: warning, numerator: cur.part, denominator: cur.whole },
        ...(s.link ? { link: s.link } : {}),
      },
    });
    out.push({
      alertKey: `deliverability.${rateKey(rate)}_trend`,
      scope: s.scope,
      value: trendValue(cur, prev, warning),
      threshold: TREND_FACTOR,
      eligible: cur.whole >= min && prev.whole >= min,
      raise: {
        type: `deliverability.${rateKey(rate)}_trend`,
        params: { scope: s.label, previous: shown(prev), rate: shown(cur), window: WINDOW_WORDS },
        payload: { scope: s.scope, rate: percent(cur.part, cur.whole), previousRate: percent(prev.part, prev.whole) },
        ...(s.link ? { link: s.link } : {}),
      },
    });
  }
  return out;
}

export interface ChannelHealthContext {
  id: string;
  name: string;
  autoPause: boolean;
  current: MetricCounts;
  thresholds: AlertThresholds;
}

function channelHealthObservations(c: ChannelHealthContext, pause: (channelId: string, reason: string) => Promise<Record<string, unknown>>): Observation[] {
  const out: Observation[] = [];
  const scope = `channel:${c.id}`;
  for (const rate of ALERT_RATES) {
    const cur = readRate(rate, c.current);
    const eligible = cur.whole >= c.thresholds.minVolume;
    const { warning } = c.thresholds[rate];
    out.push({
      alertKey: `channel_events.channel_health_degraded:${rate}`,
      scope,
      value: cur.value,
      threshold: warning,
      eligible,
      raise: {
        type: "channel_events.channel_health_degraded",
        params: { channel: c.name, metric: RATE_LABELS[rate], rate: shown(cur), window: WINDOW_WORDS, threshold: formatPercent(warning) },
        payload: { channelId: c.id, rate: percent(cur.part, cur.whole), threshold: warning },
        link: `channels/${c.id}`,
      },
    });
  }
  // Pausing comes last: a refused pause throws, and the observations before it are already applied.
  if (c.autoPause) {
    for (const rate of ALERT_RATES) {
      const cur = readRate(rate, c.current);
      const { critical } = c.thresholds[rate];
      out.push({
        alertKey: `channel_events.channel_paused:${rate}`,
        scope,
        value: cur.value,
        threshold: critical,
        eligible: cur.whole >= c.thresholds.minVolume,
        raise: {
          type: "channel_events.channel_paused",
          params: { channel: c.name, metric: RATE_LABELS[rate].toLowerCase(), rate: shown(cur), sends: c.current.sends, threshold: formatPercent(critical) },
          payload: { channelId: c.id, rate: percent(cur.part, cur.whole), threshold: critical },
          link: `channels/${c.id}`,
        },
        act: () => pause(c.id, `its ${RATE_LABELS[rate].toLowerCase()} reached ${shown(cur)} over ${cur.whole} ${rate === "bounce" ? "sends" : "deliveries"}, past the ${formatPercent(critical)} critical level`),
      });
    }
  }
  return out;
}

/** Every channel's totals (and the workspace's: their sum, the no-channel row included) in both windows. */
export async function readWindowCounts(db: Db, orgId: string, at: number) {
  const { current, previous } = evaluationWindows(at);
  const [rows] = await sumRollups(db, [countsRead("channelTotals", orgId, undefined, partsOf([current, previous]), METRIC_NAMES)]);
  const byChannel = new Map<string, { current: MetricCounts; previous: MetricCounts }>();
  const workspace = { current: zeroCounts(), previous: zeroCounts() };
  for (const r of toCounts(rows!)) {
    const entry = byChannel.get(r.dim) ?? { current: zeroCounts(), previous: zeroCounts() };
    byChannel.set(r.dim, entry);
    addCounts(r.idx === 0 ? entry.current : entry.previous, r.counts);
    addCounts(r.idx === 0 ? workspace.current : workspace.previous, r.counts);
  }
  return { byChannel, workspace };
}

/** Every sending domain's counts (the sending-domain rollup) in both windows. */
export async function readDomainCounts(db: Db, orgId: string, at: number) {
  const { current, previous } = evaluationWindows(at);
  const byDomain = new Map<string, { current: MetricCounts; previous: MetricCounts }>();
  for (const r of await sumSendingDomains(db, orgId, [current, previous])) {
    const entry = byDomain.get(r.domain) ?? { current: zeroCounts(), previous: zeroCounts() };
    byDomain.set(r.domain, entry);
    Object.assign(r.idx === 0 ? entry.current : entry.previous, r.counts);
  }
  return byDomain;
}

/** The identity page a domain's alert links to: its domain identity, else an address identity of the domain. */
function identityLinks(identities: { id: string; identity: string; kind: string }[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const i of identities) if (i.kind === "domain") out.set(i.identity.toLowerCase(), `identities/${i.id}`);
  for (const i of identities) {
    const domain = domainOf(i.identity);
    if (!out.has(domain)) out.set(domain, `identities/${i.id}`);
  }
  return out;
}

export type PauseFn = (orgId: string, channelId: string, reason: string) => Promise<Record<string, unknown>>;

export async function deliverabilityObservations(env: Env, orgId: string, at: number, pause: PauseFn): Promise<Observation[]> {
  const db = getDb(env.DB);
  const [thresholds, counts, channels, domains, identities] = await Promise.all([
    loadThresholds(db, orgId),
    readWindowCounts(db, orgId, at),
    listChannels(db, orgId, false),
    readDomainCounts(db, orgId, at),
    listOrgIdentities(db, orgId),
  ]);
  const out: Observation[] = rateObservations({ scope: "workspace", label: "the workspace", ...counts.workspace, thresholds: thresholds.workspace });
  const links = identityLinks(identities);
  for (const [domain, c] of domains) {
    const link = links.get(domain);
    const t = effectiveThresholds(thresholds.workspace, thresholds.domains.get(domain));
    out.push(...rateObservations({ scope: `domain:${domain}`, label: `domain ${domain}`, ...(link ? { link } : {}), ...c, thresholds: t }));
  }
  const health: Observation[] = [];
  for (const ch of channels) {
    const c = counts.byChannel.get(ch.id) ?? { current: zeroCounts(), previous: zeroCounts() };
    const t = effectiveThresholds(thresholds.workspace, thresholds.channels.get(ch.id));
    out.push(...rateObservations({ scope: `channel:${ch.id}`, label: `channel ${ch.name}`, link: `channels/${ch.id}`, ...c, thresholds: t }));
    const settings = parseSettings(ch.settingsJson);
    health.push(
      ...channelHealthObservations({ id: ch.id, name: ch.name, autoPause: settings?.autoPause ?? false, current: c.current, thresholds: t }, (id, reason) =>
        pause(orgId, id, reason),
      ),
    );
  }
  out.push(await suppressionObservation(db, orgId, at));
  return [...out, ...health];
}

/** Additions to the suppression list in the last day against the daily average of the 7 days before. */
export async function suppressionObservation(db: Db, orgId: string, at: number): Promise<Observation> {
  const [added, before] = await Promise.all([countSuppressionsUpdated(db, orgId, at - DAY, at), countSuppressionsUpdated(db, orgId, at - 8 * DAY, at - DAY)]);
  const usual = before / 7;
  // The spike threshold is the larger of the factor over the usual and the absolute minimum.
  const threshold = Math.max(SUPPRESSION_SPIKE_MIN, usual * SUPPRESSION_SPIKE_FACTOR);
  return {
    alertKey: "deliverability.suppression_list_growth_spike",
    scope: "account",
    value: added,
    threshold,
    eligible: true,
    raise: {
      type: "deliverability.suppression_list_growth_spike",
      params: { added, window: WINDOW_WORDS, usual: `${Math.round(usual)} a day` },
      payload: { added, usualPerDay: Math.round(usual * 100) / 100 },
    },
  };
}
