/**
 * Who receives a notification, and how: the delivery channels a member can toggle per type, the
 * defaults for a member who never changed anything, the built-in presets and the always-delivered rule
 * (configuring-notifications.md). Pure, so the worker's routing and the dashboard's grid agree.
 * Outbound webhooks are not a member preference: an endpoint's subscriptions decide (Connections → Webhooks).
 */
import type { Role } from "../auth/permissions";
import {
  isAlwaysDelivered,
  NOTIFICATION_SEVERITIES,
  NOTIFICATION_TYPE_KEYS,
  NOTIFICATION_TYPES,
  type NotificationSeverity,
  type NotificationType,
} from "./notification-types";

export const DELIVERY_CHANNELS = ["in_app", "email", "slack"] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const DELIVERY_CHANNEL_LABELS: Record<DeliveryChannel, string> = { in_app: "In-app", email: "Email", slack: "Slack" };

/** Every type with the channels enabled for it. */
export type PreferenceMap = Record<NotificationType, DeliveryChannel[]>;
/** As stored: only what a member set; a missing type follows the defaults. */
export type StoredPreferences = Partial<Record<string, DeliveryChannel[]>>;

const atLeast = (s: NotificationSeverity, min: NotificationSeverity) => NOTIFICATION_SEVERITIES.indexOf(s) >= NOTIFICATION_SEVERITIES.indexOf(min);

/** Defaults: in-app for everything; email from warning up; Slack (when the workspace has it) from error up. */
export function defaultChannels(type: NotificationType): DeliveryChannel[] {
  const { severity } = NOTIFICATION_TYPES[type];
  return DELIVERY_CHANNELS.filter((c) => c === "in_app" || (c === "email" && atLeast(severity, "warning")) || (c === "slack" && atLeast(severity, "error")));
}

const mapOf = (pick: (type: NotificationType) => DeliveryChannel[]): PreferenceMap =>
  Object.fromEntries(NOTIFICATION_TYPE_KEYS.map((t) => [t, pick(t)])) as PreferenceMap;

export const DEFAULT_PREFERENCES: PreferenceMap = mapOf(defaultChannels);

/** A member's full map: what they stored over the defaults (unknown types and channels are ignored). */
export function resolvePreferences(stored: StoredPreferences | null | undefined): PreferenceMap {
  return mapOf((t) => {
    const own = stored?.[t];
    return own ? DELIVERY_CHANNELS.filter((c) => own.includes(c)) : defaultChannels(t);
  });
}

export interface PreferenceChange {
  type: NotificationType;
  channel: DeliveryChannel;
  enabled: boolean;
}

/** The full map after the changes (stored whole, so later changes to the defaults do not move a member's choices). */
export function applyChanges(current: PreferenceMap, changes: readonly PreferenceChange[]): PreferenceMap {
  const next = { ...current };
  for (const { type, channel, enabled } of changes) {
    const set = new Set(next[type]);
    if (enabled) set.add(channel);
    else set.delete(channel);
    next[type] = DELIVERY_CHANNELS.filter((c) => set.has(c));
  }
  return next;
}

/** Owners and Org Admins always get always-delivered types in-app and by email, whatever they set. */
export const ALWAYS_DELIVERED_CHANNELS: readonly DeliveryChannel[] = ["in_app", "email"];
export const ALWAYS_DELIVERED_ROLES: readonly Role[] = ["owner", "org_admin"];
export const ALWAYS_DELIVERED_REASON = "SES health and billing alerts always reach Owners and Org Admins in-app and by email.";

export function isLockedOn(role: Role, type: NotificationType, channel: DeliveryChannel): boolean {
  return ALWAYS_DELIVERED_ROLES.includes(role) && isAlwaysDelivered(type) && ALWAYS_DELIVERED_CHANNELS.includes(channel);
}

/** The channels a member of `role` with these preferences receives `type` on. */
export function channelsFor(role: Role, prefs: PreferenceMap, type: NotificationType): DeliveryChannel[] {
  return DELIVERY_CHANNELS.filter((c) => prefs[type].includes(c) || isLockedOn(role, type, c));
}

export interface BuiltInPreset {
  id: string;
  name: string;
  description: string;
  preferences: PreferenceMap;
}

/** Built-in presets (ids prefixed `builtin:` so they never collide with a workspace's own). */
export const BUILT_IN_PRESETS: readonly BuiltInPreset[] = [
  {
    id: "builtin:defaults",
    name: "Recommended",
    description: "In-app for everything, email from warning up, Slack from error up.",
    preferences: DEFAULT_PREFERENCES,
  },
  {
    id: "builtin:everything",
    name: "Everything",
    description: "Every notification on every channel.",
    preferences: mapOf(() => [...DELIVERY_CHANNELS]),
  },
  {
    id: "builtin:critical-only",
    name: "Critical only",
    description: "Only critical notifications, in-app, by email and in Slack.",
    preferences: mapOf((t) => (NOTIFICATION_TYPES[t].severity === "critical" ? [...DELIVERY_CHANNELS] : [])),
  },
  {
    id: "builtin:quiet",
    name: "Quiet (digests only)",
    description: "Only the daily, weekly and monthly digests, in-app and by email.",
    preferences: mapOf((t) => (NOTIFICATION_TYPES[t].category === "reporting_digests" ? ["in_app", "email"] : [])),
  },
];
