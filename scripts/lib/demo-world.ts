/**
 * The demo company ("Acme", an invented SaaS sending through SES from example.com) and the world its
 * mail goes to: its SES identities, channels, tracking domain and DNS zone, templates, mailbox providers
 * with their real-world SMTP wording, recipients' names. Domains of the sender and of companies are reserved names (RFC 2606); consumer mailbox domains
 * are the real providers', because reports group by them (no mail is ever sent).
 */
import { configurationSetNameFor, DEFAULT_CHANNELS, PURPOSE_PRESETS, type ChannelSettings } from "../../worker/lib/channels";
import type { ChannelPurpose, VerificationStatus } from "../../worker/db/schema";
import { settingsFromSes } from "../../worker/services/channels/ses-settings";
import { dkimRecordName, dkimRecordTarget, RECOMMENDED_SPF } from "../../worker/services/identities/records";
import { awsTrackingEndpoint } from "../../worker/services/tracking-domains/rules";

export const DEMO_ACCOUNT = "111122223333";
export const DEMO_REGION = "us-east-1";

/** The SES base configuration set events flow through when no channel's set is used (→ no channel). */
export const BASE_CONFIGURATION_SET = "sendops-events";

/** An identity SES sends for that SendOps does not manage: its events are dropped and counted. */
export const UNMANAGED_FROM = { address: "mailer@legacy.example.net", domain: "legacy.example.net" } as const;

export type StreamName = "transactional" | "marketing" | "alerts" | "onboarding" | "base" | "unmanaged";

export interface DemoChannel {
  name: string;
  purpose: ChannelPurpose;
  /** `sesmail-<slug>`, as the channels service names it. */
  configurationSet: string;
  isDefault: boolean;
  /** The purpose's preset: what the channel holds in D1 and its configuration set in SES. */
  settings: ChannelSettings;
}

/**
 * Channels of the demo workspace: the four default channels SendOps provisions (worker/lib/channels.ts),
 * the first the default, each with its purpose's preset.
 */
export const DEMO_CHANNELS: readonly DemoChannel[] = DEFAULT_CHANNELS.map((c, i) => ({
  name: c.name,
  purpose: c.purpose,
  configurationSet: configurationSetNameFor(c.name),
  isDefault: i === 0,
  settings: PURPOSE_PRESETS[c.purpose],
}));

const channelFor = (purpose: ChannelPurpose) => DEMO_CHANNELS.find((c) => c.purpose === purpose)!;

/** Which channel each stream of mail goes through (alerts have no channel of their own: they use the default). */
export const STREAM_CHANNELS: Partial<Record<StreamName, DemoChannel>> = {
  transactional: channelFor("transactional"),
  marketing: channelFor("marketing"),
  alerts: channelFor("default"),
  onboarding: channelFor("onboarding"),
};

/**
 * A configuration set the demo company made in the SES console (SES's defaults, no event destination),
 * found by an account sync: the Channels page's Discovered (and, for a week after the seed, New) example.
 * Its settings are what the sync reads from such a set (settingsFromSes: absent blocks are SES's defaults).
 */
export const DEMO_DISCOVERED_CHANNEL = {
  configurationSet: "acme-billing",
  settings: settingsFromSes({ name: "acme-billing", tags: [] }, []),
} as const;

/**
 * Channels of earlier versions of the demo, gone from its SES account: an existing demo workspace keeps
 * them archived (their events still name them), as an account sync would have detached them.
 */
export const RETIRED_CHANNELS = [{ name: "Alerts", configurationSet: "sesmail-alerts" }] as const;

export interface DemoIdentity {
  identity: string;
  kind: "domain" | "email";
  /** SES VerificationStatus (and, for domains, DkimAttributes.Status). */
  status: VerificationStatus;
  /** Easy DKIM tokens (domains): fixed, so the stand-in's account and the demo's D1 hold the same. */
  dkimTokens: readonly string[];
  /** The channel whose configuration set SES applies to its mail. */
  channel: ChannelPurpose;
}

/**
 * Identities of the demo workspace, as they are in its SES account: two verified sending domains (one
 * whose DMARC policy is only `none`), one domain just added whose DKIM records are not published yet,
 * and one address.
 */
export const DEMO_IDENTITIES: readonly DemoIdentity[] = [
  { identity: "mail.example.com", kind: "domain", status: "SUCCESS", channel: "transactional", dkimTokens: ["fa6u5u7qru7np3optujcaa7adkq7ydk7", "wac26swpi4djecdcg2qdu2wss6qj7dtd", "6qqkjqds2axb3ohvjmzwtov5i5z3nqco"] },
  { identity: "news.example.com", kind: "domain", status: "SUCCESS", channel: "marketing", dkimTokens: ["ojg7fog7vvzax7refybgshah72cpsjd2", "o2jtkbktkxwx2rviu55ni5ft5o7isuj2", "pecwvuthegmfmpixkyboshdi5zv3leuf"] },
  { identity: "updates.example.com", kind: "domain", status: "PENDING", channel: "onboarding", dkimTokens: ["g2loys4umh52jwjhu6k5t4j5p6new3ns", "ywkhewssudto74nugjigzd5qynmwvbmg", "tjyoo27ihs3t5gbtnei57njh3fmwaxfs"] },
  { identity: "alerts@example.com", kind: "email", status: "SUCCESS", channel: "default", dkimTokens: [] },
];

export const channelOfIdentity = (i: DemoIdentity) => channelFor(i.channel);

/** The demo's tracking domain (HTTP: its CNAME points at SES's regional endpoint) and its SES identity's tokens. */
export const DEMO_TRACKING_DOMAIN = {
  subdomain: "track.example.com",
  protocol: "http",
  dkimTokens: ["aiqxu63igrufvi4lomjxa72a6m74ahgz", "djbzat5ahkkpxeqtjuwdfu6utz5qbx6m", "w2hq2vk25p3jmpxxn4gmw22usakx555f"],
} as const;

export interface DemoDnsRecord {
  name: string;
  type: "TXT" | "CNAME";
  values: string[];
}

const dkimCnames = (domain: string, tokens: readonly string[]): DemoDnsRecord[] =>
  tokens.map((t) => ({ name: dkimRecordName(t, domain), type: "CNAME", values: [dkimRecordTarget(t)] }));

/**
 * The demo company's DNS zone, defined once: `npm start` publishes it in the DNS stand-in, and the seed
 * computes the identities' stored DNS checks from it (so a deployed instance, without the stand-in,
 * shows the same findings). example.com's own DMARC record (p=quarantine) covers its subdomains;
 * news.example.com publishes its own, p=none; updates.example.com has no record yet but DMARC's.
 */
export const DEMO_DNS_ZONE: readonly DemoDnsRecord[] = [
  { name: "_dmarc.example.com", type: "TXT", values: ["v=DMARC1; p=quarantine; rua=mailto:dmarc@example.com"] },
  { name: "mail.example.com", type: "TXT", values: [RECOMMENDED_SPF] },
  ...dkimCnames("mail.example.com", DEMO_IDENTITIES[0]!.dkimTokens),
  { name: "news.example.com", type: "TXT", values: [RECOMMENDED_SPF] },
  { name: "_dmarc.news.example.com", type: "TXT", values: ["v=DMARC1; p=none; rua=mailto:dmarc@news.example.com"] },
  ...dkimCnames("news.example.com", DEMO_IDENTITIES[1]!.dkimTokens),
  { name: DEMO_TRACKING_DOMAIN.subdomain, type: "CNAME", values: [awsTrackingEndpoint(DEMO_REGION)] },
  ...dkimCnames(DEMO_TRACKING_DOMAIN.subdomain, DEMO_TRACKING_DOMAIN.dkimTokens),
];

export interface Sender {
  display: string;
  address: string;
  /** The SES identity that sent it: a domain or an address. */
  identity: string;
}

export const SENDERS: Record<StreamName, Sender> = {
  transactional: { display: "Acme", address: "notifications@mail.example.com", identity: "mail.example.com" },
  marketing: { display: "Acme News", address: "news@news.example.com", identity: "news.example.com" },
  alerts: { display: "Acme Alerts", address: "alerts@example.com", identity: "alerts@example.com" },
  onboarding: { display: "Maya from Acme", address: "maya@mail.example.com", identity: "mail.example.com" },
  base: { display: "Acme Billing", address: "billing@mail.example.com", identity: "mail.example.com" },
  unmanaged: { display: "Acme (legacy)", address: UNMANAGED_FROM.address, identity: UNMANAGED_FROM.domain },
};

export interface Template {
  name: string;
  stream: StreamName;
  /** Relative volume within its stream. */
  weight: number;
  subject: (p: { first: string; n: string }) => string;
  /** Median delay of the first open (minutes), and how likely a human open leads to a click. */
  openMedianMin: number;
  clickRate: number;
  links: readonly { url: string; name: string }[];
  /** Templates with attachments bounce as too large / attachment rejected more often. */
  attachment?: boolean;
}

const T = (t: Template) => t;

export const TEMPLATES: readonly Template[] = [
  T({ name: "welcome", stream: "transactional", weight: 8, subject: (p) => `Welcome to Acme, ${p.first}`, openMedianMin: 30, clickRate: 0.3, links: [{ url: "https://app.example.com/onboarding?step=1", name: "cta-primary" }, { url: "https://docs.example.com/quickstart", name: "docs" }] }),
  T({ name: "email-verification", stream: "transactional", weight: 10, subject: () => "Confirm your email address", openMedianMin: 4, clickRate: 0.75, links: [{ url: "https://app.example.com/verify", name: "verify" }] }),
  T({ name: "password-reset", stream: "transactional", weight: 9, subject: () => "Reset your Acme password", openMedianMin: 3, clickRate: 0.7, links: [{ url: "https://app.example.com/reset-password", name: "reset" }] }),
  T({ name: "magic-link", stream: "transactional", weight: 12, subject: () => "Your Acme sign-in link", openMedianMin: 2, clickRate: 0.8, links: [{ url: "https://app.example.com/auth/magic", name: "sign-in" }] }),
  T({ name: "order-confirmation", stream: "transactional", weight: 16, subject: (p) => `Order #${p.n} confirmed`, openMedianMin: 45, clickRate: 0.12, links: [{ url: "https://shop.example.com/orders", name: "view-order" }] }),
  T({ name: "order-shipped", stream: "transactional", weight: 12, subject: (p) => `Your order #${p.n} is on its way`, openMedianMin: 120, clickRate: 0.35, links: [{ url: "https://shop.example.com/track", name: "track" }] }),
  T({ name: "invoice", stream: "transactional", weight: 7, subject: (p) => `Invoice INV-${p.n} from Acme`, openMedianMin: 240, clickRate: 0.15, links: [{ url: "https://app.example.com/billing/invoices", name: "invoice" }], attachment: true }),
  T({ name: "payment-receipt", stream: "transactional", weight: 9, subject: (p) => `Receipt for your payment #${p.n}`, openMedianMin: 300, clickRate: 0.05, links: [{ url: "https://app.example.com/billing", name: "billing" }], attachment: true }),
  T({ name: "newsletter-weekly", stream: "marketing", weight: 0, subject: () => "This week at Acme: 5 things worth your time", openMedianMin: 360, clickRate: 0.14, links: [{ url: "https://www.example.com/blog/weekly", name: "read-more" }, { url: "https://www.example.com/events", name: "events" }] }),
  T({ name: "product-launch", stream: "marketing", weight: 0, subject: () => "Introducing Acme Flows", openMedianMin: 300, clickRate: 0.2, links: [{ url: "https://www.example.com/flows", name: "hero" }] }),
  T({ name: "promo-discount", stream: "marketing", weight: 0, subject: (p) => `${p.first}, 20% off annual plans ends Friday`, openMedianMin: 240, clickRate: 0.11, links: [{ url: "https://www.example.com/pricing?promo=ANNUAL20", name: "pricing" }] }),
  T({ name: "spring-sale", stream: "marketing", weight: 0, subject: () => "Spring sale: everything 30% off", openMedianMin: 300, clickRate: 0.06, links: [{ url: "https://shop.example.com/sale", name: "sale" }] }),
  T({ name: "abandoned-cart", stream: "marketing", weight: 6, subject: () => "You left something in your cart", openMedianMin: 90, clickRate: 0.22, links: [{ url: "https://shop.example.com/cart", name: "cart" }] }),
  T({ name: "re-engagement", stream: "marketing", weight: 4, subject: (p) => `We miss you, ${p.first}`, openMedianMin: 600, clickRate: 0.06, links: [{ url: "https://app.example.com/", name: "come-back" }] }),
  T({ name: "usage-alert", stream: "alerts", weight: 10, subject: () => "You have used 80% of your monthly quota", openMedianMin: 60, clickRate: 0.25, links: [{ url: "https://app.example.com/usage", name: "usage" }] }),
  T({ name: "security-alert", stream: "alerts", weight: 6, subject: () => "New sign-in to your Acme account", openMedianMin: 20, clickRate: 0.08, links: [{ url: "https://app.example.com/security", name: "review" }] }),
  T({ name: "payment-failed", stream: "alerts", weight: 3, subject: () => "Action needed: your payment failed", openMedianMin: 90, clickRate: 0.4, links: [{ url: "https://app.example.com/billing/update", name: "update-card" }] }),
  T({ name: "weekly-digest", stream: "alerts", weight: 5, subject: () => "Your weekly Acme digest", openMedianMin: 480, clickRate: 0.1, links: [{ url: "https://app.example.com/reports", name: "reports" }] }),
  T({ name: "onboarding-day-1", stream: "onboarding", weight: 10, subject: (p) => `${p.first}, here is how to get started`, openMedianMin: 120, clickRate: 0.25, links: [{ url: "https://docs.example.com/getting-started", name: "guide" }] }),
  T({ name: "onboarding-day-3", stream: "onboarding", weight: 8, subject: () => "3 tips to get more out of Acme", openMedianMin: 240, clickRate: 0.18, links: [{ url: "https://docs.example.com/tips", name: "tips" }] }),
  T({ name: "onboarding-day-7", stream: "onboarding", weight: 6, subject: () => "Invite your team to Acme", openMedianMin: 300, clickRate: 0.14, links: [{ url: "https://app.example.com/team/invite", name: "invite" }] }),
  T({ name: "trial-ending", stream: "onboarding", weight: 4, subject: () => "Your trial ends in 3 days", openMedianMin: 180, clickRate: 0.3, links: [{ url: "https://app.example.com/billing/upgrade", name: "upgrade" }] }),
  T({ name: "account-statement", stream: "base", weight: 1, subject: (p) => `Your statement for account ${p.n}`, openMedianMin: 600, clickRate: 0.08, links: [{ url: "https://app.example.com/statements", name: "statement" }], attachment: true }),
  T({ name: "legacy-report", stream: "unmanaged", weight: 1, subject: () => "Nightly export finished", openMedianMin: 600, clickRate: 0.05, links: [{ url: "https://legacy.example.net/reports", name: "report" }] }),
];

/** Marketing campaigns: one large send, Tuesdays and Thursdays at 15:00 UTC. */
export const CAMPAIGN_TEMPLATES = { tuesday: "newsletter-weekly", thursday: ["product-launch", "promo-discount"], badDay: "spring-sale" } as const;

export type SmtpStyle =
  | "gmail"
  | "microsoft"
  | "yahoo"
  | "apple"
  | "gmx"
  | "mailru"
  | "yandex"
  | "qq"
  | "netease"
  | "orange"
  | "postfix";

export type NameRegion = "en" | "de" | "fr" | "it" | "cz" | "pl" | "ru" | "cn" | "kr" | "in";

/** Mailbox behaviour per provider: volume, delivery latency, deferrals, bounces, complaints (via feedback loops). */
export interface ProviderProfile {
  style: SmtpStyle;
  latencyMedianMs: number;
  latencySigma: number;
  delayRate: number;
  hardFactor: number;
  complaintFactor: number;
  /** Apple Mail Privacy Protection fetches tracking pixels for most messages within minutes. */
  privacyProxy?: boolean;
  openUserAgents: readonly string[];
  tls: "TLSv1.3" | "TLSv1.2";
}

const UA = {
  googleProxy: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
  iphone: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  mac: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)",
  outlook: "Mozilla/4.0 (compatible; ms-office; MSOffice 16)",
  chromeWin: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  android: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.82 Mobile Safari/537.36",
  yahooProxy: "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html",
  firefox: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
  applePrivacy: "Mozilla/5.0",
} as const;

export const CLICK_USER_AGENTS = [UA.chromeWin, UA.iphone, UA.android, UA.mac, UA.firefox] as const;
export const APPLE_PROXY_USER_AGENT = UA.applePrivacy;

const profile = (p: ProviderProfile) => p;
const webmail = [UA.chromeWin, UA.iphone, UA.android, UA.mac];

export const PROFILES = {
  gmail: profile({ style: "gmail", latencyMedianMs: 850, latencySigma: 0.55, delayRate: 0.003, hardFactor: 0.9, complaintFactor: 0.2, openUserAgents: [UA.googleProxy], tls: "TLSv1.3" }),
  microsoft: profile({ style: "microsoft", latencyMedianMs: 1900, latencySigma: 0.8, delayRate: 0.012, hardFactor: 1.1, complaintFactor: 1.6, openUserAgents: [UA.outlook, UA.chromeWin, UA.iphone], tls: "TLSv1.2" }),
  yahoo: profile({ style: "yahoo", latencyMedianMs: 1500, latencySigma: 0.7, delayRate: 0.02, hardFactor: 1.5, complaintFactor: 1.8, openUserAgents: [UA.yahooProxy], tls: "TLSv1.3" }),
  aol: profile({ style: "yahoo", latencyMedianMs: 1600, latencySigma: 0.7, delayRate: 0.015, hardFactor: 1.8, complaintFactor: 2, openUserAgents: [UA.yahooProxy], tls: "TLSv1.3" }),
  apple: profile({ style: "apple", latencyMedianMs: 1200, latencySigma: 0.6, delayRate: 0.004, hardFactor: 0.7, complaintFactor: 0.6, privacyProxy: true, openUserAgents: [UA.iphone, UA.mac], tls: "TLSv1.3" }),
  gmx: profile({ style: "gmx", latencyMedianMs: 2400, latencySigma: 0.8, delayRate: 0.006, hardFactor: 1.3, complaintFactor: 0.5, openUserAgents: webmail, tls: "TLSv1.3" }),
  europe: profile({ style: "postfix", latencyMedianMs: 2600, latencySigma: 0.9, delayRate: 0.006, hardFactor: 1.3, complaintFactor: 0.5, openUserAgents: webmail, tls: "TLSv1.2" }),
  orange: profile({ style: "orange", latencyMedianMs: 2800, latencySigma: 0.9, delayRate: 0.008, hardFactor: 1.4, complaintFactor: 0.5, openUserAgents: webmail, tls: "TLSv1.2" }),
  russia: profile({ style: "mailru", latencyMedianMs: 3200, latencySigma: 1.0, delayRate: 0.01, hardFactor: 2, complaintFactor: 0.6, openUserAgents: webmail, tls: "TLSv1.2" }),
  yandex: profile({ style: "yandex", latencyMedianMs: 3000, latencySigma: 1.0, delayRate: 0.01, hardFactor: 2, complaintFactor: 0.6, openUserAgents: webmail, tls: "TLSv1.3" }),
  qq: profile({ style: "qq", latencyMedianMs: 4200, latencySigma: 1.0, delayRate: 0.012, hardFactor: 1.4, complaintFactor: 0.4, openUserAgents: [UA.android, UA.chromeWin], tls: "TLSv1.2" }),
  netease: profile({ style: "netease", latencyMedianMs: 4000, latencySigma: 1.0, delayRate: 0.012, hardFactor: 1.4, complaintFactor: 0.4, openUserAgents: [UA.android, UA.chromeWin], tls: "TLSv1.2" }),
  apac: profile({ style: "postfix", latencyMedianMs: 3800, latencySigma: 1.0, delayRate: 0.01, hardFactor: 1.4, complaintFactor: 0.4, openUserAgents: [UA.android, UA.iphone, UA.chromeWin], tls: "TLSv1.2" }),
  company: profile({ style: "microsoft", latencyMedianMs: 2100, latencySigma: 0.9, delayRate: 0.008, hardFactor: 1.2, complaintFactor: 0.3, openUserAgents: [UA.outlook, UA.chromeWin, UA.mac], tls: "TLSv1.3" }),
  companyPostfix: profile({ style: "postfix", latencyMedianMs: 1800, latencySigma: 1.0, delayRate: 0.015, hardFactor: 1.2, complaintFactor: 0.3, openUserAgents: [UA.chromeWin, UA.mac, UA.firefox], tls: "TLSv1.2" }),
} satisfies Record<string, ProviderProfile>;

export interface RecipientDomain {
  domain: string;
  weight: number;
  profile: ProviderProfile;
  names: NameRegion;
  /** Local parts at this provider are often numeric (QQ). */
  numeric?: boolean;
}

const D = (domain: string, weight: number, p: ProviderProfile, names: NameRegion = "en", numeric = false): RecipientDomain => ({
  domain,
  weight,
  profile: p,
  names,
  numeric,
});

/** Recipient domains and their share of the audience (percent). */
export const RECIPIENT_DOMAINS: readonly RecipientDomain[] = [
  D("gmail.com", 33, PROFILES.gmail),
  D("googlemail.com", 1.5, PROFILES.gmail, "de"),
  D("outlook.com", 7, PROFILES.microsoft),
  D("hotmail.com", 6, PROFILES.microsoft),
  D("live.com", 2, PROFILES.microsoft),
  D("msn.com", 1, PROFILES.microsoft),
  D("hotmail.co.uk", 1, PROFILES.microsoft),
  D("outlook.de", 0.6, PROFILES.microsoft, "de"),
  D("hotmail.fr", 0.8, PROFILES.microsoft, "fr"),
  D("live.nl", 0.4, PROFILES.microsoft),
  D("yahoo.com", 5, PROFILES.yahoo),
  D("yahoo.co.uk", 0.8, PROFILES.yahoo),
  D("yahoo.fr", 0.6, PROFILES.yahoo, "fr"),
  D("ymail.com", 0.5, PROFILES.yahoo),
  D("rocketmail.com", 0.2, PROFILES.yahoo),
  D("aol.com", 1.2, PROFILES.aol),
  D("icloud.com", 5, PROFILES.apple),
  D("me.com", 1.2, PROFILES.apple),
  D("mac.com", 0.5, PROFILES.apple),
  D("gmx.de", 1.2, PROFILES.gmx, "de"),
  D("gmx.net", 0.8, PROFILES.gmx, "de"),
  D("web.de", 1.2, PROFILES.gmx, "de"),
  D("t-online.de", 0.8, PROFILES.europe, "de"),
  D("free.fr", 0.9, PROFILES.europe, "fr"),
  D("orange.fr", 0.9, PROFILES.orange, "fr"),
  D("wanadoo.fr", 0.3, PROFILES.orange, "fr"),
  D("laposte.net", 0.4, PROFILES.europe, "fr"),
  D("libero.it", 0.6, PROFILES.europe, "it"),
  D("virgilio.it", 0.3, PROFILES.europe, "it"),
  D("seznam.cz", 0.5, PROFILES.europe, "cz"),
  D("wp.pl", 0.4, PROFILES.europe, "pl"),
  D("yandex.ru", 0.8, PROFILES.yandex, "ru"),
  D("mail.ru", 0.8, PROFILES.russia, "ru"),
  D("proton.me", 0.6, PROFILES.europe),
  D("naver.com", 0.9, PROFILES.apac, "kr"),
  D("daum.net", 0.4, PROFILES.apac, "kr"),
  D("hanmail.net", 0.3, PROFILES.apac, "kr"),
  D("qq.com", 1.2, PROFILES.qq, "cn", true),
  D("163.com", 0.8, PROFILES.netease, "cn"),
  D("126.com", 0.4, PROFILES.netease, "cn"),
  D("sina.com", 0.3, PROFILES.apac, "cn"),
  D("rediffmail.com", 0.4, PROFILES.apac, "in"),
  // Business recipients (invented companies on reserved names).
  D("example.org", 1.2, PROFILES.companyPostfix),
  D("example.net", 1, PROFILES.companyPostfix),
  D("initech.example", 0.9, PROFILES.company),
  D("globex.example", 0.9, PROFILES.company),
  D("umbrella.example", 0.8, PROFILES.company),
  D("hooli.example", 0.8, PROFILES.company),
  D("stark-industries.example", 0.7, PROFILES.company),
  D("wayne-enterprises.example", 0.6, PROFILES.company),
  D("wonka.example", 0.5, PROFILES.companyPostfix),
  D("cyberdyne.example", 0.5, PROFILES.company),
  D("tyrell.example", 0.5, PROFILES.company),
  D("aperture.example", 0.5, PROFILES.companyPostfix),
  D("oscorp.example", 0.4, PROFILES.company),
  D("vandelay.example", 0.4, PROFILES.companyPostfix),
  D("dunder-mifflin.example", 0.4, PROFILES.company),
  D("pied-piper.example", 0.4, PROFILES.companyPostfix),
  D("massive-dynamic.example", 0.3, PROFILES.company),
  D("soylent.example", 0.3, PROFILES.companyPostfix),
  D("blackmesa.example", 0.3, PROFILES.company),
  D("nakatomi.example", 0.3, PROFILES.company),
];

export const NAMES: Record<NameRegion, { first: readonly string[]; last: readonly string[] }> = {
  en: {
    first: ["james", "mary", "john", "patricia", "robert", "jennifer", "michael", "linda", "david", "sarah", "daniel", "jessica", "emily", "chris", "olivia", "liam", "noah", "emma", "ava", "ethan", "sophia", "mason", "aisha", "omar", "lucas", "mia", "jack", "grace", "leo", "zoe"],
    last: ["smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis", "rodriguez", "martinez", "wilson", "anderson", "taylor", "thomas", "moore", "martin", "lee", "clark", "lewis", "walker", "young", "allen", "king", "wright", "scott", "green", "baker", "adams", "nelson", "hill"],
  },
  de: {
    first: ["lukas", "anna", "felix", "lena", "jonas", "laura", "maximilian", "julia", "paul", "sophie", "leon", "hannah", "tim", "lea", "niklas", "marie"],
    last: ["mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner", "becker", "schulz", "hoffmann", "koch", "richter", "klein", "wolf", "neumann", "braun"],
  },
  fr: {
    first: ["louis", "camille", "gabriel", "chloe", "arthur", "ines", "hugo", "manon", "jules", "lea", "adam", "louise", "raphael", "jade", "theo", "alice"],
    last: ["martin", "bernard", "dubois", "thomas", "robert", "richard", "petit", "durand", "leroy", "moreau", "simon", "laurent", "lefebvre", "michel", "garcia", "david"],
  },
  it: {
    first: ["francesco", "giulia", "alessandro", "sofia", "lorenzo", "aurora", "matteo", "alice", "andrea", "ginevra", "marco", "chiara"],
    last: ["rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "colombo", "ricci", "marino", "greco", "bruno", "gallo"],
  },
  cz: {
    first: ["jakub", "tereza", "jan", "eliska", "tomas", "anna", "adam", "adela", "matej", "natalie"],
    last: ["novak", "svoboda", "novotny", "dvorak", "cerny", "prochazka", "kucera", "vesely", "horak", "nemec"],
  },
  pl: {
    first: ["jakub", "zuzanna", "antoni", "julia", "jan", "maja", "szymon", "zofia", "filip", "hanna"],
    last: ["nowak", "kowalski", "wisniewski", "wojcik", "kowalczyk", "kaminski", "lewandowski", "zielinski", "szymanski", "wozniak"],
  },
  ru: {
    first: ["alexander", "anastasia", "dmitry", "maria", "ivan", "daria", "maxim", "sofia", "artem", "polina", "mikhail", "elena"],
    last: ["ivanov", "smirnov", "kuznetsov", "popov", "vasiliev", "petrov", "sokolov", "mikhailov", "novikov", "fedorov", "morozov", "volkov"],
  },
  cn: {
    first: ["wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yan", "hui", "xin", "ying", "hao", "yu"],
    last: ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo"],
  },
  kr: {
    first: ["minjun", "seoyeon", "jiho", "jiwoo", "hyunwoo", "seoyun", "dohyun", "hayoon", "jimin", "yuna", "taeyang", "soyeon"],
    last: ["kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim", "han", "shin"],
  },
  in: {
    first: ["aarav", "ananya", "vivaan", "diya", "aditya", "priya", "arjun", "isha", "rohan", "kavya", "rahul", "neha"],
    last: ["sharma", "verma", "gupta", "singh", "kumar", "patel", "reddy", "iyer", "nair", "mehta", "joshi", "rao"],
  },
};

export const COMPLAINT_FEEDBACK_TYPES = [
  ["abuse", 86],
  ["other", 6],
  ["auth-failure", 3],
  ["not-spam", 2],
  ["fraud", 2],
  ["virus", 1],
] as const;

/** Subscription preferences of the marketing contact list. */
export const CONTACT_LIST = { name: "acme-newsletter", topics: ["product-updates", "promotions", "events"] } as const;
