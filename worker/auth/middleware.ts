import { getCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { AppError, forbidden, notFound, unauthorized } from "../lib/errors";
import { can, DEMO_READ_ONLY_MESSAGE, type Permission } from "./permissions";
import { graceEndsAt, twoFactorRequiredError } from "../services/two-factor";
import { deleteSession, resolveSession, resolveSessionInOrg, SESSION_COOKIE, touchSession } from "./sessions";

/** A middleware tagged with the access rule it enforces, so tests can walk every route's rule. */
/** `allowInDemo`: the route works in the read-only demo workspace although it is not a GET. */
export type AccessRule = { kind: "public" } | { kind: "user" } | { kind: "org"; permission: Permission; allowInDemo: boolean };
export type TaggedMiddleware = MiddlewareHandler<AppEnv> & { access: AccessRule };

function tag(mw: MiddlewareHandler<AppEnv>, access: AccessRule): TaggedMiddleware {
  return Object.assign(mw, { access });
}

/**
 * Reads the session cookie (if any) into `c.var.sessionToken`. Runs on every /api request; the access
 * middleware resolves it: `userRoute` alone, `orgRoute` together with the membership in one query.
 */
export const loadSession = createMiddleware<AppEnv>(async (c, next) => {
  c.set("session", null);
  c.set("sessionToken", getCookie(c, SESSION_COOKIE) ?? null);
  await next();
});

/** Reachable without signing in (sign-up, sign-in, ...). */
export const publicRoute = () => tag(createMiddleware<AppEnv>(async (_c, next) => next()), { kind: "public" });

/** Needs a signed-in user, no workspace. */
export const userRoute = () =>
  tag(
    createMiddleware<AppEnv>(async (c, next) => {
      const token = c.get("sessionToken");
      const session = token ? await resolveSession(getDb(c.env.DB), token) : null;
      if (!session) throw unauthorized();
      c.set("session", session);
      await next();
    }),
    { kind: "user" },
  );

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Needs a member of the workspace in the `:orgId` path parameter whose role holds `permission`.
 * Non-members get 404 (the workspace's existence is not revealed). The demo workspace is read-only.
 * Also applies the workspace's inactivity timeout to the session.
 */
export const orgRoute = (permission: Permission, options: { allowInDemo?: boolean } = {}) =>
  tag(
    createMiddleware<AppEnv>(async (c, next) => {
      const token = c.get("sessionToken");
      if (!token) throw unauthorized();
      const orgId = c.req.param("orgId");
      if (!orgId) throw notFound("Workspace");
      const db = getDb(c.env.DB);
      const found = await resolveSessionInOrg(db, token, orgId);
      if (!found) throw unauthorized();
      const { session, membership: row } = found;
      c.set("session", session);
      if (!row) throw notFound("Workspace");
      const now = Date.now();
      if (now - session.lastSeenAt > row.timeoutSeconds * 1000) {
        await deleteSession(db, session.id);
        throw new AppError("SESSION_EXPIRED", 401, "Your session expired after inactivity. Sign in again.");
      }
      await touchSession(db, session, row.orgId, row.timeoutSeconds, now);
      if (row.twoFactorSince !== null && !row.hasMfa) {
        const graceEnd = graceEndsAt(row.twoFactorSince, row.joinedAt);
        if (now >= graceEnd) throw twoFactorRequiredError(graceEnd);
      }
      if (!can(row.role, permission)) {
        throw forbidden(`Your role does not allow this action (needs ${permission}).`, { permission, role: row.role });
      }
      if (row.isDemo && !SAFE_METHODS.has(c.req.method) && !options.allowInDemo) {
        throw new AppError("DEMO_READ_ONLY", 403, DEMO_READ_ONLY_MESSAGE);
      }
      c.set("org", {
        orgId: row.orgId,
        name: row.name,
        slug: row.slug,
        isDemo: row.isDemo,
        plan: row.plan,
        role: row.role,
        actor: { userId: session.user.id, name: session.user.name, email: session.user.email },
      });
      await next();
    }),
    { kind: "org", permission, allowInDemo: options.allowInDemo ?? false },
  );

/**
 * CSRF: a state-changing /api request must come from our own origin. Browsers always send `Origin` on
 * cross-origin and on same-origin non-GET fetches; requests without it must say `Sec-Fetch-Site: same-origin`.
 */
export const sameOrigin = createMiddleware<AppEnv>(async (c, next) => {
  if (!SAFE_METHODS.has(c.req.method)) {
    const origin = c.req.header("origin");
    const allowed = new Set([new URL(c.req.url).origin, new URL(c.env.APP_URL).origin]);
    const ok = origin ? allowed.has(origin) : c.req.header("sec-fetch-site") === "same-origin";
    if (!ok) throw new AppError("CSRF_REJECTED", 403, "Cross-site request refused: state-changing requests must come from the SendOps dashboard.");
  }
  await next();
});
