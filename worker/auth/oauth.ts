/**
 * The OAuth flow's bookkeeping: which providers this deployment offers, and the short-lived state cookie
 * that carries state, PKCE verifier, nonce and intent from the redirect to the callback. The cookie is
 * sealed with AES-GCM (worker/lib/crypto.ts) under ENCRYPTION_KEY, so it can be neither read nor forged.
 */
import { generateCodeVerifier, generateState } from "arctic";
import type { Env } from "../env";
import { decryptSecret, encryptSecret } from "../lib/crypto";
import { MINUTE } from "../lib/time";
import { githubClient } from "../integrations/github-oauth";
import { googleClient } from "../integrations/google-oidc";
import { OAUTH_PROVIDERS, type FlowSecrets, type OAuthProviderClient, type OAuthProviderId } from "../integrations/oauth-provider";

export const OAUTH_COOKIE = "sendops_oauth";
/** The cookie is only sent to the callbacks. */
export const OAUTH_COOKIE_PATH = "/api/auth/oauth";
export const OAUTH_FLOW_TTL_MS = 10 * MINUTE;

/** Sign in (or sign up), or connect the provider to the signed-in user and return to the page that asked (Profile). */
export type OAuthIntent = { kind: "sign-in" } | { kind: "connect"; userId: string; returnTo: string };

/** Only same-site paths are returned to (no open redirect). */
export const safeReturnPath = (v: string | undefined): string =>
  v && v.startsWith("/") && !v.startsWith("//") && !v.startsWith("/\\") ? v : "/";

export interface OAuthFlow extends FlowSecrets {
  provider: OAuthProviderId;
  intent: OAuthIntent;
  expiresAt: number;
}

/** The configured providers, in display order. */
export function oauthClients(env: Env): OAuthProviderClient[] {
  return [githubClient(env), googleClient(env)].filter((c): c is OAuthProviderClient => c !== null);
}

export function oauthClient(env: Env, provider: string): OAuthProviderClient | null {
  return (OAUTH_PROVIDERS as readonly string[]).includes(provider) ? (oauthClients(env).find((c) => c.id === provider) ?? null) : null;
}

export const callbackUrl = (env: Env, provider: OAuthProviderId) => `${env.APP_URL.replace(/\/+$/, "")}${OAUTH_COOKIE_PATH}/${provider}/callback`;

export function newFlow(env: Env, provider: OAuthProviderId, intent: OAuthIntent, at: number): OAuthFlow {
  return {
    provider,
    intent,
    state: generateState(),
    codeVerifier: generateCodeVerifier(),
    nonce: generateState(),
    redirectUri: callbackUrl(env, provider),
    expiresAt: at + OAUTH_FLOW_TTL_MS,
  };
}

export const sealFlow = (env: Env, flow: OAuthFlow) => encryptSecret(env.ENCRYPTION_KEY, JSON.stringify(flow));

/** The flow a cookie carries, or null when it is missing, forged or expired. */
export async function openFlow(env: Env, sealed: string | undefined, at: number): Promise<OAuthFlow | null> {
  if (!sealed) return null;
  try {
    const flow = JSON.parse(await decryptSecret(env.ENCRYPTION_KEY, sealed)) as OAuthFlow;
    return flow.expiresAt > at ? flow : null;
  } catch {
    return null;
  }
}
