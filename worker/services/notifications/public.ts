/**
 * `GET /v1/notifications`: the workspace's raised notifications, newest first, filterable — the same
 * facts webhooks carry, for integrators who poll.
 */
import { z } from "zod";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { listNotificationRows } from "../../db/notifications";
import { decodeCursor, paginate, paginationQuery, type Page } from "../../lib/pagination";
import { NOTIFICATION_CATEGORY_KEYS, NOTIFICATION_SEVERITIES, NOTIFICATION_TYPE_KEYS, type NotificationType } from "../../lib/notification-types";
import { notificationUrl } from "./messages";

export const listNotificationsQuery = paginationQuery.extend({
  type: z
    .array(z.enum(NOTIFICATION_TYPE_KEYS as [NotificationType, ...NotificationType[]]))
    .max(50)
    .optional()
    .describe("Only these types (`category.event_name`); repeat the key for several."),
  category: z.enum(NOTIFICATION_CATEGORY_KEYS).optional().describe("Only this category."),
  severity: z.enum(NOTIFICATION_SEVERITIES).optional().describe("Only this severity."),
  since: z.coerce.number().int().min(0).optional().describe("Epoch ms: only notifications raised at or after this time."),
});

export const notificationSchema = z.object({
  id: z.string().describe("Unique id (UUID); webhook deliveries of the same notification carry it as `id`."),
  type: z.enum(NOTIFICATION_TYPE_KEYS as [NotificationType, ...NotificationType[]]).describe("The notification type, `category.event_name`."),
  category: z.enum(NOTIFICATION_CATEGORY_KEYS),
  severity: z.enum(NOTIFICATION_SEVERITIES),
  title: z.string(),
  body: z.string(),
  url: z.string().describe("The dashboard page the notification links to."),
  payload: z.record(z.string(), z.unknown()).describe("Type-specific details (the values the title and body were written from, and more)."),
  createdAt: z.number().int().describe("Epoch ms: when it was raised."),
});
export type PublicNotification = z.infer<typeof notificationSchema>;

const cursorKey = z.tuple([z.number().int(), z.string()]);

export async function listNotifications(env: Env, org: { orgId: string; slug: string }, q: z.infer<typeof listNotificationsQuery>): Promise<Page<PublicNotification>> {
  const key = decodeCursor(q.cursor, cursorKey);
  const rows = await listNotificationRows(getDb(env.DB), {
    orgId: org.orgId,
    types: q.type,
    category: q.category,
    severity: q.severity,
    since: q.since,
    after: key && { createdAt: key[0], id: key[1] },
    limit: q.limit + 1,
  });
  const items = rows.map((r) => ({
    id: r.id,
    type: r.type as NotificationType,
    category: r.category as PublicNotification["category"],
    severity: r.severity,
    title: r.title,
    body: r.body,
    url: notificationUrl(env.APP_URL, org.slug, r.link),
    payload: JSON.parse(r.payloadJson) as Record<string, unknown>,
    createdAt: r.createdAt,
  }));
  return paginate(items, q.limit, (i) => [i.createdAt, i.id]);
}
