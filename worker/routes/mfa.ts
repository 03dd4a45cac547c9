import { Hono } from "hono";
import type { Context } from "hono";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { orgRoute, publicRoute, userRoute } from "../auth/middleware";
import { clearMfaChallengeCookie, mfaChallengeToken, setSessionCookie } from "../auth/sign-in-cookies";
import { validate } from "../lib/validate";
import { sendMfaChangeMail } from "../services/mfa-mail";
import {
  challengeVerifySchema,
  confirmTotp,
  describeSignInChallenge,
  finishWebauthnRegistration,
  getMfaStatus,
  reauthSchema,
  regenerateRecoveryCodes,
  removeMethod,
  renameMethod,
  renameMethodSchema,
  signInWebauthnOptions,
  startTotpSetup,
  startWebauthnRegistration,
  totpConfirmSchema,
  verifySignInChallenge,
  webauthnRegisterSchema,
  type MfaChange,
  type RelyingParty,
} from "../services/mfa";
import { getTwoFactorSetting, setTwoFactorEnforcement, twoFactorSettingSchema } from "../services/two-factor";
import { getMe } from "../services/accounts";
import { clientIp } from "./auth";

/** WebAuthn binds credentials to the RP ID: WEBAUTHN_RP_ID when set, else the host the dashboard is served from. */
function relyingParty(c: Context<AppEnv>): RelyingParty {
  const url = new URL(c.req.url);
  return { rpID: c.env.WEBAUTHN_RP_ID || url.hostname, origins: [...new Set([url.origin, new URL(c.env.APP_URL).origin])] };
}

/** The security email for MFA turned on/off goes out after the answer; a mail failure never undoes the change. */
function mailIfChanged(c: Context<AppEnv>, change: MfaChange) {
  if (!change) return;
  const send = sendMfaChangeMail(c.env, c.get("session")!.user, change);
  try {
    c.executionCtx.waitUntil(send);
  } catch {
    // No execution context (direct app.request in a script): the promise still runs.
  }
}

const client = (c: Context<AppEnv>) => ({ ip: clientIp(c), userAgent: c.req.header("user-agent") ?? null });

export const mfaRoutes = new Hono<AppEnv>()
  // Profile → Security (the signed-in user's own methods).
  .get("/me/mfa", userRoute(), async (c) => c.json(await getMfaStatus(getDb(c.env.DB), c.get("session")!.user.id)))
  .post("/me/mfa/totp/setup", userRoute(), async (c) =>
    c.json(await startTotpSetup(getDb(c.env.DB), c.env.ENCRYPTION_KEY, c.get("session")!.user), 201),
  )
  .post("/me/mfa/totp", userRoute(), validate("json", totpConfirmSchema), async (c) => {
    const result = await confirmTotp(getDb(c.env.DB), c.env.ENCRYPTION_KEY, c.get("session")!.user, c.req.valid("json"));
    mailIfChanged(c, result.mfaChange);
    return c.json({ method: result.method, recoveryCodes: result.recoveryCodes }, 201);
  })
  .post("/me/mfa/webauthn/options", userRoute(), async (c) =>
    c.json(await startWebauthnRegistration(getDb(c.env.DB), c.get("session")!.user, relyingParty(c))),
  )
  .post("/me/mfa/webauthn", userRoute(), validate("json", webauthnRegisterSchema), async (c) => {
    const result = await finishWebauthnRegistration(getDb(c.env.DB), c.get("session")!.user, relyingParty(c), c.req.valid("json"));
    mailIfChanged(c, result.mfaChange);
    return c.json({ method: result.method, recoveryCodes: result.recoveryCodes }, 201);
  })
  .patch("/me/mfa/methods/:methodId", userRoute(), validate("json", renameMethodSchema), async (c) =>
    c.json(await renameMethod(getDb(c.env.DB), c.get("session")!.user, c.req.param("methodId"), c.req.valid("json"))),
  )
  .delete("/me/mfa/methods/:methodId", userRoute(), validate("json", reauthSchema), async (c) => {
    const db = getDb(c.env.DB);
    const user = c.get("session")!.user;
    const { mfaChange } = await removeMethod(db, c.env.ENCRYPTION_KEY, user, c.req.param("methodId"), c.req.valid("json"));
    mailIfChanged(c, mfaChange);
    return c.json(await getMfaStatus(db, user.id));
  })
  .post("/me/mfa/recovery-codes", userRoute(), validate("json", reauthSchema), async (c) =>
    c.json(await regenerateRecoveryCodes(getDb(c.env.DB), c.env.ENCRYPTION_KEY, c.get("session")!.user, c.req.valid("json"))),
  )
  // The sign-in challenge (the MFA step of the sign-in page), identified by the challenge cookie.
  .get("/auth/mfa", publicRoute(), async (c) => c.json(await describeSignInChallenge(getDb(c.env.DB), mfaChallengeToken(c))))
  .post("/auth/mfa/webauthn-options", publicRoute(), async (c) =>
    c.json(await signInWebauthnOptions(getDb(c.env.DB), mfaChallengeToken(c), relyingParty(c))),
  )
  .post("/auth/mfa/verify", publicRoute(), validate("json", challengeVerifySchema), async (c) => {
    const db = getDb(c.env.DB);
    const session = await verifySignInChallenge(
      db,
      c.env.ENCRYPTION_KEY,
      mfaChallengeToken(c),
      c.req.valid("json"),
      client(c),
      relyingParty(c),
    );
    clearMfaChallengeCookie(c);
    setSessionCookie(c, session.token);
    return c.json(await getMe(db, session.userId));
  })
  // Settings → Security: workspace 2FA enforcement.
  .get("/orgs/:orgId/two-factor", orgRoute("org_settings.view"), async (c) =>
    c.json(await getTwoFactorSetting(getDb(c.env.DB), c.get("org").orgId)),
  )
  .put("/orgs/:orgId/two-factor", orgRoute("org_settings.manage"), validate("json", twoFactorSettingSchema), async (c) =>
    c.json(await setTwoFactorEnforcement(getDb(c.env.DB), c.get("org"), c.req.valid("json"))),
  );
