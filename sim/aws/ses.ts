/**
 * SES API v2 (restJson1, `/v2/email/…`): the account, identities, configuration sets with their options
 * and event destinations, contact lists, the suppression list, email templates and SendEmail. Paths, bodies and error
 * names follow /work/shared/aws/SESV2.md and the Smithy model; every call is checked against the
 * caller's IAM policy as `ses:<Operation>`.
 */
import { authorize } from "./iam";
import { sendEmail } from "./mail";
import type { Call, Runtime } from "./runtime";
import {
  ALL_EVENT_TYPES,
  defaultBusArn,
  identityStatus,
  newConfigurationSet,
  newIdentity,
  type ConfigurationSet,
  type EventDestination,
  type Identity,
  type RegionState,
  type Tag,
} from "./state";
import { deleteSuppressed, getSuppressed, listSuppressed, putSuppressed, REASONS } from "./suppressions";
import { checkDkim, startVerification, verificationInfo } from "./verification";
import { AwsFault } from "./wire";

const DAY = 86_400_000;
export const bad = (message: string) => new AwsFault("BadRequestException", 400, message);
export const notFound = (message: string) => new AwsFault("NotFoundException", 404, message);
const identityMissing = (name: string) => notFound(`Email identity ${name} does not exist.`);
const setMissing = (name: string) => notFound(`Configuration set ${name} does not exist.`);

export interface SesRequest {
  rt: Runtime;
  call: Call;
  state: RegionState;
  /** Decoded path labels. */
  labels: string[];
  query: URLSearchParams;
  body: Record<string, any>;
}

interface SesRoute {
  method: string;
  path: RegExp;
  name: string;
  /** The resource the IAM check names (`*` for account-level operations). */
  resource?: (r: SesRequest) => string;
  /** The identities the answer shows: their DKIM records are looked up first, as SES keeps checking them. */
  reads?: (r: SesRequest) => Identity[];
  run: (r: SesRequest) => unknown;
}

const arn = (r: SesRequest, kind: string, name: string) => `arn:aws:ses:${r.call.region}:${r.state.account}:${kind}/${name}`;
const identityArn = (r: SesRequest) => arn(r, "identity", r.labels[0]!);
const setArn = (r: SesRequest) => arn(r, "configuration-set", r.labels[0]!);
const templateArn = (r: SesRequest) => arn(r, "template", r.labels[0]!);
const allIdentities = (r: SesRequest) => [...r.state.identities.values()];
const namedIdentity = (r: SesRequest) => [r.state.identities.get(r.labels[0]!.toLowerCase())].filter((i) => i !== undefined);

const ROUTES: SesRoute[] = [
  { method: "GET", path: /^\/v2\/email\/account$/, name: "GetAccount", run: (r) => account(r) },
  { method: "GET", path: /^\/v2\/email\/identities$/, name: "ListEmailIdentities", reads: allIdentities, run: (r) => listIdentities(r) },
  // Newer SDKs list with a POST and the paging members (and a Filter) in the body.
  { method: "POST", path: /^\/v2\/email\/list-identities$/, name: "ListEmailIdentities", reads: allIdentities, run: (r) => listIdentities(r) },
  { method: "POST", path: /^\/v2\/email\/identities$/, name: "CreateEmailIdentity", resource: (r) => arn(r, "identity", String(r.body.EmailIdentity ?? "")), run: (r) => createIdentity(r) },
  { method: "GET", path: /^\/v2\/email\/identities\/([^/]+)$/, name: "GetEmailIdentity", resource: identityArn, reads: namedIdentity, run: (r) => getIdentity(r) },
  { method: "DELETE", path: /^\/v2\/email\/identities\/([^/]+)$/, name: "DeleteEmailIdentity", resource: identityArn, run: (r) => deleteIdentity(r) },
  { method: "PUT", path: /^\/v2\/email\/identities\/([^/]+)\/configuration-set$/, name: "PutEmailIdentityConfigurationSetAttributes", resource: identityArn, run: (r) => putIdentitySet(r) },
  { method: "GET", path: /^\/v2\/email\/configuration-sets$/, name: "ListConfigurationSets", run: (r) => listSets(r) },
  { method: "POST", path: /^\/v2\/email\/list-configuration-sets$/, name: "ListConfigurationSets", run: (r) => listSets(r) },
  { method: "POST", path: /^\/v2\/email\/configuration-sets$/, name: "CreateConfigurationSet", resource: (r) => arn(r, "configuration-set", String(r.body.ConfigurationSetName ?? "")), run: (r) => createSet(r) },
  { method: "GET", path: /^\/v2\/email\/configuration-sets\/([^/]+)$/, name: "GetConfigurationSet", resource: setArn, run: (r) => setView(existingSet(r)) },
  { method: "DELETE", path: /^\/v2\/email\/configuration-sets\/([^/]+)$/, name: "DeleteConfigurationSet", resource: setArn, run: (r) => deleteSet(r) },
  { method: "PUT", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/tracking-options$/, name: "PutConfigurationSetTrackingOptions", resource: setArn, run: (r) => putOptions(r, "TrackingOptions") },
  { method: "PUT", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/delivery-options$/, name: "PutConfigurationSetDeliveryOptions", resource: setArn, run: (r) => putOptions(r, "DeliveryOptions") },
  { method: "PUT", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/reputation-options$/, name: "PutConfigurationSetReputationOptions", resource: setArn, run: (r) => putOptions(r, "ReputationOptions") },
  { method: "PUT", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/sending$/, name: "PutConfigurationSetSendingOptions", resource: setArn, run: (r) => putOptions(r, "SendingOptions") },
  { method: "PUT", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/suppression-options$/, name: "PutConfigurationSetSuppressionOptions", resource: setArn, run: (r) => putOptions(r, "SuppressionOptions") },
  { method: "GET", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations$/, name: "GetConfigurationSetEventDestinations", resource: setArn, run: (r) => ({ EventDestinations: [...existingSet(r).destinations.values()] }) },
  { method: "POST", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations$/, name: "CreateConfigurationSetEventDestination", resource: setArn, run: (r) => createDestination(r) },
  { method: "PUT", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations\/([^/]+)$/, name: "UpdateConfigurationSetEventDestination", resource: setArn, run: (r) => updateDestination(r) },
  { method: "DELETE", path: /^\/v2\/email\/configuration-sets\/([^/]+)\/event-destinations\/([^/]+)$/, name: "DeleteConfigurationSetEventDestination", resource: setArn, run: (r) => deleteDestination(r) },
  { method: "GET", path: /^\/v2\/email\/contact-lists$/, name: "ListContactLists", run: (r) => listContactLists(r) },
  { method: "GET", path: /^\/v2\/email\/templates$/, name: "ListEmailTemplates", run: (r) => listTemplates(r) },
  { method: "POST", path: /^\/v2\/email\/templates$/, name: "CreateEmailTemplate", resource: (r) => arn(r, "template", String(r.body.TemplateName ?? "")), run: (r) => createTemplate(r) },
  { method: "GET", path: /^\/v2\/email\/templates\/([^/]+)$/, name: "GetEmailTemplate", resource: templateArn, run: (r) => ({ TemplateName: existingTemplate(r).name, TemplateContent: existingTemplate(r).content }) },
  { method: "PUT", path: /^\/v2\/email\/templates\/([^/]+)$/, name: "UpdateEmailTemplate", resource: templateArn, run: (r) => ((existingTemplate(r).content = templateContent(r.body.TemplateContent)), {}) },
  { method: "DELETE", path: /^\/v2\/email\/templates\/([^/]+)$/, name: "DeleteEmailTemplate", resource: templateArn, run: (r) => (r.state.templates.delete(existingTemplate(r).name), {}) },
  { method: "GET", path: /^\/v2\/email\/suppression\/addresses$/, name: "ListSuppressedDestinations", run: (r) => listSuppressed(r.rt, r.state, r.query) },
  { method: "PUT", path: /^\/v2\/email\/suppression\/addresses$/, name: "PutSuppressedDestination", run: (r) => putSuppressed(r.rt, r.state, r.body) },
  { method: "GET", path: /^\/v2\/email\/suppression\/addresses\/([^/]+)$/, name: "GetSuppressedDestination", run: (r) => getSuppressed(r.rt, r.state, r.labels[0]!) },
  { method: "DELETE", path: /^\/v2\/email\/suppression\/addresses\/([^/]+)$/, name: "DeleteSuppressedDestination", run: (r) => deleteSuppressed(r.rt, r.state, r.labels[0]!) },
  { method: "POST", path: /^\/v2\/email\/outbound-emails$/, name: "SendEmail", run: (r) => sendEmail(r) },
];

/** The operation a request names, or UnknownOperationException. */
/** Every SES operation the stand-in serves, by its model name (the fault-injection route checks against it). */
export const SES_OPERATIONS: ReadonlySet<string> = new Set(ROUTES.map((r) => r.name));

export function sesRoute(method: string, rawPath: string): { route: SesRoute; labels: string[] } {
  for (const route of ROUTES) {
    const m = route.method === method ? route.path.exec(rawPath) : null;
    if (m) return { route, labels: m.slice(1).map((l) => decodeURIComponent(l)) };
  }
  throw new AwsFault("UnknownOperationException", 404, `The stand-in does not implement ${method} ${rawPath}.`);
}

export async function runSes(r: SesRequest, route: SesRoute): Promise<unknown> {
  authorize(r.call.caller, `ses:${route.name}`, route.resource?.(r) ?? "*");
  if (route.reads) await checkDkim(r.rt, route.reads(r));
  return route.run(r);
}

// ---- account ----

/** Recipients sent to in the last 24 hours (the quota counts recipients; the mailbox simulator is free). */
export const sentLast24Hours = (state: RegionState, now: number) =>
  state.sent.filter((m) => m.sentAt > now - DAY).reduce((n, m) => n + m.counted, state.externalSentLast24Hours ?? 0);
export const sendQuota = (state: RegionState) => (state.mode === "sandbox" ? { Max24HourSend: 200, MaxSendRate: 1 } : { Max24HourSend: 50000, MaxSendRate: 14 });

export function accountView(state: RegionState, now: number) {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    EnforcementStatus: state.enforcementStatus,
    ProductionAccessEnabled: state.mode === "production",
    SendQuota: { ...sendQuota(state), SentLast24Hours: sentLast24Hours(state, now) },
    SendingEnabled: state.sendingEnabled,
    SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    // A sandbox account that never asked for production access has no Details.
    Details: state.review
      ? { MailType: "TRANSACTIONAL", WebsiteURL: "https://example.com", ContactLanguage: "EN", UseCaseDescription: "Transactional mail of a SaaS product.", ReviewDetails: { Status: state.review.status, CaseId: state.review.caseId } }
      : undefined,
    VdmAttributes: { VdmEnabled: "DISABLED" },
  };
}

const account = (r: SesRequest) => accountView(r.state, r.rt.now());

// ---- identities ----

const DOMAIN = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/i;
const EMAIL = /^[^@\s"]{1,64}@[^@\s]+$/;

/** Paging members: query parameters (GET) or body members (the POST list operations); PageSize 0 means the default. */
function paging(r: SesRequest, max: number): { size: number; token: string | null; filter: Record<string, string> } {
  const raw = r.body.PageSize ?? r.query.get("PageSize") ?? 0;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 0 || size > max) throw bad(`PageSize must be between 0 and ${max}.`);
  return { size: size || 100, token: r.body.NextToken ?? r.query.get("NextToken"), filter: (r.body.Filter ?? {}) as Record<string, string> };
}
const badToken = () => bad("Invalid NextToken.");

function existingIdentity(r: SesRequest): Identity {
  const identity = r.state.identities.get(r.labels[0]!.toLowerCase());
  if (!identity) throw identityMissing(r.labels[0]!);
  return identity;
}

function existingSet(r: SesRequest, name = r.labels[0]!): ConfigurationSet {
  const set = r.state.configurationSets.get(name);
  if (!set) throw setMissing(name);
  return set;
}

function listIdentities(r: SesRequest) {
  const now = r.rt.now();
  const { size, token, filter } = paging(r, 1000);
  const contains = (filter.IDENTITY_NAME_CONTAINS ?? "").toLowerCase();
  const identities = [...r.state.identities.values()].filter(
    (i) => i.name.toLowerCase().includes(contains) && (!filter.IDENTITY_TYPE || i.type === filter.IDENTITY_TYPE) && (!filter.VERIFICATION_STATUS || identityStatus(i, now) === filter.VERIFICATION_STATUS),
  );
  const { page, next } = r.rt.tokens.page(identities, (i) => i.name.toLowerCase(), size, token, `identities:${JSON.stringify(filter)}`, badToken);
  return {
    EmailIdentities: page.map((i) => ({ IdentityType: i.type, IdentityName: i.name, SendingEnabled: true, VerificationStatus: identityStatus(i, now) })),
    NextToken: next,
  };
}

function dkimAttributes(i: Identity, now: number) {
  const status = identityStatus(i, now);
  if (i.type === "EMAIL_ADDRESS") return { SigningEnabled: false, Status: "NOT_STARTED", Tokens: [], SigningAttributesOrigin: "AWS_SES" };
  return {
    SigningEnabled: true,
    Status: status,
    Tokens: i.dkimTokens,
    SigningAttributesOrigin: "AWS_SES",
    NextSigningKeyLength: "RSA_2048_BIT",
    CurrentSigningKeyLength: "RSA_2048_BIT",
    LastKeyGenerationTimestamp: i.createdAt / 1000,
  };
}

export function identityView(i: Identity, now: number) {
  const status = identityStatus(i, now);
  return {
    IdentityType: i.type,
    FeedbackForwardingStatus: true,
    VerifiedForSendingStatus: status === "SUCCESS",
    DkimAttributes: dkimAttributes(i, now),
    MailFromAttributes: { BehaviorOnMxFailure: "USE_DEFAULT_VALUE" },
    Policies: {},
    Tags: i.tags,
    ConfigurationSetName: i.configurationSetName ?? undefined,
    VerificationStatus: status,
    VerificationInfo: verificationInfo(i, now),
  };
}

function tags(raw: unknown): Tag[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw) || raw.length > 50) throw bad("Tags must be a list of at most 50 {Key, Value}.");
  return raw.map((t) => {
    if (typeof t?.Key !== "string" || !t.Key || t.Key.length > 128 || (t.Value !== undefined && (typeof t.Value !== "string" || t.Value.length > 256))) throw bad("Each tag needs a Key (1-128 characters) and a Value (0-256 characters).");
    return { Key: t.Key, Value: t.Value ?? "" };
  });
}

function createIdentity(r: SesRequest) {
  const name = r.body.EmailIdentity;
  if (typeof name !== "string" || !name) throw bad("EmailIdentity is required.");
  if (name.includes("@") ? !EMAIL.test(name) : !DOMAIN.test(name)) throw bad(`Invalid email identity ${name}.`);
  if (r.state.identities.has(name.toLowerCase())) throw new AwsFault("AlreadyExistsException", 400, `Email identity ${name} already exist.`);
  if (r.body.ConfigurationSetName !== undefined) existingSet(r, String(r.body.ConfigurationSetName));
  const now = r.rt.now();
  const identity = newIdentity(name, now, now + r.rt.config.verificationDelaySeconds * 1000);
  identity.tags = tags(r.body.Tags);
  identity.configurationSetName = r.body.ConfigurationSetName ?? null;
  r.state.identities.set(name.toLowerCase(), identity);
  startVerification(r.rt, r.state, identity, r.call.endpoint);
  return { IdentityType: identity.type, VerifiedForSendingStatus: false, DkimAttributes: dkimAttributes(identity, now) };
}

const getIdentity = (r: SesRequest) => identityView(existingIdentity(r), r.rt.now());

function deleteIdentity(r: SesRequest) {
  existingIdentity(r);
  r.state.identities.delete(r.labels[0]!.toLowerCase());
  return {};
}

function putIdentitySet(r: SesRequest) {
  const identity = existingIdentity(r);
  const name = r.body.ConfigurationSetName;
  if (name !== undefined) existingSet(r, String(name));
  identity.configurationSetName = name ?? null;
  return {};
}

// ---- configuration sets ----

const SET_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function listSets(r: SesRequest) {
  const { size, token, filter } = paging(r, 1000);
  const names = [...r.state.configurationSets.keys()].filter((n) => n.includes(filter.CONFIGURATION_SET_NAME_CONTAINS ?? ""));
  const { page, next } = r.rt.tokens.page(names, (n) => n, size, token, `configuration-sets:${JSON.stringify(filter)}`, badToken);
  return { ConfigurationSets: page, NextToken: next };
}

function oneOf(value: unknown, allowed: readonly string[], member: string) {
  if (value !== undefined && !allowed.includes(value as string)) throw bad(`Invalid ${member}: ${String(value)}. Valid values: ${allowed.join(", ")}.`);
}

/** Checks an option block (CreateConfigurationSet member or Put…Options body) and returns what GetConfigurationSet shows. */
function option(kind: string, input: Record<string, any>): Record<string, unknown> | null {
  switch (kind) {
    case "TrackingOptions":
      if (input.CustomRedirectDomain === undefined) return null;
      if (typeof input.CustomRedirectDomain !== "string" || !DOMAIN.test(input.CustomRedirectDomain)) throw bad(`Invalid CustomRedirectDomain: ${String(input.CustomRedirectDomain)}.`);
      oneOf(input.HttpsPolicy, ["REQUIRE", "REQUIRE_OPEN_ONLY", "OPTIONAL"], "HttpsPolicy");
      return { CustomRedirectDomain: input.CustomRedirectDomain, HttpsPolicy: input.HttpsPolicy ?? "OPTIONAL" };
    case "DeliveryOptions": {
      oneOf(input.TlsPolicy, ["REQUIRE", "OPTIONAL"], "TlsPolicy");
      const max = input.MaxDeliverySeconds;
      if (max !== undefined && (!Number.isInteger(max) || max < 300 || max > 50400)) throw bad("MaxDeliverySeconds must be between 300 and 50400.");
      return { TlsPolicy: input.TlsPolicy ?? "OPTIONAL", SendingPoolName: input.SendingPoolName, MaxDeliverySeconds: max };
    }
    case "ReputationOptions":
      return { ReputationMetricsEnabled: input.ReputationMetricsEnabled === true, LastFreshStart: input.LastFreshStart };
    case "SendingOptions":
      return { SendingEnabled: input.SendingEnabled === true };
    case "SuppressionOptions": {
      if (input.SuppressedReasons === undefined && input.ValidationOptions === undefined) return null;
      const out: Record<string, unknown> = {};
      if (input.SuppressedReasons !== undefined) {
        if (!Array.isArray(input.SuppressedReasons)) throw bad("SuppressedReasons must be a list.");
        for (const reason of input.SuppressedReasons) oneOf(reason, REASONS, "SuppressedReasons");
        out.SuppressedReasons = [...new Set(input.SuppressedReasons as string[])];
      }
      if (input.ValidationOptions !== undefined) out.ValidationOptions = validationOptions(input.ValidationOptions);
      return out;
    }
    default:
      return input;
  }
}

/** Auto Validation (SuppressionValidationOptions): ConditionThreshold is required, its confidence threshold optional. */
function validationOptions(raw: unknown): Record<string, unknown> {
  const threshold = (raw as { ConditionThreshold?: Record<string, any> } | null)?.ConditionThreshold;
  if (!threshold || typeof threshold !== "object") throw bad("ValidationOptions.ConditionThreshold is required.");
  if (threshold.ConditionThresholdEnabled === undefined) throw bad("ConditionThreshold.ConditionThresholdEnabled is required.");
  oneOf(threshold.ConditionThresholdEnabled, ["ENABLED", "DISABLED"], "ConditionThresholdEnabled");
  const overall = threshold.OverallConfidenceThreshold as Record<string, unknown> | undefined;
  if (overall === undefined) return { ConditionThreshold: { ConditionThresholdEnabled: threshold.ConditionThresholdEnabled } };
  if (!overall || typeof overall !== "object" || overall.ConfidenceVerdictThreshold === undefined) throw bad("OverallConfidenceThreshold.ConfidenceVerdictThreshold is required.");
  oneOf(overall.ConfidenceVerdictThreshold, ["MEDIUM", "HIGH", "MANAGED"], "ConfidenceVerdictThreshold");
  return { ConditionThreshold: { ConditionThresholdEnabled: threshold.ConditionThresholdEnabled, OverallConfidenceThreshold: { ConfidenceVerdictThreshold: overall.ConfidenceVerdictThreshold } } };
}

const OPTION_KINDS = ["TrackingOptions", "DeliveryOptions", "ReputationOptions", "SendingOptions", "SuppressionOptions", "VdmOptions", "ArchivingOptions"];

/** Creates a configuration set from CreateConfigurationSet's body (also what CloudFormation's AWS::SES::ConfigurationSet does). */
export function createConfigurationSet(state: RegionState, body: Record<string, any>, now: number): ConfigurationSet {
  const name = body.ConfigurationSetName;
  if (typeof name !== "string" || !SET_NAME.test(name)) throw bad(`Invalid configuration set name ${String(name)}: 1-64 characters, only letters, numbers, underscores and dashes.`);
  if (state.configurationSets.has(name)) throw new AwsFault("AlreadyExistsException", 400, `Configuration set ${name} already exists.`);
  const set = newConfigurationSet(name, now);
  for (const kind of OPTION_KINDS) {
    if (body[kind] === undefined) continue;
    if (typeof body[kind] !== "object" || body[kind] === null) throw bad(`${kind} must be an object.`);
    const value = option(kind, body[kind]);
    if (value) set.options[kind] = value;
  }
  set.tags = tags(body.Tags);
  state.configurationSets.set(name, set);
  return set;
}

const createSet = (r: SesRequest) => (createConfigurationSet(r.state, r.body, r.rt.now()), {});

export function setView(set: ConfigurationSet) {
  const o = set.options;
  return {
    ConfigurationSetName: set.name,
    TrackingOptions: o.TrackingOptions,
    DeliveryOptions: o.DeliveryOptions ?? { TlsPolicy: "OPTIONAL" },
    ReputationOptions: o.ReputationOptions ?? { ReputationMetricsEnabled: false },
    SendingOptions: o.SendingOptions ?? { SendingEnabled: true },
    Tags: set.tags,
    SuppressionOptions: o.SuppressionOptions,
    VdmOptions: o.VdmOptions,
    ArchivingOptions: o.ArchivingOptions,
  };
}

export function deleteConfigurationSet(state: RegionState, name: string) {
  if (!state.configurationSets.delete(name)) throw setMissing(name);
  for (const identity of state.identities.values()) if (identity.configurationSetName === name) identity.configurationSetName = null;
}

const deleteSet = (r: SesRequest) => (deleteConfigurationSet(r.state, r.labels[0]!), {});

function putOptions(r: SesRequest, kind: string) {
  const set = existingSet(r);
  // A reputation update keeps LastFreshStart, which only SES sets.
  const input = kind === "ReputationOptions" ? { ...r.body, LastFreshStart: set.options.ReputationOptions?.LastFreshStart } : r.body;
  const value = option(kind, input);
  if (value) set.options[kind] = value;
  else delete set.options[kind];
  return {};
}

// ---- event destinations ----

const DESTINATION_TYPES = ["KinesisFirehoseDestination", "CloudWatchDestination", "SnsDestination", "EventBridgeDestination", "PinpointDestination"] as const;

/** Checks an EventDestinationDefinition: event types, exactly one destination, EventBridge only on the default bus. */
export function eventDestination(state: RegionState, name: unknown, input: Record<string, any> | undefined): EventDestination {
  if (typeof name !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw bad(`Invalid event destination name ${String(name)}.`);
  if (!input || typeof input !== "object") throw bad("EventDestination is required.");
  const types = input.MatchingEventTypes;
  if (!Array.isArray(types) || !types.length) throw bad("MatchingEventTypes must name at least one event type.");
  for (const t of types) oneOf(t, ALL_EVENT_TYPES, "MatchingEventTypes");
  const given = DESTINATION_TYPES.filter((d) => input[d] !== undefined);
  if (given.length !== 1) throw bad(`An event destination needs exactly one destination type (${DESTINATION_TYPES.join(", ")}); got ${given.length}.`);
  const destination: EventDestination = { Name: name, Enabled: input.Enabled === true, MatchingEventTypes: [...new Set(types as string[])] };
  if (given[0] === "EventBridgeDestination") {
    const bus = input.EventBridgeDestination?.EventBusArn;
    if (bus !== defaultBusArn(state.account, state.region)) throw bad(`Invalid EventBusArn ${String(bus)}: SES publishes only to the default event bus of this account and region (${defaultBusArn(state.account, state.region)}).`);
    destination.EventBridgeDestination = { EventBusArn: bus };
  } else destination[given[0]!] = input[given[0]!];
  return destination;
}

export function addEventDestination(state: RegionState, setName: string, destination: EventDestination) {
  const set = state.configurationSets.get(setName);
  if (!set) throw setMissing(setName);
  if (set.destinations.has(destination.Name)) throw new AwsFault("AlreadyExistsException", 400, `Event destination ${destination.Name} already exists.`);
  if (set.destinations.size >= 10) throw new AwsFault("LimitExceededException", 400, "A configuration set can have at most 10 event destinations.");
  set.destinations.set(destination.Name, destination);
}

function createDestination(r: SesRequest) {
  existingSet(r);
  addEventDestination(r.state, r.labels[0]!, eventDestination(r.state, r.body.EventDestinationName, r.body.EventDestination));
  return {};
}

function existingDestination(r: SesRequest) {
  const set = existingSet(r);
  if (!set.destinations.has(r.labels[1]!)) throw notFound(`Event destination ${r.labels[1]} does not exist.`);
  return set;
}

function updateDestination(r: SesRequest) {
  existingDestination(r).destinations.set(r.labels[1]!, eventDestination(r.state, r.labels[1], r.body.EventDestination));
  return {};
}

function deleteDestination(r: SesRequest) {
  existingDestination(r).destinations.delete(r.labels[1]!);
  return {};
}

// ---- contact lists ----

function listContactLists(r: SesRequest) {
  const { size, token } = paging(r, 1000);
  const { page, next } = r.rt.tokens.page([...r.state.contactLists.values()], (c) => c.name, size, token, "contact-lists", badToken);
  return { ContactLists: page.map((c) => ({ ContactListName: c.name, LastUpdatedTimestamp: c.updatedAt / 1000 })), NextToken: next };
}

// ---- templates ----

function existingTemplate(r: SesRequest) {
  const template = r.state.templates.get(r.labels[0]!);
  if (!template) throw notFound(`Template ${r.labels[0]} does not exist.`);
  return template;
}

function templateContent(raw: unknown) {
  const c = raw as { Subject?: unknown; Text?: unknown; Html?: unknown } | undefined;
  if (!c || typeof c !== "object") throw bad("TemplateContent is required.");
  if ((c.Text === undefined && c.Html === undefined) || [c.Subject, c.Text, c.Html].some((v) => v !== undefined && typeof v !== "string")) throw bad("TemplateContent needs Text or Html (strings).");
  if (Buffer.byteLength(`${c.Subject ?? ""}${c.Text ?? ""}${c.Html ?? ""}`) > 500 * 1024) throw bad("The template exceeds the maximum size of 500 KB.");
  return { Subject: c.Subject as string | undefined, Text: c.Text as string | undefined, Html: c.Html as string | undefined };
}

function createTemplate(r: SesRequest) {
  const name = r.body.TemplateName;
  if (typeof name !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw bad(`Invalid template name ${String(name)}.`);
  if (r.state.templates.has(name)) throw new AwsFault("AlreadyExistsException", 400, `Template ${name} already exists.`);
  r.state.templates.set(name, { name, content: templateContent(r.body.TemplateContent), createdAt: r.rt.now() });
  return {};
}

function listTemplates(r: SesRequest) {
  const { size, token } = paging(r, 100);
  const { page, next } = r.rt.tokens.page([...r.state.templates.values()], (t) => t.name, size, token, "templates", badToken);
  return { TemplatesMetadata: page.map((t) => ({ TemplateName: t.name, CreatedTimestamp: t.createdAt / 1000 })), NextToken: next };
}
