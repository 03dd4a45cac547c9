import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { orgs } from "./orgs";

/**
 * An org's saved classification rules (the JSON body validated by `rulesSchema`) with the 6-character
 * version hash of their canonical form. No row = the Standard preset. The saver's name is copied so it
 * survives the user's deletion.
 */
export const undeliverableRules = sqliteTable("undeliverable_rules", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  rulesJson: text("rules_json").notNull(),
  version: text("version").notNull(),
  updatedByUserId: text("updated_by_user_id").references(() => users.id, { onDelete: "set null" }),
  updatedByName: text("updated_by_name").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Addresses an operator allowed again (Allow). The durable record: never pruned by retention. A row
 * disappears on Re-list, or when a new failure after `allowedAt` lists the address again.
 */
export const undeliverableExclusions = sqliteTable(
  "undeliverable_exclusions",
  {
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    /** Lower-cased recipient address. */
    email: text("email").notNull(),
    note: text("note"),
    actorUserId: text("actor_user_id").references(() => users.id, { onDelete: "set null" }),
    actorName: text("actor_name").notNull(),
    actorEmail: text("actor_email").notNull(),
    allowedAt: integer("allowed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.email] })],
);
