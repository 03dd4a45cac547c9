/**
 * How a channel's settings live in its SES configuration set: which call pushes which setting, the set a
 * new channel starts as, and the settings read back from a set SendOps did not create.
 *
 * Tracking has no switch in SES's configuration set options (TrackingOptions only names a custom redirect
 * domain): SES adds the open pixel and rewrites links only when the set publishes Open and Click events.
 * So tracking on/off is the event types of the channel's EventBridge destination — all 10 with tracking
 * on, the 8 others with tracking off.
 */
import { SES_EVENT_TYPES, type ConfigurationSetDetails, type EventDestination, type SesClient, type SuppressionOptions } from "../../aws/ses";
import { STACK_NAMES } from "../../aws/stack/template";
import {
  AUTO_VALIDATION_THRESHOLDS,
  DEFAULT_MAX_DELIVERY_SECONDS,
  MAX_DELIVERY_OPTIONS,
  type AutoValidation,
  type ChannelSettings,
} from "../../lib/channels";

/** Every channel's set gets the event destination the stack's base set has, under the same name. */
export const CHANNEL_EVENT_DESTINATION = STACK_NAMES.eventDestination;

const ENGAGEMENT_EVENTS: readonly string[] = ["OPEN", "CLICK"];

export const eventTypesFor = (trackingEnabled: boolean) => (trackingEnabled ? SES_EVENT_TYPES : SES_EVENT_TYPES.filter((t) => !ENGAGEMENT_EVENTS.includes(t)));

/** SES publishes to EventBridge only on the default bus of the set's own account and region. */
export const defaultBusArn = (region: string, account: string) => `arn:aws:events:${region}:${account}:event-bus/default`;

/** Where a channel's set is: the workspace's SES client, region and account (for the bus ARN). */
export interface ChannelTarget {
  ses: SesClient;
  region: string;
  account: string;
}

function suppressionOf(s: ChannelSettings): SuppressionOptions {
  return {
    ...(s.suppressedReasons ? { suppressedReasons: s.suppressedReasons } : {}),
    validation: s.autoValidation === "off" ? { enabled: false } : { enabled: true, threshold: AUTO_VALIDATION_THRESHOLDS[s.autoValidation] },
  };
}

/** Tracking lives in the destination's event types, so pushing it keeps the destination as it should be. */
export const DESTINATION_PUSH = {
  keys: ["trackingEnabled"],
  push: (t: ChannelTarget, set: string, s: ChannelSettings) => ensureEventDestination(t, set, s.trackingEnabled),
} as const;

/** The SES calls behind the settings, each pushing the settings it names (one Put…Options call, or the destination). */
export const SETTING_PUSHES = [
  {
    keys: ["sendingEnabled"],
    push: (t: ChannelTarget, set: string, s: ChannelSettings) => t.ses.putConfigurationSetSendingOptions(set, { sendingEnabled: s.sendingEnabled }),
  },
  {
    keys: ["tlsPolicy", "maxDeliverySeconds"],
    push: (t: ChannelTarget, set: string, s: ChannelSettings) =>
      t.ses.putConfigurationSetDeliveryOptions(set, { tlsPolicy: s.tlsPolicy, maxDeliverySeconds: s.maxDeliverySeconds }),
  },
  {
    keys: ["autoValidation", "suppressedReasons"],
    push: (t: ChannelTarget, set: string, s: ChannelSettings) => t.ses.putConfigurationSetSuppressionOptions(set, suppressionOf(s)),
  },
  DESTINATION_PUSH,
] as const satisfies readonly { keys: readonly (keyof ChannelSettings)[]; push: unknown }[];

/** Creates the set with every option block of `settings` (AlreadyExistsException when it exists). */
export function createConfigurationSet(t: ChannelTarget, name: string, s: ChannelSettings) {
  return t.ses.createConfigurationSet({
    name,
    sendingOptions: { sendingEnabled: s.sendingEnabled },
    deliveryOptions: { tlsPolicy: s.tlsPolicy, maxDeliverySeconds: s.maxDeliverySeconds },
    suppressionOptions: suppressionOf(s),
    // Reputation metrics feed SES's per-set bounce and complaint rates; SendOps turns them on for the sets it creates.
    reputationOptions: { reputationMetricsEnabled: true },
  });
}

/**
 * Makes the set's SendOps destination publish to the default bus, enabled, with the event types tracking
 * asks for: creates it when missing, updates it when it differs, leaves it alone otherwise.
 */
export async function ensureEventDestination(t: ChannelTarget, set: string, trackingEnabled: boolean): Promise<void> {
  const wanted = { name: CHANNEL_EVENT_DESTINATION, enabled: true, matchingEventTypes: eventTypesFor(trackingEnabled), eventBusArn: defaultBusArn(t.region, t.account) };
  const current = (await t.ses.getConfigurationSetEventDestinations(set)).find((d) => d.name === CHANNEL_EVENT_DESTINATION);
  if (!current) return t.ses.createConfigurationSetEventDestination(set, wanted);
  const same =
    current.enabled &&
    current.eventBridgeBusArn === wanted.eventBusArn &&
    current.matchingEventTypes.length === wanted.matchingEventTypes.length &&
    wanted.matchingEventTypes.every((e) => current.matchingEventTypes.includes(e));
  if (!same) await t.ses.updateConfigurationSetEventDestination(set, wanted);
}

/** The choice for a MaxDeliverySeconds SES holds: the shortest offered one that is at least as long. */
function maxDeliveryChoice(seconds: number | undefined): ChannelSettings["maxDeliverySeconds"] {
  if (seconds === undefined) return DEFAULT_MAX_DELIVERY_SECONDS;
  return (MAX_DELIVERY_OPTIONS.find((o) => o.seconds >= seconds) ?? MAX_DELIVERY_OPTIONS[MAX_DELIVERY_OPTIONS.length - 1]!).seconds;
}

function autoValidationOf(o: SuppressionOptions | undefined): AutoValidation {
  const v = o?.validation;
  if (!v) return "managed";
  if (!v.enabled) return "off";
  const level = (Object.keys(AUTO_VALIDATION_THRESHOLDS) as Exclude<AutoValidation, "off">[]).find((k) => AUTO_VALIDATION_THRESHOLDS[k] === v.threshold);
  return level ?? "managed";
}

/** The settings an existing set holds, as the channel's settings (SES's defaults where a block is absent). */
export function settingsFromSes(details: ConfigurationSetDetails, destinations: EventDestination[]): ChannelSettings {
  const publishing = destinations.filter((d) => d.enabled);
  return {
    sendingEnabled: details.sendingOptions?.sendingEnabled ?? true,
    tlsPolicy: details.deliveryOptions?.tlsPolicy ?? "OPTIONAL",
    maxDeliverySeconds: maxDeliveryChoice(details.deliveryOptions?.maxDeliverySeconds),
    autoValidation: autoValidationOf(details.suppressionOptions),
    suppressedReasons: details.suppressionOptions?.suppressedReasons ? [...details.suppressionOptions.suppressedReasons] : null,
    trackingEnabled: publishing.some((d) => d.matchingEventTypes.some((e) => ENGAGEMENT_EVENTS.includes(e))),
    // Not an SES setting: a set SendOps did not create starts without it.
    autoPause: false,
  };
}

export async function readSettingsFromSes(ses: SesClient, set: string): Promise<ChannelSettings> {
  const [details, destinations] = await Promise.all([ses.getConfigurationSet(set), ses.getConfigurationSetEventDestinations(set)]);
  return settingsFromSes(details, destinations);
}
