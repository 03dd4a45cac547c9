/**
 * The demo workspace's webhook endpoint (Connections → Webhooks) with a week of delivery log: successes,
 * one delivery that succeeded on its third attempt (a 503, then a timeout), and one that failed all three.
 * The bodies are the real payloads (worker/services/webhooks/signature.ts) of notifications the demo's
 * traffic would raise. Nothing is ever sent from the demo (enqueue skips it, and it is read-only), so the
 * endpoint holds no usable signing secret. Created once; a later run leaves an existing endpoint alone.
 */
import { and, eq } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { Actor } from "../../worker/context";
import type { Db } from "../../worker/db/client";
import { auditInsert } from "../../worker/db/audit";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../../worker/db/schema";
import { newId } from "../../worker/lib/ids";
import { NOTIFICATION_TYPES, renderNotification, type NotificationParams, type NotificationType } from "../../worker/lib/notification-types";
import { buildPayload } from "../../worker/services/webhooks/signature";

export const DEMO_WEBHOOK = {
  url: "https://hooks.example.com/sendops/incidents",
  description: "Incident bridge (on-call paging)",
  categories: ["deliverability", "ses_account_health"],
  types: ["channel_events.channel_health_degraded"],
} as const;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

type Attempt = { after: number; status: number | null; error?: string; latencyMs: number };
interface DemoDelivery {
  ago: number;
  type: NotificationType;
  params: NotificationParams;
  payload: Record<string, unknown>;
  attempts: Attempt[];
}

const ok = (latencyMs: number): Attempt[] => [{ after: 0, status: 200, latencyMs }];

/** Newest last; `ago` before the seed time, each attempt `after` ms after the delivery was created. */
export const DEMO_DELIVERIES: DemoDelivery[] = [
  {
    ago: 6 * DAY + 3 * HOUR,
    type: "deliverability.bounce_rate_threshold",
    params: { scope: "news.example.com", rate: "5.8%", window: "1 hour", bounces: 412, sends: 7104, threshold: "5.0%" },
    payload: { domain: "news.example.com", channel: "marketing", metric: "bounce_rate", current_value: 5.8, threshold: 5.0 },
    attempts: ok(143),
  },
  {
    ago: 5 * DAY + 7 * HOUR,
    type: "ses_account_health.sending_quota_approaching",
    params: { percent: "86%", sent: "43,120", quota: "50,000", region: "eu-west-1" },
    payload: { region: "eu-west-1", sent: 43120, quota: 50000, percent: 86.2 },
    attempts: ok(97),
  },
  {
    ago: 4 * DAY + 2 * HOUR,
    type: "deliverability.complaint_rate_threshold",
    params: { scope: "Marketing", rate: "0.14%", window: "24 hours", complaints: 31, sends: 22140, threshold: "0.10%" },
    payload: { channel: "marketing", metric: "complaint_rate", current_value: 0.14, threshold: 0.1 },
    attempts: [
      { after: 0, status: 503, latencyMs: 1204 },
      { after: 5 * MIN, status: null, error: "Timed out after 10 s", latencyMs: 10_000 },
      { after: 20 * MIN, status: 200, latencyMs: 188 },
    ],
  },
  {
    ago: 3 * DAY + 5 * HOUR,
    type: "channel_events.channel_health_degraded",
    params: { channel: "Onboarding", metric: "Bounce rate", rate: "3.9%", window: "6 hours", threshold: "3.5%" },
    payload: { channel: "onboarding", metric: "bounce_rate", current_value: 3.9, threshold: 3.5 },
    attempts: ok(121),
  },
  {
    ago: 2 * DAY + 9 * HOUR,
    type: "deliverability.bounce_rate_trend",
    params: { scope: "updates.example.com", previous: "1.2%", rate: "2.9%", window: "7 days" },
    payload: { domain: "updates.example.com", metric: "bounce_rate", previous_value: 1.2, current_value: 2.9 },
    attempts: [
      { after: 0, status: 502, latencyMs: 311 },
      { after: 5 * MIN, status: 502, latencyMs: 287 },
      { after: 20 * MIN, status: 502, latencyMs: 305 },
    ],
  },
  {
    ago: 1 * DAY + 4 * HOUR,
    type: "deliverability.suppression_list_growth_spike",
    params: { added: 318, window: "24 hours", usual: 40 },
    payload: { added: 318, window_hours: 24, usual: 40 },
    attempts: ok(88),
  },
  {
    ago: 3 * HOUR,
    type: "deliverability.bounce_rate_threshold",
    params: { scope: "mail.example.com", rate: "5.2%", window: "1 hour", bounces: 96, sends: 1846, threshold: "5.0%" },
    payload: { domain: "mail.example.com", channel: "transactional", metric: "bounce_rate", current_value: 5.2, threshold: 5.0 },
    attempts: ok(112),
  },
];

export async function setUpDemoWebhook(db: Db, orgId: string, actor: Actor, at: number): Promise<void> {
  const existing = await db
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.url, DEMO_WEBHOOK.url)))
    .get();
  if (existing) return;
  const createdAt = at - 8 * DAY;
  const endpointId = newId("whe", createdAt);
  const statements: BatchItem<"sqlite">[] = [
    db.insert(webhookEndpoints).values({
      id: endpointId,
      orgId,
      url: DEMO_WEBHOOK.url,
      description: DEMO_WEBHOOK.description,
      typesJson: JSON.stringify(DEMO_WEBHOOK.types),
      categoriesJson: JSON.stringify(DEMO_WEBHOOK.categories),
      secretEnc: "",
      createdByName: actor.name,
      createdAt,
      updatedAt: createdAt,
    }),
    auditInsert(db, {
      orgId,
      actor,
      resourceType: "webhook_endpoint",
      resourceId: endpointId,
      operation: "created",
      summary: `Created the webhook endpoint ${DEMO_WEBHOOK.url} (2 categories and 1 type)`,
      after: DEMO_WEBHOOK,
      at: createdAt,
    }),
  ];
  for (const d of DEMO_DELIVERIES) {
    const start = at - d.ago;
    const id = newId("whd", start);
    const body = JSON.stringify(
      await buildPayload({ id: crypto.randomUUID(), orgId, type: d.type, severity: NOTIFICATION_TYPES[d.type].severity, createdAt: start, ...renderNotification(d.type, d.params), link: "reports", payload: d.payload }),
    );
    const last = d.attempts[d.attempts.length - 1]!;
    const succeeded = last.status !== null && last.status < 300;
    statements.push(
      db.insert(webhookDeliveries).values({
        id,
        orgId,
        endpointId,
        notificationId: JSON.parse(body).id,
        notificationType: d.type,
        body,
        state: succeeded ? "succeeded" : "failed",
        attempts: d.attempts.length,
        lastStatusCode: last.status,
        lastError: succeeded ? null : (last.error ?? `HTTP ${last.status}`),
        createdAt: start,
        updatedAt: start + last.after,
      }),
      ...d.attempts.map((a, i) =>
        db.insert(webhookAttempts).values({
          id: newId("wha", start + a.after),
          orgId,
          deliveryId: id,
          series: 1,
          attempt: i + 1,
          at: start + a.after,
          signedAt: Math.floor((start + a.after) / 1000),
          ok: a.status !== null && a.status < 300,
          statusCode: a.status,
          error: a.status !== null && a.status >= 300 ? `HTTP ${a.status}` : (a.error ?? null),
          latencyMs: a.latencyMs,
        }),
      ),
    );
  }
  const [first, ...rest] = statements;
  await db.batch([first!, ...rest]);
}
