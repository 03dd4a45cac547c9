/**
 * What SendOps needs from a sign-in provider, whichever it is: where to send the browser, and who came
 * back. Each provider has its own client module (github-oauth.ts, google-oidc.ts) with a configurable base
 * URL; both build on arctic's generic `OAuth2Client`, because arctic's `GitHub` and `Google` classes
 * hard-code github.com / googleapis.com endpoints.
 */
import { AppError } from "../lib/errors";

export const OAUTH_PROVIDERS = ["github", "google"] as const;
export type OAuthProviderId = (typeof OAUTH_PROVIDERS)[number];
export const PROVIDER_NAMES: Record<OAuthProviderId, string> = { github: "GitHub", google: "Google" };

/** The provider account that completed the flow. */
export interface ProviderIdentity {
  provider: OAuthProviderId;
  /** The provider's stable user id (GitHub's numeric id, Google's `sub`). */
  subject: string;
  name: string | null;
  /** The provider's primary email, or null when it has none to give. */
  email: string | null;
  /** The provider says the user proved they receive mail at `email`. */
  emailVerified: boolean;
  /** How the user recognises this account: `@login` or the email. */
  label: string;
}

/** What the flow keeps between the redirect and the callback (in the signed state cookie). */
export interface FlowSecrets {
  state: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
}

export interface OAuthProviderClient {
  id: OAuthProviderId;
  authorizationUrl(flow: FlowSecrets): Promise<URL>;
  /** Exchanges the callback's code and reads the account; AppError OAUTH_FAILED when the provider refuses or answers nonsense. */
  identify(code: string, flow: FlowSecrets, at: number): Promise<ProviderIdentity>;
}

export const oauthFailed = (provider: OAuthProviderId, why: string) =>
  new AppError("OAUTH_FAILED", 502, `${PROVIDER_NAMES[provider]} sign-in failed: ${why}`, { provider });
