/**
 * System evaluators from the ingest counters (hourly, by processing time; docs/ingest.md) — cheap reads
 * of a few hundred counter rows at most:
 * - `eventbridge_connection_issue`: no event accepted in the last SILENCE_HOURS while the workspace
 *   usually receives at least SILENCE_EXPECTED_MIN in as long (its average over the week before);
 * - `duplicate_event_rate`: duplicates over everything received in the last 24 hours, at least
 *   DUPLICATE_RATE_PERCENT over DUPLICATE_MIN_EVENTS received;
 * - `api_error_rate_spike`: the 5xx share of the workspace's own API responses (`api.*` counters,
 *   ./api-errors.ts) over the last hour — its two hour buckets — at least API_ERROR_RATE_PERCENT over
 *   API_ERROR_MIN_REQUESTS responses;
 * - `clickhouse_ingestion_lag`: the p95 of the ingestion lag histogram (`ingest_lag`: processing time −
 *   SES's event time of each stored row) over the last INGESTION_LAG_WINDOW_MS — its 5-minute buckets —
 *   at least INGESTION_LAG_P95_MS over INGESTION_LAG_MIN_EVENTS rows.
 */
import type { Db } from "../../db/client";
import { DAY, HOUR, MINUTE } from "../../lib/time";
import { percent } from "../../lib/percent";
import {
  API_ERROR_MIN_REQUESTS,
  API_ERROR_RATE_PERCENT,
  INGESTION_LAG_MIN_EVENTS,
  INGESTION_LAG_P95_MS,
  INGESTION_LAG_WINDOW_MS,
} from "../../lib/alert-thresholds";
import { API_ERRORS_COUNTER, API_REQUESTS_COUNTER, sumIngestCounters, sumIngestLag } from "../../db/ingest";
import { LAG_BUCKET_MS, lagBucketStart, latencyPercentile } from "../ingest/latency";
import { getIngestCounters } from "../ingest/counters";
import type { Observation } from "./state";

export const SILENCE_HOURS = 3;
export const SILENCE_EXPECTED_MIN = 30;
export const DUPLICATE_RATE_PERCENT = 10;
export const DUPLICATE_MIN_EVENTS = 100;

export async function systemObservations(db: Db, orgId: string, at: number): Promise<Observation[]> {
  const hourEnd = Math.floor(at / HOUR) * HOUR + HOUR;
  const silence = { from: hourEnd - SILENCE_HOURS * HOUR, to: hourEnd };
  const week = { from: silence.from - 7 * DAY, to: silence.from };
  const day = { from: hourEnd - DAY, to: hourEnd };
  const lastHour = { from: Math.floor((at - HOUR) / HOUR) * HOUR, to: hourEnd };
  const lagEnd = lagBucketStart(at) + LAG_BUCKET_MS;
  const lagWindow = { from: lagEnd - INGESTION_LAG_WINDOW_MS, to: lagEnd };
  const [recent, usual, lastDay, api, lag] = await Promise.all([
    getIngestCounters(db, orgId, silence),
    getIngestCounters(db, orgId, week),
    getIngestCounters(db, orgId, day),
    sumIngestCounters(db, orgId, lastHour),
    sumIngestLag(db, orgId, lagWindow),
  ]);
  const lagged = [...lag.values()].reduce((a, n) => a + n, 0);
  const lagP95 = latencyPercentile(lag, 95) ?? 0;
  const apiCount = (name: string) => Number(api.find((c) => c.counter === name)?.value ?? 0);
  const requests = apiCount(API_REQUESTS_COUNTER);
  const errors = apiCount(API_ERRORS_COUNTER);
  const expected = usual.accepted / ((7 * 24) / SILENCE_HOURS);
  const received = lastDay.accepted + lastDay.duplicates;
  const duplicateShare = received > 0 ? (lastDay.duplicates * 100) / received : 0;
  return [
    {
      alertKey: "system_infrastructure.eventbridge_connection_issue",
      scope: "workspace",
      // 1 while silent; the guard is the usual volume, so a quiet workspace is never "silent".
      value: recent.accepted === 0 ? 1 : 0,
      threshold: 1,
      eligible: expected >= SILENCE_EXPECTED_MIN || recent.accepted > 0,
      raise: {
        type: "system_infrastructure.eventbridge_connection_issue",
        params: { silence: `${SILENCE_HOURS} hours`, region: "your AWS account" },
        payload: { expectedEvents: Math.round(expected), since: silence.from },
      },
    },
    {
      alertKey: "system_infrastructure.duplicate_event_rate",
      scope: "workspace",
      value: duplicateShare,
      threshold: DUPLICATE_RATE_PERCENT,
      eligible: received >= DUPLICATE_MIN_EVENTS,
      raise: {
        type: "system_infrastructure.duplicate_event_rate",
        params: { rate: `${percent(lastDay.duplicates, received) ?? 0}%`, duplicates: lastDay.duplicates, events: received, window: "24 hours" },
        payload: { duplicates: lastDay.duplicates, events: received },
      },
    },
    {
      alertKey: "system_infrastructure.api_error_rate_spike",
      scope: "workspace",
      value: requests > 0 ? (errors * 100) / requests : 0,
      threshold: API_ERROR_RATE_PERCENT,
      eligible: requests >= API_ERROR_MIN_REQUESTS,
      raise: {
        type: "system_infrastructure.api_error_rate_spike",
        params: { rate: `${percent(errors, requests) ?? 0}%`, errors, requests, window: "hour" },
        payload: { errors, requests, since: lastHour.from },
      },
    },
    {
      alertKey: "system_infrastructure.clickhouse_ingestion_lag",
      scope: "workspace",
      value: lagP95,
      threshold: INGESTION_LAG_P95_MS,
      eligible: lagged >= INGESTION_LAG_MIN_EVENTS,
      raise: {
        type: "system_infrastructure.clickhouse_ingestion_lag",
        params: { lag: minutesLabel(lagP95) },
        payload: { p50Ms: latencyPercentile(lag, 50), p95Ms: lagP95, events: lagged, since: lagWindow.from },
      },
    },
  ];
}

/** "12 minutes", "1 minute": the lag as the notification shows it. */
function minutesLabel(ms: number): string {
  const m = Math.round(ms / MINUTE);
  return `${m} minute${m === 1 ? "" : "s"}`;
}
