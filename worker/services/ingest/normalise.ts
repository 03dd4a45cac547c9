import type { EventType } from "../../db/schema";
import { sha256Hex } from "../../lib/crypto";
import { deflateJson } from "../../lib/deflate";
import { domainOf, matchManagedIdentity } from "./identities";
import { latencyBucket } from "./latency";
import { providerOf } from "./providers";
import { extractAddress, type SesDetail, type SesEventBridgeEvent } from "./schemas";

/** The configuration set every SendOps stack creates as a fallback: its events belong to no channel. */
export const BASE_CONFIGURATION_SET = "sendops-events";

/** What the consumer needs to know about an org to normalise its events. */
export interface OrgIngestConfig {
  orgId: string;
  /** Lowercase managed identities (domains and addresses). */
  identities: ReadonlySet<string>;
  /** configuration set name → channel id. */
  channelsByConfigurationSet: ReadonlyMap<string, string>;
  /** Message tag whose first value names the template. */
  templateTag: string;
}

/** One `events` row (before insert): one per (SES event, recipient). */
export interface EventRow {
  orgId: string;
  eventKey: string;
  eventbridgeId: string;
  type: EventType;
  at: number;
  receivedAt: number;
  messageId: string;
  recipient: string;
  recipientDomain: string;
  provider: string;
  fromAddress: string | null;
  subject: string | null;
  channelId: string | null;
  configurationSet: string | null;
  template: string | null;
  sendingIdentity: string;
  sentAt: number;
  bounceType: string | null;
  bounceSubType: string | null;
  complaintFeedbackType: string | null;
  complaintSubType: string | null;
  delayType: string | null;
  smtpStatus: string | null;
  diagnostic: string | null;
  reason: string | null;
  link: string | null;
  latencyMs: number | null;
  latencyBucket: number | null;
  /** The SES `detail`, deflated (worker/lib/deflate.ts); shared by the rows of one event. */
  detail: Uint8Array;
}

export const DROP_REASONS = ["unmanaged_identity"] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** One (event, recipient) ingest does not store, with the dedupe key it would have had. */
export interface DroppedRow {
  orgId: string;
  eventKey: string;
  at: number;
  reason: DropReason;
}

export type NormaliseResult = { ok: true; rows: EventRow[] } | { ok: false; drops: DroppedRow[] };

const TYPE_OF: Record<SesDetail["eventType"], EventType> = {
  Send: "send",
  Delivery: "delivery",
  Bounce: "bounce",
  Complaint: "complaint",
  Reject: "reject",
  Open: "open",
  Click: "click",
  DeliveryDelay: "delivery_delay",
  "Rendering Failure": "rendering_failure",
  Subscription: "subscription",
};

/** Per-recipient fields an event carries. */
interface RecipientPart {
  address: string;
  smtpStatus?: string | null;
  diagnostic?: string | null;
}

interface Specific {
  at: number;
  recipients: RecipientPart[];
  fields: Partial<EventRow>;
}

const ms = (iso: string) => Date.parse(iso);

/** The event's own timestamp, its recipients and its type-specific fields. */
function specificOf(d: SesDetail, sentAt: number): Specific {
  const destination = (): RecipientPart[] => d.mail.destination.map((a) => ({ address: a }));
  switch (d.eventType) {
    case "Send":
      return { at: sentAt, recipients: destination(), fields: {} };
    case "Delivery": {
      const at = ms(d.delivery.timestamp);
      const latency = Math.max(0, at - sentAt);
      return {
        at,
        recipients: d.delivery.recipients.map((a) => ({ address: a, diagnostic: d.delivery.smtpResponse ?? null })),
        fields: { latencyMs: latency, latencyBucket: latencyBucket(latency) },
      };
    }
    case "Bounce":
      return {
        at: ms(d.bounce.timestamp),
        recipients: d.bounce.bouncedRecipients.map((r) => ({
          address: r.emailAddress,
          smtpStatus: r.status ?? null,
          diagnostic: r.diagnosticCode ?? null,
        })),
        fields: { bounceType: d.bounce.bounceType, bounceSubType: d.bounce.bounceSubType },
      };
    case "Complaint":
      return {
        at: ms(d.complaint.timestamp),
        recipients: d.complaint.complainedRecipients.map((r) => ({ address: r.emailAddress })),
        fields: {
          complaintFeedbackType: d.complaint.complaintFeedbackType ?? null,
          complaintSubType: d.complaint.complaintSubType ?? null,
        },
      };
    case "Reject":
      // SES gives a Reject no timestamp of its own: it happens at send time.
      return { at: sentAt, recipients: destination(), fields: { reason: d.reject.reason } };
    case "Open":
      return { at: ms(d.open.timestamp), recipients: destination(), fields: {} };
    case "Click":
      return { at: ms(d.click.timestamp), recipients: destination(), fields: { link: d.click.link } };
    case "DeliveryDelay":
      return {
        at: ms(d.deliveryDelay.timestamp),
        recipients: d.deliveryDelay.delayedRecipients.map((r) => ({
          address: r.emailAddress,
          smtpStatus: r.status ?? null,
          diagnostic: r.diagnosticCode ?? null,
        })),
        fields: { delayType: d.deliveryDelay.delayType },
      };
    case "Rendering Failure":
      return {
        at: sentAt,
        recipients: destination(),
        fields: { template: d.failure.templateName, reason: d.failure.errorMessage },
      };
    case "Subscription":
      return { at: ms(d.subscription.timestamp), recipients: destination(), fields: {} };
  }
}

/**
 * The dedupe key of one (event, recipient): SHA-256 of the message id, the type, the event's own
 * timestamp, the recipient and (for clicks) the link. Not the EventBridge id: SES may republish the
 * same event under a new envelope.
 */
export function eventKeyOf(messageId: string, type: EventType, at: number, recipient: string, link: string | null): Promise<string> {
  return sha256Hex([messageId, type, String(at), recipient, link ?? ""].join("\n"));
}

/** The event's recipients, lowercased, each once (the first entry of an address listed twice). */
function uniqueRecipients(parts: RecipientPart[]): [recipient: string, part: RecipientPart][] {
  const out = new Map<string, RecipientPart>();
  for (const r of parts) {
    const recipient = extractAddress(r.address).toLowerCase();
    if (!out.has(recipient)) out.set(recipient, r);
  }
  return [...out];
}

/**
 * One row per (event, recipient), or, when the whole event is dropped, one drop per recipient with its
 * dedupe key (so a redelivered drop is recognised). Recipients listed twice in one event give one row.
 */
export async function normaliseEvent(event: SesEventBridgeEvent, config: OrgIngestConfig, receivedAt: number): Promise<NormaliseResult> {
  const d = event.detail;
  const mail = d.mail;
  const type = TYPE_OF[d.eventType];
  const sentAt = ms(mail.timestamp);
  const specific = specificOf(d, sentAt);
  const recipients = uniqueRecipients(specific.recipients);
  const link = specific.fields.link ?? null;
  const keyOf = (recipient: string) => eventKeyOf(mail.messageId, type, specific.at, recipient, link);
  const identity = matchManagedIdentity(mail, config.identities);
  if (!identity) {
    const drops = await Promise.all(
      recipients.map(async ([recipient]): Promise<DroppedRow> => ({ orgId: config.orgId, eventKey: await keyOf(recipient), at: specific.at, reason: "unmanaged_identity" })),
    );
    return { ok: false, drops };
  }

  const configurationSet = mail.tags?.["ses:configuration-set"]?.[0] ?? null;
  const channelId =
    configurationSet && configurationSet !== BASE_CONFIGURATION_SET ? (config.channelsByConfigurationSet.get(configurationSet) ?? null) : null;
  const template = specific.fields.template ?? mail.tags?.[config.templateTag]?.[0] ?? null;
  const fromAddress = mail.commonHeaders?.from?.[0] ?? mail.source;
  const subject = mail.commonHeaders?.subject ?? null;
  const detail = deflateJson(d);

  const rows: EventRow[] = [];
  for (const [recipient, r] of recipients) {
    const recipientDomain = domainOf(recipient);
    rows.push({
      orgId: config.orgId,
      eventKey: await keyOf(recipient),
      eventbridgeId: event.id,
      type,
      at: specific.at,
      receivedAt,
      messageId: mail.messageId,
      recipient,
      recipientDomain,
      provider: providerOf(recipientDomain),
      fromAddress,
      subject,
      channelId,
      configurationSet,
      template,
      sendingIdentity: identity,
      sentAt,
      bounceType: specific.fields.bounceType ?? null,
      bounceSubType: specific.fields.bounceSubType ?? null,
      complaintFeedbackType: specific.fields.complaintFeedbackType ?? null,
      complaintSubType: specific.fields.complaintSubType ?? null,
      delayType: specific.fields.delayType ?? null,
      smtpStatus: r.smtpStatus ?? null,
      diagnostic: r.diagnostic ?? null,
      reason: specific.fields.reason ?? null,
      link,
      latencyMs: specific.fields.latencyMs ?? null,
      latencyBucket: specific.fields.latencyBucket ?? null,
      detail,
    });
  }
  return { ok: true, rows };
}
