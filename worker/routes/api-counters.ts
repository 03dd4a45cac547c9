import { createMiddleware } from "hono/factory";
import type { Env } from "../env";
import type { OrgContext } from "../context";
import type { V1Context } from "./v1/context";
import { countApiResponse } from "../services/alerts/api-errors";

/**
 * Around /api/orgs/:orgId/* and /v1/*: counts the response for the API error-rate alert once the route's
 * access check resolved the org (`org` for the dashboard API, `v1` for an API key) — a request that never
 * got that far (signed out, unknown key) is nobody's workspace to count. Registered before the routes, it
 * sees the response the error handler rendered. The count is written after the response (waitUntil).
 */
export const countApiResponses = createMiddleware<{ Bindings: Env; Variables: { org?: OrgContext; v1?: V1Context } }>(async (c, next) => {
  await next();
  const orgId = c.get("org")?.orgId ?? c.get("v1")?.orgId;
  if (!orgId) return;
  c.executionCtx.waitUntil(countApiResponse(c.env, orgId, c.res.status, Date.now()));
});
