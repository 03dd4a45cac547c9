import { expect } from "vitest";
import { parse } from "csv-parse/sync";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { call, insertMembership, json, newUser, type TestUser } from "./helpers";
import { channelIdOf, fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
export const TRANSACTIONAL = "acme-transactional";
export const MARKETING = "acme-marketing";

const iso = (ms: number) => new Date(ms).toISOString();

/** One message to one recipient and what happens to it; times are epoch ms, offsets relative to `sentAt`. */
export interface MailSpec {
  id: string;
  to: string;
  sentAt: number;
  set?: string;
  /** Value of the `template` tag; null = no tag. */
  template?: string | null;
  subject?: string;
  outcome?: "delivered" | "hard" | "soft" | "undetermined" | "reject" | "sent";
  bounceSubType?: string;
  latencyMs?: number;
  opens?: number[];
  clicks?: number[];
  complaint?: { after: number; feedbackType?: string | null };
}

export const sesMessageIdOf = (id: string) => `0100018f-rpt-${id}-000000`;

let envelopes = 0;

/** The SES events of one message, built from the fixtures (test/fixtures/ses-events). */
export function mailEvents(spec: MailSpec): SesEventBridgeEvent[] {
  const messageId = sesMessageIdOf(spec.id);
  const make = (name: string, at: number) => {
    const e = fixture(name);
    e.id = `${name}-${spec.id}-${++envelopes}`;
    e.time = iso(at).replace(/\.\d{3}Z$/, "Z");
    const mail = e.detail.mail;
    mail.messageId = messageId;
    mail.timestamp = iso(spec.sentAt);
    mail.destination = [spec.to];
    if (mail.commonHeaders) {
      mail.commonHeaders.to = [spec.to];
      if (spec.subject !== undefined) mail.commonHeaders.subject = spec.subject;
    }
    if (mail.headers && spec.subject !== undefined) {
      for (const h of mail.headers) if (h.name === "Subject") h.value = spec.subject;
    }
    mail.tags = { ...(mail.tags ?? {}), "ses:configuration-set": [spec.set ?? TRANSACTIONAL] };
    if (spec.template) mail.tags.template = [spec.template];
    return e;
  };
  const out: SesEventBridgeEvent[] = [];
  const outcome = spec.outcome ?? "delivered";
  if (outcome === "reject") return [make("reject", spec.sentAt)];
  out.push(make("send", spec.sentAt));
  if (outcome === "delivered") {
    const at = spec.sentAt + (spec.latencyMs ?? 1500);
    const d = make("delivery", at);
    if (d.detail.eventType === "Delivery") {
      d.detail.delivery.timestamp = iso(at);
      d.detail.delivery.recipients = [spec.to];
    }
    out.push(d);
  } else if (outcome !== "sent") {
    const at = spec.sentAt + 2000;
    const b = make("bounce-permanent-general", at);
    if (b.detail.eventType === "Bounce") {
      b.detail.bounce.timestamp = iso(at);
      b.detail.bounce.bounceType = outcome === "hard" ? "Permanent" : outcome === "soft" ? "Transient" : "Undetermined";
      b.detail.bounce.bounceSubType = spec.bounceSubType ?? (outcome === "hard" ? "General" : outcome === "soft" ? "MailboxFull" : "Undetermined");
      b.detail.bounce.bouncedRecipients = [{ emailAddress: spec.to, action: "failed", status: "5.1.1", diagnosticCode: `smtp; 550 no such user ${spec.to}` }];
    }
    out.push(b);
  }
  for (const offset of spec.opens ?? []) {
    const o = make("open", spec.sentAt + offset);
    if (o.detail.eventType === "Open") o.detail.open.timestamp = iso(spec.sentAt + offset);
    out.push(o);
  }
  (spec.clicks ?? []).forEach((offset, i) => {
    const c = make("click", spec.sentAt + offset);
    if (c.detail.eventType === "Click") {
      c.detail.click.timestamp = iso(spec.sentAt + offset);
      c.detail.click.link = `https://www.example.com/link-${i}`;
    }
    out.push(c);
  });
  if (spec.complaint) {
    const at = spec.sentAt + spec.complaint.after;
    const c = make("complaint", at);
    if (c.detail.eventType === "Complaint") {
      c.detail.complaint.timestamp = iso(at);
      c.detail.complaint.complainedRecipients = [{ emailAddress: spec.to }];
      if (spec.complaint.feedbackType === null) delete (c.detail.complaint as { complaintFeedbackType?: string }).complaintFeedbackType;
      else if (spec.complaint.feedbackType) c.detail.complaint.complaintFeedbackType = spec.complaint.feedbackType;
    }
    out.push(c);
  }
  return out;
}

/** Feeds events through the real events consumer, 100 per batch (the queue's max_batch_size). */
export async function feed(orgId: string, events: SesEventBridgeEvent[]): Promise<void> {
  for (let i = 0; i < events.length; i += 100) {
    const result = await runConsumer(events.slice(i, i + 100).map((e) => queued(orgId, e)));
    expect(result.retryMessages).toEqual([]);
  }
}

export type Role = "owner" | "org_admin" | "infra_admin" | "developer" | "marketer" | "financial" | "support" | "viewer";

export interface ReportOrg {
  orgId: string;
  user: TestUser;
  channel: (set: string) => string;
  /** GET on the org's /api path (relative to /api/orgs/:orgId) as `user`. */
  get: (path: string, query?: Record<string, string | number | undefined>) => Promise<Response>;
}

export const qs = (query: Record<string, string | number | undefined> = {}) => {
  const entries = Object.entries(query).filter(([, v]) => v !== undefined) as [string, string | number][];
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : "";
};

/** An org with the identity mail.example.com and channels acme-transactional / acme-marketing, and a member of `role`. */
export async function newReportOrg(role: Role = "owner"): Promise<ReportOrg> {
  const orgId = await newIngestOrg({ channels: [TRANSACTIONAL, MARKETING] });
  const user = await newUser("reports");
  await insertMembership(orgId, user.id, role);
  return {
    orgId,
    user,
    channel: (set) => channelIdOf(orgId, set),
    get: (path, query) => call(`/api/orgs/${orgId}${path}${qs(query)}`, { cookie: user.cookie }),
  };
}

/** A second member of `org` with another role. */
export async function memberOf(org: ReportOrg, role: Role) {
  const user = await newUser(role);
  await insertMembership(org.orgId, user.id, role);
  return (path: string, query?: Record<string, string | number | undefined>) =>
    call(`/api/orgs/${org.orgId}${path}${qs(query)}`, { cookie: user.cookie });
}

export async function ok<T = any>(res: Response | Promise<Response>): Promise<T> {
  const r = await res;
  const body = await r.text();
  expect(r.status, body).toBe(200);
  return JSON.parse(body) as T;
}

export { json };

/**
 * Reads an export with csv-parse, a maintained parser independent of our writer: quotes only around
 * whole fields, every record as wide as the first. A record ends at CRLF or at a bare LF, as spreadsheets
 * read it, so a line break the writer failed to quote splits the row.
 */
export function parseCsv(text: string): string[][] {
  return parse(text, { record_delimiter: ["\r\n", "\n"] });
}
