import { z } from "zod";
import type { EventReads } from "../../db/event-store";
import type { EventLogRowDb } from "../../db/reports";
import type { EventType } from "../../db/schema";
import { decodeCursor, encodeCursor, paginationQuery } from "../../lib/pagination";
import { SES_TYPE_OF, storedTypeOf } from "./event-types";
import { assertRecipientSearch, messageIdOf, recipientFilter, recipientPrefixFilter } from "./messages";
import { fieldError } from "./range";
import type { ReportScope } from "./scope";

const epochMs = z.coerce.number().int().min(0).max(8.64e15);

export const eventListQuerySchema = paginationQuery.extend({
  from: epochMs.optional().describe("Events at or after this time (epoch ms)."),
  to: epochMs.optional().describe("Events before this time (epoch ms)."),
  types: z
    .string()
    .max(200)
    .optional()
    .describe("Comma-separated SES event types, e.g. `Bounce,Complaint`; omit for all."),
  channel: z.string().trim().min(1).max(100).optional().describe("A channel id; omit for all channels."),
  recipient: recipientFilter,
  recipientPrefix: recipientPrefixFilter,
});
export type EventListQuery = z.output<typeof eventListQuerySchema>;

export const eventLogEntrySchema = z.object({
  id: z.string(),
  at: z.number().int().describe("The event's own timestamp."),
  type: z.string().describe("SES event type."),
  recipient: z.string(),
  sesMessageId: z.string(),
  messageId: z.string().describe("Opaque id of the message for this recipient (GET /messages/{id})."),
  channel: z.object({ id: z.string(), name: z.string() }).nullable(),
  provider: z.string(),
  template: z.string().nullable(),
  summary: z.string().describe("One line on what happened."),
});
export type EventLogEntry = z.output<typeof eventLogEntrySchema>;

export const eventLogPageSchema = z.object({ events: z.array(eventLogEntrySchema), nextCursor: z.string().nullable() });
export type EventLogPage = z.output<typeof eventLogPageSchema>;

const withDiagnostic = (text: string, diagnostic: string | null) => (diagnostic ? `${text}: ${diagnostic}` : text);

/** One line per event, from its stored fields. */
export function eventSummary(e: EventLogRowDb): string {
  switch (e.type as EventType) {
    case "send":
      return "Accepted by SES for delivery";
    case "delivery":
      return withDiagnostic(e.latency_ms === null ? "Delivered" : `Delivered after ${e.latency_ms} ms`, e.diagnostic);
    case "bounce":
      return withDiagnostic(`${e.bounce_type ?? "Unknown"} bounce (${e.bounce_sub_type ?? "unknown"})`, e.diagnostic);
    case "complaint":
      return `Complaint (${e.complaint_feedback_type ?? "no feedback type"})`;
    case "reject":
      return withDiagnostic("Rejected by SES", e.reason);
    case "open":
      return "Opened";
    case "click":
      return withDiagnostic("Clicked", e.link);
    case "delivery_delay":
      return withDiagnostic(`Delivery delayed (${e.delay_type ?? "unknown"})`, e.diagnostic);
    case "rendering_failure":
      return withDiagnostic("Template rendering failed", e.reason);
    case "subscription":
      return "Subscription preferences changed";
  }
}

/** `types` query value → stored types; a name that is not an SES event type is a 422 naming `types`. */
export function parseTypes(types: string | undefined): EventType[] | undefined {
  const names = (types ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) return undefined;
  return [
    ...new Set(
      names.map((n) => {
        const t = storedTypeOf(n);
        if (!t) throw fieldError("types", `Unknown event type "${n}". Use: ${Object.values(SES_TYPE_OF).join(", ")}.`);
        return t;
      }),
    ),
  ];
}

const eventCursor = z.tuple([z.number().int(), z.number().int()]);

export function eventEntryOf(e: EventLogRowDb): EventLogEntry {
  return {
    id: String(e.id),
    at: e.at,
    type: SES_TYPE_OF[e.type as EventType],
    recipient: e.recipient,
    sesMessageId: e.message_id,
    messageId: messageIdOf(e.message_id, e.recipient),
    channel: e.channel_id && e.channel_name !== null ? { id: e.channel_id, name: e.channel_name } : null,
    provider: e.provider,
    template: e.template,
    summary: eventSummary(e),
  };
}

/** One page of the raw event stream (one row per event and recipient), newest first. */
export async function listEvents(reads: EventReads, scope: ReportScope, q: EventListQuery): Promise<EventLogPage> {
  const recipient = q.recipient || undefined;
  const recipientPrefix = q.recipientPrefix || undefined;
  assertRecipientSearch(scope, { recipient, recipientPrefix });
  if (q.from !== undefined && q.to !== undefined && q.from >= q.to) throw fieldError("from", "Must be before `to`.");
  const rows = await reads.eventsPage({
    orgId: scope.orgId,
    from: q.from,
    to: q.to,
    channel: q.channel,
    types: parseTypes(q.types),
    recipient,
    recipientPrefix,
    after: decodeCursor(q.cursor, eventCursor),
    limit: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    events: page.map(eventEntryOf),
    nextCursor: rows.length > q.limit && last ? encodeCursor([last.at, last.id]) : null,
  };
}
