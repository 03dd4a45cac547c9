/**
 * CloudFormation drift (docs/alerts.md): once a day, for each workspace whose AWS connection came from the
 * SendOps stack, the job starts drift detection on the stack (DetectStackDrift) and queues its follow-up,
 * which reads the outcome a minute later (DescribeStackDriftDetectionStatus, then
 * DescribeStackResourceDrifts for what drifted). A drifted stack raises
 * `system_infrastructure.aws_template_drift` once per drift (scope `account`), re-armed when a check finds
 * it in sync again. A detection that cannot judge the stack — AccessDenied from a stack older than template
 * version 3, a stack that does not exist, a failed detection — raises nothing: it is recorded, and the AWS
 * Connection page says what to do.
 */
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { findStackDrift, orgsWithStackConnections, upsertStackDriftQuery } from "../../db/stack-drift";
import { AwsError } from "../../aws/common";
import type { CloudFormationClient } from "../../aws/cloudformation";
import { TEMPLATE_VERSION } from "../../aws/stack/permissions";
import { STACK_NAMES } from "../../aws/stack/template";
import { stackUpdateUrl } from "../../aws/stack/links";
import { AppError } from "../../lib/errors";
import { awsForOrg } from "../aws-connection";
import { templateUrlOf } from "../setup/integration";
import type { RaiseFn } from "./raise";
import { applyObservations } from "./state";

export const DRIFT_ALERT = "system_infrastructure.aws_template_drift";
/** The stack the Setup Guide launches (its console link, command and e-mail all name it). */
export const DRIFT_STACK_NAME = STACK_NAMES.stack;
/** The follow-up reads the detection this long after starting it (a detection takes seconds to minutes). */
export const DRIFT_READ_DELAY_SECONDS = 60;
/** Reads of a detection still in progress before the check gives up until tomorrow. */
export const DRIFT_MAX_READS = 10;

/** Start a detection (no detectionId), or read the one started (`reads` so far). */
export interface DriftJob {
  kind: "alerts.drift";
  orgId: string;
  detectionId?: string;
  reads?: number;
}

export interface DriftedResource {
  logicalId: string;
  resourceType: string;
  status: string;
}

/** The AWS Connection page's view of the stack's drift. */
export interface StackDriftView {
  stackName: string;
  checkedAt: number;
  /** What the last finished check found; null when it could not judge the stack. */
  driftStatus: "DRIFTED" | "IN_SYNC" | null;
  drifted: DriftedResource[];
  /** Why drift detection could not judge the stack, and what to do; null when it could. */
  problem: { code: string; message: string } | null;
  /** The console's stack-update wizard with the current template, when the stack is too old to be checked. */
  updateUrl: string | null;
}

const NEEDS_V3 = `Update the ${DRIFT_STACK_NAME} stack to template version ${TEMPLATE_VERSION} to enable drift detection: the stack's role may not call CloudFormation's drift detection.`;

/** A drift the job cannot judge, and what the page tells the user about it. */
function problemOf(err: AwsError): { code: string; message: string } | null {
  if (err.code === "AccessDenied" || err.code === "AccessDeniedException") return { code: "AccessDenied", message: NEEDS_V3 };
  if (err.code === "ValidationError") return { code: err.code, message: `CloudFormation found no stack named ${DRIFT_STACK_NAME} in this region, so drift cannot be checked. (AWS said: ${err.message})` };
  return null;
}

/** "2 resources changed outside CloudFormation: SendOpsEventRule (AWS::Events::Rule) modified, …" */
export function describeDrift(count: number, drifted: readonly DriftedResource[]): string {
  const n = Math.max(count, drifted.length);
  const what = `${n} ${n === 1 ? "resource" : "resources"} changed outside CloudFormation`;
  return drifted.length ? `${what}: ${drifted.map((d) => `${d.logicalId} (${d.resourceType}) ${d.status.toLowerCase()}`).join(", ")}` : what;
}

/** The workspace's CloudFormation client, or null when it is no longer connected (nothing to check). */
async function clientOf(env: Env, orgId: string): Promise<CloudFormationClient | null> {
  try {
    return (await awsForOrg(env, orgId)).cloudformation;
  } catch (err) {
    if (err instanceof AppError && err.code === "AWS_NOT_CONNECTED") return null;
    throw err;
  }
}

/**
 * One step of the daily check; returns the follow-up job to queue (with its delay), or null when the
 * check is over. AWS errors that judge nothing are recorded; others (throttling, AWS unreachable) throw,
 * so the queue tries again.
 */
export async function runDriftCheck(env: Env, job: DriftJob, raise: RaiseFn, at: number): Promise<{ next: DriftJob; delaySeconds: number } | null> {
  const db = getDb(env.DB);
  const cfn = await clientOf(env, job.orgId);
  if (!cfn) return null;
  const record = (set: Parameters<typeof upsertStackDriftQuery>[3]) => upsertStackDriftQuery(db, job.orgId, DRIFT_STACK_NAME, set, at).run();
  const recordProblem = async (problem: { code: string; message: string }) => {
    await record({ detectionId: null, checkedAt: at, driftStatus: null, driftedJson: "[]", problemCode: problem.code, problem: problem.message });
    return null;
  };
  try {
    if (!job.detectionId) {
      const detectionId = await cfn.detectStackDrift(DRIFT_STACK_NAME);
      await record({ detectionId, detectionStartedAt: at });
      return { next: { kind: "alerts.drift", orgId: job.orgId, detectionId, reads: 0 }, delaySeconds: DRIFT_READ_DELAY_SECONDS };
    }
    const status = await cfn.describeStackDriftDetectionStatus(job.detectionId);
    const reads = (job.reads ?? 0) + 1;
    if (status.detectionStatus === "DETECTION_IN_PROGRESS") {
      if (reads < DRIFT_MAX_READS) return { next: { ...job, reads }, delaySeconds: DRIFT_READ_DELAY_SECONDS };
      return recordProblem({ code: "DETECTION_IN_PROGRESS", message: `Drift detection did not finish after ${reads} reads; the next daily check tries again.` });
    }
    // A failed detection still judged the resources it could read: drift among them is real; "in sync" is not.
    const judged = status.stackDriftStatus === "DRIFTED" || (status.detectionStatus === "DETECTION_COMPLETE" && status.stackDriftStatus === "IN_SYNC");
    if (!judged) return recordProblem({ code: status.detectionStatus, message: `Drift detection could not check the stack${status.reason ? `: ${status.reason}` : "."}` });
    const drifted =
      status.stackDriftStatus === "DRIFTED"
        ? (await cfn.describeStackResourceDrifts(DRIFT_STACK_NAME)).map((d) => ({ logicalId: d.logicalId, resourceType: d.resourceType, status: d.status }))
        : [];
    const isDrifted = status.stackDriftStatus === "DRIFTED";
    await record({
      detectionId: null,
      checkedAt: at,
      driftStatus: status.stackDriftStatus,
      driftedJson: JSON.stringify(drifted),
      problemCode: status.detectionStatus === "DETECTION_FAILED" ? status.detectionStatus : null,
      problem: status.detectionStatus === "DETECTION_FAILED" ? `Some resources could not be checked: ${status.reason ?? "no reason given"}` : null,
    });
    const count = status.driftedResourceCount ?? drifted.length;
    await applyObservations(
      db,
      job.orgId,
      [
        {
          alertKey: DRIFT_ALERT,
          scope: "account",
          value: isDrifted ? 1 : 0,
          threshold: 1,
          eligible: true,
          raise: {
            type: DRIFT_ALERT,
            params: { stack: DRIFT_STACK_NAME, drift: describeDrift(count, drifted) },
            payload: { stackId: status.stackId, stackName: DRIFT_STACK_NAME, driftedResourceCount: count, resources: drifted },
            link: "aws-connection",
          },
        },
      ],
      raise,
      at,
    );
    return null;
  } catch (err) {
    const problem = err instanceof AwsError ? problemOf(err) : null;
    if (problem) return recordProblem(problem);
    throw err;
  }
}

/** The page's view of the workspace's drift row (`region`: the connection's); null before the first check. */
export async function stackDriftView(env: Env, orgId: string, region: string | null): Promise<StackDriftView | null> {
  const row = await findStackDrift(getDb(env.DB), orgId);
  if (!row || row.checkedAt === null) return null;
  return {
    updateUrl: row.problemCode === "AccessDenied" && region ? stackUpdateUrl({ region, templateUrl: templateUrlOf(env), stackName: row.stackName }) : null,
    stackName: row.stackName,
    checkedAt: row.checkedAt,
    driftStatus: row.driftStatus === "DRIFTED" || row.driftStatus === "IN_SYNC" ? row.driftStatus : null,
    drifted: JSON.parse(row.driftedJson) as DriftedResource[],
    problem: row.problemCode ? { code: row.problemCode, message: row.problem ?? "" } : null,
  };
}

/** Daily cron: one drift check per workspace connected through the stack. */
export async function queueDriftChecks(env: Env): Promise<number> {
  const orgs = await orgsWithStackConnections(getDb(env.DB));
  for (const orgId of orgs) {
    const job: DriftJob = { kind: "alerts.drift", orgId };
    await env.JOBS_QUEUE.send(job, { contentType: "json" });
  }
  return orgs.length;
}
