import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Append-only audit trail. Triggers (migration 0001) abort every UPDATE and every DELETE except the
 * documented exceptions: rows older than the org's recorded retention cutoff (audit_prune_cutoffs), and
 * rows of a workspace that no longer exists.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: text("org_id").notNull(),
    at: integer("at").notNull(),
    actorUserId: text("actor_user_id"),
    actorName: text("actor_name").notNull(),
    actorEmail: text("actor_email").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id").notNull(),
    operation: text("operation").notNull(),
    summary: text("summary").notNull(),
    beforeJson: text("before_json"),
    afterJson: text("after_json"),
  },
  (t) => [
    index("audit_log_org_id").on(t.orgId, t.id),
    index("audit_log_org_resource").on(t.orgId, t.resourceType, t.id),
    index("audit_log_org_actor").on(t.orgId, t.actorUserId, t.id),
  ],
);

/** Retention pruning writes the cutoff here first; the delete trigger allows only rows older than it. */
export const auditPruneCutoffs = sqliteTable("audit_prune_cutoffs", {
  orgId: text("org_id").primaryKey(),
  pruneBefore: integer("prune_before").notNull(),
});
