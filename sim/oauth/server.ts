/**
 * The OAuth stand-in's HTTP server: GitHub's OAuth web flow and REST user endpoints, and Google's OpenID
 * Connect (discovery, authorization with PKCE, token endpoint with an RS256 id_token, JWKS), on one port.
 *
 * GitHub (base = GITHUB_OAUTH_URL and GITHUB_API_URL):
 *   GET  /login/oauth/authorize            client_id, redirect_uri, state, scope, code_challenge(+_method=S256, optional)
 *   POST /login/oauth/access_token         form or JSON; client id/secret in the body or Basic auth; answers
 *                                          JSON or form-encoded per Accept; errors are 200 with `error` (as GitHub does)
 *   GET  /user, GET /user/emails           `Authorization: Bearer <token>` (or `token <token>`)
 * Google (issuer = GOOGLE_ISSUER_URL = the base):
 *   GET  /.well-known/openid-configuration
 *   GET  /o/oauth2/v2/auth                 response_type=code, scope with openid, PKCE S256 required, nonce
 *   POST /token                            form; client_secret_basic or _post; JSON with id_token (RS256)
 *   GET  /oauth2/v3/certs                  the JWKS
 * Control (not GitHub or Google):
 *   GET  /__sim/oauth/users                                     the personas
 *   PUT  /__sim/oauth/users {provider, id, login?, name, email, emailVerified}   add or replace a persona
 *   POST /__sim/oauth/next {provider, userId} | {provider, deny: true}           the next authorization of that
 *                                                               provider answers at once (no page): as that persona, or denied
 *   POST /__sim/oauth/faults {idToken: bad_signature|wrong_aud|wrong_iss|expired|wrong_nonce}  spoils the next id_token
 * Without a `next` choice the authorize endpoints show a page to pick a persona (or deny).
 */
import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SIM_GITHUB_CLIENT_ID, SIM_GITHUB_CLIENT_SECRET, SIM_GOOGLE_CLIENT_ID, SIM_GOOGLE_CLIENT_SECRET } from "./credentials";

export type Provider = "github" | "google";
export const PROVIDERS: readonly Provider[] = ["github", "google"];

export interface Persona {
  provider: Provider;
  /** GitHub's numeric user id (as a string) or Google's `sub`. */
  id: string;
  /** GitHub login; Google has none. */
  login: string | null;
  name: string;
  email: string;
  emailVerified: boolean;
}

export const ID_TOKEN_FAULTS = ["bad_signature", "wrong_aud", "wrong_iss", "expired", "wrong_nonce"] as const;
export type IdTokenFault = (typeof ID_TOKEN_FAULTS)[number];

export interface OAuthSimOptions {
  clients?: Record<Provider, { id: string; secret: string }>;
  /** Exact redirect URIs the OAuth apps registered; unset: any http URL on a loopback host (local instances use free ports). */
  redirectUris?: string[];
  now?: () => number;
}

/** Both providers' authorization codes live about ten minutes. */
export const CODE_TTL_MS = 10 * 60_000;
const ID_TOKEN_TTL_S = 3600;

export const DEFAULT_PERSONAS: Persona[] = [
  { provider: "github", id: "583231", login: "octocat", name: "The Octocat", email: "octocat@users.github.test", emailVerified: true },
  { provider: "github", id: "583232", login: "unverified-dev", name: "Unverified Dev", email: "unverified-dev@users.github.test", emailVerified: false },
  { provider: "google", id: "110000000000000000001", login: null, name: "Ada Lovelace", email: "ada@gmail.test", emailVerified: true },
  { provider: "google", id: "110000000000000000002", login: null, name: "Grace Unverified", email: "grace@gmail.test", emailVerified: false },
];

interface IssuedCode {
  provider: Provider;
  clientId: string;
  redirectUri: string | null;
  userId: string;
  challenge: string | null;
  nonce: string | null;
  scope: string;
  expiresAt: number;
  used: boolean;
}

const b64url = (buf: Buffer) => buf.toString("base64url");
const random = (n = 20) => b64url(crypto.randomBytes(n));
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

export class OAuthSim {
  readonly server: http.Server;
  readonly personas = new Map<string, Persona>();
  private readonly clients: Record<Provider, { id: string; secret: string }>;
  private readonly redirectUris: string[] | null;
  private readonly now: () => number;
  private readonly codes = new Map<string, IssuedCode>();
  private readonly tokens = new Map<string, { provider: Provider; userId: string; scope: string }>();
  private readonly next = new Map<Provider, { userId: string } | { deny: true }>();
  private idTokenFault: IdTokenFault | null = null;
  private readonly key = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  /** Signs "bad_signature" tokens: same kid, another key, as a forger would. */
  private readonly forgerKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  private readonly kid = random(8);
  private baseUrl = "";

  constructor(opts: OAuthSimOptions = {}) {
    this.clients = opts.clients ?? {
      github: { id: SIM_GITHUB_CLIENT_ID, secret: SIM_GITHUB_CLIENT_SECRET },
      google: { id: SIM_GOOGLE_CLIENT_ID, secret: SIM_GOOGLE_CLIENT_SECRET },
    };
    this.redirectUris = opts.redirectUris?.length ? opts.redirectUris : null;
    this.now = opts.now ?? Date.now;
    for (const p of DEFAULT_PERSONAS) this.personas.set(`${p.provider}:${p.id}`, { ...p });
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((err) => {
        console.error("oauth sim:", err);
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: "internal error in the OAuth stand-in" }));
      });
    });
  }

  listen(port: number): Promise<string> {
    return new Promise((resolve) => {
      this.server.listen(port, "127.0.0.1", () => {
        this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        resolve(this.baseUrl);
      });
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", this.baseUrl || "http://127.0.0.1");
    const path = url.pathname;
    const method = req.method ?? "GET";
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(body));
    const html = (status: number, body: string) => res.writeHead(status, { "content-type": "text/html; charset=utf-8" }).end(body);
    const redirect = (location: string) => res.writeHead(302, { location }).end();

    if (path === "/login/oauth/authorize" && method === "GET") return this.authorize("github", url.searchParams, html, redirect);
    if (path === "/o/oauth2/v2/auth" && method === "GET") return this.authorize("google", url.searchParams, html, redirect);
    if (path === "/__sim/oauth/decide" && method === "POST") {
      const form = new URLSearchParams(await readBody(req));
      const provider = form.get("provider") as Provider;
      if (!PROVIDERS.includes(provider)) return html(400, page("Unknown provider", "<p>The form names no provider.</p>"));
      const choice = form.get("deny") ? ({ deny: true } as const) : { userId: form.get("userId") ?? "" };
      return this.authorize(provider, new URLSearchParams(form.get("query") ?? ""), html, redirect, choice);
    }
    if (path === "/login/oauth/access_token" && method === "POST") return this.githubToken(req, res);
    if (path === "/token" && method === "POST") return this.googleToken(req, json);
    if ((path === "/user" || path === "/user/emails") && method === "GET") {
      const token = /^(?:Bearer|token)\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
      const grant = token ? this.tokens.get(token) : undefined;
      if (!grant || grant.provider !== "github") return json(401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
      const p = this.personas.get(`github:${grant.userId}`)!;
      if (path === "/user") return json(200, githubUser(p, this.baseUrl));
      if (!grant.scope.split(/[ ,]+/).includes("user:email")) {
        return json(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/users/emails#list-email-addresses-for-the-authenticated-user", status: "404" });
      }
      return json(200, [{ email: p.email, primary: true, verified: p.emailVerified, visibility: "private" }]);
    }
    if (path === "/.well-known/openid-configuration" && method === "GET") {
      return json(200, {
        issuer: this.baseUrl,
        authorization_endpoint: `${this.baseUrl}/o/oauth2/v2/auth`,
        token_endpoint: `${this.baseUrl}/token`,
        jwks_uri: `${this.baseUrl}/oauth2/v3/certs`,
        response_types_supported: ["code"],
        subject_types_supported: ["public"],
        id_token_signing_alg_values_supported: ["RS256"],
        scopes_supported: ["openid", "email", "profile"],
        token_endpoint_auth_methods_supported: ["client_secret_post", "client_secret_basic"],
        claims_supported: ["aud", "email", "email_verified", "exp", "iat", "iss", "name", "sub", "nonce"],
        code_challenge_methods_supported: ["plain", "S256"],
      });
    }
    if (path === "/oauth2/v3/certs" && method === "GET") {
      const jwk = this.key.publicKey.export({ format: "jwk" });
      return json(200, { keys: [{ ...jwk, kid: this.kid, alg: "RS256", use: "sig" }] });
    }
    if (path === "/__sim/oauth/users") {
      if (method === "GET") return json(200, { users: [...this.personas.values()] });
      if (method === "PUT") {
        const input = parseJson(await readBody(req));
        const persona = personaFrom(input);
        if (typeof persona === "string") return json(400, { message: persona });
        this.personas.set(`${persona.provider}:${persona.id}`, persona);
        return json(200, { user: persona });
      }
    }
    if (path === "/__sim/oauth/next" && method === "POST") {
      const input = parseJson(await readBody(req));
      const provider = input?.provider as Provider;
      if (!PROVIDERS.includes(provider)) return json(400, { message: 'provider is "github" or "google".' });
      if (input.deny === true) this.next.set(provider, { deny: true });
      else if (typeof input.userId === "string" && this.personas.has(`${provider}:${input.userId}`)) this.next.set(provider, { userId: input.userId });
      else return json(400, { message: "Give userId (a persona of that provider) or deny: true." });
      return json(200, { next: this.next.get(provider) });
    }
    if (path === "/__sim/oauth/faults" && method === "POST") {
      const input = parseJson(await readBody(req));
      if (!ID_TOKEN_FAULTS.includes(input?.idToken)) return json(400, { message: `idToken is one of ${ID_TOKEN_FAULTS.join(", ")}.` });
      this.idTokenFault = input.idToken;
      return json(200, { idToken: this.idTokenFault });
    }
    return json(404, { message: `No route ${method} ${path}` });
  }

  private redirectUriAllowed(uri: string): boolean {
    if (this.redirectUris) return this.redirectUris.includes(uri);
    try {
      const u = new URL(uri);
      return u.protocol === "http:" && ["127.0.0.1", "localhost", "[::1]"].includes(u.hostname);
    } catch {
      return false;
    }
  }

  /** The authorization endpoint of either provider: checks the request, then answers per the `next` choice, the posted pick, or with the picker page. */
  private authorize(
    provider: Provider,
    q: URLSearchParams,
    html: (status: number, body: string) => void,
    redirect: (location: string) => void,
    picked?: { userId: string } | { deny: true },
  ) {
    const clientId = q.get("client_id");
    if (clientId !== this.clients[provider].id) return html(400, page("Application not found", `<p>No OAuth application has the client id <code>${escapeHtml(clientId ?? "")}</code>.</p>`));
    const redirectUri = q.get("redirect_uri");
    if (provider === "google" && !redirectUri) return html(400, page("Error 400: invalid_request", "<p>Missing required parameter: redirect_uri</p>"));
    if (redirectUri !== null && !this.redirectUriAllowed(redirectUri)) {
      return html(400, page("Error 400: redirect_uri_mismatch", `<p>The redirect_uri <code>${escapeHtml(redirectUri)}</code> is not registered for this application.</p>`));
    }
    if (!redirectUri) return html(400, page("Missing redirect_uri", "<p>This stand-in has no default callback URL; pass redirect_uri.</p>"));
    const challenge = q.get("code_challenge");
    const challengeMethod = q.get("code_challenge_method");
    if (challenge !== null && challengeMethod !== "S256") return html(400, page("Error 400: invalid_request", "<p>code_challenge_method must be S256.</p>"));
    const scope = q.get("scope") ?? "";
    if (provider === "google") {
      if (q.get("response_type") !== "code") return html(400, page("Error 400: invalid_request", "<p>response_type must be code.</p>"));
      if (!scope.split(" ").includes("openid")) return html(400, page("Error 400: invalid_scope", "<p>scope must include openid.</p>"));
      if (!challenge) return html(400, page("Error 400: invalid_request", "<p>This client must use PKCE (code_challenge with S256).</p>"));
    }
    const state = q.get("state");
    const back = (params: Record<string, string>) => {
      const target = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v);
      if (state !== null) target.searchParams.set("state", state);
      redirect(target.toString());
    };
    const choice = picked ?? this.next.get(provider);
    this.next.delete(provider);
    if (!choice) return html(200, this.pickerPage(provider, q));
    if ("deny" in choice) {
      return back(
        provider === "github"
          ? { error: "access_denied", error_description: "The user has denied your application access.", error_uri: "https://docs.github.com/apps/troubleshooting-authorization-request-errors/#access-denied" }
          : { error: "access_denied" },
      );
    }
    if (!this.personas.has(`${provider}:${choice.userId}`)) return html(400, page("Unknown user", "<p>Pick one of the listed users.</p>"));
    const code = random();
    this.codes.set(code, {
      provider,
      clientId,
      redirectUri,
      userId: choice.userId,
      challenge,
      nonce: q.get("nonce"),
      scope,
      expiresAt: this.now() + CODE_TTL_MS,
      used: false,
    });
    return back(provider === "google" ? { code, scope } : { code });
  }

  private pickerPage(provider: Provider, q: URLSearchParams): string {
    const label = provider === "github" ? "GitHub" : "Google";
    const query = escapeHtml(q.toString());
    const rows = [...this.personas.values()]
      .filter((p) => p.provider === provider)
      .map(
        (p) => `<li><form method="post" action="/__sim/oauth/decide">
  <input type="hidden" name="provider" value="${provider}"><input type="hidden" name="query" value="${query}">
  <input type="hidden" name="userId" value="${escapeHtml(p.id)}">
  <button type="submit">Continue as ${escapeHtml(p.name)}</button>
  <span>${escapeHtml(p.login ? `@${p.login} · ` : "")}${escapeHtml(p.email)} · ${p.emailVerified ? "verified email" : "unverified email"}</span>
</form></li>`,
      )
      .join("\n");
    return page(
      `Sign in with ${label} (local stand-in)`,
      `<p>An application asks to use your ${label} account. Choose who signs in:</p>
<ul>${rows}</ul>
<form method="post" action="/__sim/oauth/decide"><input type="hidden" name="provider" value="${provider}"><input type="hidden" name="query" value="${query}">
<input type="hidden" name="deny" value="1"><button type="submit">Cancel (deny access)</button></form>`,
    );
  }

  /** Checks the client and the code (single use, unexpired, same client and redirect_uri, PKCE); an error string when refused. */
  private redeem(provider: Provider, form: URLSearchParams, authorization: string | undefined): { grant: IssuedCode } | { error: string; description: string } {
    let clientId = form.get("client_id");
    let secret = form.get("client_secret");
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (basic) {
      const decoded = Buffer.from(basic, "base64").toString("utf8");
      const i = decoded.indexOf(":");
      clientId = decodeURIComponent(decoded.slice(0, i));
      secret = decodeURIComponent(decoded.slice(i + 1));
    }
    const client = this.clients[provider];
    if (clientId !== client.id || secret !== client.secret) {
      return provider === "github"
        ? { error: "incorrect_client_credentials", description: "The client_id and/or client_secret passed are incorrect." }
        : { error: "invalid_client", description: "Unauthorized" };
    }
    if (provider === "google" && form.get("grant_type") !== "authorization_code") return { error: "unsupported_grant_type", description: "Invalid grant_type." };
    const code = form.get("code") ?? "";
    const grant = this.codes.get(code);
    const badCode = provider === "github" ? { error: "bad_verification_code", description: "The code passed is incorrect or expired." } : { error: "invalid_grant", description: "Bad Request" };
    if (!grant || grant.provider !== provider || grant.clientId !== clientId) return badCode;
    if (grant.used || grant.expiresAt <= this.now()) {
      // A replayed code revokes what it bought, as RFC 6749 §4.1.2 recommends.
      for (const [t, g] of this.tokens) if (g.userId === grant.userId && g.provider === provider && grant.used) this.tokens.delete(t);
      return badCode;
    }
    grant.used = true;
    const redirectUri = form.get("redirect_uri");
    if ((provider === "google" || redirectUri !== null) && redirectUri !== grant.redirectUri) {
      return provider === "github"
        ? { error: "redirect_uri_mismatch", description: "The redirect_uri MUST match the registered callback URL for this application." }
        : { error: "redirect_uri_mismatch", description: "Bad Request" };
    }
    const verifier = form.get("code_verifier");
    if (grant.challenge !== null || verifier !== null) {
      const ok = verifier !== null && grant.challenge !== null && b64url(crypto.createHash("sha256").update(verifier).digest()) === grant.challenge;
      if (!ok) return provider === "github" ? { error: "bad_verification_code", description: "The code_verifier does not match the code_challenge." } : { error: "invalid_grant", description: "Invalid code verifier." };
    }
    return { grant };
  }

  private async githubToken(req: http.IncomingMessage, res: http.ServerResponse) {
    const raw = await readBody(req);
    const form = /json/i.test(req.headers["content-type"] ?? "") ? new URLSearchParams(Object.entries(parseJson(raw) ?? {}).map(([k, v]): [string, string] => [k, String(v)])) : new URLSearchParams(raw);
    const result = this.redeem("github", form, req.headers.authorization);
    const body: Record<string, string> =
      "error" in result
        ? { error: result.error, error_description: result.description, error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors" }
        : { access_token: this.issueToken("gho_", "github", result.grant), token_type: "bearer", scope: result.grant.scope.split(/[ ,]+/).filter(Boolean).join(",") };
    // GitHub answers errors with 200 too, in the format the Accept header asked for.
    if (/application\/json/i.test(req.headers.accept ?? "")) res.writeHead(200, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
    else res.writeHead(200, { "content-type": "application/x-www-form-urlencoded; charset=utf-8" }).end(new URLSearchParams(body).toString());
  }

  private async googleToken(req: http.IncomingMessage, json: (status: number, body: unknown) => void) {
    const form = new URLSearchParams(await readBody(req));
    const result = this.redeem("google", form, req.headers.authorization);
    if ("error" in result) return json(result.error === "invalid_client" ? 401 : 400, { error: result.error, error_description: result.description });
    const { grant } = result;
    const persona = this.personas.get(`google:${grant.userId}`)!;
    return json(200, {
      access_token: this.issueToken("ya29.", "google", grant),
      expires_in: 3599,
      token_type: "Bearer",
      scope: grant.scope,
      id_token: this.idToken(persona, grant),
    });
  }

  private issueToken(prefix: string, provider: Provider, grant: IssuedCode): string {
    const token = `${prefix}${random(27)}`;
    this.tokens.set(token, { provider, userId: grant.userId, scope: grant.scope });
    return token;
  }

  private idToken(p: Persona, grant: IssuedCode): string {
    const fault = this.idTokenFault;
    this.idTokenFault = null;
    const iat = Math.floor(this.now() / 1000) - (fault === "expired" ? 2 * ID_TOKEN_TTL_S : 0);
    const claims: Record<string, unknown> = {
      iss: fault === "wrong_iss" ? "https://accounts.example.test" : this.baseUrl,
      azp: grant.clientId,
      aud: fault === "wrong_aud" ? "someone-else.apps.googleusercontent.com" : grant.clientId,
      sub: p.id,
      email: p.email,
      email_verified: p.emailVerified,
      name: p.name,
      iat,
      exp: iat + ID_TOKEN_TTL_S,
    };
    if (grant.nonce !== null) claims.nonce = fault === "wrong_nonce" ? random(12) : grant.nonce;
    const signingInput = `${b64url(Buffer.from(JSON.stringify({ alg: "RS256", kid: this.kid, typ: "JWT" })))}.${b64url(Buffer.from(JSON.stringify(claims)))}`;
    const key = fault === "bad_signature" ? this.forgerKey.privateKey : this.key.privateKey;
    return `${signingInput}.${b64url(crypto.sign("RSA-SHA256", Buffer.from(signingInput), key))}`;
  }
}

function githubUser(p: Persona, base: string) {
  return {
    login: p.login,
    id: Number(p.id),
    node_id: `U_${Buffer.from(p.id).toString("base64url")}`,
    avatar_url: `${base}/avatars/${p.id}`,
    type: "User",
    site_admin: false,
    name: p.name,
    // GitHub shows only a public email here; private ones come from /user/emails.
    email: null,
  };
}

function personaFrom(input: any): Persona | string {
  if (!input || !PROVIDERS.includes(input.provider)) return 'provider is "github" or "google".';
  if (typeof input.id !== "string" || !input.id) return "id is a non-empty string (GitHub: digits; Google: the sub).";
  if (input.provider === "github" && !/^\d+$/.test(input.id)) return "A GitHub id is digits.";
  if (typeof input.name !== "string" || typeof input.email !== "string" || !input.email.includes("@")) return "name and email are required.";
  if (typeof input.emailVerified !== "boolean") return "emailVerified is true or false.";
  const login = input.provider === "github" ? (typeof input.login === "string" && input.login ? input.login : `user${input.id}`) : null;
  return { provider: input.provider, id: input.id, login, name: input.name, email: input.email, emailVerified: input.emailVerified };
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(raw: string): any {
  try {
    return JSON.parse(raw || "{}");
  } catch {
    return null;
  }
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}ul{list-style:none;padding:0}li{margin:.75rem 0}
button{font:inherit;padding:.5rem 1rem;margin-right:.5rem;cursor:pointer}span{color:#555;font-size:.9em}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}span{color:#aaa}}</style>
</head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;
}
