/**
 * The workspace's own API responses, counted for `system_infrastructure.api_error_rate_spike`
 * (docs/alerts.md): every response to /api/orgs/:orgId/* and /v1/* once its org is resolved adds 1 to
 * `api.requests` of the hour, a 5xx (a transient 503 included) also to `api.errors_5xx`. A 5xx also queues
 * an evaluation of the workspace (debounced like ingest's), so a spike is judged even without events.
 * Best effort: a counter that cannot be written is logged, never the request's failure.
 */
import type { Env } from "../../env";
import { API_ERRORS_COUNTER, API_REQUESTS_COUNTER, incrementCountersStatement } from "../../db/ingest";
import { bucketStart } from "../../lib/time";
import { queueAlertEvaluations } from "./evaluate";

export const isServerError = (status: number) => status >= 500 && status <= 599;

export async function countApiResponse(env: Env, orgId: string, status: number, at: number): Promise<void> {
  const error = isServerError(status);
  try {
    await incrementCountersStatement(env.DB, orgId, bucketStart(at, "hour"), error ? [API_REQUESTS_COUNTER, API_ERRORS_COUNTER] : [API_REQUESTS_COUNTER]).run();
    if (error) await queueAlertEvaluations(env, [orgId], at);
  } catch (err) {
    console.error("could not count an API response", orgId, status, err);
  }
}
