/**
 * Raising a notification: render it from the catalogue, store it once per dedupe key, put it in the
 * inbox of each member who receives it in-app, record the email and Slack deliveries it needs, and hand
 * them to the `notification.deliver` job — raising never waits on a network.
 */
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import {
  countPendingDeliveries,
  findNotificationByDedupe,
  findSlackIntegration,
  insertDeliveryQueries,
  insertInboxQueries,
  insertNotificationQuery,
  listPreferenceRows,
  type NotificationRow,
} from "../../db/notifications";
import { listMembersOfOrg } from "../../db/team";
import { findOrgById } from "../../db/workspaces";
import { channelsFor, resolvePreferences, type StoredPreferences } from "../../lib/notification-preferences";
import { NOTIFICATION_TYPES, renderNotification, type NotificationParams, type NotificationType, type OutboundNotification } from "../../lib/notification-types";
import { isTransientStorageError } from "../../lib/transient";

export interface RaiseDeps {
  db: Db;
  /** Where the delivery job goes; null records without delivering (the demo's seeded history). */
  jobs: Pick<Queue, "send"> | null;
}

export const raiseDepsOf = (env: Pick<Env, "DB" | "JOBS_QUEUE">): RaiseDeps => ({ db: getDb(env.DB), jobs: env.JOBS_QUEUE });

export interface RaiseRequest {
  orgId: string;
  type: NotificationType;
  /** Fills the type's title and body templates; also the start of the payload. */
  params: NotificationParams;
  /** Structured details beyond the params (webhook `payload`). */
  payload?: Record<string, unknown>;
  /** Workspace-relative dashboard path; the type's source page when omitted. */
  link?: string;
  /**
   * Unique per workspace: raising again with the same key returns the first notification and changes
   * nothing (an evaluator retried after a crash, a queue message delivered twice). Omitted: never deduped.
   */
  dedupeKey?: string;
}

/** The job that sends a notification's email and Slack deliveries and enqueues its outbound webhooks. */
export interface NotificationDeliverJob {
  kind: "notification.deliver";
  notificationId: string;
}

export interface RaiseResult {
  notification: OutboundNotification;
  /** False when the dedupe key had already raised it. */
  created: boolean;
  /** Members whose inbox received it. */
  inApp: number;
}

export function outboundOf(row: NotificationRow): OutboundNotification {
  return {
    id: row.id,
    orgId: row.orgId,
    type: row.type as NotificationType,
    severity: row.severity,
    createdAt: row.createdAt,
    title: row.title,
    body: row.body,
    link: row.link,
    payload: JSON.parse(row.payloadJson) as Record<string, unknown>,
  };
}

/**
 * Who gets it where: each member's channels for the type (their preferences or the defaults, plus the
 * always-delivered rule). The shared demo workspace notifies in-app only: its members are every user of
 * the deployment, who never asked for its mail.
 */
async function routeTo(db: Db, orgId: string, type: NotificationType) {
  // One after the other: D1 runs them in turn anyway, and a script's local D1 (the demo seed) takes one at a time.
  const members = await listMembersOfOrg(db, orgId);
  const prefRows = await listPreferenceRows(db, orgId);
  const slack = await findSlackIntegration(db, orgId);
  const org = await findOrgById(db, orgId);
  const stored = new Map(prefRows.map((r) => [r.userId, JSON.parse(r.channelsJson) as StoredPreferences]));
  const inApp: string[] = [];
  const email: string[] = [];
  let slackWanted = false;
  for (const m of members) {
    const channels = channelsFor(m.role, resolvePreferences(stored.get(m.userId)), type);
    if (channels.includes("in_app")) inApp.push(m.userId);
    if (channels.includes("email")) email.push(m.userId);
    if (channels.includes("slack")) slackWanted = true;
  }
  if (org?.isDemo) return { inApp, email: [], slack: false };
  // Slack is one channel per workspace: posted once when any member wants the type there.
  return { inApp, email, slack: slackWanted && slack !== undefined };
}

async function enqueueDelivery(deps: RaiseDeps, notificationId: string) {
  const job: NotificationDeliverJob = { kind: "notification.deliver", notificationId };
  await deps.jobs?.send(job, { contentType: "json" });
}

export async function raiseNotification(deps: RaiseDeps, req: RaiseRequest, at = Date.now()): Promise<RaiseResult> {
  const { db } = deps;
  const facts = NOTIFICATION_TYPES[req.type];
  const id = crypto.randomUUID();
  const dedupeKey = req.dedupeKey ?? id;

  const again = async (): Promise<RaiseResult | null> => {
    const existing = await findNotificationByDedupe(db, req.orgId, dedupeKey);
    if (!existing) return null;
    // The first raise committed but may have died before enqueueing: deliveries still pending get their job.
    if (((await countPendingDeliveries(db, existing.id))?.n ?? 0) > 0) await enqueueDelivery(deps, existing.id);
    return { notification: outboundOf(existing), created: false, inApp: 0 };
  };
  if (req.dedupeKey) {
    const found = await again();
    if (found) return found;
  }

  const { title, body } = renderNotification(req.type, req.params);
  const row: NotificationRow = {
    id,
    orgId: req.orgId,
    type: req.type,
    category: facts.category,
    severity: facts.severity,
    title,
    body,
    link: req.link ?? facts.source,
    payloadJson: JSON.stringify({ ...req.params, ...req.payload }),
    dedupeKey,
    createdAt: at,
  };
  const route = await routeTo(db, req.orgId, req.type);
  const deliveries = [
    ...route.email.map((userId) => ({ notificationId: id, channel: "email" as const, recipient: userId })),
    ...(route.slack ? [{ notificationId: id, channel: "slack" as const, recipient: "slack" }] : []),
  ].map((d) => ({ ...d, orgId: req.orgId, status: "pending" as const, attempts: 0, detail: null, updatedAt: at }));
  try {
    await db.batch([
      insertNotificationQuery(db, row),
      ...insertInboxQueries(
        db,
        route.inApp.map((userId) => ({ orgId: req.orgId, userId, notificationId: id, category: row.category, severity: row.severity, createdAt: at, readAt: null })),
      ),
      ...insertDeliveryQueries(db, deliveries),
    ]);
  } catch (err) {
    // A concurrent raise with the same key won the unique index: that one is the notification.
    const found = req.dedupeKey && !isTransientStorageError(err) ? await again() : null;
    if (found) return found;
    throw err;
  }
  // Always: the job also runs the delivery steps that do not depend on members (outbound webhooks).
  await enqueueDelivery(deps, id);
  return { notification: outboundOf(row), created: true, inApp: route.inApp.length };
}
