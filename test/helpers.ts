import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { getDb } from "../worker/db/client";

export const BASE = "http://127.0.0.1:8787";
export const db = () => getDb(env.DB);

let counter = 0;
/** A unique email per call: storage is shared by all tests in a file. */
export const uniqueEmail = (label = "user") => `${label}.${Date.now().toString(36)}.${++counter}@example.test`;

export interface CallOptions {
  method?: string;
  body?: unknown;
  cookie?: string;
  headers?: Record<string, string>;
  origin?: string | null;
}

/** Calls the Worker like the dashboard does: same Origin, JSON body, session cookie. */
export async function call(path: string, opts: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.origin !== null) headers.origin = opts.origin ?? BASE;
  if (opts.cookie) headers.cookie = opts.cookie;
  let body: BodyInit | undefined;
  if (opts.body instanceof Uint8Array || typeof opts.body === "string") body = opts.body as BodyInit;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method: opts.method ?? "GET", headers, body }));
}

export async function json<T = any>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

export function sessionCookie(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  const m = /sendops_session=([^;]+)/.exec(set);
  if (!m) throw new Error(`no session cookie in ${set}`);
  return `sendops_session=${m[1]}`;
}

export interface TestUser {
  email: string;
  password: string;
  cookie: string;
  id: string;
}

/** Signs up and signs in a fresh user; returns the session cookie. */
export async function newUser(label = "user", name = "Test User"): Promise<TestUser> {
  const email = uniqueEmail(label);
  const password = "correct horse battery";
  const up = await call("/api/auth/sign-up", { method: "POST", body: { name, email, password, acceptTerms: true } });
  if (up.status !== 201) throw new Error(`sign-up failed: ${up.status} ${await up.text()}`);
  const res = await call("/api/auth/sign-in", {
    method: "POST",
    body: { email, password },
    headers: { "cf-connecting-ip": `10.0.${counter % 250}.${++counter % 250}` },
  });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const me = await json(res);
  return { email, password, cookie: sessionCookie(res), id: me.user.id };
}
