import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";

export const PLANS = ["free", "team", "business"] as const;
export type Plan = (typeof PLANS)[number];

/** A workspace. `isDemo` marks the shared, read-only demo workspace. */
export const orgs = sqliteTable("orgs", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  isDemo: integer("is_demo", { mode: "boolean" }).notNull().default(false),
  plan: text("plan", { enum: PLANS }).notNull().default("free"),
  /** Inactive sessions expire after this many seconds (1 h, 4 h, 8 h default, 24 h, 7 d, 30 d). */
  sessionTimeoutSeconds: integer("session_timeout_seconds").notNull().default(28800),
  /** R2 key of the logo, with its content type; null when none. */
  logoKey: text("logo_key"),
  logoContentType: text("logo_content_type"),
  /** Message tag whose value names the template (null = the deployment default). */
  templateTag: text("template_tag"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/** Old slugs keep redirecting to their workspace for 30 days after a change. */
export const orgSlugRedirects = sqliteTable("org_slug_redirects", {
  slug: text("slug").primaryKey(),
  orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
  expiresAt: integer("expires_at").notNull(),
});

/** One role per (org, user); a partial unique index allows exactly one owner per org. */
export const memberships = sqliteTable(
  "memberships",
  {
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", {
      enum: ["owner", "org_admin", "infra_admin", "developer", "marketer", "financial", "support", "viewer"],
    }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orgId, t.userId] }),
    index("memberships_user").on(t.userId),
    uniqueIndex("memberships_one_owner").on(t.orgId).where(sql`role = 'owner'`),
  ],
);
