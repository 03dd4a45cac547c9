import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { orgs } from "./orgs";

/**
 * CloudFormation drift of a workspace's SendOps stack (docs/alerts.md): the detection the daily job
 * started and has not read yet, and what the last finished check found — the stack's drift status and
 * drifted resources, or why drift detection could not judge it (AccessDenied: a stack older than
 * template version 3; ValidationError: no such stack; DETECTION_FAILED). The AWS Connection page shows it.
 */
export const awsStackDrift = sqliteTable("aws_stack_drift", {
  orgId: text("org_id")
    .primaryKey()
    .references(() => orgs.id, { onDelete: "cascade" }),
  stackName: text("stack_name").notNull(),
  /** The StackDriftDetectionId waiting to be read; null when none is pending. */
  detectionId: text("detection_id"),
  detectionStartedAt: integer("detection_started_at"),
  checkedAt: integer("checked_at"),
  /** StackDriftStatus of the last finished check (DRIFTED, IN_SYNC); null when it could not judge. */
  driftStatus: text("drift_status"),
  /** The drifted resources (`DriftedResource[]` JSON). */
  driftedJson: text("drifted_json").notNull().default("[]"),
  /** The AWS error code or detection status that kept the last check from judging, and what to do. */
  problemCode: text("problem_code"),
  problem: text("problem"),
  updatedAt: integer("updated_at").notNull(),
});
