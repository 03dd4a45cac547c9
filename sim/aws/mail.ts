/**
 * SendEmail: SES's checks (verified From, sandbox recipients, configuration set, quota, pauses), the
 * outbox every sent mail lands in, and the events SES then publishes — Send at once, the recipient's
 * outcome `outcomeDelayMs` later — as EventBridge envelopes shaped like /work/shared/aws/events/*.json,
 * through the configuration set's enabled EventBridge destinations onto the default bus.
 *
 * Mailbox simulator (`<kind>[+label]@simulator.amazonses.com`): success → Delivery; bounce → Bounce
 * Permanent/General; complaint → Delivery, then Complaint; ooto → DeliveryDelay (the "mailbox
 * temporarily away" answer, so a delay can be produced on demand), then Delivery; suppressionlist → Bounce
 * Permanent/OnAccountSuppressionList. Other recipients are delivered unless they are on the account's
 * suppression list (then the same OnAccountSuppressionList bounce, as SES does).
 */
import { randomUUID } from "node:crypto";
import type { Runtime } from "./runtime";
import { bad, notFound, sendQuota, sentLast24Hours, type SesRequest } from "./ses";
import { identityStatus, type ConfigurationSet, type Identity, type RegionState, type SentMail } from "./state";
import { suppressionList } from "./suppressions";
import { AwsFault } from "./wire";

const SIMULATOR = "simulator.amazonses.com";
const DETAIL_TYPES: Record<string, string> = {
  Send: "Email Sent",
  Delivery: "Email Delivered",
  Bounce: "Email Bounced",
  Complaint: "Email Complaint Received",
  DeliveryDelay: "Email Delivery Delayed",
};
const EVENT_ENUM: Record<string, string> = { Send: "SEND", Delivery: "DELIVERY", Bounce: "BOUNCE", Complaint: "COMPLAINT", DeliveryDelay: "DELIVERY_DELAY" };
const OUTGOING_IP = "192.0.2.87";
const REMOTE_MTA_IP = "198.51.100.27";
const REPORTING_MTA = "a8-41.smtp-out.amazonses.com";

/** `Name <a@b>` → `a@b`. */
export const addressOf = (s: string) => (/<([^>]+)>\s*$/.exec(s)?.[1] ?? s).trim();
const domainOf = (address: string) => address.slice(address.lastIndexOf("@") + 1).toLowerCase();
const simulatorKind = (address: string) => (domainOf(address) === SIMULATOR ? address.slice(0, address.indexOf("@")).split("+")[0]!.toLowerCase() : null);
export const sesMessageId = (at: number) => `0100${at.toString(16).padStart(12, "0")}-${randomUUID()}-000000`;
const iso = (at: number) => new Date(at).toISOString();

/** The verified identity that covers an address: the address itself, its domain, or a parent domain. */
function verifiedIdentity(state: RegionState, address: string, now: number): Identity | null {
  const candidates = [address.toLowerCase()];
  const labels = domainOf(address).split(".");
  for (let i = 0; i < labels.length - 1; i++) candidates.push(labels.slice(i).join("."));
  for (const c of candidates) {
    const identity = state.identities.get(c);
    if (identity && identityStatus(identity, now) === "SUCCESS") return identity;
  }
  return null;
}

const notVerified = (region: string, addresses: string[]) =>
  new AwsFault("MessageRejected", 400, `Email address is not verified. The following identities failed the check in region ${region.toUpperCase()}: ${addresses.join(", ")}`);

interface Parsed {
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text: string | null;
  html: string | null;
  headers: { name: string; value: string }[];
}

function addresses(raw: unknown, member: string): string[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.some((a) => typeof a !== "string" || !addressOf(a).includes("@"))) throw bad(`${member} must be a list of email addresses.`);
  return raw as string[];
}

/** Header lines of a MIME message (unfolded). */
function mimeHeaders(mime: string): { name: string; value: string }[] {
  const head = mime.split(/\r?\n\r?\n/)[0] ?? "";
  return head
    .replace(/\r?\n[ \t]+/g, " ")
    .split(/\r?\n/)
    .map((line) => ({ name: line.slice(0, line.indexOf(":")).trim(), value: line.slice(line.indexOf(":") + 1).trim() }))
    .filter((h) => h.name);
}

const fill = (template: string, data: Record<string, unknown>) => template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => String(data[k] ?? ""));

function parse(body: Record<string, any>, state: RegionState): Parsed {
  const content = body.Content;
  const kinds = ["Simple", "Raw", "Template"].filter((k) => content?.[k] !== undefined);
  if (kinds.length !== 1) throw bad("Content must have exactly one of Simple, Raw or Template.");
  const dest = body.Destination ?? {};
  const parsed: Parsed = {
    from: body.FromEmailAddress ?? "",
    to: addresses(dest.ToAddresses, "ToAddresses"),
    cc: addresses(dest.CcAddresses, "CcAddresses"),
    bcc: addresses(dest.BccAddresses, "BccAddresses"),
    replyTo: addresses(body.ReplyToAddresses, "ReplyToAddresses"),
    subject: "",
    text: null,
    html: null,
    headers: [],
  };
  if (content.Simple) {
    const s = content.Simple;
    if (typeof s.Subject?.Data !== "string") throw bad("Content.Simple.Subject.Data is required.");
    parsed.subject = s.Subject.Data;
    parsed.text = s.Body?.Text?.Data ?? null;
    parsed.html = s.Body?.Html?.Data ?? null;
    if (parsed.text === null && parsed.html === null) throw bad("Content.Simple.Body needs Text or Html.");
    parsed.headers = ((s.Headers ?? []) as { Name: string; Value: string }[]).map((h) => ({ name: h.Name, value: h.Value }));
  } else if (content.Raw) {
    const mime = Buffer.from(String(content.Raw.Data ?? ""), "base64").toString("utf8");
    const headers = mimeHeaders(mime);
    const header = (name: string) => headers.find((h) => h.name.toLowerCase() === name)?.value;
    parsed.from ||= header("from") ?? "";
    if (!parsed.to.length && !parsed.cc.length && !parsed.bcc.length) parsed.to = (header("to") ?? "").split(",").map((a) => a.trim()).filter(Boolean);
    parsed.subject = header("subject") ?? "";
    parsed.text = mime.slice(mime.search(/\r?\n\r?\n/) + 2).trim() || null;
    parsed.headers = headers.filter((h) => !["from", "to", "cc", "subject", "mime-version", "content-type"].includes(h.name.toLowerCase()));
  } else {
    const t = content.Template;
    const stored = t.TemplateName === undefined ? undefined : state.templates.get(String(t.TemplateName))?.content;
    const template = t.TemplateContent ?? stored;
    if (!template) throw notFound(`Template ${String(t.TemplateName ?? t.TemplateArn)} does not exist.`);
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(t.TemplateData ?? "{}") as Record<string, unknown>;
    } catch {
      throw bad("TemplateData must be a JSON object.");
    }
    parsed.subject = fill(String(template.Subject ?? ""), data);
    parsed.text = template.Text === undefined ? null : fill(String(template.Text), data);
    parsed.html = template.Html === undefined ? null : fill(String(template.Html), data);
  }
  if (!parsed.from || !addressOf(parsed.from).includes("@")) throw bad("FromEmailAddress is required.");
  return parsed;
}

function emailTags(raw: unknown): Record<string, string[]> {
  if (raw === undefined) return {};
  if (!Array.isArray(raw) || raw.length > 50) throw bad("EmailTags must be a list of at most 50 {Name, Value}.");
  const out: Record<string, string[]> = {};
  for (const t of raw as { Name?: unknown; Value?: unknown }[]) {
    const ok = (v: unknown) => typeof v === "string" && /^[A-Za-z0-9_-]{1,256}$/.test(v);
    if (!ok(t.Name) || !ok(t.Value) || String(t.Name).startsWith("ses:")) throw bad("Message tag names and values may contain only ASCII letters, numbers, underscores and dashes (at most 256 characters).");
    out[t.Name as string] = [t.Value as string];
  }
  return out;
}

export function sendEmail(r: SesRequest) {
  const { rt, state, call } = r;
  const now = rt.now();
  const mail = parse(r.body, state);
  const recipients = [...mail.to, ...mail.cc, ...mail.bcc].map(addressOf);
  if (!recipients.length) throw bad("Destination needs at least one recipient.");
  if (recipients.length > 50) throw bad("A message may have at most 50 recipients.");
  const tags = emailTags(r.body.EmailTags);
  if (state.enforcementStatus === "SHUTDOWN") throw new AwsFault("AccountSuspendedException", 400, "Your account has been shut down because of issues related to your email sending practices.");
  if (!state.sendingEnabled) throw new AwsFault("SendingPausedException", 400, "Sending is paused for this account.");
  const from = addressOf(mail.from);
  const identity = verifiedIdentity(state, from, now);
  if (!identity) throw notVerified(call.region, [from]);
  if (state.mode === "sandbox") {
    const unverified = recipients.filter((a) => simulatorKind(a) === null && !verifiedIdentity(state, a, now));
    if (unverified.length) throw notVerified(call.region, unverified);
  }
  const setName: string | null = r.body.ConfigurationSetName ?? identity.configurationSetName ?? null;
  const set = setName === null ? null : state.configurationSets.get(setName);
  if (set === undefined) throw notFound(`Configuration set ${setName} does not exist.`);
  if (set?.options.SendingOptions?.SendingEnabled === false) throw new AwsFault("SendingPausedException", 400, `Sending is paused for configuration set ${set.name}.`);
  const counted = recipients.filter((a) => simulatorKind(a) === null).length;
  if (sentLast24Hours(state, now) + counted > sendQuota(state).Max24HourSend) throw new AwsFault("LimitExceededException", 400, "Daily message quota exceeded.");

  const sent: SentMail = { messageId: sesMessageId(now), account: state.account, region: state.region, from: mail.from, to: mail.to, cc: mail.cc, bcc: mail.bcc, subject: mail.subject, text: mail.text, html: mail.html, configurationSet: setName, sentAt: now, counted };
  state.sent.push(sent);
  if (set) publishEvents(rt, state, set, { sent, mail, identity, recipients, tags, callerName: call.caller.name, sourceIp: call.sourceIp });
  return { MessageId: sent.messageId };
}

interface Outgoing {
  sent: SentMail;
  mail: Parsed;
  identity: Identity;
  recipients: string[];
  tags: Record<string, string[]>;
  callerName: string;
  sourceIp: string;
}

/** The `mail` object every event carries; `attempted` adds the tags SES sets once it tried SMTP delivery. */
function mailObject(state: RegionState, set: ConfigurationSet, o: Outgoing, attempted: boolean) {
  const { sent, mail } = o;
  const contentType = mail.text !== null && mail.html !== null ? `multipart/alternative; boundary="----=_Part_${sent.sentAt}"` : mail.html !== null ? "text/html; charset=UTF-8" : "text/plain; charset=UTF-8";
  const headers = [
    { name: "From", value: mail.from },
    { name: "To", value: mail.to.join(", ") },
    ...(mail.cc.length ? [{ name: "Cc", value: mail.cc.join(", ") }] : []),
    ...(mail.replyTo.length ? [{ name: "Reply-To", value: mail.replyTo.join(", ") }] : []),
    { name: "Subject", value: mail.subject },
    { name: "MIME-Version", value: "1.0" },
    { name: "Content-Type", value: contentType },
    ...mail.headers,
  ];
  return {
    timestamp: iso(sent.sentAt),
    source: addressOf(mail.from),
    sourceArn: `arn:aws:ses:${state.region}:${state.account}:identity/${o.identity.name}`,
    sendingAccountId: state.account,
    messageId: sent.messageId,
    destination: o.recipients,
    headersTruncated: false,
    headers,
    commonHeaders: {
      from: [mail.from],
      to: mail.to,
      ...(mail.cc.length ? { cc: mail.cc } : {}),
      ...(mail.replyTo.length ? { replyTo: mail.replyTo } : {}),
      messageId: sent.messageId,
      subject: mail.subject,
    },
    tags: {
      "ses:source-tls-version": ["TLSv1.3"],
      "ses:operation": ["SendEmail"],
      "ses:configuration-set": [set.name],
      "ses:source-ip": [o.sourceIp],
      "ses:from-domain": [domainOf(addressOf(mail.from))],
      "ses:caller-identity": [o.callerName],
      ...o.tags,
      ...(attempted ? { "ses:outgoing-ip": [OUTGOING_IP], "ses:outgoing-tls-version": ["TLSv1.3"] } : {}),
    },
  };
}

type Outcome = { eventType: string; key: string; attempted: boolean; detail: (at: number) => Record<string, unknown> };

function outcomes(rt: Runtime, state: RegionState, set: ConfigurationSet, recipient: string, sentAt: number): { delay: number; outcome: Outcome }[] {
  const d = rt.config.outcomeDelayMs;
  const delivery: Outcome = {
    eventType: "Delivery",
    key: "delivery",
    attempted: true,
    detail: (at) => ({
      timestamp: iso(at),
      processingTimeMillis: at - sentAt,
      recipients: [recipient],
      smtpResponse: `250 2.0.0 OK  ${Math.floor(at / 1000)} stand-in delivery - gsmtp`,
      remoteMtaIp: REMOTE_MTA_IP,
      reportingMTA: REPORTING_MTA,
    }),
  };
  const suppressed: Outcome = {
    eventType: "Bounce",
    key: "bounce",
    attempted: false,
    detail: (at) => ({
      feedbackId: sesMessageId(at),
      bounceType: "Permanent",
      bounceSubType: "OnAccountSuppressionList",
      bouncedRecipients: [{ emailAddress: recipient, action: "failed", status: "5.1.1", diagnosticCode: "Amazon SES did not send the message to this address because it is on the suppression list for your account." }],
      timestamp: iso(at),
      reportingMTA: "dns; amazonses.com",
    }),
  };
  switch (simulatorKind(recipient)) {
    case "bounce":
      return [
        {
          delay: d,
          outcome: {
            eventType: "Bounce",
            key: "bounce",
            attempted: true,
            detail: (at) => ({
              feedbackId: sesMessageId(at),
              bounceType: "Permanent",
              bounceSubType: "General",
              bouncedRecipients: [{ emailAddress: recipient, action: "failed", status: "5.1.1", diagnosticCode: `smtp; 550 5.1.1 <${recipient}>: Recipient address rejected: User unknown` }],
              timestamp: iso(at),
              remoteMtaIp: REMOTE_MTA_IP,
              reportingMTA: `dns; ${REPORTING_MTA}`,
            }),
          },
        },
      ];
    case "complaint":
      return [
        { delay: d, outcome: delivery },
        {
          delay: 2 * d,
          outcome: {
            eventType: "Complaint",
            key: "complaint",
            attempted: true,
            detail: (at) => ({
              feedbackId: sesMessageId(at),
              complaintSubType: null,
              complainedRecipients: [{ emailAddress: recipient }],
              timestamp: iso(at),
              userAgent: "Amazon SES Mailbox Simulator",
              complaintFeedbackType: "abuse",
              arrivalDate: iso(sentAt + d),
            }),
          },
        },
      ];
    case "ooto":
      return [
        {
          delay: d,
          outcome: {
            eventType: "DeliveryDelay",
            key: "deliveryDelay",
            attempted: true,
            detail: (at) => ({
              timestamp: iso(at),
              delayType: "MailboxFull",
              expirationTime: iso(sentAt + 14 * 3_600_000),
              delayedRecipients: [{ emailAddress: recipient, status: "4.2.2", diagnosticCode: `smtp; 452 4.2.2 <${recipient}>: Mailbox temporarily unavailable (out of office)` }],
              reportingMTA: REMOTE_MTA_IP,
            }),
          },
        },
        { delay: 2 * d, outcome: delivery },
      ];
    case "suppressionlist":
      return [{ delay: d, outcome: suppressed }];
    case null: {
      const entry = suppressionList(rt, state).get(recipient.toLowerCase());
      const reasons = (set.options.SuppressionOptions?.SuppressedReasons as string[] | undefined) ?? ["BOUNCE", "COMPLAINT"];
      return [{ delay: d, outcome: entry && reasons.includes(entry.reason) ? suppressed : delivery }];
    }
    default:
      return [{ delay: d, outcome: delivery }];
  }
}

function publishEvents(rt: Runtime, state: RegionState, set: ConfigurationSet, o: Outgoing) {
  const emit = (eventType: string, key: string, attempted: boolean, detail: Record<string, unknown>) => {
    const at = rt.now();
    for (const dest of set.destinations.values()) {
      if (!dest.Enabled || !dest.EventBridgeDestination || !dest.MatchingEventTypes.includes(EVENT_ENUM[eventType]!)) continue;
      rt.publish(state, {
        version: "0",
        id: randomUUID(),
        "detail-type": DETAIL_TYPES[eventType],
        source: "aws.ses",
        account: state.account,
        time: new Date(Math.floor(at / 1000) * 1000).toISOString().replace(".000Z", "Z"),
        region: state.region,
        resources: [`arn:aws:ses:${state.region}:${state.account}:configuration-set/${set.name}`],
        detail: { eventType, mail: mailObject(state, set, o, attempted), [key]: detail },
      });
    }
  };
  const later = (delay: number, run: () => void) => setTimeout(run, delay).unref();
  later(0, () => emit("Send", "send", false, {}));
  for (const recipient of o.recipients) {
    for (const { delay, outcome } of outcomes(rt, state, set, recipient, o.sent.sentAt)) {
      later(delay, () => emit(outcome.eventType, outcome.key, outcome.attempted, outcome.detail(rt.now())));
    }
  }
}
