import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
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
  /** The SES account as the last account sync read it (`SesAccountStatus` JSON); null before the first. */
  accountJson: text("account_json"),
  accountSyncedAt: integer("account_synced_at"),
  /** Set while an account sync job runs (a sync older than the stuck limit may be started again). */
  accountSyncStartedAt: integer("account_sync_started_at"),
  /** The last sync's failure; cleared by a successful one. */
  accountSyncErrorCode: text("account_sync_error_code"),
  accountSyncError: text("account_sync_error"),
  accountSyncErrorAt: integer("account_sync_error_at"),
});

export const VALIDATION_STATUSES = ["queued", "running", "passed", "failed"] as const;
export type ValidationStatus = (typeof VALIDATION_STATUSES)[number];

/**
 * Connection Validation runs (the Setup Guide's phase 2): a background job on the jobs queue runs the
 * eleven checks and stores them here as `ValidationCheckView[]` JSON; the page polls the latest run.
 */
export const awsValidations = sqliteTable(
  "aws_validations",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    status: text("status", { enum: VALIDATION_STATUSES }).notNull(),
    checksJson: text("checks_json").notNull(),
    /** The template version the deployed stack declares (EventBridge rule description); null if unknown. */
    deployedTemplateVersion: integer("deployed_template_version"),
    /** Actions the deployed template lacks and a failed probe needed; non-empty = the stack-update card. */
    missingActionsJson: text("missing_actions_json").notNull().default("[]"),
    requestedByUserId: text("requested_by_user_id").references(() => users.id, { onDelete: "set null" }),
    requestedByName: text("requested_by_name"),
    createdAt: integer("created_at").notNull(),
    startedAt: integer("started_at"),
    finishedAt: integer("finished_at"),
  },
  (t) => [index("aws_validations_org").on(t.orgId, t.createdAt)],
);

/** The Setup Guide's progress per workspace: when each phase was completed, and where the user left off. */
export const setupProgress = sqliteTable("setup_progress", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  awsCompletedAt: integer("aws_completed_at"),
  validationCompletedAt: integer("validation_completed_at"),
  identitiesCompletedAt: integer("identities_completed_at"),
  testSendCompletedAt: integer("test_send_completed_at"),
  currentPhase: text("current_phase"),
  /** When the four default channels were provisioned (after the first domain verified); set once. */
  defaultChannelsProvisionedAt: integer("default_channels_provisioned_at"),
  updatedAt: integer("updated_at").notNull(),
});

export const TEST_SEND_STATUSES = ["sending", "sent", "failed"] as const;

/**
 * Test emails of the Setup Guide's phase 4, sent with SES SendEmail through the workspace's role. What
 * happened to one after SES accepted it is read from the `messages` row its events create through ingest.
 */
export const testSends = sqliteTable(
  "test_sends",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id")
      .notNull()
      .references(() => orgs.id, { onDelete: "cascade" }),
    fromAddress: text("from_address").notNull(),
    toAddress: text("to_address").notNull(),
    status: text("status", { enum: TEST_SEND_STATUSES }).notNull(),
    sesMessageId: text("ses_message_id"),
    errorCode: text("error_code"),
    error: text("error"),
    requestedByUserId: text("requested_by_user_id").references(() => users.id, { onDelete: "set null" }),
    requestedByName: text("requested_by_name"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("test_sends_org").on(t.orgId, t.createdAt)],
);
