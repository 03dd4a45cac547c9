import { describe, expect, it } from "vitest";
import { call, db, insertOrgWithMember, json, newUser } from "./helpers";
import { newAwsAccount, sim, simStats } from "./aws-helpers";
import { SIM_SENDOPS_ACCOUNT } from "../sim/aws";
import { listAuditEntries } from "../worker/db/audit";
import { sesForOrg } from "../worker/services/aws-connection";
import { env } from "cloudflare:test";

const conn = (orgId: string) => `/api/orgs/${orgId}/aws-connection`;

async function ownerOrg() {
  const user = await newUser("aws");
  const orgId = await insertOrgWithMember(user.id, "owner");
  return { user, orgId };
}

const auditOps = async (orgId: string) =>
  (await listAuditEntries(db(), { orgId, since: 0, resourceType: "aws_connection", limit: 20 })).map((e) => [e.operation, e.summary]);

describe("AWS connection", () => {
  it("first read creates a pending connection with a stable External ID and shows SendOps' account", async () => {
    const { user, orgId } = await ownerOrg();
    const first = await json(await call(conn(orgId), { cookie: user.cookie }));
    expect(first).toMatchObject({ status: "pending", roleArn: null, region: null, sendOpsAccountId: SIM_SENDOPS_ACCOUNT, isDemo: false, lastError: null });
    expect(first.externalId).toMatch(/^sendops-[0-9a-f]{32}$/);
    const again = await json(await call(conn(orgId), { cookie: user.cookie }));
    expect(again.externalId).toBe(first.externalId);
    const other = await ownerOrg();
    expect((await json(await call(conn(other.orgId), { cookie: other.user.cookie }))).externalId).not.toBe(first.externalId);
  });

  it("validates the Role ARN format and the region, naming the field", async () => {
    const { user, orgId } = await ownerOrg();
    const badArn = await call(conn(orgId), { method: "PUT", cookie: user.cookie, body: { roleArn: "arn:aws:iam::123:role/X", region: "us-east-1" } });
    expect(badArn.status).toBe(422);
    expect((await json(badArn)).error.details.fields[0].field).toBe("roleArn");
    const badRegion = await call(conn(orgId), { method: "PUT", cookie: user.cookie, body: { roleArn: "arn:aws:iam::123456789012:role/SendOpsRole", region: "mars-north-1" } });
    expect(badRegion.status).toBe(422);
    expect((await json(badRegion)).error.details.fields[0].field).toBe("region");
  });

  it("connects with AssumeRole + GetAccount, fails clearly with a wrong External ID, re-validates after the fix, disconnects; each audited", async () => {
    const { user, orgId } = await ownerOrg();
    const { externalId } = await json(await call(conn(orgId), { cookie: user.cookie }));
    // The customer's role trusts SendOps, but under another External ID (a typo in the trust policy).
    const aws = await newAwsAccount("sendops-typo");
    const failed = await json(await call(conn(orgId), { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: "eu-west-1" } }));
    expect(failed).toMatchObject({ status: "failed", roleArn: aws.roleArn, region: "eu-west-1", awsAccountId: aws.account });
    expect(failed.lastError.code).toBe("AccessDenied");
    expect(failed.lastError.message).toContain(`SendOps account ${SIM_SENDOPS_ACCOUNT} is included in the trust policy with the correct External ID`);
    expect(failed.lastValidatedAt).toBeGreaterThan(0);
    // SES is out of reach while the connection is not validated.
    await expect(sesForOrg(env, orgId)).rejects.toMatchObject({ code: "AWS_NOT_CONNECTED", status: 409 });

    await sim("/roles", { method: "PUT", json: { arn: aws.roleArn, trustedAccount: SIM_SENDOPS_ACCOUNT, externalId } });
    const fixed = await json(await call(`${conn(orgId)}/validate`, { method: "POST", cookie: user.cookie }));
    expect(fixed).toMatchObject({ status: "connected", lastError: null, roleArn: aws.roleArn, updatedBy: "Test User" });
    expect((await simStats(aws.account)).ses.GetAccount).toBe(1);

    const gone = await json(await call(conn(orgId), { method: "DELETE", cookie: user.cookie }));
    expect(gone).toMatchObject({ status: "pending", roleArn: null, region: null, externalId });
    expect(await auditOps(orgId)).toEqual([
      ["disconnect", `Disconnected AWS role ${aws.roleArn} (eu-west-1)`],
      ["validate", `Re-validated AWS role ${aws.roleArn} (eu-west-1)`],
      ["connect", `AWS connection to ${aws.roleArn} (eu-west-1) failed: AccessDenied`],
    ]);
  });

  it("Re-validate needs a saved role", async () => {
    const { user, orgId } = await ownerOrg();
    const res = await call(`${conn(orgId)}/validate`, { method: "POST", cookie: user.cookie });
    expect(res.status).toBe(409);
  });

  it("reuses the role's temporary credentials for later SES calls (one AssumeRole per hour, not per call)", async () => {
    const { user, orgId } = await ownerOrg();
    const { externalId } = await json(await call(conn(orgId), { cookie: user.cookie }));
    const aws = await newAwsAccount(externalId);
    expect((await json(await call(conn(orgId), { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: "us-west-2" } }))).status).toBe("connected");
    for (let i = 0; i < 3; i++) await (await sesForOrg(env, orgId)).ses.getAccount();
    const stats = await simStats(aws.account);
    expect(stats.assumeRole).toBe(1);
    expect(stats.ses.GetAccount).toBe(4);
  });

  it("Infra Admins manage it; Developers cannot see it", async () => {
    const user = await newUser("aws-roles");
    const infra = await insertOrgWithMember(user.id, "infra_admin");
    const { externalId } = await json(await call(conn(infra), { cookie: user.cookie }));
    const aws = await newAwsAccount(externalId);
    const res = await call(conn(infra), { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: "us-east-1" } });
    expect((await json(res)).status).toBe("connected");
    const dev = await insertOrgWithMember(user.id, "developer");
    const denied = await call(conn(dev), { cookie: user.cookie });
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.details.permission).toBe("aws.view");
  });

  it("the demo workspace shows its sample connection as connected and refuses changes", async () => {
    const user = await newUser("aws-demo");
    const demo = await json(await call(conn("org_demo"), { cookie: user.cookie }));
    expect(demo).toMatchObject({ status: "connected", isDemo: true, region: "us-east-1", roleArn: "arn:aws:iam::111122223333:role/SendOpsRole" });
    const put = await call(conn("org_demo"), { method: "PUT", cookie: user.cookie, body: { roleArn: "arn:aws:iam::123456789012:role/X", region: "us-east-1" } });
    expect(put.status).toBe(403);
    expect((await json(put)).error.code).toBe("DEMO_READ_ONLY");
  });
});
