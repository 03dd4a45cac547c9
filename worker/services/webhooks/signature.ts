/**
 * The webhook wire format (product docs notifications__webhooks.md; docs/webhooks.md): the payload built
 * from a raised notification, and the `X-SendOps-Signature` / `X-SendOps-Timestamp` headers.
 */
import { hmacSha256Hex, randomToken, sha256Hex } from "../../lib/crypto";
import type { NotificationSeverity, NotificationType, OutboundNotification } from "../../lib/notification-types";

export const SIGNATURE_HEADER = "X-SendOps-Signature";
export const TIMESTAMP_HEADER = "X-SendOps-Timestamp";
export const USER_AGENT = "SendOps-Webhooks/1.0 (+https://help.sendops.dev/notifications/webhooks)";

/** Signing secrets: `whsec_` + 32 random bytes (base64url). */
export const newSigningSecret = () => randomToken("whsec");

export interface WebhookPayload {
  id: string;
  notification_type: NotificationType;
  severity: NotificationSeverity;
  account_id: string;
  timestamp: string;
  title: string;
  body: string;
  payload: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The payload's `id` and `account_id` are UUIDs (the docs' contract). An id that is not one maps to a
 * stable name-based UUID (RFC 9562 version 8 from SHA-256 of the id), so every delivery and resend of a
 * notification carries the same `id`, and an org always the same `account_id`.
 */
export async function uuidOf(id: string): Promise<string> {
  if (UUID.test(id)) return id.toLowerCase();
  const hex = (await sha256Hex(`sendops:${id}`)).slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** RFC 3339 in UTC, to the second (as the docs' example). */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export async function buildPayload(n: OutboundNotification): Promise<WebhookPayload> {
  return {
    id: await uuidOf(n.id),
    notification_type: n.type,
    severity: n.severity,
    account_id: await uuidOf(n.orgId),
    timestamp: rfc3339(n.createdAt),
    title: n.title,
    body: n.body,
    payload: n.payload,
  };
}

/**
 * `v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>` for each secret, space-separated: the current
 * secret first, then (for 24 h after a rotation) the previous one. A receiver accepts the request when
 * any of them matches its secret.
 */
export async function signatureHeader(secrets: readonly string[], timestamp: number, body: string): Promise<string> {
  const parts = await Promise.all(secrets.map(async (s) => `v1=${await hmacSha256Hex(s, `${timestamp}.${body}`)}`));
  return parts.join(" ");
}
