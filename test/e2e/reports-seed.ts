/**
 * Seeds a workspace with SES history through the real ingest path: a user and workspace through the
 * API, an ingest key through the API, the managed identity and channels through the ingest admin
 * service (no HTTP API for them yet; written to the instance's local D1 like the operator CLI does),
 * then every event POSTed to /ingest/eventbridge and read back once the consumer has written it.
 */
import { eq } from "drizzle-orm";
import { wranglerDb } from "../../scripts/lib/d1";
import { orgs } from "../../worker/db/schema";
import { runCommand } from "../../scripts/lib/operator";
import type { Role } from "../../worker/auth/permissions";
import { addChannel, addManagedIdentity } from "../../worker/services/ingest/admin";
import { buildHistory, CHANNELS, IDENTITY } from "./reports-events";

export interface SeededWorkspace {
  email: string;
  password: string;
  cookie: string;
  orgId: string;
  slug: string;
  channels: { id: string; name: string }[];
  /** The last 7 days: messages sent or rejected, sends, and messages per channel name. */
  recent: { messages: number; sends: number; byChannel: Record<string, number> };
  events: number;
}

interface CallInit {
  method?: string;
  json?: unknown;
  cookie?: string;
  headers?: Record<string, string>;
  /** Server-to-server calls (EventBridge) carry no browser Origin. */
  noOrigin?: boolean;
}

async function call(baseUrl: string, path: string, init: CallInit = {}) {
  const headers: Record<string, string> = { ...(init.noOrigin ? {} : { origin: baseUrl }), ...(init.headers ?? {}) };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${baseUrl}${path}`, {
    method: init.method ?? "GET",
    headers,
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path} → ${res.status} ${await res.text()}`);
  return res;
}

const PASSWORD = "correct horse battery";

/** A new user, signed in, whose profile pins the timezone (reports show times in it) to UTC. */
async function newUser(baseUrl: string, label: string, name: string) {
  const email = `${label}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.test`;
  await call(baseUrl, "/api/auth/sign-up", { method: "POST", json: { name, email, password: PASSWORD, acceptTerms: true } });
  const signIn = await call(baseUrl, "/api/auth/sign-in", { method: "POST", json: { email, password: PASSWORD } });
  const cookie = /sendops_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")?.[0];
  if (!cookie) throw new Error("no session cookie after sign-in");
  await call(baseUrl, "/api/me", { method: "PATCH", cookie, json: { timezone: "UTC", weekStart: "monday" } });
  return { email, cookie };
}

/**
 * Another member of the workspace with `role`, added the way an operator does (`npm run admin -- set-role`);
 * the workspace moves to the Team plan first, since Free has a single seat.
 */
export async function addMember(baseUrl: string, persistDir: string, slug: string, role: Role): Promise<{ email: string; cookie: string }> {
  const user = await newUser(baseUrl, role, `Test ${role}`);
  const db = wranglerDb({ persistDir });
  await db.update(orgs).set({ plan: "team" }).where(eq(orgs.slug, slug));
  await runCommand(db, "set-role", { workspace: slug, email: user.email, role });
  return user;
}

export async function seedReportsWorkspace(baseUrl: string, persistDir: string, now = Date.now()): Promise<SeededWorkspace> {
  const { email, cookie } = await newUser(baseUrl, "reports", "Rita Reports");
  return { email, password: PASSWORD, cookie, ...(await seedHistoryWorkspace(baseUrl, persistDir, cookie, now)) };
}

/**
 * A new workspace "Acme Mail" of the user signed in with `cookie`, holding the history of reports-events.ts
 * and any `extra` events (each with one recipient).
 */
export async function seedHistoryWorkspace(
  baseUrl: string,
  persistDir: string,
  cookie: string,
  now = Date.now(),
  extra: Record<string, unknown>[] = [],
): Promise<Omit<SeededWorkspace, "email" | "password" | "cookie">> {
  const ws = (await (await call(baseUrl, "/api/workspaces", { method: "POST", cookie, json: { name: "Acme Mail" } })).json()) as {
    workspace: { id: string; slug: string };
  };
  const orgId = ws.workspace.id;
  const key = ((await (await call(baseUrl, `/api/orgs/${orgId}/ingest/keys`, { method: "POST", cookie })).json()) as { key: string }).key;

  const db = wranglerDb({ persistDir });
  const actor = { userId: null, name: "e2e seed", email: "" };
  await addManagedIdentity(db, orgId, { identity: IDENTITY, verificationStatus: "SUCCESS" }, actor);
  const channels: { id: string; name: string }[] = [];
  for (const c of CHANNELS) {
    const row = await addChannel(db, orgId, { name: c.name, configurationSetName: c.configurationSet }, actor);
    channels.push({ id: row.id, name: row.name });
  }

  const history = buildHistory(now);
  const events = [...history.events, ...extra];
  for (let i = 0; i < events.length; i += 8) {
    await Promise.all(
      events.slice(i, i + 8).map((e) =>
        call(baseUrl, "/ingest/eventbridge", { method: "POST", json: e, headers: { "x-api-key": key }, noOrigin: true }),
      ),
    );
  }

  // The queue consumer writes asynchronously: wait until every event of the history is readable.
  const deadline = Date.now() + 60_000;
  for (;;) {
    let count = 0;
    let cursor: string | null = null;
    do {
      const q: string = `from=${now - 15 * 86_400_000}&to=${now + 86_400_000}&limit=100${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await (await call(baseUrl, `/api/orgs/${orgId}/events?${q}`, { cookie })).json()) as { events: unknown[]; nextCursor: string | null };
      count += page.events.length;
      cursor = page.nextCursor;
    } while (cursor);
    if (count >= events.length) break;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${events.length} events became visible`);
    await new Promise((r) => setTimeout(r, 500));
  }

  return { orgId, slug: ws.workspace.slug, channels, recent: history.recent, events: history.events.length };
}
