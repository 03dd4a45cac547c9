/**
 * GitHub's OAuth web flow (github.com/login/oauth/…, with PKCE) and the REST API's /user and /user/emails,
 * at GITHUB_OAUTH_URL and GITHUB_API_URL (default the real GitHub; locally sim/oauth).
 */
import { ArcticFetchError, CodeChallengeMethod, OAuth2Client, OAuth2RequestError } from "arctic";
import type { Env } from "../env";
import { AppError } from "../lib/errors";
import { oauthFailed, type FlowSecrets, type OAuthProviderClient, type ProviderIdentity } from "./oauth-provider";

type GitHubEnv = Pick<Env, "GITHUB_OAUTH_URL" | "GITHUB_API_URL" | "GITHUB_CLIENT_ID" | "GITHUB_CLIENT_SECRET">;

const trim = (url: string) => url.replace(/\/+$/, "");
/** read:user for the profile, user:email for the (possibly private) primary address and whether it is verified. */
const SCOPES = ["read:user", "user:email"];

export function githubClient(env: GitHubEnv): OAuthProviderClient | null {
  if (!env.GITHUB_CLIENT_ID || !env.GITHUB_CLIENT_SECRET) return null;
  const oauthBase = trim(env.GITHUB_OAUTH_URL ?? "https://github.com");
  const apiBase = trim(env.GITHUB_API_URL ?? "https://api.github.com");
  const client = (redirectUri: string) => new OAuth2Client(env.GITHUB_CLIENT_ID!, env.GITHUB_CLIENT_SECRET!, redirectUri);

  async function api<T>(path: string, token: string): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${apiBase}${path}`, {
        headers: { authorization: `Bearer ${token}`, accept: "application/vnd.github+json", "user-agent": "SendOps", "x-github-api-version": "2022-11-28" },
      });
    } catch {
      throw oauthFailed("github", "GitHub's API could not be reached.");
    }
    if (!res.ok) throw oauthFailed("github", `GitHub's API answered ${res.status} for ${path}.`);
    return (await res.json()) as T;
  }

  return {
    id: "github",
    async authorizationUrl(flow: FlowSecrets) {
      return client(flow.redirectUri).createAuthorizationURLWithPKCE(`${oauthBase}/login/oauth/authorize`, flow.state, CodeChallengeMethod.S256, flow.codeVerifier, SCOPES);
    },
    async identify(code: string, flow: FlowSecrets): Promise<ProviderIdentity> {
      let token: string;
      try {
        const tokens = await client(flow.redirectUri).validateAuthorizationCode(`${oauthBase}/login/oauth/access_token`, code, flow.codeVerifier);
        // GitHub reports a refused exchange with 200 and an `error` member.
        const data = tokens.data as { error?: string; error_description?: string };
        if (data.error) throw oauthFailed("github", data.error_description ?? data.error);
        token = tokens.accessToken();
      } catch (err) {
        if (err instanceof OAuth2RequestError) throw oauthFailed("github", err.description ?? err.code);
        if (err instanceof ArcticFetchError) throw oauthFailed("github", "GitHub could not be reached.");
        throw err instanceof AppError ? err : oauthFailed("github", "GitHub's token answer was not understood.");
      }
      const user = await api<{ id: number; login: string; name: string | null }>("/user", token);
      const emails = await api<{ email: string; primary: boolean; verified: boolean }[]>("/user/emails", token);
      const primary = emails.find((e) => e.primary) ?? null;
      return {
        provider: "github",
        subject: String(user.id),
        name: user.name || user.login,
        email: primary?.email ?? null,
        emailVerified: primary?.verified ?? false,
        label: `@${user.login}`,
      };
    },
  };
}
