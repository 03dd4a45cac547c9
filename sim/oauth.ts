/**
 * Local stand-in for GitHub's OAuth web flow + REST user endpoints and Google's OpenID Connect on
 * 127.0.0.1 (one server, both providers; paths and control routes in sim/oauth/server.ts). The Worker's
 * GITHUB_OAUTH_URL, GITHUB_API_URL and GOOGLE_ISSUER_URL point at it locally and in the tests.
 *
 * Run: `PORT=8090 tsx sim/oauth.ts` (`npm start` does, see scripts/lib/sims.ts). OAUTH_SIM_REDIRECT_URIS
 * (comma-separated) restricts the registered callback URLs; unset, any loopback http URL is accepted.
 */
import { pathToFileURL } from "node:url";
import { OAuthSim } from "./oauth/server";

export { OAuthSim, DEFAULT_PERSONAS, ID_TOKEN_FAULTS, type Persona, type Provider } from "./oauth/server";
export * from "./oauth/credentials";

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sim = new OAuthSim({ redirectUris: process.env.OAUTH_SIM_REDIRECT_URIS?.split(",").filter(Boolean) });
  const url = await sim.listen(Number(process.env.PORT ?? 8090));
  console.log(`OAuth stand-in (GitHub OAuth + REST, Google OpenID Connect) listening on ${url}`);
}
