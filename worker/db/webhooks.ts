import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "./client";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "./schema";

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;

export function listEndpointsOfOrg(db: Db, orgId: string) {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, orgId)).orderBy(desc(webhookEndpoints.createdAt), desc(webhookEndpoints.id)).all();
}

export function findEndpointOfOrg(db: Db, orgId: string, id: string) {
  return db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.orgId, orgId), eq(webhookEndpoints.id, id))).get();
}

export function countEndpointsOfOrg(db: Db, orgId: string) {
  return db.$count(webhookEndpoints, eq(webhookEndpoints.orgId, orgId));
}

/** The last delivery (any state) of each of the org's endpoints, for the list's "last delivery" column. */
export async function lastDeliveriesOfOrg(db: Db, orgId: string) {
  const latest = db
    .select({ endpointId: webhookDeliveries.endpointId, at: sql<number>`max(${webhookDeliveries.updatedAt})`.as("at") })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.orgId, orgId))
    .groupBy(webhookDeliveries.endpointId)
    .as("latest");
  return db
    .select({
      endpointId: webhookDeliveries.endpointId,
      state: webhookDeliveries.state,
      lastStatusCode: webhookDeliveries.lastStatusCode,
      lastError: webhookDeliveries.lastError,
      updatedAt: webhookDeliveries.updatedAt,
    })
    .from(webhookDeliveries)
    .innerJoin(latest, and(eq(latest.endpointId, webhookDeliveries.endpointId), eq(latest.at, webhookDeliveries.updatedAt)))
    .all();
}

/** An endpoint's deliveries, newest first, keyset-paged by (createdAt, id). */
export function listDeliveriesOfEndpoint(db: Db, orgId: string, endpointId: string, limit: number, before?: { createdAt: number; id: string }) {
  const where = [eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.endpointId, endpointId)];
  if (before) {
    where.push(sql`(${webhookDeliveries.createdAt}, ${webhookDeliveries.id}) < (${before.createdAt}, ${before.id})`);
  }
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(...where))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit)
    .all();
}

export function attemptsOfDeliveries(db: Db, orgId: string, deliveryIds: string[]) {
  if (deliveryIds.length === 0) return Promise.resolve([] as WebhookAttemptRow[]);
  return db
    .select()
    .from(webhookAttempts)
    .where(and(eq(webhookAttempts.orgId, orgId), inArray(webhookAttempts.deliveryId, deliveryIds)))
    .orderBy(webhookAttempts.at, webhookAttempts.attempt)
    .all();
}

export function findDeliveryOfOrg(db: Db, orgId: string, id: string) {
  return db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.orgId, orgId), eq(webhookDeliveries.id, id))).get();
}

/** A delivery with its endpoint (null endpoint: deleted meanwhile, the delivery went with it). */
export async function findDeliveryWithEndpoint(db: Db, deliveryId: string) {
  const row = await db
    .select({ delivery: webhookDeliveries, endpoint: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId))
    .get();
  return row ?? null;
}

/**
 * Claims attempt `attempt` of series `series`: true only for the one caller that moves `attempts` from
 * `attempt - 1`, so a queue message delivered twice makes one HTTP request.
 */
export async function claimAttempt(db: Db, deliveryId: string, series: number, attempt: number, at: number): Promise<boolean> {
  const res = await db
    .update(webhookDeliveries)
    .set({ attempts: attempt, updatedAt: at, nextAttemptAt: null })
    .where(
      and(
        eq(webhookDeliveries.id, deliveryId),
        eq(webhookDeliveries.series, series),
        eq(webhookDeliveries.attempts, attempt - 1),
        eq(webhookDeliveries.state, "pending"),
      ),
    )
    .run();
  return res.meta.changes === 1;
}

/** Deliveries of an endpoint still waiting for their first attempt (re-offered when an enqueue is retried). */
export function unclaimedDeliveries(db: Db, endpointIds: string[], notificationId: string) {
  if (endpointIds.length === 0) return Promise.resolve([] as WebhookDeliveryRow[]);
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(inArray(webhookDeliveries.endpointId, endpointIds), eq(webhookDeliveries.notificationId, notificationId), eq(webhookDeliveries.attempts, 0), eq(webhookDeliveries.state, "pending")))
    .all();
}

/** Counts one more failed delivery; returns the new count and the endpoint's status. */
export function incrementFailures(db: Db, endpointId: string, at: number) {
  return db
    .update(webhookEndpoints)
    .set({ consecutiveFailures: sql`${webhookEndpoints.consecutiveFailures} + 1`, updatedAt: at })
    .where(eq(webhookEndpoints.id, endpointId))
    .returning({ consecutiveFailures: webhookEndpoints.consecutiveFailures, status: webhookEndpoints.status });
}
