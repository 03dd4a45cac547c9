import { and, count, desc, eq, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { notificationDeliveries, notificationInbox, notificationPreferences, notificationPresets, notifications, slackIntegrations, users } from "./schema";

export type NotificationRow = typeof notifications.$inferSelect;
export type InboxRow = typeof notificationInbox.$inferInsert;
export type DeliveryRow = typeof notificationDeliveries.$inferSelect;
export type PresetRow = typeof notificationPresets.$inferSelect;
export type SlackIntegrationRow = typeof slackIntegrations.$inferSelect;

/** D1 binds at most 100 parameters per statement: multi-row inserts go in chunks that fit. */
function chunks<T>(rows: readonly T[], columns: number): T[][] {
  const size = Math.max(1, Math.floor(100 / columns));
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += size) out.push(rows.slice(i, i + size));
  return out;
}

export function findNotificationByDedupe(db: Db, orgId: string, dedupeKey: string) {
  return db.select().from(notifications).where(and(eq(notifications.orgId, orgId), eq(notifications.dedupeKey, dedupeKey))).get();
}

export function findNotification(db: Db, id: string) {
  return db.select().from(notifications).where(eq(notifications.id, id)).get();
}

export function insertNotificationQuery(db: Db, row: typeof notifications.$inferInsert) {
  return db.insert(notifications).values(row);
}

export function insertInboxQueries(db: Db, rows: readonly InboxRow[]) {
  return chunks(rows, 7).map((c) => db.insert(notificationInbox).values(c).onConflictDoNothing());
}

export function insertDeliveryQueries(db: Db, rows: readonly (typeof notificationDeliveries.$inferInsert)[]) {
  return chunks(rows, 8).map((c) => db.insert(notificationDeliveries).values(c).onConflictDoNothing());
}

export function countPendingDeliveries(db: Db, notificationId: string) {
  return db
    .select({ n: count() })
    .from(notificationDeliveries)
    .where(and(eq(notificationDeliveries.notificationId, notificationId), eq(notificationDeliveries.status, "pending")))
    .get();
}

/** Pending email deliveries of a notification with the recipient's address. */
export function listPendingEmails(db: Db, notificationId: string) {
  return db
    .select({ recipient: notificationDeliveries.recipient, attempts: notificationDeliveries.attempts, email: users.email })
    .from(notificationDeliveries)
    .innerJoin(users, eq(users.id, notificationDeliveries.recipient))
    .where(
      and(
        eq(notificationDeliveries.notificationId, notificationId),
        eq(notificationDeliveries.channel, "email"),
        eq(notificationDeliveries.status, "pending"),
      ),
    )
    .all();
}

export function findPendingDelivery(db: Db, notificationId: string, channel: DeliveryRow["channel"], recipient: string) {
  return db
    .select()
    .from(notificationDeliveries)
    .where(
      and(
        eq(notificationDeliveries.notificationId, notificationId),
        eq(notificationDeliveries.channel, channel),
        eq(notificationDeliveries.recipient, recipient),
        eq(notificationDeliveries.status, "pending"),
      ),
    )
    .get();
}

export function listDeliveries(db: Db, notificationId: string) {
  return db.select().from(notificationDeliveries).where(eq(notificationDeliveries.notificationId, notificationId)).all();
}

export function updateDelivery(
  db: Db,
  key: { notificationId: string; channel: DeliveryRow["channel"]; recipient: string },
  set: Pick<DeliveryRow, "status" | "attempts" | "detail" | "updatedAt">,
) {
  return db
    .update(notificationDeliveries)
    .set(set)
    .where(
      and(
        eq(notificationDeliveries.notificationId, key.notificationId),
        eq(notificationDeliveries.channel, key.channel),
        eq(notificationDeliveries.recipient, key.recipient),
      ),
    )
    .run();
}

// ---- Inbox ----

export interface InboxQuery {
  orgId: string;
  userId: string;
  category?: string;
  severity?: string;
  unreadOnly?: boolean;
  /** Keyset: the last row of the previous page (newest first). */
  after?: { createdAt: number; id: string };
  limit: number;
}

export function listInboxRows(db: Db, q: InboxQuery) {
  const i = notificationInbox;
  const where: (SQL | undefined)[] = [eq(i.orgId, q.orgId), eq(i.userId, q.userId)];
  if (q.category) where.push(eq(i.category, q.category));
  if (q.severity) where.push(eq(i.severity, q.severity));
  if (q.unreadOnly) where.push(isNull(i.readAt));
  if (q.after) where.push(or(lt(i.createdAt, q.after.createdAt), and(eq(i.createdAt, q.after.createdAt), lt(i.notificationId, q.after.id))));
  return db
    .select({ n: notifications, readAt: i.readAt })
    .from(i)
    .innerJoin(notifications, eq(notifications.id, i.notificationId))
    .where(and(...where))
    .orderBy(desc(i.createdAt), desc(i.notificationId))
    .limit(q.limit)
    .all();
}

export async function countUnread(db: Db, orgId: string, userId: string): Promise<number> {
  const i = notificationInbox;
  const row = await db
    .select({ n: count() })
    .from(i)
    .where(and(eq(i.orgId, orgId), eq(i.userId, userId), isNull(i.readAt)))
    .get();
  return row?.n ?? 0;
}

export async function countInbox(db: Db, orgId: string, userId: string): Promise<number> {
  const i = notificationInbox;
  const row = await db
    .select({ n: count() })
    .from(i)
    .where(and(eq(i.orgId, orgId), eq(i.userId, userId)))
    .get();
  return row?.n ?? 0;
}

/** Marks the given notifications read (`readAt` a time) or unread (null); returns how many changed. */
export async function setReadState(db: Db, orgId: string, userId: string, ids: readonly string[] | "all", readAt: number | null): Promise<number> {
  const i = notificationInbox;
  const where = [eq(i.orgId, orgId), eq(i.userId, userId), readAt === null ? isNotNull(i.readAt) : isNull(i.readAt)];
  if (ids !== "all") where.push(inArray(i.notificationId, [...ids]));
  const res = await db.update(i).set({ readAt }).where(and(...where)).run();
  return res.meta.changes ?? 0;
}

/** Every notification of a workspace, newest first (the demo copies them into a new visitor's inbox). */
export function listOrgNotifications(db: Db, orgId: string) {
  return db.select().from(notifications).where(eq(notifications.orgId, orgId)).orderBy(desc(notifications.createdAt)).all();
}

// ---- The workspace's notifications (/v1) ----

export interface NotificationQuery {
  orgId: string;
  types?: readonly string[];
  category?: string;
  severity?: string;
  since?: number;
  after?: { createdAt: number; id: string };
  limit: number;
}

export function listNotificationRows(db: Db, q: NotificationQuery) {
  const n = notifications;
  const where: (SQL | undefined)[] = [eq(n.orgId, q.orgId)];
  if (q.types?.length) where.push(inArray(n.type, [...q.types]));
  if (q.category) where.push(eq(n.category, q.category));
  if (q.severity) where.push(eq(n.severity, q.severity as NotificationRow["severity"]));
  if (q.since !== undefined) where.push(gte(n.createdAt, q.since));
  if (q.after) where.push(or(lt(n.createdAt, q.after.createdAt), and(eq(n.createdAt, q.after.createdAt), lt(n.id, q.after.id))));
  return db
    .select()
    .from(n)
    .where(and(...where))
    .orderBy(desc(n.createdAt), desc(n.id))
    .limit(q.limit)
    .all();
}

// ---- Preferences and presets ----

export function listPreferenceRows(db: Db, orgId: string) {
  return db.select().from(notificationPreferences).where(eq(notificationPreferences.orgId, orgId)).all();
}

export function findPreferenceRow(db: Db, orgId: string, userId: string) {
  return db
    .select()
    .from(notificationPreferences)
    .where(and(eq(notificationPreferences.orgId, orgId), eq(notificationPreferences.userId, userId)))
    .get();
}

export function upsertPreferencesQuery(db: Db, orgId: string, userId: string, channelsJson: string, at: number) {
  return db
    .insert(notificationPreferences)
    .values({ orgId, userId, channelsJson, updatedAt: at })
    .onConflictDoUpdate({ target: [notificationPreferences.orgId, notificationPreferences.userId], set: { channelsJson, updatedAt: at } });
}

export function listPresetRows(db: Db, orgId: string) {
  return db.select().from(notificationPresets).where(eq(notificationPresets.orgId, orgId)).orderBy(notificationPresets.name).all();
}

export function findPresetRow(db: Db, orgId: string, id: string) {
  return db
    .select()
    .from(notificationPresets)
    .where(and(eq(notificationPresets.orgId, orgId), eq(notificationPresets.id, id)))
    .get();
}

export function findPresetByName(db: Db, orgId: string, name: string) {
  return db
    .select()
    .from(notificationPresets)
    .where(and(eq(notificationPresets.orgId, orgId), sql`lower(${notificationPresets.name}) = lower(${name})`))
    .get();
}

export function insertPresetQuery(db: Db, row: typeof notificationPresets.$inferInsert) {
  return db.insert(notificationPresets).values(row);
}

export function deletePresetQuery(db: Db, orgId: string, id: string) {
  return db.delete(notificationPresets).where(and(eq(notificationPresets.orgId, orgId), eq(notificationPresets.id, id)));
}

// ---- Slack ----

export function findSlackIntegration(db: Db, orgId: string) {
  return db.select().from(slackIntegrations).where(eq(slackIntegrations.orgId, orgId)).get();
}

export function upsertSlackIntegrationQuery(db: Db, row: typeof slackIntegrations.$inferInsert) {
  return db
    .insert(slackIntegrations)
    .values(row)
    .onConflictDoUpdate({
      target: slackIntegrations.orgId,
      set: { webhookUrlSealed: row.webhookUrlSealed, webhookUrlHint: row.webhookUrlHint, createdByName: row.createdByName, updatedAt: row.updatedAt },
    });
}

export function deleteSlackIntegrationQuery(db: Db, orgId: string) {
  return db.delete(slackIntegrations).where(eq(slackIntegrations.orgId, orgId));
}
