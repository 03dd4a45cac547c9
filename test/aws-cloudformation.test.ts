import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CloudFormationClient } from "../worker/aws/cloudformation";
import { AwsError } from "../worker/aws/common";
import { assumeRole } from "../worker/aws/sts";
import { deploySendOpsStack, sendOpsCreds, setStackDrift, sim } from "./aws-helpers";

const REGION = "eu-west-1";

async function rejection(p: Promise<unknown>): Promise<AwsError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AwsError);
  return err as AwsError;
}

/** A fresh account with the SendOps stack of `version`, and a CloudFormation client through the stack's own role. */
async function stackAccount(version?: number) {
  const externalId = `ext-cfn-${Math.random().toString(36).slice(2)}`;
  const aws = await deploySendOpsStack(REGION, externalId, version);
  const creds = await assumeRole(env, sendOpsCreds(), { region: REGION, roleArn: aws.roleArn, externalId, sessionName: "sendops-test" });
  return { ...aws, creds, cfn: new CloudFormationClient(env, creds, REGION) };
}

describe("CloudFormation drift detection against the stand-in", () => {
  it("detects a stack in sync, then the resources changed outside it, then in sync again", async () => {
    const a = await stackAccount();
    const first = await a.cfn.detectStackDrift("sendops");
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await a.cfn.describeStackDriftDetectionStatus(first)).toEqual({
      stackId: a.stackId,
      detectionId: first,
      detectionStatus: "DETECTION_COMPLETE",
      reason: null,
      stackDriftStatus: "IN_SYNC",
      driftedResourceCount: 0,
    });
    expect(await a.cfn.describeStackResourceDrifts("sendops")).toEqual([]);

    await setStackDrift(a.account, REGION, { SendOpsEventRule: "MODIFIED", SendOpsConnection: "DELETED" });
    const second = await a.cfn.detectStackDrift("sendops");
    expect(await a.cfn.describeStackDriftDetectionStatus(second)).toMatchObject({ detectionStatus: "DETECTION_COMPLETE", stackDriftStatus: "DRIFTED", driftedResourceCount: 2 });
    const drifts = await a.cfn.describeStackResourceDrifts("sendops");
    expect(drifts.map((d) => [d.logicalId, d.resourceType, d.status]).sort()).toEqual([
      ["SendOpsConnection", "AWS::Events::Connection", "DELETED"],
      ["SendOpsEventRule", "AWS::Events::Rule", "MODIFIED"],
    ]);
    expect((await a.cfn.describeStackResourceDrifts("sendops", ["IN_SYNC"])).map((d) => d.logicalId)).toHaveLength(5);

    await setStackDrift(a.account, REGION, {});
    const third = await a.cfn.detectStackDrift(a.stackId);
    expect(await a.cfn.describeStackDriftDetectionStatus(third)).toMatchObject({ stackDriftStatus: "IN_SYNC", driftedResourceCount: 0 });
  });

  it("a role from the version-2 template may not start drift detection: AccessDenied (403) in CloudFormation's error XML", async () => {
    const a = await stackAccount(2);
    const err = await rejection(a.cfn.detectStackDrift("sendops"));
    expect([err.service, err.code, err.status]).toEqual(["cloudformation", "AccessDenied", 403]);
    expect(err.message).toContain("is not authorized to perform: cloudformation:DetectStackDrift on resource: arn:aws:cloudformation:eu-west-1:");
    expect(err.requestId).toBeTruthy();
  });

  it("a caller that may not read a resource of the stack gets DETECTION_FAILED naming it; the readable ones are judged", async () => {
    const a = await stackAccount();
    const role = (await sim<{ roles: { arn: string; allowedActions: string[] }[] }>(`/roles?account=${a.account}`)).roles.find((r) => r.arn === a.roleArn)!;
    await sim("/roles/actions", { method: "PUT", json: { arn: a.roleArn, allowedActions: role.allowedActions.filter((x) => !x.startsWith("iam:")) } });
    await setStackDrift(a.account, REGION, { SendOpsEventRule: "MODIFIED" });
    const status = await a.cfn.describeStackDriftDetectionStatus(await a.cfn.detectStackDrift("sendops"));
    expect(status).toMatchObject({ detectionStatus: "DETECTION_FAILED", stackDriftStatus: "DRIFTED", driftedResourceCount: 1 });
    expect(status.reason).toMatch(/^Failed to detect drift on resources \[SendOpsRole, SendOpsEventBridgeRole\]: .*iam:GetRole/);
  });

  it("an unknown stack or detection id is a ValidationError (400); a wrong signature SignatureDoesNotMatch", async () => {
    const a = await stackAccount();
    const noStack = await rejection(a.cfn.detectStackDrift("not-a-stack"));
    expect([noStack.code, noStack.status, noStack.message]).toEqual(["ValidationError", 400, "Stack with id not-a-stack does not exist"]);
    const noDetection = await rejection(a.cfn.describeStackDriftDetectionStatus("00000000-0000-0000-0000-000000000000"));
    expect([noDetection.code, noDetection.status]).toEqual(["ValidationError", 400]);
    const forged = new CloudFormationClient(env, { ...a.creds, secretAccessKey: "not-the-right-secret-at-all-0000" }, REGION);
    const bad = await rejection(forged.detectStackDrift("sendops"));
    expect([bad.code, bad.status]).toEqual(["SignatureDoesNotMatch", 403]);
  });
});
