import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../context";
import type { SignInResult } from "../services/accounts";
import { SIGN_IN_CHALLENGE_TTL_MS } from "../services/mfa";
import { SESSION_COOKIE } from "./sessions";

/** The pending second-factor step of a sign-in; only the /api/auth/mfa routes receive it. */
export const MFA_CHALLENGE_COOKIE = "sendops_mfa";
const MFA_COOKIE_PATH = "/api/auth/mfa";

/** Where the dashboard asks for the second factor (a redirect-based sign-in sends the browser here). */
export const mfaStepUrl = (redirect?: string) => `/sign-in?mfa=1${redirect ? `&redirect=${encodeURIComponent(redirect)}` : ""}`;

const secure = (c: Context<AppEnv>) => new URL(c.req.url).protocol === "https:";

export function setSessionCookie(c: Context<AppEnv>, token: string) {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: "Lax",
    secure: secure(c),
    path: "/",
    // The cookie outlives the longest timeout; the server-side expiry decides.
    maxAge: 30 * 24 * 3600,
  });
}

/**
 * Hands completeSignIn's answer to the browser: the session cookie, or (MFA required) the challenge
 * cookie for the sign-in page's MFA step. Every sign-in route (password, GitHub, Google) calls this.
 */
export function setSignInCookie(c: Context<AppEnv>, result: SignInResult) {
  if (result.mfaRequired) {
    setCookie(c, MFA_CHALLENGE_COOKIE, result.challengeToken, {
      httpOnly: true,
      sameSite: "Lax",
      secure: secure(c),
      path: MFA_COOKIE_PATH,
      maxAge: Math.floor(SIGN_IN_CHALLENGE_TTL_MS / 1000),
    });
  } else {
    setSessionCookie(c, result.token);
  }
}

export const mfaChallengeToken = (c: Context<AppEnv>) => getCookie(c, MFA_CHALLENGE_COOKIE) ?? null;
export const clearMfaChallengeCookie = (c: Context<AppEnv>) => deleteCookie(c, MFA_CHALLENGE_COOKIE, { path: MFA_COOKIE_PATH });
