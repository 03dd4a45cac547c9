/**
 * What the Setup Guide, the AWS status badge and Settings → AWS Connection show (docs/aws.md). The
 * dashboard imports these types; the services in this folder produce them.
 */
import type { AwsRegion } from "../../aws/regions";
import type { ChannelPurpose } from "../../db/schema";

/** The Setup Guide's four phases, in order (getting-started__creating-your-account.md). */
export const SETUP_PHASES = ["aws", "validation", "identities", "test_send"] as const;
export type SetupPhase = (typeof SETUP_PHASES)[number];

export interface SetupProgressView {
  phases: { id: SetupPhase; completedAt: number | null }[];
  /** Phases completed, 0–4. */
  completed: number;
  done: boolean;
  /** Where the guide opens: the phase the user last worked in, else the first one not completed. */
  currentPhase: SetupPhase;
}

/** The seven states of the AWS status badge (troubleshooting__connection-issues.md). */
export const AWS_BADGE_STATES = ["not_connected", "connecting", "validating", "error", "update_available", "sandbox", "connected"] as const;
export type AwsBadgeState = (typeof AWS_BADGE_STATES)[number];

/** The SES account as the last account sync (or validation) read it. */
export interface SesAccountStatus {
  mode: "sandbox" | "production";
  sendingEnabled: boolean;
  /** HEALTHY | PROBATION | SHUTDOWN (SES `EnforcementStatus`), null when SES did not say. */
  enforcementStatus: string | null;
  /** Production-access review: PENDING | GRANTED | DENIED | FAILED, null when none was requested. */
  reviewStatus: string | null;
  /** -1 = unlimited (SES's convention). */
  quota: { max24HourSend: number; maxSendRate: number; sentLast24Hours: number } | null;
}

export interface AwsAccountSyncView {
  running: boolean;
  lastSyncedAt: number | null;
  /** The last sync's failure (AWS error name + explanation); null after a successful one. */
  lastError: { code: string; message: string; at: number } | null;
  account: SesAccountStatus | null;
}

/** The AWS status badge in the sidebar header and its popover. */
export interface AwsStatusView {
  state: AwsBadgeState;
  region: AwsRegion | null;
  awsAccountId: string | null;
  mode: SesAccountStatus["mode"] | null;
  quota: SesAccountStatus["quota"];
  lastValidatedAt: number | null;
  /** Set when `state` is `update_available`: the console link that updates the stack. */
  stackUpdateUrl: string | null;
}

/** The eleven checks of Connection Validation, in the order the page lists them. */
export const VALIDATION_CHECK_IDS = [
  "configuration_set",
  "event_rule",
  "webhook_target",
  "channel_management",
  "channel_settings",
  "email_templates",
  "contact_lists",
  "ses_enabled",
  "account_status",
  "sending_limits",
  "verified_identities",
] as const;
export type ValidationCheckId = (typeof VALIDATION_CHECK_IDS)[number];

export interface ValidationCheckView {
  id: ValidationCheckId;
  label: string;
  /** `warn`: passed with a warning (sandbox). `pending`: not run yet (the job is still going). */
  status: "pass" | "warn" | "fail" | "pending";
  /** What was found, e.g. "Configuration set sendops-events found" or the documented failure message. */
  message: string;
  /** How to fix a failure (from troubleshooting__connection-issues.md); null when passed. */
  fix: string | null;
}

export interface ValidationRunView {
  id: string;
  status: "queued" | "running" | "passed" | "failed";
  checks: ValidationCheckView[];
  requestedBy: string | null;
  createdAt: number;
  finishedAt: number | null;
  stack: {
    /** From the EventBridge rule's description; null when the rule was not found. */
    deployedVersion: number | null;
    currentVersion: number;
    /** True when a permission probe failed and the deployed template is older than the current one. */
    updateAvailable: boolean;
    /** What the newer template adds, e.g. ["ses:ListContactLists"]. */
    missingActions: string[];
    updateUrl: string;
  };
}

/** Phase 1: everything the AWS Integration step shows for one region. */
export interface AwsIntegrationView {
  region: AwsRegion;
  sendOpsAccountId: string | null;
  externalId: string;
  webhookUrl: string;
  /** First characters of the ingest key that the template carries as `WebhookApiKey`. */
  webhookKeyPrefix: string;
  stackName: string;
  templateVersion: number;
  /** The AWS console's quick-create page with the template URL and all four parameters filled in. */
  launchUrl: string;
  /** Where the console finds the template (the operator's copy, or this deployment's public route). */
  templateUrl: string;
  /** The console page of the stack, to check its status. */
  stackConsoleUrl: string;
  /** The role in the IAM console once the Role ARN is known (saved connection), else null. */
  roleConsoleUrl: string | null;
  createStackCommand: string;
  assistantPrompt: string;
  manual: { cloudformation: string; terraform: string };
  permissions: { category: string; actions: { action: string; why: string }[] }[];
  neverAccessed: string[];
}

export interface SetupIdentityView {
  id: string;
  identity: string;
  kind: "domain" | "email";
  verificationStatus: string;
  sendingEnabled: boolean | null;
  /** `new`: found by a sync in the last days; `detached`: no longer in SES (events still counted until archived). */
  state: "new" | "active" | "detached";
  /** Managed identities' events are ingested; unmanaged (disconnected) ones are dropped until Connect. */
  managed: boolean;
  origin: "sendops" | "ses";
  lastSyncedAt: number | null;
}

export interface SetupConfigurationSetView {
  name: string;
  /** The channel it maps to; null for the stack's base set `sendops-events`, which is not a channel. */
  channelId: string | null;
  channelName: string | null;
  /** The channel's purpose (a discovered set is `custom` until someone says otherwise). */
  purpose: ChannelPurpose;
  /** The workspace's default channel: identities without a channel use its set. */
  isDefault: boolean;
  /** `discovered`: found in SES by a sync; `sendops`: created by SendOps. */
  origin: "sendops" | "discovered" | null;
  detached: boolean;
}

export interface SetupIdentitiesView {
  identities: SetupIdentityView[];
  configurationSets: SetupConfigurationSetView[];
  sync: AwsAccountSyncView;
}

export interface TestSendView {
  id: string;
  from: string;
  to: string;
  /**
   * `sending`: SendEmail not answered yet; `sent`: SES accepted it, waiting for its events to come back
   * through ingest; `delivered`: the Delivery event arrived ("Email delivered and confirmed");
   * `bounced` / `complained` / `rejected` / `delayed`: that event arrived instead; `failed`: SES refused.
   */
  status: "sending" | "sent" | "delivered" | "bounced" | "complained" | "rejected" | "delayed" | "failed";
  sesMessageId: string | null;
  error: { code: string; message: string } | null;
  createdAt: number;
  /** When the confirming event happened (its SES timestamp). */
  confirmedAt: number | null;
}

/** Phase 4's form: who the test can come from, and what sandbox allows. */
export interface TestSendOptionsView {
  /** Verified identities of the workspace; a domain is sent from `sendops-test@<domain>`. */
  fromAddresses: string[];
  sandbox: boolean;
  /** Verified addresses and domains a sandbox account may send to (plus the SES mailbox simulator). */
  verifiedRecipients: string[];
  lastTest: TestSendView | null;
}
