/**
 * Outbound webhook endpoints (Connections → Webhooks; docs/webhooks.md): create, list, detail, edit
 * subscriptions, enable/disable, delete, rotate secret. Every change writes its audit entry in the same
 * batch. Signing secrets leave this module only in the answers of create and rotate.
 */
import { eq } from "drizzle-orm";
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import type { Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { webhookEndpoints, type WebhookEndpointStatus } from "../../db/schema";
import {
  attemptsOfDeliveries,
  countEndpointsOfOrg,
  findEndpointOfOrg,
  lastDeliveriesOfOrg,
  listDeliveriesOfEndpoint,
  listEndpointsOfOrg,
  type WebhookAttemptRow,
  type WebhookDeliveryRow,
  type WebhookEndpointRow,
} from "../../db/webhooks";
import { encryptSecret } from "../../lib/crypto";
import { conflict, notFound, validationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { NOTIFICATION_CATEGORY_KEYS, NOTIFICATION_TYPE_KEYS, type NotificationCategory, type NotificationType } from "../../lib/notification-types";
import { newSigningSecret, uuidOf } from "./signature";
import { assertWebhookUrlAllowed } from "./url-guard";

/** A cap per workspace, so a leaked session cannot fan one notification out without bound. */
export const MAX_ENDPOINTS = 20;
/** How long the previous secret keeps signing after a rotation. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 60 * 60 * 1000;
export const DELIVERY_PAGE_SIZE = 25;

export type WebhookScope = Pick<OrgContext, "orgId" | "actor">;

const subscriptions = {
  types: z.array(z.enum(NOTIFICATION_TYPE_KEYS as [NotificationType, ...NotificationType[]], { message: "Unknown notification type." })).max(NOTIFICATION_TYPE_KEYS.length),
  categories: z.array(z.enum(NOTIFICATION_CATEGORY_KEYS as [NotificationCategory, ...NotificationCategory[]], { message: "Unknown notification category." })).max(NOTIFICATION_CATEGORY_KEYS.length),
};

export const createEndpointSchema = z.object({
  url: z.string().trim().min(1, "Enter the URL SendOps should POST to.").max(2048, "The URL is at most 2048 characters."),
  description: z.string().trim().max(200, "The description is at most 200 characters.").default(""),
  types: subscriptions.types.default([]),
  categories: subscriptions.categories.default([]),
});

export const updateEndpointSchema = z.object({
  description: z.string().trim().max(200, "The description is at most 200 characters.").optional(),
  types: subscriptions.types.optional(),
  categories: subscriptions.categories.optional(),
});

export const setEnabledSchema = z.object({ enabled: z.boolean() });

const parseList = <T>(json: string) => JSON.parse(json) as T[];
const unique = <T>(xs: T[]) => [...new Set(xs)];

/** What the dashboard shows of an endpoint: never a secret. */
export function endpointView(row: WebhookEndpointRow, now = Date.now()) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    types: parseList<NotificationType>(row.typesJson),
    categories: parseList<NotificationCategory>(row.categoriesJson),
    status: row.status,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt,
    consecutiveFailures: row.consecutiveFailures,
    secretRotatedAt: row.secretRotatedAt,
    /** Until when the previous secret still signs (null: no rotation in the last 24 h). */
    previousSecretValidUntil: row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now ? row.previousSecretExpiresAt : null,
    createdByName: row.createdByName,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
export type WebhookEndpointView = ReturnType<typeof endpointView>;

function requireSubscription(types: readonly string[], categories: readonly string[]) {
  if (types.length === 0 && categories.length === 0) {
    throw validationError("types: Choose at least one notification type or category.", {
      fields: [{ field: "types", message: "Choose at least one notification type or category." }],
    });
  }
}

const subscriptionSummary = (types: readonly string[], categories: readonly string[]) =>
  [categories.length ? `${categories.length} categor${categories.length === 1 ? "y" : "ies"}` : "", types.length ? `${types.length} type${types.length === 1 ? "" : "s"}` : ""]
    .filter(Boolean)
    .join(" and ");

export async function listEndpoints(db: Db, orgId: string, now = Date.now()) {
  const [rows, last] = await Promise.all([listEndpointsOfOrg(db, orgId), lastDeliveriesOfOrg(db, orgId)]);
  const lastBy = new Map(last.map((l) => [l.endpointId, l]));
  return {
    /** The `account_id` every payload of this workspace carries. */
    accountId: await uuidOf(orgId),
    endpoints: rows.map((r) => {
      const l = lastBy.get(r.id);
      return { ...endpointView(r, now), lastDelivery: l ? { state: l.state, statusCode: l.lastStatusCode, error: l.lastError, at: l.updatedAt } : null };
    }),
  };
}

export function deliveryView(d: WebhookDeliveryRow, attempts: WebhookAttemptRow[]) {
  return {
    id: d.id,
    notificationId: d.notificationId,
    notificationType: d.notificationType,
    test: d.test,
    state: d.state,
    series: d.series,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    /** The exact JSON body sent on every attempt. */
    body: d.body,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    log: attempts.map((a) => ({ series: a.series, attempt: a.attempt, at: a.at, ok: a.ok, statusCode: a.statusCode, error: a.error, latencyMs: a.latencyMs })),
  };
}
export type WebhookDeliveryView = ReturnType<typeof deliveryView>;

/** An endpoint with a page of its delivery log (newest first; `cursor` from the previous page). */
export async function getEndpoint(db: Db, orgId: string, id: string, cursor?: string, now = Date.now()) {
  const row = await findEndpointOfOrg(db, orgId, id);
  if (!row) throw notFound("Webhook endpoint");
  let before: { createdAt: number; id: string } | undefined;
  if (cursor) {
    const [at, did] = cursor.split("~");
    if (!at || !did || !/^\d+$/.test(at)) throw validationError("cursor: Malformed cursor.", { fields: [{ field: "cursor", message: "Malformed cursor." }] });
    before = { createdAt: Number(at), id: did };
  }
  const deliveries = await listDeliveriesOfEndpoint(db, orgId, id, DELIVERY_PAGE_SIZE + 1, before);
  const page = deliveries.slice(0, DELIVERY_PAGE_SIZE);
  const attempts = await attemptsOfDeliveries(db, orgId, page.map((d) => d.id));
  const last = page[page.length - 1];
  return {
    endpoint: endpointView(row, now),
    deliveries: page.map((d) => deliveryView(d, attempts.filter((a) => a.deliveryId === d.id))),
    nextCursor: deliveries.length > DELIVERY_PAGE_SIZE && last ? `${last.createdAt}~${last.id}` : null,
  };
}

export async function createEndpoint(
  db: Db,
  env: Pick<Env, "APP_URL" | "ENVIRONMENT" | "DNS_RESOLVER_URL" | "ENCRYPTION_KEY">,
  scope: WebhookScope,
  input: z.infer<typeof createEndpointSchema>,
  at = Date.now(),
): Promise<{ endpoint: WebhookEndpointView; secret: string }> {
  const types = unique(input.types);
  const categories = unique(input.categories);
  requireSubscription(types, categories);
  if ((await countEndpointsOfOrg(db, scope.orgId)) >= MAX_ENDPOINTS) {
    throw conflict(`A workspace can have at most ${MAX_ENDPOINTS} webhook endpoints. Delete one you no longer use.`);
  }
  const url = await assertWebhookUrlAllowed(env, input.url);
  const secret = newSigningSecret();
  const row: WebhookEndpointRow = {
    id: newId("whe", at),
    orgId: scope.orgId,
    url,
    description: input.description,
    typesJson: JSON.stringify(types),
    categoriesJson: JSON.stringify(categories),
    secretEnc: await encryptSecret(env.ENCRYPTION_KEY, secret),
    previousSecretEnc: null,
    previousSecretExpiresAt: null,
    secretRotatedAt: null,
    status: "enabled",
    disabledReason: null,
    disabledAt: null,
    consecutiveFailures: 0,
    createdByName: scope.actor.name,
    createdAt: at,
    updatedAt: at,
  };
  await db.batch([
    db.insert(webhookEndpoints).values(row),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "webhook_endpoint",
      resourceId: row.id,
      operation: "created",
      summary: `Created the webhook endpoint ${url} (${subscriptionSummary(types, categories)})`,
      after: { url, description: input.description, types, categories },
      at,
    }),
  ]);
  return { endpoint: endpointView(row, at), secret };
}

async function requireEndpoint(db: Db, orgId: string, id: string) {
  const row = await findEndpointOfOrg(db, orgId, id);
  if (!row) throw notFound("Webhook endpoint");
  return row;
}

export async function updateEndpoint(db: Db, scope: WebhookScope, id: string, input: z.infer<typeof updateEndpointSchema>, at = Date.now()) {
  const row = await requireEndpoint(db, scope.orgId, id);
  const before = endpointView(row, at);
  const types = input.types ? unique(input.types) : before.types;
  const categories = input.categories ? unique(input.categories) : before.categories;
  const description = input.description ?? before.description;
  requireSubscription(types, categories);
  const next = { ...row, typesJson: JSON.stringify(types), categoriesJson: JSON.stringify(categories), description, updatedAt: at };
  await db.batch([
    db.update(webhookEndpoints).set({ typesJson: next.typesJson, categoriesJson: next.categoriesJson, description, updatedAt: at }).where(eq(webhookEndpoints.id, id)),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "webhook_endpoint",
      resourceId: id,
      operation: "updated",
      summary: `Changed the webhook endpoint ${row.url}: ${subscriptionSummary(types, categories)}`,
      before: { description: before.description, types: before.types, categories: before.categories },
      after: { description, types, categories },
      at,
    }),
  ]);
  return { endpoint: endpointView(next, at) };
}

/** Enabling clears an auto-disable and its failure count: the next failure starts counting from zero. */
export async function setEndpointEnabled(db: Db, scope: WebhookScope, id: string, enabled: boolean, at = Date.now()) {
  const row = await requireEndpoint(db, scope.orgId, id);
  const status: WebhookEndpointStatus = enabled ? "enabled" : "disabled";
  if (row.status === status) return { endpoint: endpointView(row, at) };
  const change = enabled
    ? { status, disabledReason: null, disabledAt: null, consecutiveFailures: 0, updatedAt: at }
    : { status, disabledReason: null, disabledAt: at, updatedAt: at };
  await db.batch([
    db.update(webhookEndpoints).set(change).where(eq(webhookEndpoints.id, id)),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "webhook_endpoint",
      resourceId: id,
      operation: enabled ? "enabled" : "disabled",
      summary: `${enabled ? "Enabled" : "Disabled"} the webhook endpoint ${row.url}`,
      before: { status: row.status, disabledReason: row.disabledReason },
      after: { status },
      at,
    }),
  ]);
  return { endpoint: endpointView({ ...row, ...change }, at) };
}

/** Deletes the endpoint with its whole delivery history (rows cascade). */
export async function deleteEndpoint(db: Db, scope: WebhookScope, id: string, at = Date.now()) {
  const row = await requireEndpoint(db, scope.orgId, id);
  await db.batch([
    db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "webhook_endpoint",
      resourceId: id,
      operation: "deleted",
      summary: `Deleted the webhook endpoint ${row.url} and its delivery history`,
      before: { url: row.url, types: parseList(row.typesJson), categories: parseList(row.categoriesJson), status: row.status },
      at,
    }),
  ]);
  return { deleted: true };
}

/** A new secret, returned once; the current one becomes the previous and keeps signing for 24 hours. */
export async function rotateSecret(db: Db, env: Pick<Env, "ENCRYPTION_KEY">, scope: WebhookScope, id: string, at = Date.now()) {
  const row = await requireEndpoint(db, scope.orgId, id);
  const secret = newSigningSecret();
  const change = {
    secretEnc: await encryptSecret(env.ENCRYPTION_KEY, secret),
    previousSecretEnc: row.secretEnc,
    previousSecretExpiresAt: at + PREVIOUS_SECRET_TTL_MS,
    secretRotatedAt: at,
    updatedAt: at,
  };
  await db.batch([
    db.update(webhookEndpoints).set(change).where(eq(webhookEndpoints.id, id)),
    auditInsert(db, {
      orgId: scope.orgId,
      actor: scope.actor,
      resourceType: "webhook_endpoint",
      resourceId: id,
      operation: "rotated",
      summary: `Rotated the signing secret of the webhook endpoint ${row.url}; the previous secret signs too until ${new Date(change.previousSecretExpiresAt).toISOString()}`,
      after: { previousSecretValidUntil: change.previousSecretExpiresAt },
      at,
    }),
  ]);
  return { endpoint: endpointView({ ...row, ...change }, at), secret };
}
