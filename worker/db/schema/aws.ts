import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { users } from "./accounts";
import { orgs } from "./orgs";

export const AWS_CONNECTION_STATUSES = ["pending", "connected", "failed"] as const;
export type AwsConnectionStatus = (typeof AWS_CONNECTION_STATUSES)[number];

/**
 * A workspace's link to its AWS account (docs/aws.md): the cross-account role SendOps assumes and the
 * one region it is connected to. The row is created on first read, with the workspace's External ID,
 * which stays the same for the life of the workspace (the customer's trust policy names it).
 * `pending`: no role yet (or disconnected); `connected` / `failed`: the result of the last validation,
 * whose AWS error code and message are kept in `lastErrorCode` / `lastError`.
 */
export const awsConnections = sqliteTable("aws_connections", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  externalId: text("external_id").notNull().unique(),
  roleArn: text("role_arn"),
  region: text("region"),
  status: text("status", { enum: AWS_CONNECTION_STATUSES }).notNull().default("pending"),
  lastValidatedAt: integer("last_validated_at"),
  lastErrorCode: text("last_error_code"),
  lastError: text("last_error"),
  createdAt: integer("created_at").notNull(),
  /** Who last saved or validated the role (null: nobody yet, or the user was deleted). */
  updatedByUserId: text("updated_by_user_id").references(() => users.id, { onDelete: "set null" }),
  updatedByName: text("updated_by_name"),
  updatedAt: integer("updated_at").notNull(),
});
