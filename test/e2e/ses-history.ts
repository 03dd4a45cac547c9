/**
 * Small SES histories for browser tests: events made from the fixtures (each with its own id, message,
 * recipient and times), a workspace of a fresh user to post them into, and the wait for the consumer.
 */
import { randomUUID } from "node:crypto";
import type { Page } from "playwright-core";
import { readFileSync } from "node:fs";
import path from "node:path";
import { wranglerDb } from "../../scripts/lib/d1";
import { addManagedIdentity } from "../../worker/services/ingest/admin";

type Json = Record<string, any>;
const FIXTURES = path.resolve(import.meta.dirname, "..", "fixtures", "ses-events");
export const PASSWORD = "correct horse battery";

let seq = 0;
const unique = () => `${Date.now().toString(16)}${(++seq).toString(16).padStart(4, "0")}${Math.random().toString(16).slice(2, 6)}`;

/** The event's own timestamp field per type (Send, Reject and Rendering Failure use `mail.timestamp`). */
const OWN_TIME: Record<string, string> = {
  Delivery: "delivery",
  Bounce: "bounce",
  Complaint: "complaint",
  Open: "open",
  Click: "click",
  DeliveryDelay: "deliveryDelay",
};

/** A message id in SES's format (`0100` + 12 hex digits + a UUID + `-000000`), unique per call. */
export const newMessageId = () => `0100${Date.now().toString(16).padStart(12, "0")}-${randomUUID()}-000000`;

/** One event of `fixture` (a file of test/fixtures/ses-events) for `recipient`, sent at `sentAt`, happening at `at`. */
export function sesEvent(fixture: string, o: { recipient: string; messageId: string; sentAt: number; at?: number }): Json {
  const e = JSON.parse(readFileSync(path.join(FIXTURES, `${fixture}.json`), "utf8")) as Json;
  const at = o.at ?? o.sentAt;
  e.id = `e2e-${unique()}`;
  e.time = new Date(at).toISOString().slice(0, 19) + "Z";
  const mail = e.detail.mail;
  mail.messageId = o.messageId;
  mail.timestamp = new Date(o.sentAt).toISOString();
  mail.destination = [o.recipient];
  if (mail.commonHeaders) mail.commonHeaders = { ...mail.commonHeaders, to: [o.recipient], messageId: o.messageId };
  const own = e.detail[OWN_TIME[e.detail.eventType as string] ?? ""];
  if (own) own.timestamp = new Date(at).toISOString();
  if (e.detail.delivery) {
    e.detail.delivery.recipients = [o.recipient];
    e.detail.delivery.processingTimeMillis = at - o.sentAt;
  }
  for (const r of e.detail.bounce?.bouncedRecipients ?? []) r.emailAddress = o.recipient;
  for (const r of e.detail.complaint?.complainedRecipients ?? []) r.emailAddress = o.recipient;
  for (const r of e.detail.deliveryDelay?.delayedRecipients ?? []) r.emailAddress = o.recipient;
  return e;
}

export async function api(base: string, p: string, init: { method?: string; json?: unknown; cookie?: string } = {}) {
  const headers: Record<string, string> = { origin: base };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}${p}`, { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${p} → ${res.status} ${await res.text()}`);
  return res;
}

/** EventBridge's POSTs (server to server, no Origin), each answered 202 once queued. */
export async function postEvents(base: string, key: string, events: Json[]) {
  for (const e of events) {
    const res = await fetch(`${base}/ingest/eventbridge`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": key }, body: JSON.stringify(e) });
    if (res.status !== 202) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
  }
}

export interface OwnWorkspace {
  email: string;
  cookie: string;
  orgId: string;
  slug: string;
  ingestKey: string;
}

/** A new user (profile timezone UTC) owning a new workspace that manages mail.example.com and has an ingest key. */
export async function ownWorkspace(base: string, persistDir: string, name: string): Promise<OwnWorkspace> {
  const email = `${name.toLowerCase().replace(/[^a-z]+/g, ".")}.${unique()}@example.test`;
  await api(base, "/api/auth/sign-up", { method: "POST", json: { name: "Test User", email, password: PASSWORD, acceptTerms: true } });
  const signIn = await api(base, "/api/auth/sign-in", { method: "POST", json: { email, password: PASSWORD } });
  const cookie = /sendops_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")![0];
  await api(base, "/api/me", { method: "PATCH", cookie, json: { timezone: "UTC" } });
  const { workspace } = (await (await api(base, "/api/workspaces", { method: "POST", cookie, json: { name } })).json()) as { workspace: { id: string; slug: string } };
  const ingestKey = ((await (await api(base, `/api/orgs/${workspace.id}/ingest/keys`, { method: "POST", cookie })).json()) as { key: string }).key;
  await addManagedIdentity(wranglerDb({ persistDir }), workspace.id, { identity: "mail.example.com", verificationStatus: "SUCCESS" }, { userId: null, name: "e2e seed", email: "" });
  return { email, cookie, orgId: workspace.id, slug: workspace.slug, ingestKey };
}

/** Signs `email` (password PASSWORD) in through the sign-in page; resolves once a workspace page is open. */
export async function signInAs(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/w/"));
}

/** Waits until `check` holds: the queue consumer writes after the webhook has answered. */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
