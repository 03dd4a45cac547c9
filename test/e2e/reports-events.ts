/**
 * A small, deterministic SES history for the Reports e2e test: real-shaped EventBridge events, cloned
 * from test/fixtures/ses-events and re-addressed, spread over the two weeks before `now` (the last
 * week and the one before it, so the provider table has prior-period deltas). Two channels, three
 * templates, providers with aliases (gmail.com + googlemail.com), and every outcome: delivered, opened,
 * clicked, hard and soft bounces, a complaint, a delay, a reject.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

type Json = Record<string, any>;

const FIXTURES = path.resolve(import.meta.dirname, "..", "fixtures", "ses-events");
const fixture = (name: string): Json => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as Json;

export const IDENTITY = "mail.example.com";
export const CHANNELS = [
  { name: "Transactional", configurationSet: "acme-transactional" },
  { name: "Marketing", configurationSet: "acme-marketing" },
] as const;
/** The recipient whose message has a full timeline (Send, Delivery, Open, Click). */
export const STAR_RECIPIENT = "jane.doe@example.net";
export const STAR_SUBJECT = "Welcome to Acme, Jane";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Tiny seeded PRNG (mulberry32) so every run builds the same history. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

type Outcome = "delivered" | "opened" | "clicked" | "hard" | "soft" | "complaint" | "delayed" | "rejected";

interface Plan {
  recipient: string;
  subject: string;
  channel: 0 | 1;
  template: string;
  sentAt: number;
  latencyMs: number;
  outcome: Outcome;
}

export interface SeedSummary {
  events: Json[];
  /** What the last 7 days hold: messages (one per recipient), sends, and messages per channel name. */
  recent: { messages: number; sends: number; byChannel: Record<string, number> };
}

function plans(now: number): Plan[] {
  const rand = rng(20240514);
  const domains = ["gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "gmx.de", "example.org"];
  const templates = ["welcome", "password-reset", "weekly-digest"];
  const names = ["alex", "sam", "kim", "lee", "max", "ana", "joe", "eva", "ian", "mia", "noa", "ole", "pia", "raj", "tom", "uma"];
  const out: Plan[] = [
    {
      recipient: STAR_RECIPIENT,
      subject: STAR_SUBJECT,
      channel: 0,
      template: "welcome",
      sentAt: now - 5 * HOUR,
      latencyMs: 1559,
      outcome: "clicked",
    },
  ];
  const recentOutcomes: Outcome[] = [
    ..."delivered,delivered,delivered,delivered,delivered,opened,opened,opened,opened,opened,opened,clicked,clicked,clicked".split(","),
    "hard",
    "hard",
    "soft",
    "complaint",
    "delayed",
    "rejected",
    "opened",
    "delivered",
  ] as Outcome[];
  const priorOutcomes = "delivered,delivered,delivered,opened,opened,opened,clicked,hard,delivered,opened".split(",") as Outcome[];
  const make = (outcome: Outcome, i: number, fromAgo: number, spanDays: number, domainPool: string[]) => {
    const domain = domainPool[Math.floor(rand() * domainPool.length)]!;
    const template = templates[i % templates.length]!;
    return {
      recipient: `${names[i % names.length]}.${i}@${domain}`,
      subject: template === "welcome" ? "Welcome to Acme" : template === "password-reset" ? "Reset your Acme password" : "Your week at Acme",
      channel: (template === "weekly-digest" ? 1 : 0) as 0 | 1,
      template,
      sentAt: now - fromAgo - Math.floor(rand() * spanDays * DAY),
      latencyMs: 300 + Math.floor(rand() * rand() * 20_000),
      outcome,
    };
  };
  // Sent 3 h to 5 days 3 h ago: inside "Last 7 days" whatever the hour, and every follow-up event
  // (complaints come 2 h after sending) is already in the past.
  recentOutcomes.forEach((o, i) => out.push(make(o, i + 1, 3 * HOUR, 5, domains)));
  // The week before: no icloud.com or example.org yet, so those providers are new this period.
  priorOutcomes.forEach((o, i) => out.push(make(o, 100 + i, 7 * DAY + HOUR, 5, domains.slice(0, 5))));
  return out;
}

function envelope(name: string, p: Plan, messageId: string, eventId: string): Json {
  const e = fixture(name);
  e.id = eventId;
  const mail = e.detail.mail;
  mail.messageId = messageId;
  mail.timestamp = iso(p.sentAt);
  mail.destination = [p.recipient];
  mail.headers = mail.headers.map((h: Json) =>
    h.name === "To" ? { ...h, value: p.recipient } : h.name === "Subject" ? { ...h, value: p.subject } : h,
  );
  mail.commonHeaders = { ...mail.commonHeaders, to: [p.recipient], messageId, subject: p.subject };
  mail.tags = { ...mail.tags, "ses:configuration-set": [CHANNELS[p.channel].configurationSet], template: [p.template] };
  e.resources = [`arn:aws:ses:us-east-1:111122223333:configuration-set/${CHANNELS[p.channel].configurationSet}`];
  return e;
}

/**
 * A bounce spike on the first channel: `sends` messages in the half hour before `now`, of which `bounces`
 * hard-bounce and the rest are delivered (events tagged `tag`, so they sit beside the history's).
 */
export function bounceSpike(now: number, sends: number, bounces: number, tag = "b0b0"): Json[] {
  const spike: Plan[] = Array.from({ length: sends }, (_, i) => ({
    recipient: `spike.${i}@example.org`,
    subject: "Spring sale",
    channel: 0,
    template: "promo",
    sentAt: now - 30 * 60_000 + i * 1_000,
    latencyMs: 2_000,
    outcome: i < bounces ? "hard" : "delivered",
  }));
  return buildHistory(now, spike, tag).events;
}

/** Every event of the history, plus what the last 7 days hold (for assertions). */
export function buildHistory(now: number, planList: Plan[] = plans(now), tag = "e2e0"): SeedSummary {
  const events: Json[] = [];
  let seq = 0;
  let recentMessages = 0;
  let recentSends = 0;
  const byChannel: Record<string, number> = {};
  for (const [i, p] of planList.entries()) {
    const messageId = `0100018f7a2b${String(i).padStart(4, "0")}-${tag}-4e0f-a1b2-c3d4e5f6a7b8-000000`;
    const id = () => `${tag}0000-0000-4000-8000-${String(++seq).padStart(12, "0")}`;
    const at = (ms: number) => p.sentAt + ms;
    if (now - p.sentAt < 7 * DAY) {
      recentMessages++;
      if (p.outcome !== "rejected") recentSends++;
      byChannel[CHANNELS[p.channel].name] = (byChannel[CHANNELS[p.channel].name] ?? 0) + 1;
    }
    if (p.outcome === "rejected") {
      events.push(envelope("reject", p, messageId, id()));
      continue;
    }
    const sendEvent = envelope("send", p, messageId, id());
    sendEvent.time = iso(p.sentAt);
    events.push(sendEvent);
    const deliver = (delay: number) => {
      const e = envelope("delivery", p, messageId, id());
      e.detail.delivery.timestamp = iso(at(delay));
      e.detail.delivery.recipients = [p.recipient];
      e.detail.delivery.processingTimeMillis = delay;
      events.push(e);
    };
    switch (p.outcome) {
      case "hard":
      case "soft": {
        const e = envelope(p.outcome === "hard" ? "bounce-permanent-general" : "bounce-transient-mailboxfull", p, messageId, id());
        e.detail.bounce.timestamp = iso(at(p.latencyMs));
        e.detail.bounce.bouncedRecipients = e.detail.bounce.bouncedRecipients.map((r: Json) => ({ ...r, emailAddress: p.recipient }));
        events.push(e);
        break;
      }
      case "delayed": {
        const e = envelope("delivery-delay", p, messageId, id());
        e.detail.deliveryDelay.timestamp = iso(at(15 * 60_000));
        e.detail.deliveryDelay.delayedRecipients = e.detail.deliveryDelay.delayedRecipients.map((r: Json) => ({ ...r, emailAddress: p.recipient }));
        events.push(e);
        deliver(47 * 60_000);
        break;
      }
      case "complaint": {
        deliver(p.latencyMs);
        const e = envelope("complaint", p, messageId, id());
        e.detail.complaint.timestamp = iso(at(2 * HOUR));
        e.detail.complaint.complainedRecipients = [{ emailAddress: p.recipient }];
        events.push(e);
        break;
      }
      default: {
        deliver(p.latencyMs);
        if (p.outcome === "opened" || p.outcome === "clicked") {
          const e = envelope("open", p, messageId, id());
          e.detail.open.timestamp = iso(at(13 * 60_000));
          events.push(e);
        }
        if (p.outcome === "clicked") {
          const e = envelope("click", p, messageId, id());
          e.detail.click.timestamp = iso(at(14 * 60_000 + 28_000));
          events.push(e);
        }
      }
    }
  }
  return { events, recent: { messages: recentMessages, sends: recentSends, byChannel } };
}
