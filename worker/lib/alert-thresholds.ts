/**
 * Alert threshold facts (product docs troubleshooting__deliverability-problems.md, notification-types.md):
 * the levels the deliverability evaluators compare the bounce and complaint rates with, their defaults,
 * and the rules every evaluator shares (window, minimum volume, hysteresis, cooldown). The rates
 * themselves — numerator and denominator — are RATES in ./rates.ts. Pure, so the dashboard imports it.
 *
 * - **warning**: the notification threshold (`deliverability.*_rate_threshold`, and
 *   `channel_events.channel_health_degraded` for a channel). Defaults as the docs give them: bounce 5 %,
 *   complaint 0.1 %.
 * - **critical**: the level at which a channel that opted in to auto-pause gets sending disabled in SES
 *   (`channel_events.channel_paused`). Defaults: bounce 10 % (SES's critical bounce level), complaint
 *   0.5 % (the complaint rate at which AWS may pause an account's sending).
 * - **minVolume**: a rate is judged only when its denominator (sends for bounces, deliveries for
 *   complaints) reaches this in the window, so 1 bounce in 3 sends pages nobody.
 */
import { z } from "zod";
import type { Metric } from "./metrics";
import { RATES } from "./rates";
import { HOUR, MINUTE } from "./time";

export const ALERT_RATES = ["bounce", "complaint"] as const;
export type AlertRate = (typeof ALERT_RATES)[number];

/** The metrics the alert rates divide (their `of` and `over` in RATES): all a sending-domain rollup counts. */
export const ALERT_METRICS = [...new Set(ALERT_RATES.flatMap((r): Metric[] => [...RATES[r].of, ...RATES[r].over]))] as (
  | (typeof RATES)["bounce"]["of"][number]
  | (typeof RATES)["bounce"]["over"][number]
  | (typeof RATES)["complaint"]["of"][number]
  | (typeof RATES)["complaint"]["over"][number]
)[];

export interface AlertLevels {
  warning: number;
  critical: number;
}

export interface AlertThresholds {
  bounce: AlertLevels;
  complaint: AlertLevels;
  minVolume: number;
}

export const DEFAULT_ALERT_THRESHOLDS: AlertThresholds = {
  bounce: { warning: 5, critical: 10 },
  complaint: { warning: 0.1, critical: 0.5 },
  minVolume: 100,
};

/** Rolling window the rates are evaluated over; trends compare it with the window right before it. */
export const EVALUATION_WINDOW_MS = 24 * HOUR;
/** A firing alert re-arms only once its value is back below this fraction of its threshold. */
export const REARM_FRACTION = 0.8;
/** After an alert was raised, a new breach of the same alert and scope raises again only after this. */
export const ALERT_COOLDOWN_MS = 6 * HOUR;
/** A rate "trends up" when this window's rate is at least this many times the previous window's… */
export const TREND_FACTOR = 2;
/** …and at least this fraction of its warning level (a rise from 0.01 % to 0.02 % is noise). */
export const TREND_FLOOR_FRACTION = 0.5;
/** Suppression list growth: additions in the window ≥ this many times the usual daily additions… */
export const SUPPRESSION_SPIKE_FACTOR = 3;
/** …and at least this many addresses. */
export const SUPPRESSION_SPIKE_MIN = 25;
/** Ingest queues at most one evaluation per workspace per this interval. */
export const EVALUATION_DEBOUNCE_MS = MINUTE;

export const RATE_LABELS: Record<AlertRate, string> = { bounce: "Bounce rate", complaint: "Complaint rate" };
/** What a rate's minimum volume counts (its denominator in RATES). */
export const VOLUME_LABELS: Record<AlertRate, string> = { bounce: "sends", complaint: "deliveries" };

const level = z.number().min(0.01).max(100);
const levels = z
  .object({ warning: level, critical: level })
  .refine((l) => l.critical >= l.warning, { message: "The critical level must be at least the warning level.", path: ["critical"] });
export const minVolumeSchema = z.number().int().min(1).max(10_000_000);

/** The workspace's thresholds, as saved (every field). */
export const alertThresholdsSchema = z.object({ bounce: levels, complaint: levels, minVolume: minVolumeSchema });

/** A channel's overrides: each field absent or null inherits the workspace's. */
export const channelAlertOverridesSchema = z.object({
  bounce: levels.nullable().optional(),
  complaint: levels.nullable().optional(),
  minVolume: minVolumeSchema.nullable().optional(),
});
export type ChannelAlertOverrides = z.infer<typeof channelAlertOverridesSchema>;

/** A channel's effective thresholds: its overrides over the workspace's. */
export function effectiveThresholds(workspace: AlertThresholds, overrides: ChannelAlertOverrides | undefined): AlertThresholds {
  return {
    bounce: overrides?.bounce ?? workspace.bounce,
    complaint: overrides?.complaint ?? workspace.complaint,
    minVolume: overrides?.minVolume ?? workspace.minVolume,
  };
}

/** "0.1 %" → "0.1%": thresholds and rates as the notifications show them. */
export const formatPercent = (value: number) => `${Number(value.toFixed(2))}%`;

/** API error-rate spike: the workspace's 5xx share of its API responses over the last hour reaches this… */
export const API_ERROR_RATE_PERCENT = 5;
/** …over at least this many responses (3 failures of 10 requests page nobody). */
export const API_ERROR_MIN_REQUESTS = 50;
/** Ingestion lag: the p95 of (processing time − SES's event time) over the last INGESTION_LAG_WINDOW_MS reaches this… */
export const INGESTION_LAG_P95_MS = 10 * MINUTE;
/** …over at least this many events stored in the window. */
export const INGESTION_LAG_MIN_EVENTS = 20;
export const INGESTION_LAG_WINDOW_MS = 15 * MINUTE;
