/**
 * The `notification.deliver` job: sends a raised notification through each delivery step in turn —
 * email to the members who chose it, the workspace's Slack channel. Each step receives the
 * `OutboundNotification` and records its own outcome, so a retried job repeats only what is still pending.
 */
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { findNotification, findPendingDelivery, findSlackIntegration, listPendingEmails, updateDelivery } from "../../db/notifications";
import { findOrgById } from "../../db/workspaces";
import { sendMail } from "../../integrations/mailer";
import { postSlackMessage, SlackError } from "../../integrations/slack";
import { decryptSecret } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import type { OutboundNotification } from "../../lib/notification-types";
import { notificationEmail, notificationSlackMessage, notificationUrl } from "./messages";
import { outboundOf, type NotificationDeliverJob } from "./raise";
import { enqueueWebhookDeliveries } from "../webhooks/delivery";

/** Attempts per email or Slack delivery before it is recorded as failed (the job is retried in between). */
export const MAX_DELIVERY_ATTEMPTS = 3;

export type DeliveryStep = (env: Env, notification: OutboundNotification, at: number) => Promise<void>;

/** A delivery that should be tried again: the job throws it after every step ran, so the queue retries. */
class RetryLater extends Error {}

async function workspaceOf(db: Db, orgId: string) {
  const org = await findOrgById(db, orgId);
  if (!org) throw new Error(`workspace ${orgId} of a notification is gone`);
  return org;
}

/** Failed attempt: pending again (and the job retried) until the last attempt, then failed with the reason. */
async function recordFailure(db: Db, key: Parameters<typeof updateDelivery>[1], attempts: number, detail: string, retryable: boolean, at: number) {
  const final = !retryable || attempts >= MAX_DELIVERY_ATTEMPTS;
  await updateDelivery(db, key, { status: final ? "failed" : "pending", attempts, detail, updatedAt: at });
  return final ? null : new RetryLater(detail);
}

export const deliverEmail: DeliveryStep = async (env, n, at) => {
  const db = getDb(env.DB);
  const pending = await listPendingEmails(db, n.id);
  if (!pending.length) return;
  const org = await workspaceOf(db, n.orgId);
  const url = notificationUrl(env.APP_URL, org.slug, n.link);
  let retry: RetryLater | null = null;
  for (const r of pending) {
    const key = { notificationId: n.id, channel: "email" as const, recipient: r.recipient };
    const attempts = r.attempts + 1;
    try {
      await sendMail(env, { to: r.email, ...notificationEmail(n, { url, workspaceName: org.name }) });
      await updateDelivery(db, key, { status: "sent", attempts, detail: null, updatedAt: at });
    } catch (err) {
      // A deployment without a mailer will not get one by retrying.
      if (err instanceof AppError && err.code === "MAILER_NOT_CONFIGURED") {
        await updateDelivery(db, key, { status: "skipped", attempts, detail: err.message, updatedAt: at });
        continue;
      }
      retry = (await recordFailure(db, key, attempts, err instanceof Error ? err.message : String(err), true, at)) ?? retry;
    }
  }
  if (retry) throw retry;
};

export const deliverSlack: DeliveryStep = async (env, n, at) => {
  const db = getDb(env.DB);
  const pending = await findPendingDelivery(db, n.id, "slack", "slack");
  if (!pending) return;
  const key = { notificationId: n.id, channel: "slack" as const, recipient: "slack" };
  const attempts = pending.attempts + 1;
  const integration = await findSlackIntegration(db, n.orgId);
  if (!integration) {
    await updateDelivery(db, key, { status: "skipped", attempts, detail: "Slack was disconnected before the message was sent.", updatedAt: at });
    return;
  }
  const org = await workspaceOf(db, n.orgId);
  const message = notificationSlackMessage(n, { url: notificationUrl(env.APP_URL, org.slug, n.link), workspaceName: org.name });
  try {
    await postSlackMessage(await decryptSecret(env.ENCRYPTION_KEY, integration.webhookUrlSealed), message);
    await updateDelivery(db, key, { status: "sent", attempts, detail: null, updatedAt: at });
  } catch (err) {
    if (!(err instanceof SlackError)) throw err;
    const retry = await recordFailure(db, key, attempts, err.message, err.transient, at);
    if (retry) throw retry;
  }
};

/** Outbound webhooks: one delivery per subscribed endpoint, idempotent per notification × endpoint (a retried job adds none). */
const deliverWebhooks: DeliveryStep = async (env, n, at) => {
  await enqueueWebhookDeliveries(env, n, at);
};

/** The delivery steps, in order. */
export const DELIVERY_STEPS: readonly DeliveryStep[] = [deliverEmail, deliverSlack, deliverWebhooks];

export async function runNotificationDelivery(env: Env, job: NotificationDeliverJob, at = Date.now(), steps: readonly DeliveryStep[] = DELIVERY_STEPS): Promise<void> {
  const row = await findNotification(getDb(env.DB), job.notificationId);
  // Its workspace was deleted (the rows cascade): nothing is left to deliver.
  if (!row) return;
  const notification = outboundOf(row);
  let retry: unknown = null;
  for (const step of steps) {
    try {
      await step(env, notification, at);
    } catch (err) {
      // One failing channel does not hold back the others; the job is retried once all have run.
      retry ??= err;
    }
  }
  if (retry) throw retry;
}
