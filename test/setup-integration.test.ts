import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SIM_SENDOPS_ACCOUNT } from "../sim/aws";
import { listAuditEntries } from "../worker/db/audit";
import { DEMO_ORG_ID } from "../worker/services/demo";
import { call, db, insertMembership, insertOrgWithMember, json, newUser } from "./helpers";
import { sim } from "./aws-helpers";

const api = (orgId: string, rest: string) => `/api/orgs/${orgId}${rest}`;

async function ownerOrg() {
  const user = await newUser("setup");
  const orgId = await insertOrgWithMember(user.id, "owner");
  return { user, orgId };
}

async function download(orgId: string, cookie: string, format = "json", region = "eu-west-1") {
  const res = await call(api(orgId, `/setup/cloudformation-template?region=${region}&format=${format}`), { cookie });
  return res;
}

describe("Setup Guide progress", () => {
  it("starts at phase 1, resumes where the user left off, and completes Identities only by hand", async () => {
    const { user, orgId } = await ownerOrg();
    const first = await json(await call(api(orgId, "/setup"), { cookie: user.cookie }));
    expect(first).toEqual({
      phases: [
        { id: "aws", completedAt: null },
        { id: "validation", completedAt: null },
        { id: "identities", completedAt: null },
        { id: "test_send", completedAt: null },
      ],
      completed: 0,
      done: false,
      currentPhase: "aws",
    });
    const moved = await json(await call(api(orgId, "/setup/progress"), { method: "PUT", cookie: user.cookie, body: { currentPhase: "identities" } }));
    expect(moved.currentPhase).toBe("identities");
    const done = await json(await call(api(orgId, "/setup/progress"), { method: "PUT", cookie: user.cookie, body: { complete: "identities" } }));
    expect(done.completed).toBe(1);
    const completedAt = done.phases[2].completedAt;
    expect(completedAt).toBeGreaterThan(0);
    // Completing again keeps the first completion time.
    const again = await json(await call(api(orgId, "/setup/progress"), { method: "PUT", cookie: user.cookie, body: { complete: "identities" } }));
    expect(again.phases[2].completedAt).toBe(completedAt);
    expect((await json(await call(api(orgId, "/setup"), { cookie: user.cookie }))).currentPhase).toBe("identities");

    const refused = await call(api(orgId, "/setup/progress"), { method: "PUT", cookie: user.cookie, body: { complete: "validation" } });
    expect(refused.status).toBe(422);
    expect((await json(refused)).error.details.fields[0].field).toBe("complete");
    expect((await call(api(orgId, "/setup/progress"), { method: "PUT", cookie: user.cookie, body: {} })).status).toBe(422);
  });

  it("the demo workspace shows a finished setup and refuses changes", async () => {
    const user = await newUser("setup-demo");
    await insertMembership(DEMO_ORG_ID, user.id, "owner").catch(() => undefined);
    const view = await json(await call(api(DEMO_ORG_ID, "/setup"), { cookie: user.cookie }));
    expect(view).toMatchObject({ completed: 4, done: true });
    const res = await call(api(DEMO_ORG_ID, "/setup/progress"), { method: "PUT", cookie: user.cookie, body: { currentPhase: "aws" } });
    expect(res.status).toBe(403);
  });
});

describe("AWS Integration phase", () => {
  it("generates the workspace's template: 7 resources, 4 parameters defaulting to its values, 3 outputs; the key it carries authenticates ingest", async () => {
    const { user, orgId } = await ownerOrg();
    const { externalId } = await json(await call(api(orgId, "/aws-connection"), { cookie: user.cookie }));
    const res = await download(orgId, user.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="sendops-.+-v\d+\.json"$/);
    const t = await json(res);
    expect(Object.keys(t.Resources)).toHaveLength(7);
    expect(Object.keys(t.Parameters).sort()).toEqual(["ExternalId", "SendOpsAccountId", "WebhookApiKey", "WebhookUrl"]);
    expect(Object.keys(t.Outputs).sort()).toEqual(["ConfigurationSetName", "EventRuleName", "RoleARN"]);
    expect(t.Parameters.SendOpsAccountId.Default).toBe(SIM_SENDOPS_ACCOUNT);
    expect(t.Parameters.ExternalId.Default).toBe(externalId);
    expect(t.Parameters.WebhookUrl.Default).toBe(`${env.APP_URL}/ingest/eventbridge`);
    const key = t.Parameters.WebhookApiKey.Default as string;
    expect(key).toMatch(/^sik_/);

    // The template's key is a real ingest key of this workspace: EventBridge's posts with it are accepted.
    const post = await call("/ingest/eventbridge", { method: "POST", origin: null, headers: { "x-api-key": key, "content-type": "application/json" }, body: "{}" as never });
    expect(post.status).toBe(400); // authenticated; the empty body is then refused as malformed (not 401)

    // The next download carries the same key (no rotation per download), in YAML too.
    const yaml = await (await download(orgId, user.cookie, "yaml")).text();
    expect(yaml).toContain(key);
    expect(yaml).toMatch(/^AWSTemplateFormatVersion:/m);

    const audit = await listAuditEntries(db(), { orgId, since: 0, resourceType: "aws_connection", limit: 10 });
    expect(audit.filter((e) => e.operation === "download_template")).toHaveLength(2);
    // The template needed a sealed key, so one was created (and audited) on the first download only.
    const keys = await listAuditEntries(db(), { orgId, since: 0, resourceType: "ingest_key", limit: 10 });
    expect(keys.map((e) => e.operation)).toEqual(["create"]);
  });

  it("a key created before templates (no sealed copy) is rotated once, the old one keeping its 24 h grace", async () => {
    const { user, orgId } = await ownerOrg();
    const { createIngestKey } = await import("../worker/services/ingest/keys");
    const old = await createIngestKey(db(), orgId, { userId: null, name: "op", email: "op@example.test" });
    const t = await json(await download(orgId, user.cookie));
    expect(t.Parameters.WebhookApiKey.Default).not.toBe(old.key);
    const overview = await json(await call(api(orgId, "/ingest"), { cookie: user.cookie }));
    expect(overview.keys).toHaveLength(2);
    expect(overview.keys.find((k: { id: string }) => k.id === old.id).expiresAt).toBeGreaterThan(Date.now());
  });

  it("shows the launch link, command, assistant prompt, manual snippets and the permission breakdown for the chosen region", async () => {
    const { user, orgId } = await ownerOrg();
    const v = await json(await call(api(orgId, "/setup/aws-integration?region=ap-southeast-2"), { cookie: user.cookie }));
    expect(v).toMatchObject({ region: "ap-southeast-2", sendOpsAccountId: SIM_SENDOPS_ACCOUNT, stackName: "sendops", webhookUrl: `${env.APP_URL}/ingest/eventbridge` });
    const launch = new URL(v.launchUrl);
    expect(launch.hostname).toBe("ap-southeast-2.console.aws.amazon.com");
    const hashParams = new URLSearchParams(launch.hash.split("?")[1]);
    expect(hashParams.get("param_ExternalId")).toBe(v.externalId);
    expect(hashParams.get("param_WebhookApiKey")).toMatch(/^sik_/);
    expect(hashParams.get("param_WebhookApiKey")!.startsWith(v.webhookKeyPrefix)).toBe(true);
    expect(hashParams.get("templateURL")).toBe(v.templateUrl);
    expect(v.createStackCommand).toContain("aws cloudformation create-stack");
    expect(v.createStackCommand).toContain("--region ap-southeast-2");
    expect(v.createStackCommand).toContain("CAPABILITY_NAMED_IAM");
    expect(v.assistantPrompt).toContain(v.createStackCommand);
    expect(v.manual.cloudformation).toContain(v.externalId);
    expect(v.manual.terraform).toContain("aws_iam_role");
    expect(v.permissions.map((c: { category: string }) => c.category)).toEqual([
      "Account & Identities",
      "Configuration Sets",
      "Email Templates",
      "Suppression List",
      "Resource Tagging",
      "EventBridge",
      "Drift Detection",
      "Drift Detection Status",
      "Stack Resources (read-only)",
    ]);
    expect(v.neverAccessed).toEqual(["EC2", "S3", "RDS", "Lambda", "Billing", "IAM (write)", "CloudWatch Logs"]);
    const bad = await call(api(orgId, "/setup/aws-integration?region=mars-1"), { cookie: user.cookie });
    expect(bad.status).toBe(422);
  });

  it("the console's template URL serves the generic template (no workspace values) without a session", async () => {
    const { user, orgId } = await ownerOrg();
    const v = await json(await call(api(orgId, "/setup/aws-integration?region=us-east-1"), { cookie: user.cookie }));
    const res = await call(new URL(v.templateUrl).pathname, { origin: null });
    expect(res.status).toBe(200);
    const yaml = await res.text();
    expect(yaml).toContain("SendOpsRole");
    expect(yaml).not.toContain(v.externalId);
    expect(yaml).not.toContain("sik_");
  });

  it("Delegate this step e-mails a colleague the launch link, the command and the values through SendOps' mailer; audited", async () => {
    const { user, orgId } = await ownerOrg();
    const res = await call(api(orgId, "/setup/delegate"), { method: "POST", cookie: user.cookie, body: { email: "aws-admin@colleague.test", note: "Could you run this for us?", region: "eu-north-1" } });
    expect(res.status).toBe(200);
    const sent = await json(res);
    expect(sent).toMatchObject({ sentTo: "aws-admin@colleague.test", localOutboxUrl: `${env.AWS_ENDPOINT_URL}/__sim/outbox` });
    const { mails } = await sim<{ mails: { messageId: string; from: string; to: string[]; subject: string; text: string }[] }>(`/outbox.json?account=${SIM_SENDOPS_ACCOUNT}`);
    const mail = mails.find((m) => m.messageId === sent.messageId)!;
    expect(mail.from).toContain("no-reply@sendops.local");
    expect(mail.to).toEqual(["aws-admin@colleague.test"]);
    expect(mail.text).toContain("aws cloudformation create-stack");
    expect(mail.text).toContain("eu-north-1");
    expect(mail.text).toContain("Could you run this for us?");
    const audit = await listAuditEntries(db(), { orgId, since: 0, resourceType: "aws_connection", limit: 10 });
    expect(audit.find((e) => e.operation === "delegate")?.summary).toBe("Sent the AWS Integration instructions (eu-north-1) to aws-admin@colleague.test");
    const bad = await call(api(orgId, "/setup/delegate"), { method: "POST", cookie: user.cookie, body: { email: "nope" } });
    expect(bad.status).toBe(422);
  });

  it("is for the roles that manage AWS: a Developer may not see the template", async () => {
    const { orgId } = await ownerOrg();
    const dev = await newUser("setup-dev");
    await insertMembership(orgId, dev.id, "developer");
    expect((await download(orgId, dev.cookie)).status).toBe(403);
    expect((await call(api(orgId, "/setup"), { cookie: dev.cookie })).status).toBe(200);
  });
});
