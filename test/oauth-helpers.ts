import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { BASE } from "./helpers";

/** A browser navigation to the Worker: GET with cookies, redirects not followed (they lead to the provider or back). */
export function navigate(path: string, cookie?: string) {
  return exports.default.fetch(new Request(`${BASE}${path}`, { headers: cookie ? { cookie } : {}, redirect: "manual" }));
}

let n = 0;
/** A persona the stand-in does not have yet (storage and the stand-in are shared by all tests in a run). */
export async function newPersona(provider: "github" | "google", opts: { email?: string; emailVerified?: boolean; name?: string } = {}) {
  const k = `${Date.now()}${++n}`;
  const persona = {
    provider,
    id: provider === "github" ? k : `2${k}`,
    login: provider === "github" ? `dev${k}` : undefined,
    name: opts.name ?? `Persona ${k}`,
    email: opts.email ?? `p${k}@${provider}.example.test`,
    emailVerified: opts.emailVerified ?? true,
  };
  await oauthSim("/__sim/oauth/users", { method: "PUT", json: persona });
  return persona;
}

export async function oauthSim<T = any>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await fetch(`${env.GITHUB_OAUTH_URL}${path}`, {
    method: init.method ?? "GET",
    headers: init.json === undefined ? {} : { "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (!res.ok) throw new Error(`oauth sim ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const cookieOf = (res: Response, name: string) => {
  const m = new RegExp(`${name}=([^;]*)`).exec(res.headers.get("set-cookie") ?? "");
  return m && m[1] ? `${name}=${m[1]}` : null;
};

/** The start of a flow: the state cookie and the provider's authorize URL. */
export async function startFlow(provider: "github" | "google", opts: { cookie?: string; connect?: boolean } = {}) {
  const path = opts.connect ? `/api/me/connections/${provider}/connect?returnTo=/w/x/profile` : `/api/auth/oauth/${provider}/start`;
  const res = await navigate(path, opts.cookie);
  if (res.status !== 302) throw new Error(`start: ${res.status} ${await res.text()}`);
  return { stateCookie: cookieOf(res, "sendops_oauth")!, authorizeUrl: new URL(res.headers.get("location")!) };
}

/** The provider's side: the persona (or a denial) answers the authorize URL; returns the callback URL it redirects to. */
export async function authorize(provider: "github" | "google", authorizeUrl: URL, who: { userId: string } | { deny: true }) {
  await oauthSim("/__sim/oauth/next", { method: "POST", json: { provider, ...who } });
  const res = await fetch(authorizeUrl, { redirect: "manual" });
  if (res.status !== 302) throw new Error(`authorize: ${res.status} ${await res.text()}`);
  return new URL(res.headers.get("location")!);
}

/** Our callback, with the browser's cookies. */
export async function callback(callbackUrl: URL, cookies: (string | null | undefined)[]) {
  const res = await navigate(`${callbackUrl.pathname}${callbackUrl.search}`, cookies.filter(Boolean).join("; ") || undefined);
  return {
    status: res.status,
    location: res.headers.get("location") ?? "",
    session: cookieOf(res, "sendops_session"),
  };
}

/** A whole flow as one persona. */
export async function signInAs(provider: "github" | "google", personaId: string, opts: { cookie?: string; connect?: boolean } = {}) {
  const { stateCookie, authorizeUrl } = await startFlow(provider, opts);
  const cb = await authorize(provider, authorizeUrl, { userId: personaId });
  return callback(cb, [stateCookie, opts.cookie]);
}

export const errorOf = (location: string) => new URL(location, "http://x").searchParams.get("error");
