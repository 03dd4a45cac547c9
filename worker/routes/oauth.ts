/**
 * Sign in with GitHub / Google and Profile's connected accounts. The flow: a start route (a browser
 * navigation) sets the sealed state cookie and redirects to the provider; the provider redirects the
 * browser to the callback, which checks state, exchanges the code (PKCE) and signs in or connects.
 * Failures land back on the sign-in page (or the page a connect started from) with `?error=<CODE>`.
 */
import { Hono, type Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { publicRoute, userRoute } from "../auth/middleware";
import { OAUTH_COOKIE, OAUTH_COOKIE_PATH, OAUTH_FLOW_TTL_MS, newFlow, oauthClient, oauthClients, openFlow, safeReturnPath, sealFlow, type OAuthIntent } from "../auth/oauth";
import { resolveSession, SESSION_COOKIE } from "../auth/sessions";
import { mfaStepUrl, setSignInCookie } from "../auth/sign-in-cookies";
import { AppError, notFound } from "../lib/errors";
import { OAUTH_PROVIDERS, PROVIDER_NAMES, type OAuthProviderId } from "../integrations/oauth-provider";
import { completeSignIn } from "../services/accounts";
import { connectProvider, disconnectProvider, listConnections, resolveProviderSignIn } from "../services/social-sign-in";
import { closeAccount, closeAccountSchema } from "../services/close-account";
import { validate } from "../lib/validate";

const clientIp = (c: Context<AppEnv>) => c.req.header("cf-connecting-ip") ?? c.req.header("x-real-ip") ?? null;
const secure = (c: Context<AppEnv>) => new URL(c.req.url).protocol === "https:";

function providerOf(c: Context<AppEnv>) {
  const client = oauthClient(c.env, c.req.param("provider") ?? "");
  if (!client) throw notFound("Sign-in provider");
  return client;
}

async function startFlow(c: Context<AppEnv>, intent: OAuthIntent) {
  const client = providerOf(c);
  const flow = newFlow(c.env, client.id, intent, Date.now());
  // SameSite=Lax: the provider's redirect back is a top-level GET navigation, which Lax cookies accompany.
  setCookie(c, OAUTH_COOKIE, await sealFlow(c.env, flow), {
    httpOnly: true,
    sameSite: "Lax",
    secure: secure(c),
    path: OAUTH_COOKIE_PATH,
    maxAge: OAUTH_FLOW_TTL_MS / 1000,
  });
  return c.redirect((await client.authorizationUrl(flow)).toString(), 302);
}

/**
 * What a proven provider sign-in becomes. `completeSignIn` is the one place a first factor turns into a
 * session; its answer is handled here only, so a later step (an MFA challenge) has one place to join.
 */
/** A provider proved the first factor: a session, or (the account has MFA) the sign-in page's second-factor step. */
async function finishSignIn(c: Context<AppEnv>, userId: string) {
  const result = await completeSignIn(getDb(c.env.DB), userId, { ip: clientIp(c), userAgent: c.req.header("user-agent") ?? null });
  setSignInCookie(c, result);
  return c.redirect(result.mfaRequired ? mfaStepUrl() : "/", 302);
}

const back = (c: Context<AppEnv>, page: string, params: Record<string, string>) => c.redirect(`${page}?${new URLSearchParams(params).toString()}`, 302);

export const oauthRoutes = new Hono<AppEnv>()
  .get("/auth/providers", publicRoute(), (c) =>
    c.json({ providers: oauthClients(c.env).map((p) => ({ id: p.id, name: PROVIDER_NAMES[p.id] })) }),
  )
  .get("/auth/oauth/:provider/start", publicRoute(), (c) => startFlow(c, { kind: "sign-in" }))
  .get("/me/connections/:provider/connect", userRoute(), (c) =>
    startFlow(c, { kind: "connect", userId: c.get("session")!.user.id, returnTo: safeReturnPath(c.req.query("returnTo")) }),
  )
  .get("/auth/oauth/:provider/callback", publicRoute(), async (c) => {
    const client = providerOf(c);
    const at = Date.now();
    const flow = await openFlow(c.env, getCookie(c, OAUTH_COOKIE), at);
    deleteCookie(c, OAUTH_COOKIE, { path: OAUTH_COOKIE_PATH });
    const page = flow?.intent.kind === "connect" ? flow.intent.returnTo : "/sign-in";
    const q = c.req.query();
    // The state must be the one this browser was sent off with: otherwise the code may be someone else's (login CSRF).
    if (!flow || flow.provider !== client.id || !q.state || q.state !== flow.state) return back(c, page, { error: "OAUTH_STATE_MISMATCH", provider: client.id });
    if (q.error) return back(c, page, { error: q.error === "access_denied" ? "OAUTH_DENIED" : "OAUTH_FAILED", provider: client.id });
    if (!q.code) return back(c, page, { error: "OAUTH_FAILED", provider: client.id });
    const db = getDb(c.env.DB);
    try {
      const identity = await client.identify(q.code, flow, at);
      if (flow.intent.kind === "connect") {
        // The browser's session must still be the user who started the connect.
        const token = c.get("sessionToken");
        const session = token ? await resolveSession(db, token, at) : null;
        if (session?.user.id !== flow.intent.userId) return back(c, "/sign-in", { error: "OAUTH_STATE_MISMATCH", provider: client.id });
        await connectProvider(db, flow.intent.userId, identity, at);
        return back(c, flow.intent.returnTo, { connected: client.id });
      }
      const { userId } = await resolveProviderSignIn(db, identity, at);
      return await finishSignIn(c, userId);
    } catch (err) {
      // Refusals (and a provider that failed us) are the user's to read on the page; anything else is our bug.
      if (err instanceof AppError && (err.status < 500 || err.code === "OAUTH_FAILED")) {
        console.warn(`oauth callback (${client.id}): ${err.code}: ${err.message}`);
        return back(c, page, { error: err.code, provider: client.id });
      }
      throw err;
    }
  })
  .get("/me/connections", userRoute(), async (c) =>
    c.json(await listConnections(getDb(c.env.DB), c.get("session")!.user.id, oauthClients(c.env).map((p) => p.id))),
  )
  .delete("/me/connections/:provider", userRoute(), async (c) => {
    const provider = c.req.param("provider");
    if (!(OAUTH_PROVIDERS as readonly string[]).includes(provider)) throw notFound("Sign-in provider");
    const db = getDb(c.env.DB);
    const userId = c.get("session")!.user.id;
    await disconnectProvider(db, userId, provider as OAuthProviderId);
    return c.json(await listConnections(db, userId, oauthClients(c.env).map((p) => p.id)));
  })
  .post("/me/close", userRoute(), validate("json", closeAccountSchema), async (c) => {
    const session = c.get("session")!;
    await closeAccount(getDb(c.env.DB), session.user.id, session.id, c.req.valid("json"));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  });
