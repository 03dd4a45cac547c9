import { createMiddleware } from "hono/factory";
import { getDb } from "../../db/client";
import { findApiKeyByHash, touchApiKeyQuery } from "../../db/api-keys";
import { AppError, tooManyRequests } from "../../lib/errors";
import { MINUTE } from "../../lib/time";
import { API_KEY_PATTERN, hashApiKey } from "../../services/api-keys";
import type { RateLimitResult } from "../../../durable-objects/rate-limiter";
import type { V1Env } from "./context";

/** Requests per key per sliding minute. */
export const V1_RATE_LIMIT = { limit: 600, windowMs: MINUTE } as const;
/** `last_used_at` is written at most once per this interval per key (not on every request). */
export const LAST_USED_RESOLUTION_MS = MINUTE;

const unauthorized = (code: string, message: string) =>
  new AppError(code, 401, message, null, { "WWW-Authenticate": 'Bearer realm="SendOps API"' });

/**
 * The API is server-to-server: a key used from a web page would be exposed to every visitor. Browsers
 * mark their requests: `Origin` on every cross-origin request (and CORS preflight), `Sec-Fetch-Site` on
 * every request at all. Either one is refused, and no CORS headers are ever sent, so no page can call
 * the API, not even by mistake from the dashboard's own origin.
 */
export const refuseBrowsers = createMiddleware<V1Env>(async (c, next) => {
  if (c.req.header("origin") !== undefined || c.req.header("sec-fetch-site") !== undefined) {
    throw new AppError(
      "BROWSER_REQUEST_REFUSED",
      403,
      "The SendOps API is server-to-server only: requests from web browsers are refused. Call it from your backend.",
    );
  }
  await next();
});

/** Responses hold workspace data: no shared or browser cache may keep them. */
export const noStore = createMiddleware<V1Env>(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

function rateLimitHeaders(r: RateLimitResult): Record<string, string> {
  return {
    "RateLimit-Limit": String(V1_RATE_LIMIT.limit),
    "RateLimit-Remaining": String(r.remaining),
    "RateLimit-Reset": String(Math.ceil(r.retryAfterMs / 1000)),
  };
}

/** Per-key sliding window in the key's RateLimiter Durable Object; fails open (and logs) if the object is unreachable. */
async function checkRateLimit(env: V1Env["Bindings"], keyId: string): Promise<RateLimitResult | null> {
  try {
    const ns = env.RATE_LIMITER;
    const limiter = ns.get(ns.idFromName(keyId));
    return await limiter.hit(V1_RATE_LIMIT.limit, V1_RATE_LIMIT.windowMs);
  } catch (err) {
    console.error("rate limiter unavailable; request allowed", keyId, err);
    return null;
  }
}

/**
 * `Authorization: Bearer sk_live_…` → the key's org in `c.var.v1`. Missing, malformed, unknown and
 * revoked keys get 401 (unknown and revoked alike, so a guess learns nothing); over the limit, 429 with
 * Retry-After. One indexed D1 read per request; `last_used_at` is written at most once a minute.
 */
export const apiKeyAuth = createMiddleware<V1Env>(async (c, next) => {
  const header = c.req.header("authorization");
  if (!header) throw unauthorized("API_KEY_MISSING", "Send your API key in the header Authorization: Bearer sk_live_….");
  const secret = /^Bearer +(\S+) *$/i.exec(header)?.[1];
  if (!secret || !API_KEY_PATTERN.test(secret)) {
    throw unauthorized("API_KEY_MALFORMED", "The Authorization header must be \"Bearer\" followed by an API key (sk_live_…).");
  }
  const db = getDb(c.env.DB);
  const key = await findApiKeyByHash(db, await hashApiKey(secret));
  if (!key || key.revokedAt !== null) throw unauthorized("API_KEY_INVALID", "This API key is unknown or has been revoked.");

  const rate = await checkRateLimit(c.env, key.id);
  if (rate && !rate.allowed) {
    const err = tooManyRequests(
      Math.max(1, Math.ceil(rate.retryAfterMs / 1000)),
      `Rate limit exceeded: ${V1_RATE_LIMIT.limit} requests per minute per API key.`,
    );
    Object.assign(err.headers, rateLimitHeaders(rate));
    throw err;
  }
  if (rate) for (const [k, v] of Object.entries(rateLimitHeaders(rate))) c.header(k, v);

  const at = Date.now();
  if (key.lastUsedAt === null || at - key.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    c.executionCtx.waitUntil(
      touchApiKeyQuery(db, key.id, at, LAST_USED_RESOLUTION_MS)
        .run()
        .catch((err: unknown) => console.error("could not record API key use", key.id, err)),
    );
  }
  c.set("v1", {
    orgId: key.orgId,
    name: key.orgName,
    slug: key.orgSlug,
    plan: key.plan,
    keyId: key.id,
    keyName: key.name,
    keyPrefix: key.keyPrefix,
  });
  await next();
});
