import { env } from "cloudflare:test";
import type { Actor } from "../worker/context";
import type { Env } from "../worker/env";
import { getDb } from "../worker/db/client";
import { NOTIFICATION_TYPES, type NotificationCategory, type NotificationType, type OutboundNotification } from "../worker/lib/notification-types";
import type { DeliveryDeps, WebhookMessage } from "../worker/services/webhooks/delivery";
import { createEndpoint } from "../worker/services/webhooks/endpoints";
import type { ReceivedRequest } from "./webhook-receiver";

export const ACTOR: Actor = { userId: null, name: "Webhook Tester", email: "tester@example.test" };
export const receiverUrl = (name: string) => `${env.TEST_WEBHOOK_RECEIVER_URL}/${name}`;

let n = 0;
export const unique = (label: string) => `${label}-${Date.now().toString(36)}-${++n}`;

/** Sets how the test receiver answers on `/<name>` (and the secret it verifies with). */
export async function receiverControl(name: string, config: { secret?: string; status?: number; delayMs?: number }) {
  const res = await fetch(`${env.TEST_WEBHOOK_RECEIVER_URL}/__control/${name}`, { method: "PUT", body: JSON.stringify(config) });
  if (!res.ok) throw new Error(`receiver control: ${res.status}`);
}

export async function received(name: string): Promise<ReceivedRequest[]> {
  return ((await (await fetch(`${env.TEST_WEBHOOK_RECEIVER_URL}/__control/${name}`)).json()) as { requests: ReceivedRequest[] }).requests;
}

export interface Sent {
  body: WebhookMessage;
  delaySeconds?: number;
}

/** Delivery deps over the real D1 and DNS stand-in, with the queue replaced by a recorder. */
export function recordingDeps(extra: Partial<DeliveryDeps> = {}): { deps: DeliveryDeps; sent: Sent[] } {
  const sent: Sent[] = [];
  const queue = {
    send: async (body: WebhookMessage, opts?: { delaySeconds?: number }) => void sent.push({ body, delaySeconds: opts?.delaySeconds }),
    sendBatch: async (messages: Iterable<{ body: WebhookMessage; delaySeconds?: number }>) => void sent.push(...[...messages].map((m) => ({ body: m.body, delaySeconds: m.delaySeconds }))),
  } as unknown as DeliveryDeps["queue"];
  return { deps: { db: getDb(env.DB), env: env as Env, queue, ...extra }, sent };
}

export async function newOrg(): Promise<string> {
  const id = unique("org_wh").replace(/-/g, "_");
  const at = Date.now();
  await env.DB.prepare("INSERT INTO orgs (id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").bind(id, `Hooks ${id}`, id.replace(/_/g, "-").toLowerCase(), at, at).run();
  return id;
}

/** An org with one endpoint on the test receiver at `/<name>`. */
export async function endpointOn(name: string, subs: { types?: NotificationType[]; categories?: NotificationCategory[] } = { categories: ["deliverability"] }, orgId?: string) {
  const org = orgId ?? (await newOrg());
  const created = await createEndpoint(getDb(env.DB), env as Env, { orgId: org, actor: ACTOR }, { url: receiverUrl(name), description: name, types: subs.types ?? [], categories: subs.categories ?? [] });
  return { orgId: org, endpoint: created.endpoint, secret: created.secret };
}

export function notification(orgId: string, type: NotificationType = "deliverability.bounce_rate_threshold", id = unique("ntf")): OutboundNotification {
  return {
    id,
    orgId,
    type,
    severity: NOTIFICATION_TYPES[type].severity,
    createdAt: Date.UTC(2026, 2, 14, 10, 30, 0),
    title: "Bounce rate 6.2% on example.com",
    body: "The bounce rate of example.com reached 6.2% over the last 1 hour.",
    link: "reports",
    payload: { domain: "example.com", current_value: 6.2, threshold: 5 },
  };
}
