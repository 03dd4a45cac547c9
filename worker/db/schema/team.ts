import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { orgs } from "./orgs";

export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked", "expired"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * An invitation to join a workspace with a role (never Owner). Only the SHA-256 of the link's secret is
 * stored. At most one pending invitation per (workspace, email); pending ones count toward the seats.
 */
export const invitations = sqliteTable(
  "invitations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    /** Normalised (lower-case) address the invitation was sent to; only that user may accept it. */
    email: text("email").notNull(),
    role: text("role", { enum: ["org_admin", "infra_admin", "developer", "marketer", "financial", "support", "viewer"] }).notNull(),
    secretHash: text("secret_hash").notNull(),
    status: text("status", { enum: INVITATION_STATUSES }).notNull().default("pending"),
    invitedByUserId: text("invited_by_user_id"),
    invitedByName: text("invited_by_name").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Resending replaces the secret and moves this forward (7 days from the resend). */
    expiresAt: integer("expires_at").notNull(),
    respondedAt: integer("responded_at"),
  },
  (t) => [
    index("invitations_org_status").on(t.orgId, t.status),
    index("invitations_email_status").on(t.email, t.status),
    uniqueIndex("invitations_one_pending").on(t.orgId, t.email).where(sql`status = 'pending'`),
  ],
);

export const TRANSFER_STATUSES = ["pending", "accepted", "cancelled", "expired"] as const;
export type TransferStatus = (typeof TRANSFER_STATUSES)[number];

/** An offer of a workspace's ownership to one of its members: 72 hours to accept; one pending per workspace. */
export const ownershipTransfers = sqliteTable(
  "ownership_transfers",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull().references(() => orgs.id, { onDelete: "cascade" }),
    fromUserId: text("from_user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    toUserId: text("to_user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    secretHash: text("secret_hash").notNull(),
    status: text("status", { enum: TRANSFER_STATUSES }).notNull().default("pending"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    respondedAt: integer("responded_at"),
  },
  (t) => [
    index("ownership_transfers_to_status").on(t.toUserId, t.status),
    index("ownership_transfers_status_expires").on(t.status, t.expiresAt),
    uniqueIndex("ownership_transfers_one_pending").on(t.orgId).where(sql`status = 'pending'`),
  ],
);
