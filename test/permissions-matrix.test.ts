import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../worker/app";
import type { AccessRule, TaggedMiddleware } from "../worker/auth/middleware";
import { can, levelOf, permissionsOf, ROLES, type Permission, type Role } from "../worker/auth/permissions";
import { call, json, newUser, newWorkspace, type TestUser } from "./helpers";

interface ApiRoute {
  method: string;
  path: string;
  access: AccessRule[];
}

/** Every /api route of the real app, with the access tags found among its handlers. */
function apiRoutes(): ApiRoute[] {
  const byKey = new Map<string, ApiRoute>();
  for (const r of createApp().routes) {
    // `app.use(...)` middleware is registered with method ALL; routes carry a concrete method.
    if (r.method === "ALL" || !r.path.startsWith("/api")) continue;
    const key = `${r.method} ${r.path}`;
    const route = byKey.get(key) ?? { method: r.method, path: r.path, access: [] };
    const tag = (r.handler as Partial<TaggedMiddleware>).access;
    if (tag) route.access.push(tag);
    byKey.set(key, route);
  }
  return [...byKey.values()];
}

const ROUTES = apiRoutes();
const ORG_ROUTES = ROUTES.filter((r) => r.access.length === 1 && r.access[0]!.kind === "org").map((r) => ({
  ...r,
  permission: (r.access[0] as { kind: "org"; permission: Permission }).permission,
}));
const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
/** Org routes that deliberately work in the read-only demo workspace (orgRoute's allowInDemo). */
// Read-only POSTs a demo visitor may use: leaving the demo, previewing candidate rules (changes nothing) and
// refreshing the suppression list copy (a read of SES; the demo's copy comes from its own events).
const DEMO_WRITABLE = new Set([
  "POST /api/orgs/:orgId/leave",
  "POST /api/orgs/:orgId/undeliverable/rules/preview",
  "POST /api/orgs/:orgId/suppressions/sync",
  // A member's own read state of their inbox.
  "POST /api/orgs/:orgId/notifications/inbox/mark",
  "POST /api/orgs/:orgId/notifications/inbox/mark-all-read",
]);

/** A concrete URL for a route pattern: `:orgId` → the org, other params → a dummy that fits their pattern. */
function urlFor(path: string, orgId: string): string {
  return path
    .replace(/:orgId(\{[^}]*\})?\??/g, orgId)
    .replace(/:[A-Za-z0-9_]+(\{([^}]*)\})?\??/g, (_m, _c, pattern?: string) => (pattern && /\d/.test(pattern) ? "1" : "x"))
    .replace(/\*/g, "x");
}

function request(route: { method: string; path: string }, orgId: string, cookie?: string) {
  return call(urlFor(route.path, orgId), {
    method: route.method,
    cookie,
    body: SAFE.has(route.method) ? undefined : {},
  });
}

describe("route access tags", () => {
  it("finds the routes of the app", () => {
    expect(ROUTES.length).toBeGreaterThan(10);
    expect(ORG_ROUTES.length).toBeGreaterThan(5);
  });

  it("every /api route carries exactly one access rule (publicRoute, userRoute or orgRoute)", () => {
    const wrong = ROUTES.filter((r) => r.access.length !== 1).map((r) => `${r.method} ${r.path} (${r.access.length} rules)`);
    expect(wrong, `routes without exactly one access rule:\n${wrong.join("\n")}`).toEqual([]);
  });

  it("tags exactly the demo-writable routes allowInDemo (the dashboard's demo e2e reads the tag)", () => {
    const tagged = ORG_ROUTES.filter((r) => (r.access[0] as { allowInDemo: boolean }).allowInDemo).map((r) => `${r.method} ${r.path}`);
    expect(tagged.sort()).toEqual([...DEMO_WRITABLE].sort());
  });

  it("every org route lives under /api/orgs/:orgId", () => {
    const outside = ORG_ROUTES.filter((r) => !/^\/api\/orgs\/:orgId(\/|$)/.test(r.path)).map((r) => `${r.method} ${r.path}`);
    expect(outside).toEqual([]);
  });
});

describe("role × route matrix", () => {
  let user: TestUser;
  /** `${route} ${role}` → an org where the user holds that role (fresh per cell so no call affects another). */
  const orgFor = new Map<string, string>();

  beforeAll(async () => {
    user = await newUser("matrix");
    const at = Date.now();
    const stmts: D1PreparedStatement[] = [];
    ORG_ROUTES.forEach((route, i) => {
      for (const role of ROLES) {
        const id = `org_mx${at.toString(36)}${i}${role}`;
        orgFor.set(`${route.method} ${route.path} ${role}`, id);
        stmts.push(
          env.DB.prepare("INSERT INTO orgs (id, name, slug, created_at, updated_at) VALUES (?, ?, ?, ?, ?)").bind(
            id,
            `Matrix ${i} ${role}`,
            id.replace(/_/g, "-"),
            at,
            at,
          ),
          env.DB.prepare("INSERT INTO memberships (org_id, user_id, role, created_at) VALUES (?, ?, ?, ?)").bind(id, user.id, role, at),
        );
      }
    });
    for (let i = 0; i < stmts.length; i += 200) await env.DB.batch(stmts.slice(i, i + 200));
  });

  for (const route of ORG_ROUTES) {
    it(`${route.method} ${route.path} (${route.permission})`, async () => {
      const failures: string[] = [];
      for (const role of ROLES) {
        const res = await request(route, orgFor.get(`${route.method} ${route.path} ${role}`)!, user.cookie);
        const body = res.headers.get("content-type")?.includes("json") ? await json(res) : null;
        if (can(role, route.permission)) {
          if (res.status === 403 || res.status === 401) failures.push(`${role}: allowed but got ${res.status} ${JSON.stringify(body)}`);
        } else if (res.status !== 403 || body?.error?.code !== "FORBIDDEN" || body.error.details?.permission !== route.permission) {
          failures.push(`${role}: denied but got ${res.status} ${JSON.stringify(body)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }
});

describe("tenancy and demo guards on every org route", () => {
  it("a member of workspace A gets 404 on every route of workspace B; no session gets 401", async () => {
    const owner = await newUser("tenant-b");
    const outsider = await newUser("tenant-a");
    await newWorkspace(outsider);
    const b = await newWorkspace(owner, "Tenant B");
    const failures: string[] = [];
    for (const route of ORG_ROUTES) {
      const res = await request(route, b.id, outsider.cookie);
      const body = await json(res);
      if (res.status !== 404 || body.error.code !== "NOT_FOUND") failures.push(`${route.method} ${route.path}: ${res.status}`);
      const anon = await request(route, b.id);
      if (anon.status !== 401) failures.push(`${route.method} ${route.path} anonymous: ${anon.status}`);
    }
    expect(failures).toEqual([]);
    // Workspace B is untouched.
    expect((await json(await call(`/api/orgs/${b.id}/settings`, { cookie: owner.cookie }))).name).toBe("Tenant B");
    // Two requests per route, after the matrix filled the database: its time grows with the route count.
  }, 180_000);

  it("user routes need a session", async () => {
    const failures: string[] = [];
    for (const route of ROUTES.filter((r) => r.access[0]?.kind === "user")) {
      const res = await request(route, "org_x");
      if (res.status !== 401) failures.push(`${route.method} ${route.path}: ${res.status}`);
    }
    expect(failures).toEqual([]);
  });

  it("every state-changing org route is refused with 403 in the demo workspace", async () => {
    const u = await newUser("demo-matrix");
    const failures: string[] = [];
    for (const route of ORG_ROUTES.filter((r) => !SAFE.has(r.method) && !DEMO_WRITABLE.has(`${r.method} ${r.path}`))) {
      const res = await request(route, "org_demo", u.cookie);
      const code = (await json(res)).error?.code;
      const expected = can("org_admin", route.permission) ? "DEMO_READ_ONLY" : "FORBIDDEN";
      if (res.status !== 403 || code !== expected) failures.push(`${route.method} ${route.path}: ${res.status} ${code}`);
    }
    expect(failures).toEqual([]);
  }, 180_000);
});

describe("the matrix data matches the docs table (team__members-and-roles.md)", () => {
  const cells: [Role, Permission, boolean][] = [
    ["owner", "workspace.delete", true],
    ["org_admin", "workspace.delete", false],
    ["org_admin", "team.manage", true],
    ["org_admin", "billing_plan.view", true],
    ["org_admin", "billing_plan.manage", false],
    ["org_admin", "billing_invoices.view", false],
    ["infra_admin", "templates.view", true],
    ["infra_admin", "templates.manage", false],
    ["infra_admin", "template_export.manage", true],
    ["infra_admin", "aws.manage", true],
    ["infra_admin", "team.view", false],
    ["developer", "github.manage", true],
    ["developer", "domains.view", true],
    ["developer", "domains.manage", false],
    ["developer", "org_settings.view", false],
    ["marketer", "suppressions.manage", true],
    ["marketer", "channels.view", true],
    ["marketer", "channels.manage", false],
    ["marketer", "recipient_search.view", false],
    ["financial", "channels.view", false],
    ["financial", "domains.view", false],
    ["financial", "billing_invoices.manage", true],
    ["financial", "billing_costs.manage", true],
    ["financial", "reports.view", true],
    ["financial", "reports.manage", false],
    ["support", "domains.view", true],
    ["support", "domains.manage", false],
    ["support", "recipient_search.manage", true],
    ["support", "suppressions.manage", true],
    ["support", "setup.view", false],
    ["support", "notifications.manage", false],
    ["viewer", "suppressions.view", true],
    ["viewer", "template_export.view", true],
    ["viewer", "template_export.manage", false],
    ["viewer", "audit.manage", false],
    // Webhooks: "Configure notification rules and webhooks" is the Org Admin's (and so the Owner's).
    ["owner", "webhooks.manage", true],
    ["org_admin", "webhooks.manage", true],
    ["infra_admin", "webhooks.manage", false],
    ["developer", "webhooks.view", true],
    ["developer", "webhooks.manage", false],
    ["marketer", "webhooks.view", false],
    ["financial", "webhooks.view", false],
    ["support", "webhooks.view", false],
    ["viewer", "webhooks.view", true],
    ["viewer", "webhooks.manage", false],
  ];
  it.each(cells)("%s × %s → %s", (role, permission, expected) => {
    expect(can(role, permission)).toBe(expected);
  });

  it("has eight roles; every role reads the audit log and holds workspace.view; only the Owner holds Owner actions", () => {
    expect(ROLES).toHaveLength(8);
    for (const role of ROLES) {
      expect(levelOf(role, "audit")).not.toBeNull();
      expect(permissionsOf(role)).toContain("workspace.view");
      expect(can(role, "workspace.transfer")).toBe(role === "owner");
    }
  });
});

describe("notification preferences: every member's own, Owners' and Org Admins' for others (notifications__configuring-notifications.md)", () => {
  const ALL = [...ROLES];
  const MANAGE = ["owner", "org_admin", "infra_admin", "developer", "marketer", "financial"];
  const expected: [string, string[]][] = [
    ["GET /api/orgs/:orgId/notifications/preferences", ALL],
    // My own toggles and a preset applied to myself: notifications.view, which every role holds.
    ["PATCH /api/orgs/:orgId/notifications/preferences", ALL],
    ["POST /api/orgs/:orgId/notifications/presets/apply", ALL],
    // The workspace's presets are shared configuration.
    ["POST /api/orgs/:orgId/notifications/presets", MANAGE],
    ["DELETE /api/orgs/:orgId/notifications/presets/:presetId", MANAGE],
    // The Team tab: other members' preferences.
    ["GET /api/orgs/:orgId/notifications/team", ["owner", "org_admin"]],
    ["PATCH /api/orgs/:orgId/notifications/team/:userId", ["owner", "org_admin"]],
    ["POST /api/orgs/:orgId/notifications/team/:userId/apply-preset", ["owner", "org_admin"]],
  ];
  it.each(expected)("%s → %j", (key, roles) => {
    const route = ORG_ROUTES.find((r) => `${r.method} ${r.path}` === key);
    expect(route, key).toBeDefined();
    expect(ROLES.filter((role) => can(role, route!.permission))).toEqual(roles);
  });
});
