import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { findStackDrift, orgsWithStackConnections } from "../worker/db/stack-drift";
import { DAY } from "../worker/lib/time";
import { DRIFT_READ_DELAY_SECONDS, runDriftCheck, type DriftJob } from "../worker/services/alerts/drift";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { call, db, insertOrgWithMember, json, newUser, type TestUser } from "./helpers";
import { deploySendOpsStack, newAwsAccount, setStackDrift } from "./aws-helpers";

const REGION = "eu-west-1";
const T = Date.UTC(2026, 2, 2, 3, 17, 0);
const api = (orgId: string, rest: string) => `/api/orgs/${orgId}${rest}`;

/** Starts a validation run and waits for the jobs queue to finish it (it records the stack's template version). */
async function validate(orgId: string, user: TestUser) {
  const started = await call(api(orgId, "/aws-connection/validation"), { method: "POST", cookie: user.cookie });
  expect(started.status).toBe(202);
  const { id } = await json(started);
  for (let i = 0; i < 300; i++) {
    const { run } = await json(await call(api(orgId, "/aws-connection/validation"), { cookie: user.cookie }));
    if (run.id === id && (run.status === "passed" || run.status === "failed")) return run;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("validation did not finish");
}

/**
 * A workspace connected through the role of a SendOps stack of template `version` (the current one by
 * default) or, with `manual`, through a hand-made role; validated, as the Setup Guide does.
 */
async function connected(opts: { version?: number; manual?: boolean } = {}) {
  const user = await newUser("drift");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const { externalId } = await json(await call(api(orgId, "/aws-connection"), { cookie: user.cookie }));
  const aws: { account: string; roleArn: string; stackId?: string } = opts.manual ? await newAwsAccount(externalId) : await deploySendOpsStack(REGION, externalId, opts.version);
  const res = await json(await call(api(orgId, "/aws-connection"), { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: REGION } }));
  expect(res.status).toBe("connected");
  const run = await validate(orgId, user);
  const raised: RaiseRequest[] = [];
  const capture = async (r: RaiseRequest) => void raised.push(r);
  /** The day's check: the job the cron queues, then the follow-up it returns, run at once (no real wait). */
  const check = async (at: number) => {
    const started = await runDriftCheck(env, { kind: "alerts.drift", orgId }, capture, at);
    if (!started) return null;
    expect(started.delaySeconds).toBe(DRIFT_READ_DELAY_SECONDS);
    return runDriftCheck(env, started.next, capture, at + started.delaySeconds * 1000);
  };
  const page = async () => (await json(await call(api(orgId, "/aws-connection"), { cookie: user.cookie }))).stackDrift;
  return { orgId, user, aws, run, raised, check, page, drifts: () => raised.filter((r) => r.type === "system_infrastructure.aws_template_drift") };
}

describe("CloudFormation drift", () => {
  it("raises once per drift across daily checks, re-armed when the stack is back in sync", async () => {
    const o = await connected();
    expect(o.run.stack.deployedVersion).toBe(3);
    expect(await orgsWithStackConnections(db())).toContain(o.orgId);

    expect(await o.check(T)).toBeNull();
    expect(o.drifts()).toEqual([]);
    expect(await o.page()).toMatchObject({ stackName: "sendops", checkedAt: T + DRIFT_READ_DELAY_SECONDS * 1000, driftStatus: "IN_SYNC", drifted: [], problem: null, updateUrl: null });

    await setStackDrift(o.aws.account, REGION, { SendOpsEventRule: "MODIFIED", SendOpsConnection: "DELETED" });
    await o.check(T + DAY);
    await o.check(T + 2 * DAY);
    await o.check(T + 3 * DAY);
    const breachAt = T + DAY + DRIFT_READ_DELAY_SECONDS * 1000;
    expect(o.drifts()).toHaveLength(1);
    const [raise] = o.drifts();
    expect(raise).toMatchObject({
      orgId: o.orgId,
      link: "aws-connection",
      dedupeKey: `${o.orgId}:system_infrastructure.aws_template_drift:account:${breachAt}`,
      payload: { stackName: "sendops", stackId: o.aws.stackId, driftedResourceCount: 2 },
    });
    expect(raise!.params.stack).toBe("sendops");
    expect(raise!.params.drift).toMatch(/^2 resources changed outside CloudFormation: /);
    expect(raise!.params.drift).toContain("SendOpsEventRule (AWS::Events::Rule) modified");
    expect(raise!.params.drift).toContain("SendOpsConnection (AWS::Events::Connection) deleted");
    expect((await o.page()).drifted.map((d: { logicalId: string }) => d.logicalId).sort()).toEqual(["SendOpsConnection", "SendOpsEventRule"]);

    await setStackDrift(o.aws.account, REGION, {});
    await o.check(T + 4 * DAY);
    expect(o.drifts()).toHaveLength(1);
    expect((await o.page()).driftStatus).toBe("IN_SYNC");
    await setStackDrift(o.aws.account, REGION, { SendOpsRole: "MODIFIED" });
    await o.check(T + 5 * DAY);
    expect(o.drifts()).toHaveLength(2);
    expect(o.drifts()[1]!.params.drift).toBe("1 resource changed outside CloudFormation: SendOpsRole (AWS::IAM::Role) modified");

    // Disconnecting forgets what was found through that connection.
    await call(api(o.orgId, "/aws-connection"), { method: "DELETE", cookie: o.user.cookie });
    expect(await findStackDrift(db(), o.orgId)).toBeUndefined();
  });

  it("a stack older than version 3 may not run drift detection: nothing is raised, and the page says to update the stack", async () => {
    const o = await connected({ version: 2 });
    expect(o.run.stack.deployedVersion).toBe(2);
    expect(await orgsWithStackConnections(db())).toContain(o.orgId);
    await setStackDrift(o.aws.account, REGION, { SendOpsEventRule: "MODIFIED" });
    // The start is refused: no follow-up is queued.
    expect(await runDriftCheck(env, { kind: "alerts.drift", orgId: o.orgId } satisfies DriftJob, async (r) => void o.raised.push(r), T)).toBeNull();
    await o.check(T + DAY);
    expect(o.raised).toEqual([]);
    const drift = await o.page();
    expect(drift).toMatchObject({ driftStatus: null, drifted: [], problem: { code: "AccessDenied" } });
    expect(drift.problem.message).toBe("Update the sendops stack to template version 3 to enable drift detection: the stack's role may not call CloudFormation's drift detection.");
    expect(drift.updateUrl).toMatch(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudformation\/home\?region=eu-west-1#\/stacks\/update\/template\?stackId=sendops&templateURL=/);
  });

  it("the jobs consumer runs the queued check: it starts a detection and queues the delayed read", async () => {
    const o = await connected();
    await env.JOBS_QUEUE.send({ kind: "alerts.drift", orgId: o.orgId } satisfies DriftJob, { contentType: "json" });
    let row: Awaited<ReturnType<typeof findStackDrift>>;
    for (let i = 0; i < 100 && !row?.detectionId; i++) {
      await new Promise((r) => setTimeout(r, 100));
      row = await findStackDrift(db(), o.orgId);
    }
    expect(row!.detectionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(row!.checkedAt).toBeNull();
  });

  it("checks only workspaces connected through the stack: not a hand-made role", async () => {
    const o = await connected({ manual: true });
    expect(o.run.stack.deployedVersion).toBeNull();
    expect(await orgsWithStackConnections(db())).not.toContain(o.orgId);
    expect(await o.page()).toBeNull();
  });
});
