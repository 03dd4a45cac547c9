/**
 * SES API v2 (restJson1, SigV4 name `ses`; /work/shared/aws/SESV2.md): the operations SendOps calls with
 * the temporary credentials of a customer's role, and SendEmail for SendOps' own mail. Bodies use the
 * model's member names; path labels are URL-encoded. Timestamps in bodies are epoch seconds; this module
 * hands out epoch milliseconds and camelCase objects.
 */
import { AwsClient } from "aws4fetch";
import type { Env } from "../env";
import { awsEndpoint, awsJson, retryThrottled, type AwsCredentials } from "./common";

export const SUPPRESSION_REASONS = ["BOUNCE", "COMPLAINT"] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** The model's EventType enum: what a configuration set's event destination can match. */
export const SES_EVENT_TYPES = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK", "RENDERING_FAILURE", "DELIVERY_DELAY", "SUBSCRIPTION"] as const;
export type SesEventType = (typeof SES_EVENT_TYPES)[number];

/** Shared by identity verification and DKIM status. */
export type VerificationStatus = "PENDING" | "SUCCESS" | "FAILED" | "TEMPORARY_FAILURE" | "NOT_STARTED";
export type IdentityType = "EMAIL_ADDRESS" | "DOMAIN" | "MANAGED_DOMAIN";
export type HttpsPolicy = "REQUIRE" | "REQUIRE_OPEN_ONLY" | "OPTIONAL";
export type TlsPolicy = "REQUIRE" | "OPTIONAL";

/** ListSuppressedDestinations takes at most this many entries per page. */
export const SUPPRESSION_PAGE_MAX = 1000;
/** ListEmailIdentities takes at most this many per page. */
const IDENTITY_PAGE_MAX = 1000;

export interface SesAccount {
  sendingEnabled: boolean;
  productionAccessEnabled: boolean;
  enforcementStatus: string | null;
  sendQuota: { max24HourSend: number; maxSendRate: number; sentLast24Hours: number } | null;
  suppressedReasons: SuppressionReason[];
  /** The production-access request (`PENDING | FAILED | GRANTED | DENIED`), null when none was made. */
  review: { status: string; caseId: string | null } | null;
  mailType?: string;
  websiteUrl?: string;
}

export interface SuppressedDestination {
  email: string;
  reason: SuppressionReason;
  /** Epoch ms. */
  lastUpdateTime: number;
}

export interface SuppressionPage {
  entries: SuppressedDestination[];
  nextToken: string | null;
}

export interface ListSuppressionsInput {
  reasons?: readonly SuppressionReason[];
  /** Epoch ms; sent as ISO-8601 (query parameters carry date-times as strings). */
  startDate?: number;
  endDate?: number;
  nextToken?: string | null;
  pageSize?: number;
}

export interface Tag {
  key: string;
  value: string;
}

export interface EmailIdentitySummary {
  name: string;
  type: IdentityType;
  sendingEnabled: boolean;
  verificationStatus: VerificationStatus;
}

export interface DkimAttributes {
  status: VerificationStatus;
  /** Easy DKIM: CNAME `<token>._domainkey.<domain>` → `<token>.dkim.amazonses.com`. */
  tokens: string[];
  signingEnabled: boolean;
}

export interface EmailIdentityDetails {
  name: string;
  type: IdentityType;
  verifiedForSending: boolean;
  verificationStatus: VerificationStatus;
  dkim: DkimAttributes | null;
  mailFrom: { domain: string; status: string } | null;
  configurationSetName: string | null;
  tags: Tag[];
}

export interface CreatedEmailIdentity {
  type: IdentityType;
  verifiedForSending: boolean;
  dkim: DkimAttributes | null;
}

export interface TrackingOptions {
  customRedirectDomain?: string;
  httpsPolicy?: HttpsPolicy;
}

export interface DeliveryOptions {
  tlsPolicy?: TlsPolicy;
  sendingPoolName?: string;
  /** 300–50400. */
  maxDeliverySeconds?: number;
}

/** SES's verdict threshold for auto validation (`OverallConfidenceThreshold.ConfidenceVerdictThreshold`). */
export type ConfidenceVerdictThreshold = "MEDIUM" | "HIGH" | "MANAGED";

/**
 * A configuration set's suppression options. `suppressedReasons` absent: the account-level list applies;
 * `[]`: nothing is suppressed for this set. `validation` (SES `ValidationOptions.ConditionThreshold`):
 * auto validation on (with its threshold) or off; absent: SES's default.
 */
export interface SuppressionOptions {
  suppressedReasons?: readonly SuppressionReason[];
  validation?: { enabled: false } | { enabled: true; threshold: ConfidenceVerdictThreshold };
}

export interface ConfigurationSetDetails {
  name: string;
  trackingOptions?: TrackingOptions;
  deliveryOptions?: DeliveryOptions;
  /** `lastFreshStart` in epoch ms. */
  reputationOptions?: { reputationMetricsEnabled: boolean; lastFreshStart?: number };
  sendingOptions?: { sendingEnabled: boolean };
  suppressionOptions?: SuppressionOptions;
  tags: Tag[];
}

export interface CreateConfigurationSetInput {
  name: string;
  /** In CreateConfigurationSet the model requires the redirect domain. */
  trackingOptions?: { customRedirectDomain: string; httpsPolicy?: HttpsPolicy };
  deliveryOptions?: DeliveryOptions;
  reputationOptions?: { reputationMetricsEnabled: boolean };
  sendingOptions?: { sendingEnabled: boolean };
  suppressionOptions?: SuppressionOptions;
  tags?: Tag[];
}

export interface EventDestination {
  name: string;
  enabled: boolean;
  matchingEventTypes: string[];
  /** The EventBridge bus events go to; null for other destination kinds (SNS, Firehose, …). */
  eventBridgeBusArn: string | null;
}

/** An EventBridge event destination (SES supports only the default bus). */
export interface EventDestinationInput {
  name: string;
  enabled: boolean;
  matchingEventTypes: readonly SesEventType[];
  eventBusArn: string;
}

export interface SendEmailInput {
  /** `addr@domain` or `Display Name <addr@domain>`. */
  from: string;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  configurationSetName?: string;
  /** Message tags: name and value only `[A-Za-z0-9_-]`. */
  tags?: { name: string; value: string }[];
}

type Json = Record<string, any>;

const toMs = (epochSeconds: unknown) => Math.round(Number(epochSeconds) * 1000);
/** A path label, percent-encoded per RFC 3986 (encodeURIComponent leaves `!'()*` bare). */
const label = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function asDestination(raw: Json): SuppressedDestination {
  return { email: String(raw.EmailAddress), reason: raw.Reason as SuppressionReason, lastUpdateTime: toMs(raw.LastUpdateTime) };
}

const asTags = (raw: unknown): Tag[] => (Array.isArray(raw) ? raw.map((t: Json) => ({ key: String(t.Key), value: String(t.Value ?? "") })) : []);
const toTags = (tags: Tag[] | undefined) => tags?.map((t) => ({ Key: t.key, Value: t.value }));

function asDkim(raw: Json | undefined): DkimAttributes | null {
  if (!raw) return null;
  return { status: raw.Status, tokens: Array.isArray(raw.Tokens) ? raw.Tokens.map(String) : [], signingEnabled: raw.SigningEnabled === true };
}

function asEventDestination(raw: Json): EventDestination {
  return {
    name: String(raw.Name),
    enabled: raw.Enabled === true,
    matchingEventTypes: Array.isArray(raw.MatchingEventTypes) ? raw.MatchingEventTypes.map(String) : [],
    eventBridgeBusArn: str(raw.EventBridgeDestination?.EventBusArn) ?? null,
  };
}

const eventDestinationDefinition = (d: EventDestinationInput) => ({
  Enabled: d.enabled,
  MatchingEventTypes: d.matchingEventTypes,
  EventBridgeDestination: { EventBusArn: d.eventBusArn },
});

const suppressionBody = (o: SuppressionOptions) => ({
  SuppressedReasons: o.suppressedReasons,
  ValidationOptions: o.validation && {
    ConditionThreshold: o.validation.enabled
      ? { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: o.validation.threshold } }
      : { ConditionThresholdEnabled: "DISABLED" },
  },
});

function asSuppressionOptions(raw: Json): SuppressionOptions {
  const out: SuppressionOptions = {};
  if (Array.isArray(raw.SuppressedReasons)) out.suppressedReasons = raw.SuppressedReasons;
  const threshold = raw.ValidationOptions?.ConditionThreshold;
  if (threshold?.ConditionThresholdEnabled === "ENABLED") {
    out.validation = { enabled: true, threshold: threshold.OverallConfidenceThreshold?.ConfidenceVerdictThreshold ?? "MANAGED" };
  } else if (threshold?.ConditionThresholdEnabled === "DISABLED") out.validation = { enabled: false };
  return out;
}

const trackingBody = (o: TrackingOptions) => ({ CustomRedirectDomain: o.customRedirectDomain, HttpsPolicy: o.httpsPolicy });
const deliveryBody = (o: DeliveryOptions) => ({ TlsPolicy: o.tlsPolicy, SendingPoolName: o.sendingPoolName, MaxDeliverySeconds: o.maxDeliverySeconds });

export class SesClient {
  readonly #client: AwsClient;
  readonly #base: string;

  constructor(env: Pick<Env, "AWS_ENDPOINT_URL">, creds: AwsCredentials, readonly region: string) {
    this.#client = new AwsClient({ ...creds, service: "ses", region, retries: 0 });
    this.#base = awsEndpoint(env, "email", region);
  }

  /** One signed call (undefined body members are left out); a non-2xx answer is an AwsError, throttling is retried. */
  #call<T = Json>(method: string, path: string, query?: URLSearchParams, json?: unknown): Promise<T> {
    return retryThrottled(async () => {
      const url = `${this.#base}${path}${query?.size ? `?${query}` : ""}`;
      const request = await this.#client.sign(url, {
        method,
        headers: json === undefined ? {} : { "content-type": "application/json" },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      return awsJson<T>("ses", request);
    });
  }

  /** Every item of a NextToken-paginated list operation, page after page. */
  async #listAll(path: string, itemsKey: string, pageSize?: number): Promise<Json[]> {
    const items: Json[] = [];
    let nextToken: string | null = null;
    do {
      const q = new URLSearchParams();
      if (nextToken) q.set("NextToken", nextToken);
      if (pageSize !== undefined) q.set("PageSize", String(pageSize));
      const page: Json = await this.#call("GET", path, q);
      items.push(...(Array.isArray(page[itemsKey]) ? page[itemsKey] : []));
      nextToken = str(page.NextToken) || null;
    } while (nextToken);
    return items;
  }

  async getAccount(): Promise<SesAccount> {
    const a = await this.#call("GET", "/v2/email/account");
    const review = a.Details?.ReviewDetails;
    return {
      sendingEnabled: a.SendingEnabled === true,
      productionAccessEnabled: a.ProductionAccessEnabled === true,
      enforcementStatus: str(a.EnforcementStatus) ?? null,
      sendQuota: a.SendQuota
        ? { max24HourSend: Number(a.SendQuota.Max24HourSend), maxSendRate: Number(a.SendQuota.MaxSendRate), sentLast24Hours: Number(a.SendQuota.SentLast24Hours) }
        : null,
      suppressedReasons: Array.isArray(a.SuppressionAttributes?.SuppressedReasons) ? a.SuppressionAttributes.SuppressedReasons : [],
      review: review && typeof review.Status === "string" ? { status: review.Status, caseId: str(review.CaseId) ?? null } : null,
      ...(str(a.Details?.MailType) ? { mailType: a.Details.MailType } : {}),
      ...(str(a.Details?.WebsiteURL) ? { websiteUrl: a.Details.WebsiteURL } : {}),
    };
  }

  async listEmailIdentities(): Promise<EmailIdentitySummary[]> {
    const all = await this.#listAll("/v2/email/identities", "EmailIdentities", IDENTITY_PAGE_MAX);
    return all.map((i) => ({
      name: String(i.IdentityName),
      type: i.IdentityType,
      sendingEnabled: i.SendingEnabled === true,
      verificationStatus: i.VerificationStatus,
    }));
  }

  async getEmailIdentity(name: string): Promise<EmailIdentityDetails> {
    const i = await this.#call("GET", `/v2/email/identities/${label(name)}`);
    return {
      name,
      type: i.IdentityType,
      verifiedForSending: i.VerifiedForSendingStatus === true,
      verificationStatus: i.VerificationStatus,
      dkim: asDkim(i.DkimAttributes),
      mailFrom: i.MailFromAttributes
        ? { domain: String(i.MailFromAttributes.MailFromDomain), status: String(i.MailFromAttributes.MailFromDomainStatus) }
        : null,
      configurationSetName: str(i.ConfigurationSetName) ?? null,
      tags: asTags(i.Tags),
    };
  }

  /** A domain gets Easy DKIM tokens; an address gets a verification mail from SES. */
  async createEmailIdentity(name: string, opts: { configurationSetName?: string; tags?: Tag[] } = {}): Promise<CreatedEmailIdentity> {
    const r = await this.#call("POST", "/v2/email/identities", undefined, {
      EmailIdentity: name,
      ConfigurationSetName: opts.configurationSetName,
      Tags: toTags(opts.tags),
    });
    return { type: r.IdentityType, verifiedForSending: r.VerifiedForSendingStatus === true, dkim: asDkim(r.DkimAttributes) };
  }

  async deleteEmailIdentity(name: string): Promise<void> {
    await this.#call("DELETE", `/v2/email/identities/${label(name)}`);
  }

  /** The identity's default configuration set; null clears it. */
  async putEmailIdentityConfigurationSet(name: string, configurationSetName: string | null): Promise<void> {
    await this.#call("PUT", `/v2/email/identities/${label(name)}/configuration-set`, undefined, {
      ConfigurationSetName: configurationSetName ?? undefined,
    });
  }

  async listConfigurationSets(): Promise<string[]> {
    return (await this.#listAll("/v2/email/configuration-sets", "ConfigurationSets")).map(String);
  }

  async getConfigurationSet(name: string): Promise<ConfigurationSetDetails> {
    const c = await this.#call("GET", `/v2/email/configuration-sets/${label(name)}`);
    const details: ConfigurationSetDetails = { name: str(c.ConfigurationSetName) ?? name, tags: asTags(c.Tags) };
    if (c.TrackingOptions) {
      details.trackingOptions = {
        ...(str(c.TrackingOptions.CustomRedirectDomain) ? { customRedirectDomain: c.TrackingOptions.CustomRedirectDomain } : {}),
        ...(str(c.TrackingOptions.HttpsPolicy) ? { httpsPolicy: c.TrackingOptions.HttpsPolicy } : {}),
      };
    }
    if (c.DeliveryOptions) {
      details.deliveryOptions = {
        ...(str(c.DeliveryOptions.TlsPolicy) ? { tlsPolicy: c.DeliveryOptions.TlsPolicy } : {}),
        ...(str(c.DeliveryOptions.SendingPoolName) ? { sendingPoolName: c.DeliveryOptions.SendingPoolName } : {}),
        ...(c.DeliveryOptions.MaxDeliverySeconds != null ? { maxDeliverySeconds: Number(c.DeliveryOptions.MaxDeliverySeconds) } : {}),
      };
    }
    if (c.ReputationOptions) {
      details.reputationOptions = {
        reputationMetricsEnabled: c.ReputationOptions.ReputationMetricsEnabled === true,
        ...(c.ReputationOptions.LastFreshStart != null ? { lastFreshStart: toMs(c.ReputationOptions.LastFreshStart) } : {}),
      };
    }
    if (c.SendingOptions) details.sendingOptions = { sendingEnabled: c.SendingOptions.SendingEnabled === true };
    if (c.SuppressionOptions) details.suppressionOptions = asSuppressionOptions(c.SuppressionOptions);
    return details;
  }

  async createConfigurationSet(input: CreateConfigurationSetInput): Promise<void> {
    await this.#call("POST", "/v2/email/configuration-sets", undefined, {
      ConfigurationSetName: input.name,
      TrackingOptions: input.trackingOptions && trackingBody(input.trackingOptions),
      DeliveryOptions: input.deliveryOptions && deliveryBody(input.deliveryOptions),
      ReputationOptions: input.reputationOptions && { ReputationMetricsEnabled: input.reputationOptions.reputationMetricsEnabled },
      SendingOptions: input.sendingOptions && { SendingEnabled: input.sendingOptions.sendingEnabled },
      SuppressionOptions: input.suppressionOptions && suppressionBody(input.suppressionOptions),
      Tags: toTags(input.tags),
    });
  }

  async deleteConfigurationSet(name: string): Promise<void> {
    await this.#call("DELETE", `/v2/email/configuration-sets/${label(name)}`);
  }

  /** No redirect domain: SES's own tracking domain. */
  async putConfigurationSetTrackingOptions(name: string, options: TrackingOptions): Promise<void> {
    await this.#call("PUT", `/v2/email/configuration-sets/${label(name)}/tracking-options`, undefined, trackingBody(options));
  }

  async putConfigurationSetSendingOptions(name: string, options: { sendingEnabled: boolean }): Promise<void> {
    await this.#call("PUT", `/v2/email/configuration-sets/${label(name)}/sending`, undefined, { SendingEnabled: options.sendingEnabled });
  }

  async putConfigurationSetDeliveryOptions(name: string, options: DeliveryOptions): Promise<void> {
    await this.#call("PUT", `/v2/email/configuration-sets/${label(name)}/delivery-options`, undefined, deliveryBody(options));
  }

  /** Replaces the set's suppression options: reasons left out → the account-level list applies. */
  async putConfigurationSetSuppressionOptions(name: string, options: SuppressionOptions): Promise<void> {
    await this.#call("PUT", `/v2/email/configuration-sets/${label(name)}/suppression-options`, undefined, suppressionBody(options));
  }

  async putConfigurationSetReputationOptions(name: string, options: { reputationMetricsEnabled: boolean }): Promise<void> {
    await this.#call("PUT", `/v2/email/configuration-sets/${label(name)}/reputation-options`, undefined, {
      ReputationMetricsEnabled: options.reputationMetricsEnabled,
    });
  }

  async getConfigurationSetEventDestinations(name: string): Promise<EventDestination[]> {
    const r = await this.#call("GET", `/v2/email/configuration-sets/${label(name)}/event-destinations`);
    return (Array.isArray(r.EventDestinations) ? r.EventDestinations : []).map(asEventDestination);
  }

  async createConfigurationSetEventDestination(configSet: string, destination: EventDestinationInput): Promise<void> {
    await this.#call("POST", `/v2/email/configuration-sets/${label(configSet)}/event-destinations`, undefined, {
      EventDestinationName: destination.name,
      EventDestination: eventDestinationDefinition(destination),
    });
  }

  async updateConfigurationSetEventDestination(configSet: string, destination: EventDestinationInput): Promise<void> {
    await this.#call("PUT", `/v2/email/configuration-sets/${label(configSet)}/event-destinations/${label(destination.name)}`, undefined, {
      EventDestination: eventDestinationDefinition(destination),
    });
  }

  async deleteConfigurationSetEventDestination(configSet: string, name: string): Promise<void> {
    await this.#call("DELETE", `/v2/email/configuration-sets/${label(configSet)}/event-destinations/${label(name)}`);
  }

  /** The first page only (lastUpdated in epoch ms): enough to tell whether the role may list contact lists. */
  async listContactLists(pageSize?: number): Promise<{ name: string; lastUpdated: number }[]> {
    const q = new URLSearchParams();
    if (pageSize !== undefined) q.set("PageSize", String(pageSize));
    const r = await this.#call("GET", "/v2/email/contact-lists", q);
    return (Array.isArray(r.ContactLists) ? r.ContactLists : []).map((c: Json) => ({ name: String(c.ContactListName), lastUpdated: toMs(c.LastUpdatedTimestamp) }));
  }

  /** The first page only (PageSize 1–100; createdAt in epoch ms): enough to tell whether the role may list templates. */
  async listEmailTemplates(pageSize?: number): Promise<{ name: string; createdAt: number }[]> {
    const q = new URLSearchParams();
    if (pageSize !== undefined) q.set("PageSize", String(pageSize));
    const r = await this.#call("GET", "/v2/email/templates", q);
    return (Array.isArray(r.TemplatesMetadata) ? r.TemplatesMetadata : []).map((t: Json) => ({ name: String(t.TemplateName), createdAt: toMs(t.CreatedTimestamp) }));
  }

  /** A simple (non-raw, non-template) message in UTF-8; the id is the `mail.messageId` of its events. */
  async sendEmail(input: SendEmailInput): Promise<{ messageId: string }> {
    const utf8 = (data: string) => ({ Data: data, Charset: "UTF-8" });
    const r = await this.#call("POST", "/v2/email/outbound-emails", undefined, {
      FromEmailAddress: input.from,
      Destination: { ToAddresses: input.to },
      Content: {
        Simple: {
          Subject: utf8(input.subject),
          Body: { Text: utf8(input.text), Html: input.html === undefined ? undefined : utf8(input.html) },
        },
      },
      ConfigurationSetName: input.configurationSetName,
      EmailTags: input.tags?.map((t) => ({ Name: t.name, Value: t.value })),
    });
    return { messageId: String(r.MessageId) };
  }

  async listSuppressedDestinations(input: ListSuppressionsInput = {}): Promise<SuppressionPage> {
    const q = new URLSearchParams();
    for (const r of input.reasons ?? []) q.append("Reason", r);
    if (input.startDate !== undefined) q.set("StartDate", new Date(input.startDate).toISOString());
    if (input.endDate !== undefined) q.set("EndDate", new Date(input.endDate).toISOString());
    if (input.nextToken) q.set("NextToken", input.nextToken);
    q.set("PageSize", String(Math.min(input.pageSize ?? SUPPRESSION_PAGE_MAX, SUPPRESSION_PAGE_MAX)));
    const page = await this.#call("GET", "/v2/email/suppression/addresses", q);
    return { entries: ((page.SuppressedDestinationSummaries ?? []) as Json[]).map(asDestination), nextToken: page.NextToken || null };
  }

  async getSuppressedDestination(email: string): Promise<SuppressedDestination> {
    const r = await this.#call("GET", `/v2/email/suppression/addresses/${label(email)}`);
    return asDestination(r.SuppressedDestination);
  }

  /** Removes the address from the account-level list; NotFoundException (404) when it is not on it. */
  async deleteSuppressedDestination(email: string): Promise<void> {
    await this.#call("DELETE", `/v2/email/suppression/addresses/${label(email)}`);
  }
}
