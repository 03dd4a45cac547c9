/**
 * Sign in with Google: OpenID Connect at GOOGLE_ISSUER_URL (default https://accounts.google.com; locally
 * sim/oauth). Endpoints come from the issuer's discovery document; the code exchange uses PKCE (S256) and
 * the id_token is validated (worker/auth/id-token.ts) before any claim is believed.
 */
import { ArcticFetchError, CodeChallengeMethod, OAuth2Client, OAuth2RequestError } from "arctic";
import type { Env } from "../env";
import { IdTokenError, verifyIdToken, type Jwk } from "../auth/id-token";
import { AppError } from "../lib/errors";
import { oauthFailed, type FlowSecrets, type OAuthProviderClient, type ProviderIdentity } from "./oauth-provider";

type GoogleEnv = Pick<Env, "GOOGLE_ISSUER_URL" | "GOOGLE_CLIENT_ID" | "GOOGLE_CLIENT_SECRET">;

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const SCOPES = ["openid", "email", "profile"];

async function getJson<T>(url: string, what: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" } });
  } catch {
    throw oauthFailed("google", `${what} could not be reached.`);
  }
  if (!res.ok) throw oauthFailed("google", `${what} answered ${res.status}.`);
  return (await res.json()) as T;
}

export function googleClient(env: GoogleEnv): OAuthProviderClient | null {
  if (!env.GOOGLE_CLIENT_ID || !env.GOOGLE_CLIENT_SECRET) return null;
  const issuer = (env.GOOGLE_ISSUER_URL ?? "https://accounts.google.com").replace(/\/+$/, "");
  const clientId = env.GOOGLE_CLIENT_ID;
  const client = (redirectUri: string) => new OAuth2Client(clientId, env.GOOGLE_CLIENT_SECRET!, redirectUri);
  const discover = async () => {
    const d = await getJson<Discovery>(`${issuer}/.well-known/openid-configuration`, "Google's discovery document");
    // OIDC Discovery §4.3: the document must name the issuer it was fetched from.
    if (d.issuer !== issuer) throw oauthFailed("google", `the discovery document names the issuer ${d.issuer}, not ${issuer}.`);
    return d;
  };

  return {
    id: "google",
    async authorizationUrl(flow: FlowSecrets) {
      const d = await discover();
      const url = client(flow.redirectUri).createAuthorizationURLWithPKCE(d.authorization_endpoint, flow.state, CodeChallengeMethod.S256, flow.codeVerifier, SCOPES);
      url.searchParams.set("nonce", flow.nonce);
      url.searchParams.set("prompt", "select_account");
      return url;
    },
    async identify(code: string, flow: FlowSecrets, at: number): Promise<ProviderIdentity> {
      const d = await discover();
      let idToken: string;
      try {
        idToken = (await client(flow.redirectUri).validateAuthorizationCode(d.token_endpoint, code, flow.codeVerifier)).idToken();
      } catch (err) {
        if (err instanceof OAuth2RequestError) throw oauthFailed("google", err.description ?? err.code);
        if (err instanceof ArcticFetchError) throw oauthFailed("google", "Google could not be reached.");
        throw err instanceof AppError ? err : oauthFailed("google", "Google's token answer was not understood.");
      }
      const { keys } = await getJson<{ keys: Jwk[] }>(d.jwks_uri, "Google's signing keys");
      try {
        const claims = await verifyIdToken(idToken, { issuer: d.issuer, audience: clientId, nonce: flow.nonce, jwks: keys }, at);
        return {
          provider: "google",
          subject: claims.sub,
          name: claims.name ?? null,
          email: claims.email ?? null,
          emailVerified: claims.email_verified === true,
          label: claims.email ?? claims.sub,
        };
      } catch (err) {
        if (err instanceof IdTokenError) throw oauthFailed("google", err.message);
        throw err;
      }
    },
  };
}
