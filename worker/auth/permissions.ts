/**
 * The single permission matrix (product docs: team__members-and-roles.md, reports__undeliverable-list.md).
 * Each capability has a level per role: "full" (view + manage), "read" / "view" (view only), or none.
 * `can(role, permission)` is the only permission check in the codebase.
 */
export const ROLES = [
  "owner",
  "org_admin",
  "infra_admin",
  "developer",
  "marketer",
  "financial",
  "support",
  "viewer",
] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  org_admin: "Org Admin",
  infra_admin: "Infra Admin",
  developer: "Developer",
  marketer: "Marketer",
  financial: "Financial",
  support: "Customer Support",
  viewer: "Viewer",
};

/**
 * The demo workspace refuses every change whatever the role (orgRoute); the API answers with this
 * message and the dashboard disables each refused action with it as the reason.
 */
export const DEMO_READ_ONLY_MESSAGE = "The demo workspace is read-only. Switch to your workspace to make changes.";

type Level = "full" | "read" | "view" | null;

// Columns: owner, org_admin, infra_admin, developer, marketer, financial, support, viewer.
const MATRIX = {
  org_settings: ["full", "full", null, null, null, null, null, null],
  team: ["full", "full", null, null, null, null, null, null],
  billing_plan: ["full", "read", null, null, null, "full", null, null],
  billing_invoices: ["full", null, null, null, null, "full", null, null],
  billing_costs: ["full", null, null, null, null, "full", null, null],
  aws: ["full", "full", "full", null, null, null, null, null],
  domains: ["full", "full", "full", "read", "read", null, "read", "read"],
  channels: ["full", "full", "full", "full", "read", null, "read", "read"],
  templates: ["full", "full", "read", "full", "read", null, "read", "read"],
  template_export: ["full", "full", "full", "full", "view", null, null, "view"],
  github: ["full", "full", null, "full", null, null, null, null],
  reports: ["full", "full", "read", "full", "full", "read", "full", "read"],
  recipient_search: ["full", "full", "full", "full", null, null, "full", null],
  suppressions: ["full", "full", null, "read", "full", null, "full", "read"],
  notifications: ["full", "full", "full", "full", "full", "full", "read", "read"],
  audit: ["full", "full", "read", "read", "read", "read", "read", "read"],
  setup: ["full", "full", "full", "read", "read", null, null, "read"],
  // Undeliverable list: view follows Reports access; Allow/Re-list and rule changes are Owner + Org Admin.
  undeliverable: ["full", "full", "read", "read", "read", "read", "read", "read"],
  // Outbound webhooks: Owner and Org Admin configure them (members-and-roles.md); Infra Admin, Developer and
  // Viewer see endpoints and delivery logs; the others' roles have no business with integrations' payloads.
  webhooks: ["full", "full", "read", "read", null, null, null, "read"],
} as const satisfies Record<string, readonly Level[]>;

export type Capability = keyof typeof MATRIX;
export const CAPABILITIES = Object.keys(MATRIX) as Capability[];

/** Actions that sit outside the capability columns, with the roles that hold them. */
const SPECIAL = {
  // What every member needs whatever their role: the workspace's logo, leaving the demo workspace.
  "workspace.view": ROLES,
  "workspace.delete": ["owner"],
  "workspace.transfer": ["owner"],
  // Changing classification rules (the docs name it `undeliverable.configure`).
  "undeliverable.configure": ["owner", "org_admin"],
  // Alert thresholds and per-channel overrides (docs/alerts.md).
  "alerts.configure": ["owner", "org_admin"],
  // A member's own notification preferences: every role sets its own but the Viewer, who "cannot modify
  // anything" (team__members-and-roles.md); the workspace's presets stay notifications.manage.
  "notifications.own_preferences": ["owner", "org_admin", "infra_admin", "developer", "marketer", "financial", "support"],
} as const satisfies Record<string, readonly Role[]>;
type Special = keyof typeof SPECIAL;

export type Permission = `${Capability}.view` | `${Capability}.manage` | Special;

export function levelOf(role: Role, capability: Capability): Level {
  return MATRIX[capability][ROLES.indexOf(role)] ?? null;
}

export function can(role: Role, permission: Permission): boolean {
  if (permission in SPECIAL) return (SPECIAL[permission as Special] as readonly Role[]).includes(role);
  const dot = permission.lastIndexOf(".");
  const capability = permission.slice(0, dot) as Capability;
  const action = permission.slice(dot + 1);
  const level = levelOf(role, capability);
  if (level === null) return false;
  return action === "view" ? true : level === "full";
}

/** Every permission a role holds; the dashboard uses it to decide what to show. */
export function permissionsOf(role: Role): Permission[] {
  const all: Permission[] = [
    ...CAPABILITIES.flatMap((c) => [`${c}.view`, `${c}.manage`] as Permission[]),
    ...(Object.keys(SPECIAL) as Special[]),
  ];
  return all.filter((p) => can(role, p));
}
