import type { LinkProps } from "@tanstack/react-router";
import type { Permission } from "../../worker/auth/permissions";
import { AlertIcon, BellIcon, BookIcon, ChartIcon, CloudIcon, CompassIcon, GlobeIcon, IngestIcon, KeyIcon, LinkIcon, PlugIcon, ScrollIcon, SendIcon, SettingsIcon, UserIcon, UsersIcon, WebhookIcon, type IconComponent } from "./components/icons";

/**
 * The sidebar, as data. Sections and their order follow the product docs (Reports, Undeliverable,
 * Templates, Notifications, Connections, Setup Guide; Infrastructure: Channels, Identities, Tracking
 * Domains; then System: Team, Audit Log, Billing, Settings, Profile). A feature adds its page with one line here
 * (in doc order) and one route in router.tsx. An item shows only when the member's role holds its
 * permission; the same rule guards the page itself (AppShell).
 */
export const NAV_SECTIONS = [
  { id: "product", heading: null },
  { id: "connections", heading: "Connections" },
  { id: "infrastructure", heading: "Infrastructure" },
  { id: "system", heading: "System" },
] as const;

/** A page of a workspace, as registered in router.tsx. */
export type WorkspacePage = Extract<NonNullable<LinkProps["to"]>, `/w/$slug/${string}`>;

export interface NavItem {
  section: (typeof NAV_SECTIONS)[number]["id"];
  label: string;
  to: WorkspacePage;
  /** null: every member (personal pages). */
  permission: Permission | null;
  icon: IconComponent;
  /** A live counter next to the label: the Setup Guide's "2/4" until it is done. */
  counter?: "setup-progress" | "notifications-unread";
}

export const NAV: readonly NavItem[] = [
  { section: "product", label: "Reports", to: "/w/$slug/reports", permission: "reports.view", icon: ChartIcon },
  { section: "product", label: "Undeliverable", to: "/w/$slug/undeliverable", permission: "undeliverable.view", icon: AlertIcon },
  { section: "product", label: "Notifications", to: "/w/$slug/notifications", permission: "notifications.view", icon: BellIcon, counter: "notifications-unread" },
  { section: "connections", label: "Webhooks", to: "/w/$slug/webhooks", permission: "webhooks.view", icon: WebhookIcon },
  { section: "connections", label: "Integrations", to: "/w/$slug/integrations", permission: "org_settings.view", icon: PlugIcon },
  { section: "infrastructure", label: "Channels", to: "/w/$slug/channels", permission: "channels.view", icon: SendIcon },
  { section: "infrastructure", label: "Identities", to: "/w/$slug/identities", permission: "domains.view", icon: GlobeIcon },
  { section: "infrastructure", label: "Tracking Domains", to: "/w/$slug/tracking-domains", permission: "domains.view", icon: LinkIcon },
  { section: "product", label: "Setup Guide", to: "/w/$slug/setup", permission: "setup.view", icon: CompassIcon, counter: "setup-progress" },
  { section: "system", label: "Team", to: "/w/$slug/team", permission: "team.view", icon: UsersIcon },
  { section: "system", label: "Audit Log", to: "/w/$slug/audit-log", permission: "audit.view", icon: ScrollIcon },
  { section: "system", label: "Settings", to: "/w/$slug/settings", permission: "org_settings.view", icon: SettingsIcon },
  { section: "system", label: "AWS Connection", to: "/w/$slug/aws-connection", permission: "aws.view", icon: CloudIcon },
  { section: "system", label: "Ingest", to: "/w/$slug/ingest", permission: "aws.view", icon: IngestIcon },
  { section: "system", label: "API Keys", to: "/w/$slug/api-keys", permission: "org_settings.view", icon: KeyIcon },
  { section: "system", label: "API Reference", to: "/w/$slug/api-reference", permission: null, icon: BookIcon },
  { section: "system", label: "Profile", to: "/w/$slug/profile", permission: null, icon: UserIcon },
];

export const canSee = (item: NavItem, permissions: readonly string[]) =>
  item.permission === null || permissions.includes(item.permission);

export const visibleNav = (permissions: readonly string[]) => NAV.filter((item) => canSee(item, permissions));

/** The nav item a location belongs to: `/w/acme/team/...` → Team. */
export function navItemFor(pathname: string): NavItem | undefined {
  const page = pathname.split("/")[3];
  return page ? NAV.find((item) => item.to.split("/")[3] === page) : undefined;
}
