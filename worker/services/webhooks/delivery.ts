/**
 * Outbound webhook delivery (docs/webhooks.md): one delivery row per notification × endpoint, attempts
 * made by the `sendops-webhooks` consumer. Attempt 1 is immediate, attempt 2 five minutes after attempt 1
 * failed, attempt 3 fifteen minutes after attempt 2 failed (re-sends with `delaySeconds`); then the
 * delivery is failed. Ten failed deliveries in a row auto-disable the endpoint. Time comes in as `now`.
 */
import { and, eq } from "drizzle-orm";
import type { Actor } from "../../context";
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { orgs, webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../db/schema";
import {
  attemptsOfDeliveries,
  claimAttempt,
  findDeliveryOfOrg,
  findDeliveryWithEndpoint,
  findEndpointOfOrg,
  incrementFailures,
  listEndpointsOfOrg,
  unclaimedDeliveries,
  type WebhookEndpointRow,
} from "../../db/webhooks";
import { decryptSecret } from "../../lib/crypto";
import { conflict, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { NOTIFICATION_TYPES, renderNotification, type OutboundNotification } from "../../lib/notification-types";
import { deliveryView, type WebhookScope } from "./endpoints";
import { buildPayload, signatureHeader, SIGNATURE_HEADER, TIMESTAMP_HEADER, USER_AGENT } from "./signature";
import { resolvePublicAddresses } from "./url-guard";

export const MAX_ATTEMPTS = 3;
/** Delay before attempt 2 and attempt 3, after the previous attempt failed. */
export const RETRY_DELAYS_S = [5 * 60, 15 * 60] as const;
export const AUTO_DISABLE_AFTER = 10;
export const TIMEOUT_MS = 10_000;

/** A message on `sendops-webhooks`: make attempt `attempt` of series `series` of the delivery. */
export interface WebhookMessage {
  kind: "webhook.deliver";
  /** Names the queue for the shared dead-letter queue (worker/services/ingest/dead-letters.ts). */
  queue: "sendops-webhooks";
  orgId: string;
  deliveryId: string;
  series: number;
  attempt: number;
}

export interface DisabledEndpoint {
  orgId: string;
  endpointId: string;
  url: string;
  reason: string;
  at: number;
}
/** Told when an endpoint is auto-disabled (queues/webhooks.ts raises `system_infrastructure.webhook_endpoint_disabled`). */
export type OnEndpointDisabled = (endpoint: DisabledEndpoint) => Promise<unknown>;

export interface DeliveryDeps {
  db: Db;
  env: Pick<Env, "APP_URL" | "ENVIRONMENT" | "DNS_RESOLVER_URL" | "ENCRYPTION_KEY">;
  queue: Pick<Queue<WebhookMessage>, "send" | "sendBatch">;
  fetcher?: typeof fetch;
  onEndpointDisabled?: OnEndpointDisabled;
}

export const deliveryDeps = (env: Env, extra: Pick<DeliveryDeps, "fetcher" | "onEndpointDisabled"> = {}): DeliveryDeps => ({
  db: getDb(env.DB),
  env,
  queue: env.WEBHOOKS_QUEUE as Queue<WebhookMessage>,
  ...extra,
});

const WEBHOOKS_ACTOR: Actor = { userId: null, name: "SendOps webhooks", email: "system@sendops" };

const subscribed = (endpoint: WebhookEndpointRow, n: OutboundNotification) =>
  (JSON.parse(endpoint.typesJson) as string[]).includes(n.type) || (JSON.parse(endpoint.categoriesJson) as string[]).includes(NOTIFICATION_TYPES[n.type].category);

/**
 * Called once a notification is raised: one delivery per enabled endpoint of the org subscribed to its
 * type (directly or by category), and a queue message for each. Idempotent per notification × endpoint:
 * a retried caller creates no second delivery, and re-offers only deliveries not yet attempted (the
 * consumer's claim makes a duplicate message harmless).
 */
export async function enqueueWebhookDeliveries(env: Env, notification: OutboundNotification, at = Date.now()) {
  return enqueueDeliveries(deliveryDeps(env), notification, at);
}

export async function enqueueDeliveries(deps: DeliveryDeps, n: OutboundNotification, at = Date.now()): Promise<{ deliveryIds: string[] }> {
  // The demo workspace's endpoint is a showcase with a seeded log (scripts/lib/demo-webhooks.ts): nothing is sent from the demo.
  const org = await deps.db.select({ isDemo: orgs.isDemo }).from(orgs).where(eq(orgs.id, n.orgId)).get();
  if (!org || org.isDemo) return { deliveryIds: [] };
  const endpoints = (await listEndpointsOfOrg(deps.db, n.orgId)).filter((e) => e.status === "enabled" && subscribed(e, n));
  if (endpoints.length === 0) return { deliveryIds: [] };
  const body = JSON.stringify(await buildPayload(n));
  const [first, ...rest] = endpoints.map((e) =>
    deps.db
      .insert(webhookDeliveries)
      .values({ id: newId("whd", at), orgId: n.orgId, endpointId: e.id, notificationId: n.id, notificationType: n.type, body, createdAt: at, updatedAt: at, nextAttemptAt: at })
      .onConflictDoNothing(),
  );
  await deps.db.batch([first!, ...rest]);
  const pending = await unclaimedDeliveries(deps.db, endpoints.map((e) => e.id), n.id);
  if (pending.length) {
    await deps.queue.sendBatch(pending.map((d) => ({ body: { kind: "webhook.deliver", queue: "sendops-webhooks", orgId: n.orgId, deliveryId: d.id, series: d.series, attempt: 1 }, contentType: "json" as const })));
  }
  return { deliveryIds: pending.map((d) => d.id) };
}

interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  latencyMs: number | null;
  signedAt: number | null;
}

async function send(deps: DeliveryDeps, endpoint: WebhookEndpointRow, body: string, now: number): Promise<AttemptResult> {
  const fetcher = deps.fetcher ?? fetch;
  const url = new URL(endpoint.url);
  let guard;
  try {
    guard = await resolvePublicAddresses(deps.env, url, fetcher);
  } catch (err) {
    return { ok: false, statusCode: null, error: `DNS lookup failed: ${(err as Error).message}`, latencyMs: null, signedAt: null };
  }
  if (!guard.ok) return { ok: false, statusCode: null, error: guard.reason, latencyMs: null, signedAt: null };
  const secrets = [await decryptSecret(deps.env.ENCRYPTION_KEY, endpoint.secretEnc)];
  if (endpoint.previousSecretEnc && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now) {
    secrets.push(await decryptSecret(deps.env.ENCRYPTION_KEY, endpoint.previousSecretEnc));
  }
  const signedAt = Math.floor(now / 1000);
  const headers = {
    "content-type": "application/json",
    "user-agent": USER_AGENT,
    [SIGNATURE_HEADER]: await signatureHeader(secrets, signedAt, body),
    [TIMESTAMP_HEADER]: String(signedAt),
  };
  const started = Date.now();
  try {
    // Redirects are not followed: a 3xx could point anywhere, past the address check. It counts as a failure.
    const res = await fetcher(endpoint.url, { method: "POST", headers, body, redirect: "manual", signal: AbortSignal.timeout(TIMEOUT_MS) });
    const latencyMs = Date.now() - started;
    await res.body?.cancel();
    const ok = res.status >= 200 && res.status < 300;
    return { ok, statusCode: res.status, error: ok ? null : `HTTP ${res.status}`, latencyMs, signedAt };
  } catch (err) {
    const latencyMs = Date.now() - started;
    const e = err as Error;
    const timedOut = e.name === "TimeoutError" || e.name === "AbortError";
    return { ok: false, statusCode: null, error: timedOut ? `Timed out after ${TIMEOUT_MS / 1000} s` : `Connection failed: ${e.message}`, latencyMs, signedAt };
  }
}

export type AttemptOutcome = "succeeded" | "retry_scheduled" | "failed" | "not_sent";

/**
 * The consumer's work for one message. Returns null when the message is stale (endpoint deleted, a newer
 * resend series, or the attempt already made by a duplicate message).
 */
export async function runDeliveryAttempt(deps: DeliveryDeps, msg: WebhookMessage, now = Date.now()): Promise<AttemptOutcome | null> {
  const { db } = deps;
  const found = await findDeliveryWithEndpoint(db, msg.deliveryId);
  if (!found || found.delivery.series !== msg.series) return null;
  const { delivery, endpoint } = found;
  if (!(await claimAttempt(db, delivery.id, msg.series, msg.attempt, now))) return null;

  if (endpoint.status !== "enabled") {
    // Disabled meanwhile: nothing is sent and nothing counts towards auto-disable; it can be resent later.
    await db.update(webhookDeliveries).set({ state: "failed", lastError: "Not sent: the endpoint is disabled", updatedAt: now }).where(eq(webhookDeliveries.id, delivery.id));
    return "not_sent";
  }

  const result = await send(deps, endpoint, delivery.body, now);
  const attemptRow = db.insert(webhookAttempts).values({ id: newId("wha", now), orgId: delivery.orgId, deliveryId: delivery.id, series: msg.series, attempt: msg.attempt, at: now, ...result });
  const last = { lastStatusCode: result.statusCode, lastError: result.error, updatedAt: now };

  if (result.ok) {
    await db.batch([
      attemptRow,
      db.update(webhookDeliveries).set({ ...last, state: "succeeded" }).where(eq(webhookDeliveries.id, delivery.id)),
      ...(delivery.test ? [] : [db.update(webhookEndpoints).set({ consecutiveFailures: 0 }).where(eq(webhookEndpoints.id, endpoint.id))]),
    ]);
    return "succeeded";
  }

  if (msg.attempt < MAX_ATTEMPTS) {
    const delaySeconds = RETRY_DELAYS_S[msg.attempt - 1]!;
    await db.batch([attemptRow, db.update(webhookDeliveries).set({ ...last, nextAttemptAt: now + delaySeconds * 1000 }).where(eq(webhookDeliveries.id, delivery.id))]);
    await deps.queue.send({ ...msg, attempt: msg.attempt + 1 }, { delaySeconds, contentType: "json" });
    return "retry_scheduled";
  }

  await db.batch([attemptRow, db.update(webhookDeliveries).set({ ...last, state: "failed" }).where(eq(webhookDeliveries.id, delivery.id))]);
  if (!delivery.test) await countFailure(deps, endpoint, now);
  return "failed";
}

/** One more failed delivery; the tenth in a row auto-disables the endpoint (audited, and admins are told). */
async function countFailure(deps: DeliveryDeps, endpoint: WebhookEndpointRow, now: number) {
  const { db } = deps;
  const [counted] = await incrementFailures(db, endpoint.id, now);
  if (!counted || counted.consecutiveFailures < AUTO_DISABLE_AFTER || counted.status !== "enabled") return;
  const reason = `Disabled automatically after ${counted.consecutiveFailures} consecutive failed deliveries (last: ${new Date(now).toISOString()}). Fix the receiver, then enable the endpoint again.`;
  const [disabled] = await db.batch([
    db
      .update(webhookEndpoints)
      .set({ status: "auto_disabled", disabledReason: reason, disabledAt: now, updatedAt: now })
      .where(and(eq(webhookEndpoints.id, endpoint.id), eq(webhookEndpoints.status, "enabled")))
      .returning({ id: webhookEndpoints.id }),
    auditInsert(db, {
      orgId: endpoint.orgId,
      actor: WEBHOOKS_ACTOR,
      resourceType: "webhook_endpoint",
      resourceId: endpoint.id,
      operation: "auto_disabled",
      summary: `Disabled the webhook endpoint ${endpoint.url} after ${counted.consecutiveFailures} consecutive failed deliveries`,
      before: { status: "enabled" },
      after: { status: "auto_disabled", consecutiveFailures: counted.consecutiveFailures },
      at: now,
    }),
  ]);
  if (disabled.length && deps.onEndpointDisabled) {
    await deps.onEndpointDisabled({ orgId: endpoint.orgId, endpointId: endpoint.id, url: endpoint.url, reason, at: now });
  }
}

async function requireEnabledEndpoint(db: Db, orgId: string, endpointId: string) {
  const endpoint = await findEndpointOfOrg(db, orgId, endpointId);
  if (!endpoint) throw notFound("Webhook endpoint");
  if (endpoint.status !== "enabled") throw conflict("The endpoint is disabled. Enable it first.");
  return endpoint;
}

/** Resends a failed delivery: a new series of up to 3 attempts with the same body (same payload `id`). */
export async function resendDelivery(deps: DeliveryDeps, scope: WebhookScope, endpointId: string, deliveryId: string, at = Date.now()) {
  const { db } = deps;
  const endpoint = await requireEnabledEndpoint(db, scope.orgId, endpointId);
  const delivery = await findDeliveryOfOrg(db, scope.orgId, deliveryId);
  if (!delivery || delivery.endpointId !== endpointId) throw notFound("Delivery");
  if (delivery.state !== "failed") throw conflict(delivery.state === "pending" ? "This delivery is still being attempted." : "This delivery succeeded; only failed deliveries can be resent.");
  const series = delivery.series + 1;
  const [updated] = await db.batch([
    db
      .update(webhookDeliveries)
      .set({ series, attempts: 0, state: "pending", nextAttemptAt: at, updatedAt: at })
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.series, delivery.series), eq(webhookDeliveries.state, "failed")))
      .returning({ id: webhookDeliveries.id }),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "webhook_endpoint",
      resourceId: endpointId,
      operation: "resent",
      summary: `Resent the ${delivery.notificationType} delivery to ${endpoint.url}`,
      after: { deliveryId, series },
      at,
    }),
  ]);
  if (!updated.length) throw conflict("This delivery was resent already.");
  await deps.queue.send({ kind: "webhook.deliver", queue: "sendops-webhooks", orgId: scope.orgId, deliveryId, series, attempt: 1 }, { contentType: "json" });
  return { delivery: deliveryView({ ...delivery, series, attempts: 0, state: "pending", nextAttemptAt: at, updatedAt: at }, []) };
}

/** The docs' example notification, sent by "Send test event". */
const SAMPLE_PARAMS = { scope: "example.com", rate: "6.2%", window: "1 hour", bounces: 62, sends: 1000, threshold: "5.0%" };
const SAMPLE_PAYLOAD = { domain: "example.com", channel: "transactional", metric: "bounce_rate", current_value: 6.2, threshold: 5.0, test: true };

/**
 * "Send test event": a real, signed delivery of a sample notification to this endpoint only (whatever it
 * subscribes to). Attempt 1 is made now so the dashboard shows its result; failures retry as usual.
 * Test deliveries neither count towards nor reset auto-disable.
 */
export async function sendTestEvent(deps: DeliveryDeps, scope: WebhookScope, endpointId: string, at = Date.now()) {
  const { db } = deps;
  const endpoint = await requireEnabledEndpoint(db, scope.orgId, endpointId);
  const type = "deliverability.bounce_rate_threshold" as const;
  const text = renderNotification(type, SAMPLE_PARAMS);
  const notification: OutboundNotification = {
    id: crypto.randomUUID(),
    orgId: scope.orgId,
    type,
    severity: NOTIFICATION_TYPES[type].severity,
    createdAt: at,
    ...text,
    title: `[Test] ${text.title}`,
    link: "reports",
    payload: SAMPLE_PAYLOAD,
  };
  const id = newId("whd", at);
  await db.batch([
    db.insert(webhookDeliveries).values({
      id,
      orgId: scope.orgId,
      endpointId,
      notificationId: notification.id,
      notificationType: type,
      test: true,
      body: JSON.stringify(await buildPayload(notification)),
      createdAt: at,
      updatedAt: at,
      nextAttemptAt: at,
    }),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "webhook_endpoint",
      resourceId: endpointId,
      operation: "test_sent",
      summary: `Sent a test event to the webhook endpoint ${endpoint.url}`,
      at,
    }),
  ]);
  await runDeliveryAttempt(deps, { kind: "webhook.deliver", queue: "sendops-webhooks", orgId: scope.orgId, deliveryId: id, series: 1, attempt: 1 }, at);
  const stored = (await findDeliveryOfOrg(db, scope.orgId, id))!;
  return { delivery: deliveryView(stored, await attemptsOfDeliveries(db, scope.orgId, [id])) };
}
