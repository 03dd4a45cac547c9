/**
 * Channel facts (product docs channels__*.md), in one place for the schema's JSON, the services that
 * push settings to SES, the demo seed and the dashboard: the setting choices, what each purpose
 * pre-fills, the four default channels, and how a channel's name becomes its configuration set's.
 */
import { z } from "zod";
import type { ChannelPurpose } from "../db/schema";

export const CHANNEL_PURPOSE_LABELS: Record<ChannelPurpose, string> = {
  default: "Default",
  transactional: "Transactional",
  marketing: "Marketing",
  onboarding: "Onboarding",
  custom: "Custom",
};

/** The longest channel name (its slug is cut to fit the configuration set name anyway). */
export const CHANNEL_NAME_MAX = 100;

/** SES `DeliveryOptions.MaxDeliverySeconds` choices (SES accepts 300..50400). */
export const MAX_DELIVERY_OPTIONS = [
  { seconds: 300, label: "5 minutes" },
  { seconds: 1800, label: "30 minutes" },
  { seconds: 3600, label: "1 hour" },
  { seconds: 50400, label: "14 hours" },
] as const;
export type MaxDeliverySeconds = (typeof MAX_DELIVERY_OPTIONS)[number]["seconds"];
export const DEFAULT_MAX_DELIVERY_SECONDS: MaxDeliverySeconds = 50400;

export const TLS_POLICIES = ["REQUIRE", "OPTIONAL"] as const;
export const TLS_POLICY_LABELS: Record<(typeof TLS_POLICIES)[number], string> = { REQUIRE: "Require", OPTIONAL: "Optional" };

/**
 * Auto validation → SES `SuppressionOptions.ValidationOptions.ConditionThreshold`: `off` is
 * `ConditionThresholdEnabled: DISABLED`; the others are ENABLED with that `ConfidenceVerdictThreshold`.
 */
export const AUTO_VALIDATION_LEVELS = ["managed", "high", "medium", "off"] as const;
export type AutoValidation = (typeof AUTO_VALIDATION_LEVELS)[number];
export const AUTO_VALIDATION_LABELS: Record<AutoValidation, string> = { managed: "SES Managed", high: "High", medium: "Medium", off: "Off" };
export const AUTO_VALIDATION_THRESHOLDS: Record<Exclude<AutoValidation, "off">, "MANAGED" | "HIGH" | "MEDIUM"> = { managed: "MANAGED", high: "HIGH", medium: "MEDIUM" };

/** AWS list prices the settings' cost notes quote. */
export const AUTO_VALIDATION_COST_NOTE = "Auto validation incurs an AWS charge of approximately $0.01 per 1,000 emails validated.";
/** What the auto-pause setting does, shown beside it. */
export const AUTO_PAUSE_NOTE =
  "When this channel's bounce or complaint rate passes its critical alert level over the minimum volume, SendOps disables sending on its configuration set in SES and notifies the workspace. Sending stays off until someone turns it back on.";
export const TRACKING_COST_NOTE = "Tracking incurs an AWS charge of approximately $0.0001 per event.";

export const SUPPRESSION_REASONS = ["BOUNCE", "COMPLAINT"] as const;

/**
 * A channel's settings, as saved in `channels.settings_json` and pushed to its configuration set.
 * `suppressedReasons` null: no override (the account-level suppression list applies).
 */
export const channelSettingsSchema = z.object({
  sendingEnabled: z.boolean(),
  tlsPolicy: z.enum(TLS_POLICIES),
  maxDeliverySeconds: z.literal(MAX_DELIVERY_OPTIONS.map((o) => o.seconds) as [MaxDeliverySeconds, ...MaxDeliverySeconds[]]),
  autoValidation: z.enum(AUTO_VALIDATION_LEVELS),
  suppressedReasons: z.array(z.enum(SUPPRESSION_REASONS)).nullable(),
  trackingEnabled: z.boolean(),
  /**
   * Auto-pause (a SendOps setting, not SES's): when the channel's bounce or complaint rate passes its
   * critical alert level over the minimum volume, SendOps disables sending on its configuration set
   * (docs/alerts.md). Settings saved before it existed read as off.
   */
  autoPause: z.boolean().default(false),
});
export type ChannelSettings = z.infer<typeof channelSettingsSchema>;

const BASE_SETTINGS: ChannelSettings = {
  sendingEnabled: true,
  tlsPolicy: "REQUIRE",
  maxDeliverySeconds: DEFAULT_MAX_DELIVERY_SECONDS,
  autoValidation: "managed",
  suppressedReasons: null,
  trackingEnabled: true,
  autoPause: false,
};

/** What the New Channel wizard pre-fills for each purpose (and what the default channels get). */
export const PURPOSE_PRESETS: Record<ChannelPurpose, ChannelSettings> = {
  default: BASE_SETTINGS,
  transactional: { ...BASE_SETTINGS, trackingEnabled: false, suppressedReasons: ["BOUNCE"] },
  marketing: { ...BASE_SETTINGS, trackingEnabled: true, suppressedReasons: ["BOUNCE", "COMPLAINT"], autoValidation: "high" },
  onboarding: BASE_SETTINGS,
  custom: BASE_SETTINGS,
};

/** Provisioned once, after the workspace's first domain verifies; the first is the default channel. */
export const DEFAULT_CHANNELS: readonly { name: string; purpose: ChannelPurpose }[] = [
  { name: "Default", purpose: "default" },
  { name: "Transactional", purpose: "transactional" },
  { name: "Marketing", purpose: "marketing" },
  { name: "Onboarding", purpose: "onboarding" },
];

/** Every configuration set SendOps creates for a channel starts with this (a product contract). */
export const CHANNEL_CONFIGURATION_SET_PREFIX = "sesmail-";
/** SES configuration set names: letters, digits, `_` and `-`, at most 64 characters. */
const MAX_CONFIGURATION_SET_NAME = 64;

/** "Password Resets!" → "password-resets". Empty when the name has no letter or digit. */
export function channelSlug(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, MAX_CONFIGURATION_SET_NAME - CHANNEL_CONFIGURATION_SET_PREFIX.length)
    .replace(/-+$/, "");
}

export const configurationSetNameFor = (name: string) => `${CHANNEL_CONFIGURATION_SET_PREFIX}${channelSlug(name)}`;

/** The header senders add to route a message through a channel (shown with a copy button). */
export const configurationSetHeader = (configurationSetName: string) => `X-SES-CONFIGURATION-SET: ${configurationSetName}`;

/**
 * The job an identity's first successful verification queues (identity refresh or account sync): it
 * provisions DEFAULT_CHANNELS once per workspace (guarded by setup_progress.default_channels_provisioned_at).
 */
export interface ProvisionDefaultChannelsJob {
  kind: "channels.provision";
  orgId: string;
}
