import { z } from "zod";
import type { Db } from "../../db/client";
import type { EventReads } from "../../db/event-store";
import { csvStream, type CsvColumn } from "../../lib/csv";
import { MESSAGE_STATUSES } from "../../db/schema";
import { getDeliverabilityReport, type DeliverabilityReport } from "./deliverability";
import { readTemplateRows, type EngagementReport } from "./engagement";
import { listEvents, type EventLogEntry, type EventLogPage } from "./events";
import { listMessages, recipientFilter, recipientPrefixFilter, type MessagePage, type MessageSummary } from "./messages";
import { getProviderReport, providerQuerySchema, type ProviderRow } from "./providers";
import { resolveReportRange } from "./range";
import type { ReportScope } from "./scope";

export const EXPORT_VIEWS = ["messages", "events", "providers", "templates", "bounce-reasons"] as const;
export type ExportView = (typeof EXPORT_VIEWS)[number];

/** Rows read per query while a message or event export streams. */
export const EXPORT_PAGE_ROWS = 500;

/** The view plus the filters of that view's screen (the others are ignored). */
export const exportQuerySchema = providerQuerySchema.extend({
  view: z.enum(EXPORT_VIEWS),
  status: z.enum(MESSAGE_STATUSES).optional(),
  recipient: recipientFilter,
  recipientPrefix: recipientPrefixFilter,
  types: z.string().max(200).optional(),
});
export type ExportQuery = z.output<typeof exportQuerySchema>;

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

const MESSAGE_COLUMNS: CsvColumn<MessageSummary>[] = [
  { header: "Sent At", value: (m) => iso(m.sentAt) },
  { header: "Status", value: (m) => m.status },
  { header: "Recipient", value: (m) => m.recipient },
  { header: "From", value: (m) => m.from },
  { header: "Subject", value: (m) => m.subject },
  { header: "Channel", value: (m) => m.channel?.name },
  { header: "Template", value: (m) => m.template },
  { header: "Provider", value: (m) => m.provider },
  { header: "Delivered At", value: (m) => iso(m.deliveredAt) },
  { header: "Latency (ms)", value: (m) => m.latencyMs },
  { header: "First Open At", value: (m) => iso(m.firstOpenAt) },
  { header: "First Click At", value: (m) => iso(m.firstClickAt) },
  { header: "Bounced At", value: (m) => iso(m.bouncedAt) },
  { header: "Complained At", value: (m) => iso(m.complainedAt) },
  { header: "Rejected At", value: (m) => iso(m.rejectedAt) },
  { header: "Last Diagnostic", value: (m) => m.lastDiagnostic },
  { header: "SES Message ID", value: (m) => m.sesMessageId },
];

const EVENT_COLUMNS: CsvColumn<EventLogEntry>[] = [
  { header: "At", value: (e) => iso(e.at) },
  { header: "Type", value: (e) => e.type },
  { header: "Recipient", value: (e) => e.recipient },
  { header: "Channel", value: (e) => e.channel?.name },
  { header: "Provider", value: (e) => e.provider },
  { header: "Template", value: (e) => e.template },
  { header: "Summary", value: (e) => e.summary },
  { header: "SES Message ID", value: (e) => e.sesMessageId },
];

const PROVIDER_COLUMNS: CsvColumn<ProviderRow>[] = [
  { header: "Provider", value: (p) => p.provider },
  { header: "Sends", value: (p) => p.sends },
  { header: "Deliveries", value: (p) => p.deliveries },
  { header: "Bounces", value: (p) => p.bounces },
  { header: "Bounce %", value: (p) => p.bouncePct },
  { header: "Bounce % Change (pp)", value: (p) => p.bouncePctDelta },
  { header: "Complaints", value: (p) => p.complaints },
  { header: "Complaint %", value: (p) => p.complaintPct },
  { header: "Complaint % Change (pp)", value: (p) => p.complaintPctDelta },
  { header: "Rejects", value: (p) => p.rejects },
  { header: "Reject %", value: (p) => p.rejectPct },
  { header: "Reject % Change (pp)", value: (p) => p.rejectPctDelta },
  { header: "New", value: (p) => p.isNew },
];

type TemplateRow = EngagementReport["byTemplate"][number];
const TEMPLATE_COLUMNS: CsvColumn<TemplateRow>[] = [
  { header: "Template", value: (t) => t.template ?? "(no template)" },
  { header: "Sent", value: (t) => t.sent },
  { header: "Open %", value: (t) => t.openPct },
  { header: "Click %", value: (t) => t.clickPct },
  { header: "Bounce %", value: (t) => t.bouncePct },
  { header: "Complaint %", value: (t) => t.complaintPct },
];

type BounceReasonRow = DeliverabilityReport["bounceReasons"][number];
const BOUNCE_REASON_COLUMNS: CsvColumn<BounceReasonRow>[] = [
  { header: "Bounce Type", value: (b) => b.bounceType },
  { header: "Bounce Sub-Type", value: (b) => b.bounceSubType },
  { header: "Count", value: (b) => b.count },
  { header: "% of Bounces", value: (b) => b.pct },
];

/** Pages of a keyset-paginated list, the first one already fetched (so its errors surface before streaming). */
async function* pagesFrom<P extends { nextCursor: string | null }, T>(
  first: P,
  rowsOf: (p: P) => T[],
  next: (cursor: string) => Promise<P>,
): AsyncGenerator<T[]> {
  let page = first;
  yield rowsOf(page);
  while (page.nextCursor) {
    page = await next(page.nextCursor);
    yield rowsOf(page);
  }
}

async function* once<T>(rows: T[]): AsyncGenerator<T[]> {
  yield rows;
}

export interface CsvExport {
  filename: string;
  body: ReadableStream<Uint8Array>;
}

const day = (t: number) => new Date(t).toISOString().slice(0, 10);

/**
 * The CSV of one Reports view with that view's filters: the same rows the screen shows, every page of
 * them for messages and events (read on demand while the response streams).
 */
export async function exportCsv(db: Db, reads: EventReads, scope: ReportScope, q: ExportQuery, now = Date.now()): Promise<CsvExport> {
  const { orgId } = scope;
  const range = q.from !== undefined || q.to !== undefined || !["messages", "events"].includes(q.view) ? resolveReportRange(q, now).range : null;
  const filename = `sendops-${q.view}${range ? `-${day(range.from)}-to-${day(range.to - 1)}` : ""}.csv`;
  switch (q.view) {
    case "messages": {
      const query = { from: q.from, to: q.to, channel: q.channel, status: q.status, recipient: q.recipient, recipientPrefix: q.recipientPrefix, limit: EXPORT_PAGE_ROWS };
      const first = await listMessages(reads, scope, query);
      const pages = pagesFrom(first, (p: MessagePage) => p.messages, (cursor) => listMessages(reads, scope, { ...query, cursor }));
      return { filename, body: csvStream(MESSAGE_COLUMNS, pages) };
    }
    case "events": {
      const query = { from: q.from, to: q.to, channel: q.channel, types: q.types, recipient: q.recipient, recipientPrefix: q.recipientPrefix, limit: EXPORT_PAGE_ROWS };
      const first = await listEvents(reads, scope, query);
      const pages = pagesFrom(first, (p: EventLogPage) => p.events, (cursor) => listEvents(reads, scope, { ...query, cursor }));
      return { filename, body: csvStream(EVENT_COLUMNS, pages) };
    }
    case "providers":
      return { filename, body: csvStream(PROVIDER_COLUMNS, once((await getProviderReport(db, orgId, q, now)).rows)) };
    case "templates":
      return { filename, body: csvStream(TEMPLATE_COLUMNS, once(await readTemplateRows(db, orgId, q, now))) };
    case "bounce-reasons":
      return { filename, body: csvStream(BOUNCE_REASON_COLUMNS, once((await getDeliverabilityReport(db, orgId, q, now)).bounceReasons)) };
  }
}
