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

/** Creates the user's own workspace through the API (the user becomes its Owner). */
export async function newWorkspace(user: TestUser, name?: string) {
  const res = await call("/api/workspaces", { method: "POST", cookie: user.cookie, body: name === undefined ? {} : { name } });
  if (res.status !== 201) throw new Error(`workspace creation failed: ${res.status} ${await res.text()}`);
  return (await json(res)).workspace as { id: string; name: string; slug: string; role: string; permissions: string[] };
}

let orgCounter = 0;
/** Inserts a workspace with the user as a member of `role` straight into D1 (fast, for table-driven tests). */
export async function insertOrgWithMember(
  userId: string,
  role: "owner" | "org_admin" | "infra_admin" | "developer" | "marketer" | "financial" | "support" | "viewer",
  opts: { plan?: "free" | "team" | "business"; name?: string } = {},
): Promise<string> {
  const n = ++orgCounter;
  const id = `org_t${Date.now().toString(36)}${n}${Math.random().toString(36).slice(2, 8)}`;
  const at = Date.now();
  await env.DB.batch([
    env.DB.prepare("INSERT INTO orgs (id, name, slug, plan, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)").bind(
      id,
      opts.name ?? `Test Org ${n}`,
      id.replace(/_/g, "-").toLowerCase(),
      opts.plan ?? "free",
      at,
      at,
    ),
    env.DB.prepare("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)").bind(id, userId, role, at),
  ]);
  return id;
}

/** Adds an existing user to a workspace with a role, straight into D1. */
export async function insertMembership(orgId: string, userId: string, role: string): Promise<void> {
  await env.DB.prepare("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)")
    .bind(orgId, userId, role, Date.now())
    .run();
}
