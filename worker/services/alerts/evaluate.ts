/**
 * When the evaluators run (docs/alerts.md): an `alerts.evaluate` job per workspace, queued by ingest after
 * a batch — at most one per EVALUATION_DEBOUNCE_MS, delayed by that much so it sees the batches that
 * follow — and by the cron sweep, which re-evaluates recently active workspaces and firing alerts (rates
 * move as the window slides even without new events). An evaluation reads rollups, never events.
 */
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { claimEvaluationSlot, markEvaluatedQuery, orgsToSweep } from "../../db/alerts";
import { EVALUATION_DEBOUNCE_MS, EVALUATION_WINDOW_MS } from "../../lib/alert-thresholds";
import { pauseChannelSending } from "../channels/sync";
import { deliverabilityObservations, type PauseFn } from "./deliverability";
import type { RaiseFn } from "./raise";
import { applyObservations, loadAlertStates } from "./state";
import { systemObservations } from "./system";

export interface AlertsEvaluateJob {
  kind: "alerts.evaluate";
  orgId: string;
}

/** Auto-pause through the channel service; a push SES refused throws, so the breach is tried again. */
export const channelPause =
  (env: Env, at: number): PauseFn =>
  async (orgId, channelId, reason) => {
    const view = await pauseChannelSending(env, orgId, channelId, reason, at);
    if (view.syncStatus === "error") throw new Error(`auto-pause of ${channelId} not applied: ${view.syncError?.message ?? "SES refused"}`);
    return { paused: true, configurationSet: view.configurationSetName };
  };

/** Runs every rollup-based evaluator of the workspace; returns how many notifications were raised. */
export async function evaluateOrg(env: Env, orgId: string, raise: RaiseFn, at: number, pause: PauseFn = channelPause(env, at)): Promise<number> {
  const db = getDb(env.DB);
  const [states, system, deliverability] = await Promise.all([loadAlertStates(db, orgId), systemObservations(db, orgId, at), deliverabilityObservations(env, orgId, at, pause)]);
  // Deliverability last: its auto-pause may throw, and what comes before it is applied by then.
  const raised = await applyObservations(db, orgId, [...system, ...deliverability], raise, at, states);
  await markEvaluatedQuery(db, orgId, at).run();
  return raised;
}

/** After an ingest batch: one delayed evaluation per workspace per debounce interval. */
export async function queueAlertEvaluations(env: Env, orgIds: Iterable<string>, at: number): Promise<number> {
  const db = getDb(env.DB);
  let queued = 0;
  for (const orgId of new Set(orgIds)) {
    if (!(await claimEvaluationSlot(db, orgId, at, EVALUATION_DEBOUNCE_MS))) continue;
    const job: AlertsEvaluateJob = { kind: "alerts.evaluate", orgId };
    await env.JOBS_QUEUE.send(job, { contentType: "json", delaySeconds: EVALUATION_DEBOUNCE_MS / 1000 });
    queued++;
  }
  return queued;
}

/** Cron: workspaces that received events within the evaluation window, or have an alert firing. */
export async function sweepAlertEvaluations(env: Env, at: number): Promise<number> {
  const orgs = await orgsToSweep(getDb(env.DB), at - EVALUATION_WINDOW_MS);
  return queueAlertEvaluations(env, orgs, at);
}
