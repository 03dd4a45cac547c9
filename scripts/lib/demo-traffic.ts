/**
 * Deterministic, realistic SES traffic for the demo workspace, as the EventBridge events an API
 * destination would POST (envelope + `detail` exactly as ../shared/aws/events). Same options → same
 * events, byte for byte.
 *
 * The story: "Acme" sends from mail.example.com, news.example.com and alerts@example.com through its four
 * channels (Transactional, Marketing campaigns on Tuesdays and Thursdays, alerts through the Default
 * channel, Onboarding; a channel with tracking off publishes no Open or Click events), plus a
 * little mail through the base configuration set (no channel) and from an identity SendOps does not
 * manage (dropped on ingest). Recipients sit at Gmail, Microsoft, Yahoo, Apple, European and APAC
 * providers and at companies. Hard-bounced and complained addresses land on the account suppression
 * list and bounce as OnAccountSuppressionList when mailed again; some mailboxes are full and bounce
 * every time; one day a campaign goes to a stale list and bounces spike. Among the most-mailed people,
 * a few sit behind gateways that accept and then return a non-delivery report, a few at servers that
 * fail in ways SES cannot classify, a few with full mailboxes: what the Standard and Aggressive
 * classification rules catch and Strict does not, so each rule profile previews a different list.
 */
import { DETAIL_TYPES, type SesEventType } from "../../worker/services/ingest/schemas";
import { DAY, HOUR, MINUTE, SECOND } from "../../worker/lib/time";
import { Rng, Weighted } from "./demo-rng";
import { asyncNdr, delay, deliveryResponse, hardBounce, softBounce, type Diagnostic, type HardKind, type SoftKind } from "./demo-smtp";
import {
  APPLE_PROXY_USER_AGENT,
  BASE_CONFIGURATION_SET,
  CAMPAIGN_TEMPLATES,
  CLICK_USER_AGENTS,
  COMPLAINT_FEEDBACK_TYPES,
  CONTACT_LIST,
  DEMO_ACCOUNT,
  DEMO_REGION,
  NAMES,
  PROFILES,
  RECIPIENT_DOMAINS,
  SENDERS,
  STREAM_CHANNELS,
  TEMPLATES,
  type ProviderProfile,
  type RecipientDomain,
  type StreamName,
  type Template,
} from "./demo-world";

export interface DemoTrafficOptions {
  seed: string;
  /** Target number of events. Whole messages are generated, so the plan lands at or just above it. */
  events: number;
  /** Length of the period, ending at `end`. */
  days: number;
  end: number;
}

export interface MailHeader {
  name: string;
  value: string;
}

export interface DemoMail {
  timestamp: string;
  source: string;
  sourceArn: string;
  sendingAccountId: string;
  messageId: string;
  destination: string[];
  headersTruncated: boolean;
  headers?: MailHeader[];
  commonHeaders?: { from: string[]; replyTo?: string[]; to: string[]; messageId: string; subject: string };
  tags: Record<string, string[]>;
}

export interface DemoEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: "aws.ses";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: { eventType: SesEventType; mail: DemoMail } & Record<string, unknown>;
}

export interface GeneratedEvent {
  event: DemoEvent;
  /** Event time (epoch ms): the type's own timestamp, or `mail.timestamp` for Send/Reject/Rendering Failure. */
  at: number;
  /** false when sent from an identity the demo workspace does not manage (ingest drops it). */
  managed: boolean;
}

/** SES adds the open pixel and rewrites links only for sets that publish Open and Click events (the channel's tracking). */
const ENGAGEMENT_EVENTS: ReadonlySet<SesEventType> = new Set(["Open", "Click"]);

/** Share of messages per stream ("campaigns" are the marketing blasts). */
const STREAM_SHARE = {
  transactional: 0.42,
  marketing: 0.09,
  campaigns: 0.27,
  alerts: 0.12,
  onboarding: 0.08,
  base: 0.015,
  unmanaged: 0.005,
} as const;
type VolumeStream = keyof typeof STREAM_SHARE;

/** Per-message rates by stream. */
const HARD_RATE: Record<StreamName, number> = { transactional: 0.0055, marketing: 0.011, alerts: 0.004, onboarding: 0.009, base: 0.006, unmanaged: 0.01 };
const COMPLAINT_RATE: Record<StreamName, number> = { transactional: 0.00012, marketing: 0.0011, alerts: 0.0003, onboarding: 0.0005, base: 0.0002, unmanaged: 0.0003 };
const OPEN_RATE: Record<StreamName, number> = { transactional: 0.5, marketing: 0.22, alerts: 0.35, onboarding: 0.42, base: 0.3, unmanaged: 0.2 };
/** How strongly a stream reuses the same recipients (higher = a few people get most of the mail). */
const RECIPIENT_SKEW: Record<StreamName, number> = { transactional: 1.8, marketing: 1, alerts: 2.4, onboarding: 1.2, base: 1.5, unmanaged: 1.5 };

const SOFT_RATE = 0.0032;
const UNDETERMINED_RATE = 0.0007;
const REJECT_RATE = 0.0002;
const RENDERING_FAILURE_RATE = 0.0003;
/** Days before `end` of the bad day (a campaign to a stale list) and of a template bug (rendering failures). */
export const BAD_DAY_OFFSET = 11;
const TEMPLATE_BUG_OFFSET = 19;
/**
 * The most-mailed recipients (the first of the address pool) get several messages a week: enough for
 * repeated failures to meet the classification rules' thresholds (3 in 30 days; 2 or 5 in 14 days).
 * The top 2 % get 13 or more messages a month, the top 0.5 % 20 or more.
 */
const REGULAR_SHARE = 0.02;
const FREQUENT_SHARE = 0.005;
/** Of the regular company recipients: behind an accept-then-NDR gateway, their mailbox gone (3 in 30 days: Standard). */
const NDR_GATEWAY_RATE = 0.2;
/** Of the frequent recipients: at servers that intermittently fail in ways SES cannot classify (2 in 14 days: Aggressive). */
const FLAKY_RATE = 0.06;
const FLAKY_UNDETERMINED_RATE = 0.5;
/** Of the frequent recipients: mailboxes over quota all month (5 in 14 days: Aggressive). */
const FULL_MAILBOX_RATE = 0.08;
const COMPANY_PROFILES: readonly ProviderProfile[] = [PROFILES.company, PROFILES.companyPostfix];
/** How long SES keeps retrying a deferred message (the fixture's expirationTime is send + 14 h). */
const MAX_DELIVERY_DURATION = 14 * HOUR;

const HARD_KINDS = new Weighted<HardKind | "Suppressed">([
  ["NoEmail", 55],
  ["General", 37],
  ["Suppressed", 8],
]);
const SOFT_KINDS = new Weighted<SoftKind>([
  ["MailboxFull", 42],
  ["ContentRejected", 22],
  ["General", 20],
  ["MessageTooLarge", 10],
  ["AttachmentRejected", 6],
]);
const SOFT_KINDS_ATTACHMENT = new Weighted<SoftKind>([
  ["MailboxFull", 30],
  ["MessageTooLarge", 30],
  ["AttachmentRejected", 18],
  ["ContentRejected", 12],
  ["General", 10],
]);
const FEEDBACK_TYPES = new Weighted(COMPLAINT_FEEDBACK_TYPES.map(([t, w]) => [t, w] as const));
const DOMAINS = new Weighted(RECIPIENT_DOMAINS.map((d) => [d, d.weight] as const));
const TEMPLATES_BY_STREAM = new Map<StreamName, Weighted<Template>>(
  (["transactional", "marketing", "alerts", "onboarding", "base", "unmanaged"] as const).map((s) => [
    s,
    new Weighted(TEMPLATES.filter((t) => t.stream === s && t.weight > 0).map((t) => [t, t.weight] as const)),
  ]),
);
const TEMPLATE = new Map(TEMPLATES.map((t) => [t.name, t]));

const SOURCE_IPS: Record<StreamName, readonly string[]> = {
  transactional: ["203.0.113.45", "203.0.113.46", "203.0.113.47"],
  marketing: ["203.0.113.60"],
  alerts: ["203.0.113.45", "203.0.113.46"],
  onboarding: ["203.0.113.47"],
  base: ["203.0.113.52"],
  unmanaged: ["203.0.113.99"],
};
const OUTGOING_IPS = ["192.0.2.87", "192.0.2.88", "192.0.2.91", "192.0.2.92"];
const CAMPAIGN_OUTGOING_IPS = ["192.0.2.120", "192.0.2.121"];
const CALLER: Record<StreamName, string> = {
  transactional: "acme-mailer-role",
  marketing: "acme-campaigns-role",
  alerts: "acme-alerts-role",
  onboarding: "acme-mailer-role",
  base: "acme-billing-role",
  unmanaged: "legacy-exporter",
};
const SUPPRESSION_DIAGNOSTIC = {
  OnAccountSuppressionList: "Amazon SES did not send the message to this address because it is on the suppression list for your account.",
  Suppressed: "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an invalid address.",
} as const;
const RENDERING_ERRORS = ["Attribute 'firstName' is not present in the rendering data.", "Attribute 'orderNumber' is not present in the rendering data."];

interface Recipient {
  address: string;
  first: string;
  domain: RecipientDomain;
  profile: ProviderProfile;
  /** 0..1: how likely this person opens and clicks. */
  engagement: number;
  /** Mailbox over quota for the whole period: every delivery attempt soft-bounces. */
  fullMailbox: boolean;
  /** Behind a gateway that accepts the message and later returns a non-delivery report: SES reports Transient/General. */
  ndrGateway: boolean;
  /** At a server that intermittently fails in a way SES cannot classify: about half the messages bounce Undetermined. */
  flaky: boolean;
  /** On the account suppression list before the period began. */
  preSuppressed: boolean;
  /** The address no longer exists (only on the stale list of the bad day). */
  dead: boolean;
  openIp: string;
  remoteMtaIp: string;
}

interface Campaign {
  start: number;
  template: string;
  name: string;
  stale: boolean;
  weight: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoSeconds = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** SES message ids: `0100` + 12 hex digits of the send time in ms + a UUID + `-000000`. */
const sesId = (rng: Rng, at: number) => `0100${at.toString(16).padStart(12, "0")}-${rng.uuid()}-000000`;

function diurnal(at: number): number {
  const h = new Date(at).getUTCHours() + 0.5;
  // Busiest mid-afternoon UTC (European afternoon, American morning), never quiet at night.
  return 0.25 + Math.exp(-((h - 15) ** 2) / (2 * 4.5 ** 2));
}

function weekdayFactor(at: number, weekend: number): number {
  const d = new Date(at).getUTCDay();
  return d === 0 || d === 6 ? weekend : 1;
}

/** Splits `total` over buckets proportionally to `weights`, exactly (cumulative rounding). */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const out: number[] = [];
  let acc = 0;
  let given = 0;
  for (const w of weights) {
    acc += w;
    const upto = sum > 0 ? Math.round((total * acc) / sum) : 0;
    out.push(upto - given);
    given = upto;
  }
  return out;
}

class Simulation {
  private readonly rng: Rng;
  private readonly start: number;
  private readonly end: number;
  private readonly pool: number;
  private readonly recipients = new Map<number, Recipient>();
  /** The account-level suppression list: hard-bounced and complained addresses. */
  private readonly suppressed = new Set<string>();
  private readonly badDay: number;
  private readonly templateBug: { from: number; to: number };
  private orderNumber = 18_240;

  constructor(
    private readonly opts: DemoTrafficOptions,
    private readonly messages: number,
  ) {
    this.rng = new Rng(`sendops-demo:${opts.seed}`);
    this.end = opts.end;
    this.start = opts.end - opts.days * DAY;
    this.pool = Math.max(400, Math.round(messages * 0.3));
    this.badDay = Math.floor((this.end - BAD_DAY_OFFSET * DAY) / DAY) * DAY;
    const bugStart = Math.floor((this.end - TEMPLATE_BUG_OFFSET * DAY) / DAY) * DAY + 9 * HOUR;
    this.templateBug = { from: bugStart, to: bugStart + 5 * HOUR };
  }

  *run(): Generator<GeneratedEvent> {
    const firstHour = Math.floor(this.start / HOUR) * HOUR;
    const hours: number[] = [];
    for (let h = firstHour; h < this.end; h += HOUR) hours.push(h);
    const covered = (h: number) => (Math.min(h + HOUR, this.end) - Math.max(h, this.start)) / HOUR;
    const growth = (h: number) => 1 + (0.15 * (h - this.start)) / (this.end - this.start);
    const campaigns = this.campaigns();
    const campaignAt = (h: number) => campaigns.find((c) => h >= c.start && h < c.start + 2 * HOUR);
    const weightOf: Record<VolumeStream, (h: number) => number> = {
      transactional: (h) => diurnal(h) * weekdayFactor(h, 0.75) * growth(h),
      marketing: (h) => diurnal(h) * weekdayFactor(h, 0.9),
      campaigns: (h) => {
        const c = campaignAt(h);
        // The send takes 90 minutes: two thirds in the first hour, the rest in the next half hour.
        return c ? c.weight * (h === c.start ? 2 : 1) : 0;
      },
      alerts: (h) => (0.6 + 0.4 * diurnal(h)) * weekdayFactor(h, 0.85) * growth(h),
      onboarding: (h) => diurnal(h) * weekdayFactor(h, 0.6) * growth(h),
      base: (h) => diurnal(h) * weekdayFactor(h, 0.5),
      unmanaged: () => 1,
    };
    const streams = Object.keys(STREAM_SHARE) as VolumeStream[];
    const perHour = new Map<VolumeStream, number[]>();
    for (const s of streams) {
      const weights = hours.map((h) => Math.max(0, weightOf[s](h) * covered(h)));
      const share = s === "campaigns" && campaigns.length === 0 ? 0 : STREAM_SHARE[s];
      perHour.set(s, apportion(Math.round(this.messages * share), weights));
    }
    for (let i = 0; i < hours.length; i++) {
      const h = hours[i]!;
      const from = Math.max(h, this.start);
      const campaign = campaignAt(h);
      const span = campaign && h !== campaign.start ? HOUR / 2 : Math.min(h + HOUR, this.end) - from;
      const sends: { at: number; stream: VolumeStream }[] = [];
      for (const s of streams) {
        const n = perHour.get(s)![i]!;
        const width = s === "campaigns" ? span : Math.min(h + HOUR, this.end) - from;
        for (let k = 0; k < n; k++) sends.push({ at: from + Math.floor(this.rng.next() * width), stream: s });
      }
      sends.sort((a, b) => a.at - b.at);
      for (const send of sends) yield* this.message(send.at, send.stream, campaign);
    }
  }

  /** Tuesday and Thursday 15:00 UTC campaigns, and the bad day's campaign to a stale list. */
  private campaigns(): Campaign[] {
    const out: Campaign[] = [];
    let thursday = 0;
    for (let day = Math.floor(this.start / DAY) * DAY; day < this.end; day += DAY) {
      const start = day + 15 * HOUR;
      if (start < this.start || start + 2 * HOUR > this.end) continue;
      const weekday = new Date(day).getUTCDay();
      const date = new Date(day).toISOString().slice(0, 10);
      if (day === this.badDay) {
        out.push({ start, template: CAMPAIGN_TEMPLATES.badDay, name: `${CAMPAIGN_TEMPLATES.badDay}-${date}`, stale: true, weight: 1.6 });
      } else if (weekday === 2) {
        out.push({ start, template: CAMPAIGN_TEMPLATES.tuesday, name: `newsletter-${date}`, stale: false, weight: 1 });
      } else if (weekday === 4) {
        const template = CAMPAIGN_TEMPLATES.thursday[thursday++ % CAMPAIGN_TEMPLATES.thursday.length]!;
        out.push({ start, template, name: `${template}-${date}`, stale: false, weight: 1 });
      }
    }
    return out;
  }

  private recipient(index: number): Recipient {
    const cached = this.recipients.get(index);
    if (cached) return cached;
    const r = new Rng(`sendops-demo:${this.opts.seed}:recipient:${index}`);
    const domain = DOMAINS.pick(r);
    const names = NAMES[domain.names];
    const first = r.pick(names.first);
    const last = r.pick(names.last);
    const year = r.int(60, 100) % 100;
    const local = domain.numeric
      ? String(r.int(100_000_000, 3_999_999_999))
      : r.pick([`${first}.${last}`, `${first}${last}`, `${first[0]}.${last}`, `${first}_${last}`, `${first}.${last}${r.int(1, 99)}`, `${first}${String(year).padStart(2, "0")}`, `${last}.${first}`]);
    const stale = index >= this.pool;
    const regular = index < this.pool * REGULAR_SHARE;
    const frequent = index < this.pool * FREQUENT_SHARE;
    const recipient: Recipient = {
      address: `${local}@${domain.domain}`,
      first,
      domain,
      profile: domain.profile,
      engagement: r.next() ** 1.5,
      fullMailbox: stale ? r.chance(0.03) : index < this.pool * 0.3 && r.chance(frequent ? FULL_MAILBOX_RATE : 0.004),
      preSuppressed: !stale && r.chance(0.0015),
      dead: stale && r.chance(0.2),
      openIp: r.chance(0.5) ? `198.51.100.${r.int(2, 254)}` : `203.0.113.${r.int(100, 254)}`,
      remoteMtaIp: `198.51.100.${r.int(2, 254)}`,
      ndrGateway: regular && COMPANY_PROFILES.includes(domain.profile) && r.chance(NDR_GATEWAY_RATE),
      flaky: frequent && r.chance(FLAKY_RATE),
    };
    this.recipients.set(index, recipient);
    return recipient;
  }

  /**
   * Most senders stop mailing an address once SES suppressed it; a few keep trying (and get
   * OnAccountSuppressionList bounces), so suppressed addresses are picked again only sometimes.
   */
  private pickRecipient(stream: StreamName, stale: boolean): Recipient {
    for (;;) {
      const index = stale ? this.pool + this.rng.int(0, this.pool) : Math.floor(this.pool * this.rng.next() ** RECIPIENT_SKEW[stream]);
      const r = this.recipient(index);
      if (!this.suppressed.has(r.address) || this.rng.chance(0.12)) return r;
    }
  }

  private *message(at: number, volume: VolumeStream, campaign: Campaign | undefined): Generator<GeneratedEvent> {
    const rng = this.rng;
    const stream: StreamName = volume === "campaigns" ? "marketing" : volume;
    const inCampaign = volume === "campaigns" && campaign !== undefined;
    const stale = inCampaign && campaign.stale;
    const template = inCampaign ? TEMPLATE.get(campaign.template)! : TEMPLATES_BY_STREAM.get(stream)!.pick(rng);
    const r = this.pickRecipient(stream, stale);
    const sender = SENDERS[stream];
    const channel = STREAM_CHANNELS[stream];
    const configurationSet = channel?.configurationSet ?? BASE_CONFIGURATION_SET;
    const tracked = channel?.settings.trackingEnabled ?? true;
    const messageId = sesId(rng, at);
    const subject = template.subject({ first: capitalise(r.first), n: String(this.orderNumber++) });
    const fromDomain = sender.address.slice(sender.address.indexOf("@") + 1);
    const tags: Record<string, string[]> = {
      "ses:source-tls-version": ["TLSv1.3"],
      "ses:operation": [inCampaign ? "SendBulkEmail" : "SendEmail"],
      "ses:configuration-set": [configurationSet],
      "ses:source-ip": [rng.pick(SOURCE_IPS[stream])],
      "ses:from-domain": [fromDomain],
      "ses:caller-identity": [CALLER[stream]],
      template: [template.name],
    };
    if (inCampaign) tags.campaign = [campaign.name];
    const from = `${sender.display} <${sender.address}>`;
    const replyTo = stream === "transactional" ? "Acme Support <support@example.com>" : undefined;
    const headers: MailHeader[] = [{ name: "From", value: from }];
    if (replyTo) headers.push({ name: "Reply-To", value: replyTo });
    headers.push(
      { name: "To", value: r.address },
      { name: "Subject", value: subject },
      { name: "MIME-Version", value: "1.0" },
      {
        name: "Content-Type",
        value: `multipart/${template.attachment ? "mixed" : "alternative"}; boundary="----=_Part_${rng.int(10_000, 99_999)}_${rng.int(1_000_000_000, 2_000_000_000)}.${at}"`,
      },
    );
    if (stream === "marketing") {
      headers.push(
        { name: "List-Unsubscribe", value: `<https://www.example.com/unsubscribe?u=${rng.hex(16)}>, <mailto:unsubscribe@news.example.com?subject=unsubscribe>` },
        { name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click" },
      );
    }
    headers.push({ name: "X-Acme-Message-Ref", value: `msg_${rng.hex(12).toUpperCase()}` });
    const mail: DemoMail = {
      timestamp: iso(at),
      source: sender.address,
      sourceArn: `arn:aws:ses:${DEMO_REGION}:${DEMO_ACCOUNT}:identity/${sender.identity}`,
      sendingAccountId: DEMO_ACCOUNT,
      messageId,
      destination: [r.address],
      headersTruncated: false,
      headers,
      commonHeaders: { from: [from], ...(replyTo ? { replyTo: [replyTo] } : {}), to: [r.address], messageId, subject },
      tags,
    };
    // After SES tried the receiving server, events carry the outgoing IP and TLS version too.
    const attempted: DemoMail = {
      ...mail,
      tags: {
        ...tags,
        "ses:outgoing-ip": [rng.pick(inCampaign ? CAMPAIGN_OUTGOING_IPS : OUTGOING_IPS)],
        "ses:outgoing-tls-version": [r.profile.tls],
      },
    };
    const resources = [`arn:aws:ses:${DEMO_REGION}:${DEMO_ACCOUNT}:configuration-set/${configurationSet}`];
    const managed = stream !== "unmanaged";
    const out: GeneratedEvent[] = [];
    const taken = new Set<string>();
    const emit = (type: SesEventType, eventAt: number, m: DemoMail, key: string | null, body: unknown) => {
      let t = Math.round(eventAt);
      // Distinct timestamps per type: ingest dedupes on (message, type, timestamp, recipient, link).
      while (taken.has(`${type}:${t}`)) t++;
      taken.add(`${type}:${t}`);
      if (t >= this.end) return;
      const detail: DemoEvent["detail"] = { eventType: type, mail: m };
      if (key) detail[key] = typeof body === "function" ? (body as (t: number) => unknown)(t) : body;
      const generated: GeneratedEvent = {
        at: t,
        managed,
        event: {
          version: "0",
          id: rng.uuid(),
          "detail-type": DETAIL_TYPES[type],
          source: "aws.ses",
          account: DEMO_ACCOUNT,
          time: isoSeconds(t + rng.int(200, 2500)),
          region: DEMO_REGION,
          resources,
          detail,
        },
      };
      // Dropped only after drawing everything it would have drawn, so the rest of the story stays the same.
      if (tracked || !ENGAGEMENT_EVENTS.has(type)) out.push(generated);
    };
    const reportingMTA = `a${rng.int(8, 10)}-${rng.int(10, 99)}.smtp-out.amazonses.com`;
    const bounce = (bounceAt: number, type: string, subType: string, diag: Diagnostic | null, viaMta: boolean) =>
      emit("Bounce", bounceAt, viaMta ? attempted : mail, "bounce", (t: number) => ({
        feedbackId: sesId(rng, t),
        bounceType: type,
        bounceSubType: subType,
        bouncedRecipients: [diag ? { emailAddress: r.address, action: "failed", status: diag.status, diagnosticCode: diag.diagnosticCode } : { emailAddress: r.address }],
        timestamp: iso(t),
        ...(viaMta && diag ? { remoteMtaIp: r.remoteMtaIp, reportingMTA: `dns; ${reportingMTA}` } : {}),
        ...(!viaMta && diag ? { reportingMTA: "dns; amazonses.com" } : {}),
      }));
    const smtpLatency = () => Math.max(150, rng.lognormal(r.profile.latencyMedianMs, r.profile.latencySigma));

    const bugged = template.name === "order-shipped" && at >= this.templateBug.from && at < this.templateBug.to;
    if (rng.chance(bugged ? 0.4 : RENDERING_FAILURE_RATE)) {
      const { headers: _h, commonHeaders: _c, ...bare } = mail;
      const failureMail: DemoMail = { ...bare, tags: { "ses:configuration-set": [configurationSet] } };
      emit("Rendering Failure", at + rng.int(40, 400), failureMail, "failure", {
        templateName: template.name,
        errorMessage: bugged ? "Attribute 'trackingUrl' is not present in the rendering data." : rng.pick(RENDERING_ERRORS),
      });
      yield* this.sorted(out);
      return;
    }
    if (rng.chance(REJECT_RATE * (template.attachment ? 5 : 1))) {
      emit("Reject", at + rng.int(80, 600), mail, "reject", { reason: "Bad content" });
      yield* this.sorted(out);
      return;
    }
    emit("Send", at, mail, "send", {});

    if (r.preSuppressed || this.suppressed.has(r.address)) {
      bounce(at + rng.int(30, 300), "Permanent", "OnAccountSuppressionList", { status: "5.1.1", diagnosticCode: SUPPRESSION_DIAGNOSTIC.OnAccountSuppressionList }, false);
      yield* this.sorted(out);
      return;
    }
    const hardRate = HARD_RATE[stream] * r.profile.hardFactor;
    if (r.dead || rng.chance(hardRate)) {
      const kind = r.dead ? (rng.chance(0.7) ? "NoEmail" : "General") : HARD_KINDS.pick(rng);
      if (kind === "Suppressed") {
        bounce(at + rng.int(30, 300), "Permanent", "Suppressed", { status: "5.1.1", diagnosticCode: SUPPRESSION_DIAGNOSTIC.Suppressed }, false);
      } else {
        bounce(at + smtpLatency(), "Permanent", kind, hardBounce(r.profile.style, kind, rng, r.address), true);
      }
      this.suppressed.add(r.address);
      yield* this.sorted(out);
      return;
    }
    const deliver = (deliveredAt: number) =>
      emit("Delivery", deliveredAt, attempted, "delivery", (t: number) => ({
        timestamp: iso(t),
        processingTimeMillis: t - at,
        recipients: [r.address],
        smtpResponse: deliveryResponse(r.profile.style, rng, t, messageId),
        remoteMtaIp: r.remoteMtaIp,
        reportingMTA,
      }));
    if (r.ndrGateway) {
      // The gateway accepts the message (SES reports a delivery), then reports the mailbox gone.
      const acceptedAt = at + smtpLatency();
      deliver(acceptedAt);
      bounce(acceptedAt + rng.lognormal(12 * MINUTE, 0.8), "Transient", "General", asyncNdr(r.profile.style, rng, r.address), true);
      yield* this.sorted(out);
      return;
    }
    const delays = (firstAt: number, count: number) => {
      let t = firstAt;
      for (let i = 0; i < count; i++) {
        const d = delay(r.profile.style, rng, r.address);
        emit("DeliveryDelay", t, attempted, "deliveryDelay", (stamp: number) => ({
          timestamp: iso(stamp),
          delayType: d.delayType,
          expirationTime: iso(at + MAX_DELIVERY_DURATION),
          delayedRecipients: [{ emailAddress: r.address, status: d.status, diagnosticCode: d.diagnosticCode }],
          reportingMTA: r.remoteMtaIp,
        }));
        t += rng.lognormal(45 * MINUTE, 0.7);
      }
      return t;
    };
    if ((r.fullMailbox && rng.chance(0.85)) || rng.chance(SOFT_RATE)) {
      const kind: SoftKind = r.fullMailbox ? "MailboxFull" : (template.attachment ? SOFT_KINDS_ATTACHMENT : SOFT_KINDS).pick(rng);
      if (kind === "General") {
        // Deferred until SES gives up: a few delay events, then the bounce at the expiration time.
        delays(at + rng.lognormal(6 * MINUTE, 0.5), rng.int(1, 4));
        bounce(at + MAX_DELIVERY_DURATION + rng.int(0, 90 * SECOND), "Transient", "General", softBounce(r.profile.style, kind, rng, r.address), true);
      } else {
        bounce(at + smtpLatency(), "Transient", kind, softBounce(r.profile.style, kind, rng, r.address), true);
      }
      yield* this.sorted(out);
      return;
    }
    if ((r.flaky && rng.chance(FLAKY_UNDETERMINED_RATE)) || rng.chance(UNDETERMINED_RATE)) {
      bounce(at + rng.lognormal(8 * MINUTE, 0.8), "Undetermined", "Undetermined", null, true);
      yield* this.sorted(out);
      return;
    }

    const deferred = rng.chance(r.profile.delayRate * (stale && r.profile.style !== "gmail" ? 3 : 1));
    let deliveredAt: number;
    if (deferred) {
      const after = delays(at + rng.lognormal(6 * MINUTE, 0.5), rng.chance(0.2) ? 2 : 1);
      deliveredAt = Math.min(after + rng.lognormal(20 * MINUTE, 0.9), at + MAX_DELIVERY_DURATION - MINUTE);
    } else {
      // A long tail: a few receiving servers are slow to accept.
      deliveredAt = at + smtpLatency() + (rng.chance(0.015) ? rng.lognormal(40 * SECOND, 1) : 0);
    }
    deliver(deliveredAt);

    if (rng.chance(COMPLAINT_RATE[stream] * r.profile.complaintFactor * (stale ? 5 : 1))) {
      const withReport = rng.chance(0.9);
      const feedbackType = FEEDBACK_TYPES.pick(rng);
      emit("Complaint", deliveredAt + rng.lognormal(8 * HOUR, 1.3), attempted, "complaint", (t: number) => ({
        feedbackId: sesId(rng, t),
        complaintSubType: null,
        complainedRecipients: [{ emailAddress: r.address }],
        timestamp: iso(t),
        ...(withReport
          ? { userAgent: complaintAgent(r.profile.style), complaintFeedbackType: feedbackType, arrivalDate: `${iso(deliveredAt).slice(0, 19)}.000Z` }
          : {}),
      }));
      this.suppressed.add(r.address);
    }

    let firstHumanOpen: number | null = null;
    if (r.profile.privacyProxy && rng.chance(0.8)) {
      // Apple Mail Privacy Protection fetches the pixel shortly after delivery, whether or not anyone reads.
      emit("Open", deliveredAt + rng.lognormal(3 * MINUTE, 1), attempted, "open", (t: number) => ({
        timestamp: iso(t),
        userAgent: APPLE_PROXY_USER_AGENT,
        ipAddress: `192.0.2.${rng.int(200, 254)}`,
      }));
    }
    const engagement = 0.45 + r.engagement;
    if (rng.chance(Math.min(0.95, OPEN_RATE[stream] * engagement))) {
      const opens = 1 + rng.geometric(0.55, 7);
      let t = deliveredAt + Math.max(5 * SECOND, rng.lognormal(template.openMedianMin * MINUTE, 1.4));
      firstHumanOpen = t;
      for (let i = 0; i < opens; i++) {
        emit("Open", t, attempted, "open", (stamp: number) => ({
          timestamp: iso(stamp),
          userAgent: rng.pick(r.profile.openUserAgents),
          ipAddress: r.openIp,
        }));
        t += rng.lognormal(20 * HOUR, 1.2);
      }
    }
    // Some people click with images blocked: a click without an open.
    const clickBase = firstHumanOpen ?? (rng.chance(0.04) ? deliveredAt + rng.lognormal(template.openMedianMin * MINUTE, 1.4) : null);
    if (clickBase !== null && rng.chance(Math.min(0.95, template.clickRate * (0.6 + r.engagement)))) {
      const clicks = 1 + rng.geometric(0.65, 3);
      let t = clickBase + rng.lognormal(40 * SECOND, 1.1);
      for (let i = 0; i < clicks; i++) {
        const link = rng.pick(template.links);
        const url = inCampaign ? `${link.url}${link.url.includes("?") ? "&" : "?"}utm_source=acme&utm_medium=email&utm_campaign=${campaign.name}` : link.url;
        const tagged = rng.chance(0.85);
        emit("Click", t, attempted, "click", (stamp: number) => ({
          timestamp: iso(stamp),
          ipAddress: r.openIp,
          userAgent: rng.pick(CLICK_USER_AGENTS),
          link: url,
          ...(tagged ? { linkTags: { "link-name": [link.name], template: [template.name] } } : {}),
        }));
        t += rng.lognormal(3 * MINUTE, 1.5);
      }
    }
    if (stream === "marketing" && rng.chance(0.002 * (stale ? 3 : 1))) {
      const topic = rng.pick(CONTACT_LIST.topics);
      const all = rng.chance(0.6);
      emit("Subscription", deliveredAt + rng.lognormal(5 * HOUR, 1.2), attempted, "subscription", (t: number) => ({
        contactList: CONTACT_LIST.name,
        timestamp: iso(t),
        source: "UnsubscribeHeader",
        newTopicPreferences: {
          unsubscribeAll: all,
          topicSubscriptionStatus: [{ topicName: topic, subscriptionStatus: "OptOut" }],
        },
        oldTopicPreferences: {
          unsubscribeAll: false,
          topicSubscriptionStatus: [{ topicName: topic, subscriptionStatus: "OptIn" }],
        },
      }));
    }
    yield* this.sorted(out);
  }

  private *sorted(events: GeneratedEvent[]): Generator<GeneratedEvent> {
    events.sort((a, b) => a.at - b.at);
    yield* events;
  }
}

function complaintAgent(style: string): string {
  switch (style) {
    case "yahoo":
      return "Yahoo!-Mail-Feedback/2.0";
    case "microsoft":
      return "Microsoft JMRP";
    case "gmail":
      return "Gmail Feedback Loop";
    default:
      return "ARF-Reporter/1.0";
  }
}

/** Every event of `messages` messages over the period, in send order (a message's events together). */
export function generateDemoTraffic(opts: DemoTrafficOptions, messages: number): Generator<GeneratedEvent> {
  return new Simulation(opts, messages).run();
}

export interface DemoTrafficPlan {
  messages: number;
  events: number;
}

function countEvents(opts: DemoTrafficOptions, messages: number): number {
  let n = 0;
  for (const _ of generateDemoTraffic(opts, messages)) n++;
  return n;
}

/** How many messages give at least `opts.events` events (estimated from a sample, then counted exactly). */
export function planDemoTraffic(opts: DemoTrafficOptions): DemoTrafficPlan {
  if (opts.events < 1) throw new Error("events must be at least 1");
  if (!(opts.days > 0)) throw new Error("days must be positive");
  const sample = Math.min(4000, Math.max(50, Math.ceil(opts.events / 2.5)));
  let messages = Math.max(1, Math.ceil((sample * opts.events) / Math.max(1, countEvents(opts, sample))));
  let events = countEvents(opts, messages);
  while (events < opts.events) {
    messages = Math.ceil(messages * (opts.events / events) * 1.002) + 1;
    events = countEvents(opts, messages);
  }
  return { messages, events };
}
