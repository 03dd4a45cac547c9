import { z } from "zod";
import type { EventReads } from "../../db/event-store";
import type { MessageRowDb } from "../../db/reports";
import { MESSAGE_STATUSES, type EventType } from "../../db/schema";
import { fromBase64, toBase64Url } from "../../lib/crypto";
import { forbidden, notFound } from "../../lib/errors";
import { decodeCursor, encodeCursor, paginationQuery } from "../../lib/pagination";
import { inflateJson } from "../../lib/deflate";
import { fieldError } from "./range";
import type { ReportScope } from "./scope";
import { SES_TYPE_OF } from "./event-types";

const epochMs = z.coerce.number().int().min(0).max(8.64e15);

/** Recipient filters hold an address; compared exactly, case-insensitively (addresses are stored lowercase). */
export const recipientFilter = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .optional()
  .describe("Exact recipient address (case-insensitive). Needs the Recipient Search capability in the dashboard.");

/** The beginning of an address: `jane` finds jane.doe@… and jane@…; served by the recipient index. */
export const recipientPrefixFilter = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .optional()
  .describe("The beginning of the recipient address (case-insensitive), e.g. `jane` or `jane.doe@exa`. Needs the Recipient Search capability in the dashboard.");

export const messageListQuerySchema = paginationQuery.extend({
  from: epochMs.optional().describe("Sent at or after this time (epoch ms)."),
  to: epochMs.optional().describe("Sent before this time (epoch ms)."),
  channel: z.string().trim().min(1).max(100).optional().describe("A channel id; omit for all channels."),
  status: z.enum(MESSAGE_STATUSES).optional().describe("Current status of the message for that recipient."),
  recipient: recipientFilter,
  recipientPrefix: recipientPrefixFilter,
});
export type MessageListQuery = z.output<typeof messageListQuerySchema>;

const at = z.number().int().nullable();
const channelRef = z.object({ id: z.string(), name: z.string() }).nullable().describe("The channel (SES configuration set), or null.");

export const messageSchema = z.object({
  id: z.string().describe("Opaque id of the message for this recipient (GET /messages/{id})."),
  sesMessageId: z.string().describe("The SES message id (shared by every recipient of one send)."),
  recipient: z.string(),
  from: z.string().nullable(),
  subject: z.string().nullable(),
  channel: channelRef,
  template: z.string().nullable(),
  provider: z.string().describe("Mailbox provider of the recipient's domain."),
  status: z.enum(MESSAGE_STATUSES).describe("The furthest status reached: sent < delayed < delivered < rendering_failed < rejected < bounced < complained."),
  sentAt: z.number().int(),
  deliveredAt: at,
  firstOpenAt: at,
  firstClickAt: at,
  bouncedAt: at,
  complainedAt: at,
  rejectedAt: at,
  latencyMs: at.describe("Delivery time − send time of the first delivery."),
  lastDiagnostic: z.string().nullable().describe("The latest SMTP diagnostic (bounce, delay or delivery response)."),
});
export type MessageSummary = z.output<typeof messageSchema>;

export const messagePageSchema = z.object({ messages: z.array(messageSchema), nextCursor: z.string().nullable() });
export type MessagePage = z.output<typeof messagePageSchema>;

export const messageEventSchema = z.object({
  id: z.string(),
  type: z.string().describe("SES event type: Send, Delivery, Bounce, Complaint, Reject, Open, Click, DeliveryDelay, Rendering Failure, Subscription."),
  at: z.number().int().describe("The event's own timestamp."),
  detail: z.unknown().describe("The full SES event record (EventBridge `detail`) as received."),
});

export const messageDetailSchema = z.object({
  message: messageSchema.extend({
    headers: z.array(z.object({ name: z.string(), value: z.string() })).describe("Original headers, when the configuration set publishes them."),
    remoteMta: z.string().nullable().describe("IP of the receiving mail server."),
    smtpResponse: z.string().nullable().describe("The receiving server's response to the delivery."),
    bounce: z.object({ type: z.string(), subType: z.string() }).nullable(),
    complaint: z.object({ feedbackType: z.string().nullable() }).nullable(),
  }),
  events: z.array(messageEventSchema).describe("Every event of this message for this recipient, in time order."),
});
export type MessageDetail = z.output<typeof messageDetailSchema>;

/** The opaque message id: base64url of [SES message id, recipient]. */
export const messageIdOf = (sesMessageId: string, recipient: string) =>
  toBase64Url(new TextEncoder().encode(JSON.stringify([sesMessageId, recipient])));

function parseMessageId(id: string): [string, string] | null {
  try {
    const v: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(fromBase64(id)));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string") return [v[0], v[1]];
  } catch {
    // Not one of our ids: answered as not found below.
  }
  return null;
}

export function summaryOf(m: MessageRowDb): MessageSummary {
  return {
    id: messageIdOf(m.message_id, m.recipient),
    sesMessageId: m.message_id,
    recipient: m.recipient,
    from: m.from_address,
    subject: m.subject,
    channel: m.channel_id && m.channel_name !== null ? { id: m.channel_id, name: m.channel_name } : null,
    template: m.template,
    provider: m.provider,
    status: m.status,
    sentAt: m.sent_at,
    deliveredAt: m.delivered_at,
    firstOpenAt: m.first_open_at,
    firstClickAt: m.first_click_at,
    bouncedAt: m.bounced_at,
    complainedAt: m.complained_at,
    rejectedAt: m.rejected_at,
    latencyMs: m.latency_ms,
    lastDiagnostic: m.last_diagnostic,
  };
}

/** Searching by address (or its beginning) is the Recipient Search capability; other filters only need Reports. */
export function assertRecipientSearch(scope: ReportScope, search: { recipient?: string; recipientPrefix?: string }) {
  if ((search.recipient || search.recipientPrefix) && !scope.recipientSearch) {
    throw forbidden("Searching by recipient needs the Recipient Search capability.", { permission: "recipient_search.view" });
  }
}

const messageCursor = z.tuple([z.number().int(), z.string(), z.string()]);

/** One page of messages (one row per message and recipient), newest first. */
export async function listMessages(reads: EventReads, scope: ReportScope, q: MessageListQuery): Promise<MessagePage> {
  const recipient = q.recipient || undefined;
  const recipientPrefix = q.recipientPrefix || undefined;
  assertRecipientSearch(scope, { recipient, recipientPrefix });
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) throw fieldError("from", "Must be before `to`.");
  const rows = await reads.messagesPage({
    orgId: scope.orgId,
    from: q.from,
    to: q.to,
    channel: q.channel,
    status: q.status,
    recipient,
    recipientPrefix,
    after: decodeCursor(q.cursor, messageCursor),
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    messages: page.map(summaryOf),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.sent_at, last.message_id, last.recipient]) : null,
  };
}

type Detail = Record<string, unknown>;
const obj = (v: unknown): Detail | undefined => (typeof v === "object" && v !== null ? (v as Detail) : undefined);
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/** One message for one recipient with every stored event (raw SES detail included), in time order. */
export async function getMessage(reads: EventReads, scope: ReportScope, id: string): Promise<MessageDetail> {
  const key = parseMessageId(id);
  const stored = key ? await reads.message(scope.orgId, key[0], key[1]) : undefined;
  if (!stored) throw notFound("Message");
  const { row } = stored;
  const events = stored.events.map((e) => ({
    id: String(e.id),
    type: SES_TYPE_OF[e.type as EventType],
    at: e.at,
    detail: inflateJson(e.detail),
  }));
  const details = events.map((e) => obj(e.detail));
  const lastOf = (eventType: string) => [...details].reverse().find((d) => d?.eventType === eventType);
  const delivery = obj(lastOf("Delivery")?.delivery);
  const bounce = obj(lastOf("Bounce")?.bounce);
  const rawHeaders = obj(details.find((d) => obj(d?.mail)?.headers)?.mail)?.headers;
  const headers = Array.isArray(rawHeaders)
    ? rawHeaders.flatMap((h) => {
        const name = str(obj(h)?.name);
        const value = str(obj(h)?.value);
        return name !== null && value !== null ? [{ name, value }] : [];
      })
    : [];
  return {
    message: {
      ...summaryOf(row),
      headers,
      remoteMta: str(delivery?.remoteMtaIp) ?? str(bounce?.remoteMtaIp),
      smtpResponse: str(delivery?.smtpResponse),
      bounce: row.bounce_type && row.bounce_sub_type ? { type: row.bounce_type, subType: row.bounce_sub_type } : null,
      complaint: row.complained_at !== null ? { feedbackType: row.complaint_feedback_type } : null,
    },
    events,
  };
}
