/**
 * A member's inbox (Notifications → Inbox): their in-app notifications newest first, read state, the
 * unread count, bulk marking. Read state is the member's own: it changes nothing anyone else sees.
 */
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Db } from "../../db/client";
import { countInbox, countUnread, insertInboxQueries, listInboxRows, listOrgNotifications, setReadState } from "../../db/notifications";
import { DAY } from "../../lib/time";
import { decodeCursor, paginate, paginationQuery, type Page } from "../../lib/pagination";
import { NOTIFICATION_CATEGORY_KEYS, NOTIFICATION_SEVERITIES, type NotificationCategory, type NotificationSeverity, type NotificationType } from "../../lib/notification-types";

export const inboxQuery = paginationQuery.extend({
  category: z.enum(NOTIFICATION_CATEGORY_KEYS).optional(),
  severity: z.enum(NOTIFICATION_SEVERITIES).optional(),
  unread: z.enum(["true", "false"]).optional(),
});

export const markSchema = z.object({
  ids: z.array(z.string().min(1).max(64)).min(1).max(100),
  read: z.boolean(),
});

export interface InboxItem {
  id: string;
  type: NotificationType;
  category: NotificationCategory;
  severity: NotificationSeverity;
  title: string;
  body: string;
  /** Workspace-relative page, e.g. `channels/ch_1`. */
  link: string;
  createdAt: number;
  readAt: number | null;
}

export type InboxPage = Page<InboxItem> & { unread: number };

const cursorKey = z.tuple([z.number().int(), z.string()]);

/**
 * The demo workspace is shared and its notifications were raised when it was seeded, before most of
 * its visitors joined: a visitor's first look copies them into their own inbox (those older than two
 * days as read), so they can read and mark them like anyone else's.
 */
async function ensureDemoInbox(db: Db, org: OrgContext): Promise<void> {
  const userId = org.actor.userId!;
  if (!org.isDemo || (await countInbox(db, org.orgId, userId)) > 0) return;
  const all = await listOrgNotifications(db, org.orgId);
  if (!all.length) return;
  const newest = all[0]!.createdAt;
  const rows = all.map((n) => ({
    orgId: org.orgId,
    userId,
    notificationId: n.id,
    category: n.category,
    severity: n.severity,
    createdAt: n.createdAt,
    readAt: newest - n.createdAt > 2 * DAY ? n.createdAt : null,
  }));
  const inserts = insertInboxQueries(db, rows);
  await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
}

export async function listInbox(db: Db, org: OrgContext, q: z.infer<typeof inboxQuery>): Promise<InboxPage> {
  const userId = org.actor.userId!;
  await ensureDemoInbox(db, org);
  const key = decodeCursor(q.cursor, cursorKey);
  const [rows, unread] = await Promise.all([
    listInboxRows(db, {
      orgId: org.orgId,
      userId,
      category: q.category,
      severity: q.severity,
      unreadOnly: q.unread === "true",
      after: key && { createdAt: key[0], id: key[1] },
      limit: q.limit + 1,
    }),
    countUnread(db, org.orgId, userId),
  ]);
  const items: InboxItem[] = rows.map(({ n, readAt }) => ({
    id: n.id,
    type: n.type as NotificationType,
    category: n.category as NotificationCategory,
    severity: n.severity,
    title: n.title,
    body: n.body,
    link: n.link,
    createdAt: n.createdAt,
    readAt,
  }));
  return { ...paginate(items, q.limit, (i) => [i.createdAt, i.id]), unread };
}

export async function unreadCount(db: Db, org: OrgContext): Promise<{ unread: number }> {
  await ensureDemoInbox(db, org);
  return { unread: await countUnread(db, org.orgId, org.actor.userId!) };
}

export async function markNotifications(db: Db, org: OrgContext, input: z.infer<typeof markSchema>, at = Date.now()) {
  const changed = await setReadState(db, org.orgId, org.actor.userId!, input.ids, input.read ? at : null);
  return { changed, unread: await countUnread(db, org.orgId, org.actor.userId!) };
}

export async function markAllRead(db: Db, org: OrgContext, at = Date.now()) {
  const changed = await setReadState(db, org.orgId, org.actor.userId!, "all", at);
  return { changed, unread: 0 };
}
