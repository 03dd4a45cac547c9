/**
 * What the stand-in's AWS accounts hold. IAM roles belong to an account; everything else (the SES
 * account status, identities, configuration sets, contact lists, the suppression list, EventBridge
 * rules/connections/API destinations, CloudFormation stacks, the mail sent) to an account + region.
 * Each account + region starts as its `SimAccount` seed says (a plain production account otherwise)
 * the first time something reads it.
 */
import { randomBytes } from "node:crypto";
import { defaultRoleActions, type AwsSimConfig, type SimAccount, type SimRole, type VerificationStatus } from "./config";

export interface Tag {
  Key: string;
  Value: string;
}

/** What SES last found when it looked up a domain's Easy DKIM records (sim/aws/verification.ts). */
export interface DkimCheck {
  /** The status the last look-up left (PENDING, SUCCESS or TEMPORARY_FAILURE); FAILED follows from time. */
  status: VerificationStatus;
  /** When `status` began (epoch ms): TEMPORARY_FAILURE turns FAILED 72 hours after it. */
  since: number;
  lastCheckedAt: number | null;
  lastSuccessAt: number | null;
  /** VerificationInfo.ErrorType of the last look-up that did not find all three records. */
  errorType: string | null;
}

export interface Identity {
  name: string;
  type: "DOMAIN" | "EMAIL_ADDRESS";
  createdAt: number;
  /**
   * How its status is decided: `time` (seeded, set by the control API, or a domain while no DNS resolver
   * is configured) reads PENDING until `pendingUntil`, then `settled`; `dns` follows the Easy DKIM records
   * in DNS (`dkim`); `link` is an address waiting for its verification mail's link (`verifiedAt`).
   */
  verifiedBy: "time" | "dns" | "link";
  pendingUntil: number;
  settled: VerificationStatus;
  dkim: DkimCheck | null;
  /** The verification mail's link token and when the link was followed (email addresses). */
  verificationToken: string | null;
  verifiedAt: number | null;
  /** Easy DKIM tokens (domains only). */
  dkimTokens: string[];
  configurationSetName: string | null;
  tags: Tag[];
}

const HOUR = 3_600_000;
/** SES gives up on DKIM records it cannot find after 72 hours, and on an unclicked verification mail after 24. */
export const DKIM_GIVE_UP_MS = 72 * HOUR;
export const EMAIL_LINK_VALID_MS = 24 * HOUR;

export function identityStatus(i: Identity, now: number): VerificationStatus {
  if (i.verifiedBy === "link") return i.verifiedAt !== null ? "SUCCESS" : now - i.createdAt >= EMAIL_LINK_VALID_MS ? "FAILED" : "PENDING";
  if (i.verifiedBy === "dns") {
    const { status, since } = i.dkim!;
    if (status === "PENDING" && now - i.createdAt >= DKIM_GIVE_UP_MS) return "FAILED";
    if (status === "TEMPORARY_FAILURE" && now - since >= DKIM_GIVE_UP_MS) return "FAILED";
    return status;
  }
  return now < i.pendingUntil ? "PENDING" : i.settled;
}

export interface EventDestination {
  Name: string;
  Enabled: boolean;
  MatchingEventTypes: string[];
  EventBridgeDestination?: { EventBusArn: string };
  KinesisFirehoseDestination?: Record<string, unknown>;
  CloudWatchDestination?: Record<string, unknown>;
  SnsDestination?: Record<string, unknown>;
  PinpointDestination?: Record<string, unknown>;
}

export interface ConfigurationSet {
  name: string;
  createdAt: number;
  /** The option blocks as GetConfigurationSet returns them (TrackingOptions, DeliveryOptions, …). */
  options: Record<string, Record<string, unknown>>;
  tags: Tag[];
  destinations: Map<string, EventDestination>;
}

export interface EmailTemplate {
  name: string;
  content: { Subject?: string; Text?: string; Html?: string };
  createdAt: number;
}

export interface Target {
  Id: string;
  Arn: string;
  [member: string]: unknown;
}

export interface Rule {
  name: string;
  arn: string;
  eventPattern: string | null;
  scheduleExpression: string | null;
  state: "ENABLED" | "DISABLED";
  description: string | null;
  roleArn: string | null;
  targets: Target[];
}

export interface Connection {
  name: string;
  arn: string;
  description: string | null;
  authorizationType: "API_KEY" | "BASIC";
  /** The header the key goes in (API_KEY) and its value; for BASIC the user and password. */
  apiKey: { name: string; value: string } | null;
  basic: { username: string; password: string } | null;
  headerParameters: { Key: string; Value: string }[];
  createdAt: number;
  modifiedAt: number;
}

export interface ApiDestination {
  name: string;
  arn: string;
  description: string | null;
  connectionArn: string;
  invocationEndpoint: string;
  httpMethod: string;
  rateLimit: number;
  createdAt: number;
  modifiedAt: number;
}

export interface SentMail {
  messageId: string;
  account: string;
  region: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string | null;
  html: string | null;
  configurationSet: string | null;
  /** Epoch ms. */
  sentAt: number;
  /** Recipients counted against the quota (mailbox-simulator addresses are not). */
  counted: number;
}

export interface Delivery {
  eventId: string;
  /** The envelope as it was sent (tests whose Worker has no listening port forward it themselves). */
  event: Record<string, unknown>;
  detailType: string;
  rule: string;
  target: string;
  endpoint: string;
  attempts: number;
  /** The last HTTP status, or the network error. */
  outcome: string;
  at: number;
}

export interface SuppressionEntry {
  reason: "BOUNCE" | "COMPLAINT";
  /** Epoch ms. */
  lastUpdateTime: number;
}

export interface StackResource {
  logicalId: string;
  type: string;
  physicalId: string;
  status: string;
  reason: string | null;
  at: number;
  /** Deletes what the resource created (null once deleted, or when it was never created). */
  undo: (() => void) | null;
}

export interface StackEvent {
  eventId: string;
  logicalId: string;
  physicalId: string;
  type: string;
  status: string;
  reason: string | null;
  at: number;
}

/** A resource's drift as the control API set it (what changing it outside CloudFormation would leave). */
export type ResourceDrift = "MODIFIED" | "DELETED";

/** One DetectStackDrift run: its outcome, fixed when it ran (the stand-in detects at once). */
export interface DriftDetection {
  id: string;
  stackId: string;
  status: "DETECTION_COMPLETE" | "DETECTION_FAILED";
  reason: string | null;
  stackDriftStatus: "DRIFTED" | "IN_SYNC";
  at: number;
  /** The resources checked (a resource the caller may not read is not checked). */
  resources: { logicalId: string; physicalId: string; type: string; status: ResourceDrift | "IN_SYNC" }[];
}

export interface Stack {
  id: string;
  name: string;
  status: string;
  reason: string | null;
  description: string | null;
  templateBody: string;
  parameters: { key: string; value: string; noEcho: boolean }[];
  capabilities: string[];
  outputs: { key: string; value: string; description: string | null }[];
  resources: StackResource[];
  events: StackEvent[];
  createdAt: number;
  updatedAt: number | null;
  deletedAt: number | null;
  /** Resources changed outside the stack, by logical id (set through the control API; an update re-deploys them in sync). */
  drift: Map<string, ResourceDrift>;
  /** The latest drift detection (DescribeStackResourceDrifts answers from it), or null before the first. */
  lastDriftDetection: DriftDetection | null;
}

export interface RegionState {
  account: string;
  region: string;
  mode: "sandbox" | "production";
  /**
   * Recipients the account sent in the last 24 hours outside the stand-in (the customer's own
   * applications), set through the control API; SentLast24Hours adds them to the stand-in's own sends.
   */
  externalSentLast24Hours?: number;
  review: { status: "PENDING" | "GRANTED" | "DENIED" | "FAILED"; caseId: string } | null;
  enforcementStatus: "HEALTHY" | "PROBATION" | "SHUTDOWN";
  sendingEnabled: boolean;
  identities: Map<string, Identity>;
  configurationSets: Map<string, ConfigurationSet>;
  contactLists: Map<string, { name: string; updatedAt: number }>;
  templates: Map<string, EmailTemplate>;
  suppressions: Map<string, SuppressionEntry> | null;
  rules: Map<string, Rule>;
  connections: Map<string, Connection>;
  apiDestinations: Map<string, ApiDestination>;
  /** By stack id; deleted stacks stay (DescribeStacks by id still finds them). */
  stacks: Map<string, Stack>;
  /** DetectStackDrift runs by StackDriftDetectionId. */
  driftDetections: Map<string, DriftDetection>;
  sent: SentMail[];
  deliveries: Delivery[];
}

export interface Role {
  arn: string;
  name: string;
  account: string;
  /** AWS principals (account ids) the trust policy names; empty when it trusts a service only. */
  trustedAccounts: string[];
  trustedServices: string[];
  /** The sts:ExternalId condition; "bind-first" for a configured role without one. */
  externalId: string | null | "bind-first";
  allowedActions: string[];
  /** The stack that created it; null for roles from the configuration or the control API. */
  stackId: string | null;
  createdAt: number;
}

export const accountOfRole = (arn: string) => /^arn:aws:iam::(\d{12}):role\//.exec(arn)?.[1] ?? null;
export const roleNameOf = (arn: string) => arn.slice(arn.indexOf(":role/") + 6).split("/").pop()!;

export function roleFromConfig(r: SimRole, now: number): Role {
  return {
    arn: r.arn,
    name: roleNameOf(r.arn),
    account: accountOfRole(r.arn) ?? "",
    trustedAccounts: [r.trustedAccount],
    trustedServices: [],
    externalId: r.externalId ?? "bind-first",
    allowedActions: r.allowedActions ?? defaultRoleActions(),
    stackId: null,
    createdAt: now,
  };
}

const DKIM_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const dkimToken = () => [...randomBytes(32)].map((b) => DKIM_ALPHABET[b % 32]).join("");

/** An identity whose status is decided by time (seeds, the control API); verification.ts switches it to DNS or the link. */
export function newIdentity(name: string, now: number, pendingUntil: number, settled: VerificationStatus = "SUCCESS"): Identity {
  const type = name.includes("@") ? "EMAIL_ADDRESS" : "DOMAIN";
  return {
    name,
    type,
    createdAt: now,
    verifiedBy: "time",
    pendingUntil,
    settled,
    dkim: null,
    verificationToken: null,
    verifiedAt: null,
    dkimTokens: type === "DOMAIN" ? [dkimToken(), dkimToken(), dkimToken()] : [],
    configurationSetName: null,
    tags: [],
  };
}

export function newConfigurationSet(name: string, now: number): ConfigurationSet {
  return { name, createdAt: now, options: {}, tags: [], destinations: new Map() };
}

export const ALL_EVENT_TYPES = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK", "RENDERING_FAILURE", "DELIVERY_DELAY", "SUBSCRIPTION"];
export const defaultBusArn = (account: string, region: string) => `arn:aws:events:${region}:${account}:event-bus/default`;

export class World {
  readonly roles = new Map<string, Role>();
  private readonly regions = new Map<string, RegionState>();

  constructor(
    private readonly config: AwsSimConfig,
    private readonly now: () => number,
    /** Deploys the SendOps stack into a freshly seeded region (the CloudFormation engine; set by the server). */
    private readonly deploySendopsStack: (state: RegionState, stack: NonNullable<SimAccount["sendopsStack"]>) => void,
  ) {
    for (const r of config.roles) this.roles.set(r.arn, roleFromConfig(r, now()));
  }

  /** Every account + region that has been used so far. */
  all(): RegionState[] {
    return [...this.regions.values()];
  }

  region(account: string, region: string): RegionState {
    const key = `${account}:${region}`;
    let state = this.regions.get(key);
    if (state) return state;
    const seed = this.config.accounts.find((a) => a.account === account && a.region === region) ?? this.config.accounts.find((a) => a.account === account && a.region === "*");
    const now = this.now();
    state = {
      account,
      region,
      mode: seed?.mode ?? "production",
      review: seed?.mode === "sandbox" ? null : { status: "GRANTED", caseId: String(1_000_000_000 + (Number(account.slice(-6)) % 1_000_000_000)) },
      enforcementStatus: "HEALTHY",
      sendingEnabled: true,
      identities: new Map(),
      configurationSets: new Map(),
      contactLists: new Map(),
      templates: new Map(),
      suppressions: null,
      rules: new Map(),
      connections: new Map(),
      apiDestinations: new Map(),
      stacks: new Map(),
      driftDetections: new Map(),
      sent: [],
      deliveries: [],
    };
    this.regions.set(key, state);
    for (const i of seed?.identities ?? []) {
      const identity = newIdentity(i.identity, now, now, i.status ?? "SUCCESS");
      identity.configurationSetName = i.configurationSetName ?? null;
      state.identities.set(i.identity.toLowerCase(), identity);
    }
    for (const c of seed?.configurationSets ?? []) {
      const set = newConfigurationSet(c.name, now);
      if (c.eventBridge) set.destinations.set("sendops-eventbridge", { Name: "sendops-eventbridge", Enabled: true, MatchingEventTypes: [...ALL_EVENT_TYPES], EventBridgeDestination: { EventBusArn: defaultBusArn(account, region) } });
      state.configurationSets.set(c.name, set);
    }
    if (seed?.sendopsStack) this.deploySendopsStack(state, seed.sendopsStack);
    return state;
  }
}
