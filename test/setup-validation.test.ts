import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { missingActions } from "../worker/aws/stack/permissions";
import { cloudFormationTemplate, templateJson } from "../worker/aws/stack/template";
import { listAuditEntries } from "../worker/db/audit";
import { loadOrgIngestConfigs } from "../worker/db/ingest";
import { identities } from "../worker/db/schema";
import { sesForOrg } from "../worker/services/aws-connection";
import type { ValidationCheckId } from "../worker/services/setup/views";
import { and, eq } from "drizzle-orm";
import { call, db, insertMembership, insertOrgWithMember, json, newUser, type TestUser } from "./helpers";
import { newAwsAccount, sim } from "./aws-helpers";

const api = (orgId: string, rest: string) => `/api/orgs/${orgId}${rest}`;

/** A workspace whose Owner connected a fresh AWS account in `region` (mode and identities as given). */
async function connectedOrg(opts: { region?: string; mode?: "sandbox" | "production"; identities?: string[] } = {}) {
  const region = opts.region ?? "eu-west-1";
  const user = await newUser("validate");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const { externalId } = await json(await call(api(orgId, "/aws-connection"), { cookie: user.cookie }));
  // Made by hand (the Manual method); the stack deployed later creates its own SendOpsRole.
  const aws = await newAwsAccount(externalId, "SendOpsManualRole");
  await sim(`/accounts/${aws.account}/${region}/account`, { method: "PUT", json: { mode: opts.mode ?? "production" } });
  for (const identity of opts.identities ?? []) await sim(`/accounts/${aws.account}/${region}/identities`, { method: "POST", json: { identity } });
  const res = await json(await call(api(orgId, "/aws-connection"), { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region } }));
  expect(res.status).toBe("connected");
  return { user, orgId, aws, region, externalId };
}

/** Deploys the workspace's own template (downloaded like the Setup Guide does) into its sim account. */
async function deployStack(org: Awaited<ReturnType<typeof connectedOrg>>, version?: number) {
  let templateBody: string;
  if (version === undefined) {
    templateBody = await (await call(api(org.orgId, `/setup/cloudformation-template?region=${org.region}&format=json`), { cookie: org.user.cookie })).text();
  } else {
    const current = JSON.parse(await (await call(api(org.orgId, `/setup/cloudformation-template?region=${org.region}&format=json`), { cookie: org.user.cookie })).text());
    const defaults = Object.fromEntries(Object.entries(current.Parameters as Record<string, { Default: string }>).map(([k, v]) => [k, v.Default]));
    templateBody = templateJson(
      cloudFormationTemplate({
        version,
        defaults: { sendOpsAccountId: defaults.SendOpsAccountId!, externalId: defaults.ExternalId!, webhookUrl: defaults.WebhookUrl!, webhookApiKey: defaults.WebhookApiKey! },
      }),
    );
  }
  const stack = await sim(`/accounts/${org.aws.account}/${org.region}/stacks`, { method: "POST", json: { stackName: "sendops", templateBody, parameters: {} } });
  expect(["CREATE_COMPLETE", "UPDATE_COMPLETE"]).toContain(stack.status);
  return stack;
}

/** Starts a validation run and waits for the jobs queue to finish it. */
async function validate(orgId: string, user: TestUser) {
  const started = await call(api(orgId, "/aws-connection/validation"), { method: "POST", cookie: user.cookie });
  expect(started.status).toBe(202);
  const run = await json(started);
  expect(run.checks).toHaveLength(11);
  for (let i = 0; i < 300; i++) {
    const { run: now } = await json(await call(api(orgId, "/aws-connection/validation"), { cookie: user.cookie }));
    if (now.id === run.id && (now.status === "passed" || now.status === "failed")) return now;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("validation did not finish");
}

type Check = { id: ValidationCheckId; status: string; message: string; fix: string | null };
const byId = (run: { checks: Check[] }) => Object.fromEntries(run.checks.map((c) => [c.id, c])) as Record<ValidationCheckId, Check>;
const failures = (run: { checks: Check[] }) => run.checks.filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.message}`);
const badge = async (orgId: string, user: TestUser) => json(await call(api(orgId, "/aws-connection/status"), { cookie: user.cookie }));

describe("Connection Validation", () => {
  it("fails the stack checks with the documented messages until the stack is deployed, then passes all eleven", async () => {
    const org = await connectedOrg({ identities: ["mail.acme-validate.test"] });
    expect((await badge(org.orgId, org.user)).state).toBe("connected");
    const before = await validate(org.orgId, org.user);
    expect(before.status).toBe("failed");
    const c = byId(before);
    expect(c.configuration_set).toMatchObject({ status: "fail", message: `Configuration set sendops-events not found in ${org.region}.` });
    expect(c.configuration_set.fix).toContain("CloudFormation");
    expect(c.event_rule).toMatchObject({ status: "fail", message: `EventBridge rule sendops-ses-events not found in ${org.region}.` });
    expect(c.webhook_target.status).toBe("fail");
    for (const id of ["channel_management", "channel_settings", "email_templates", "contact_lists", "ses_enabled", "account_status", "sending_limits", "verified_identities"] as const) {
      expect(c[id].status, id).toBe("pass");
    }
    expect(c.verified_identities.message).toBe("1 verified identity (1 domain, 0 email addresses).");
    expect((await badge(org.orgId, org.user)).state).toBe("error");
    expect((await json(await call(api(org.orgId, "/setup"), { cookie: org.user.cookie }))).phases[1].completedAt).toBeNull();

    await deployStack(org);
    const after = await validate(org.orgId, org.user);
    expect(failures(after)).toEqual([]);
    expect(after.status).toBe("passed");
    expect(after.checks.every((x: { status: string }) => x.status === "pass")).toBe(true);
    expect(byId(after).event_rule.message).toBe("Rule sendops-ses-events exists and is enabled.");
    expect(after.stack).toMatchObject({ deployedVersion: 3, currentVersion: 3, updateAvailable: false, missingActions: [] });
    expect((await badge(org.orgId, org.user)).state).toBe("connected");
    const progress = await json(await call(api(org.orgId, "/setup"), { cookie: org.user.cookie }));
    expect(progress.phases.map((p: { completedAt: number | null }) => p.completedAt !== null)).toEqual([true, true, false, false]);
    const audit = await listAuditEntries(db(), { orgId: org.orgId, since: 0, resourceType: "aws_connection", limit: 20 });
    expect(audit.filter((e) => e.operation === "validate_stack").map((e) => e.summary)).toEqual([
      "Connection validation passed (11 checks)",
      "Connection validation failed: SES Configuration Set, EventBridge Rule, Webhook Target",
    ]);
  });

  it("passes a sandbox account with the amber warning, and the badge says Sandbox with its quota", async () => {
    const org = await connectedOrg({ mode: "sandbox", region: "us-east-2" });
    await deployStack(org);
    const run = await validate(org.orgId, org.user);
    expect(failures(run)).toEqual([]);
    expect(run.status).toBe("passed");
    const c = byId(run);
    expect(c.account_status).toMatchObject({ status: "warn", message: "Sandbox mode active — you can only send to verified email addresses." });
    expect(c.sending_limits.message).toMatch(/^Daily quota 200 emails, max send rate 1 email per second; /);
    expect(c.verified_identities.status).toBe("warn");
    expect(await badge(org.orgId, org.user)).toMatchObject({ state: "sandbox", mode: "sandbox", region: "us-east-2", awsAccountId: org.aws.account, quota: { max24HourSend: 200, maxSendRate: 1 } });
  });

  it("a stack from the older template fails the new permission probes and offers the stack update", async () => {
    const org = await connectedOrg();
    await deployStack(org, 1);
    // Connect through the stack's own role, whose policy is the version-1 one.
    const stackRole = `arn:aws:iam::${org.aws.account}:role/SendOpsRole`;
    const reconnected = await json(await call(api(org.orgId, "/aws-connection"), { method: "PUT", cookie: org.user.cookie, body: { roleArn: stackRole, region: org.region } }));
    expect(reconnected.status).toBe("connected");
    const run = await validate(org.orgId, org.user);
    expect(run.status).toBe("failed");
    const c = byId(run);
    expect(c.contact_lists).toMatchObject({ status: "fail", message: "The role may not call ses:ListContactLists." });
    expect(c.email_templates).toMatchObject({ status: "fail", message: "The role may not call ses:ListEmailTemplates." });
    expect(c.channel_settings).toMatchObject({ status: "fail", message: "The role may not call ses:PutConfigurationSetDeliveryOptions." });
    expect(c.channel_management.status).toBe("pass");
    expect(run.stack).toMatchObject({ deployedVersion: 1, updateAvailable: true });
    // Everything version 1 lacks: version 2's SES actions and version 3's drift detection.
    expect([...run.stack.missingActions].sort()).toEqual(missingActions(1).sort());
    expect(run.stack.missingActions).toEqual(expect.arrayContaining(["ses:ListContactLists", "ses:ListEmailTemplates", "ses:PutConfigurationSetDeliveryOptions", "cloudformation:DetectStackDrift"]));
    const b = await badge(org.orgId, org.user);
    expect(b.state).toBe("update_available");
    expect(b.stackUpdateUrl).toContain(`${org.region}.console.aws.amazon.com/cloudformation`);

    // Updating the stack to the current template fixes it.
    await deployStack(org);
    expect((await validate(org.orgId, org.user)).status).toBe("passed");
  });

  it("a version-2 stack passes every probe and is still offered the update that adds drift detection", async () => {
    const org = await connectedOrg();
    await deployStack(org, 2);
    const stackRole = `arn:aws:iam::${org.aws.account}:role/SendOpsRole`;
    expect((await json(await call(api(org.orgId, "/aws-connection"), { method: "PUT", cookie: org.user.cookie, body: { roleArn: stackRole, region: org.region } }))).status).toBe("connected");
    const run = await validate(org.orgId, org.user);
    expect(failures(run)).toEqual([]);
    expect(run.status).toBe("passed");
    expect(run.stack).toMatchObject({ deployedVersion: 2, currentVersion: 3, updateAvailable: true });
    expect([...run.stack.missingActions].sort()).toEqual(missingActions(2).sort());
    const b = await badge(org.orgId, org.user);
    expect(b.state).toBe("update_available");
    expect(b.stackUpdateUrl).toContain(`${org.region}.console.aws.amazon.com/cloudformation`);

    await deployStack(org);
    const updated = await validate(org.orgId, org.user);
    expect(updated.stack).toMatchObject({ deployedVersion: 3, updateAvailable: false, missingActions: [] });
    expect((await badge(org.orgId, org.user)).state).toBe("connected");
  });

  it("needs a validated connection and a role that manages AWS", async () => {
    const user = await newUser("validate-none");
    const orgId = await insertOrgWithMember(user.id, "owner");
    const res = await call(api(orgId, "/aws-connection/validation"), { method: "POST", cookie: user.cookie });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("AWS_NOT_CONNECTED");
    expect(await json(await call(api(orgId, "/aws-connection/validation"), { cookie: user.cookie }))).toEqual({ run: null });
    const dev = await newUser("validate-dev");
    await insertMembership(orgId, dev.id, "developer");
    expect((await call(api(orgId, "/aws-connection/validation"), { method: "POST", cookie: dev.cookie })).status).toBe(403);
  });
});

/** Asks for a sync and waits for the jobs queue to finish it. */
async function syncNow(orgId: string, user: TestUser) {
  const at = Date.now();
  const res = await call(api(orgId, "/aws-connection/sync"), { method: "POST", cookie: user.cookie });
  expect(res.status).toBe(202);
  for (let i = 0; i < 300; i++) {
    const view = await json(await call(api(orgId, "/setup/identities"), { cookie: user.cookie }));
    if (!view.sync.running && ((view.sync.lastSyncedAt ?? 0) >= at || (view.sync.lastError?.at ?? 0) >= at)) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("sync did not finish");
}

describe("Account sync", () => {
  it("makes SES identities managed (New), configuration sets channels (Discovered, not the base set), and marks what left SES Detached", async () => {
    const org = await connectedOrg({ mode: "sandbox", identities: ["mail.sync.test", "ops@sync.test"] });
    await deployStack(org);
    const ses = (await sesForOrg(env, org.orgId)).ses;
    await ses.createConfigurationSet({ name: "acme-marketing" });

    const view = await syncNow(org.orgId, org.user);
    expect(view.sync.lastError).toBeNull();
    expect(view.sync.account).toMatchObject({ mode: "sandbox", sendingEnabled: true });
    expect(view.identities.map((i: Record<string, unknown>) => [i.identity, i.kind, i.verificationStatus, i.state, i.origin])).toEqual([
      ["mail.sync.test", "domain", "SUCCESS", "new", "ses"],
      ["ops@sync.test", "email", "SUCCESS", "new", "ses"],
    ]);
    expect(view.configurationSets).toEqual([{ name: "acme-marketing", channelId: expect.stringMatching(/^chn_/), channelName: "acme-marketing", purpose: "custom", isDefault: false, origin: "discovered", detached: false }]);
    // Events from the synced identities now count.
    const config = (await loadOrgIngestConfigs(db(), [org.orgId], "template")).get(org.orgId)!;
    expect([...config.identities].sort()).toEqual(["mail.sync.test", "ops@sync.test"]);
    expect(config.channelsByConfigurationSet.has("acme-marketing")).toBe(true);

    // The address leaves SES: detached, still counted until archived.
    await ses.deleteEmailIdentity("ops@sync.test");
    const again = await syncNow(org.orgId, org.user);
    expect(again.identities.find((i: { identity: string }) => i.identity === "ops@sync.test").state).toBe("detached");
    expect((await loadOrgIngestConfigs(db(), [org.orgId], "template")).get(org.orgId)!.identities.has("ops@sync.test")).toBe(true);
    await db().update(identities).set({ archivedAt: Date.now() }).where(and(eq(identities.orgId, org.orgId), eq(identities.identity, "ops@sync.test")));
    expect((await loadOrgIngestConfigs(db(), [org.orgId], "template")).get(org.orgId)!.identities.has("ops@sync.test")).toBe(false);

    const audit = await listAuditEntries(db(), { orgId: org.orgId, since: 0, resourceType: "aws_account", limit: 10 });
    expect(audit.map((e) => e.summary)).toEqual([
      "AWS account sync: 1 detached (ops@sync.test)",
      "AWS account sync: 2 new identities (mail.sync.test, ops@sync.test); 1 configuration set discovered as channels (acme-marketing)",
    ]);
  });

  it("records a failed sync with the AWS error and shows it", async () => {
    const org = await connectedOrg();
    await sim("/roles/actions", { method: "PUT", json: { arn: org.aws.roleArn, allowedActions: ["ses:GetAccount"] } });
    const view = await syncNow(org.orgId, org.user);
    expect(view.sync.lastError).toMatchObject({ code: "AccessDeniedException" });
    expect(view.sync.lastError.message).toContain("SendOpsSESAccess");
    expect(view.identities).toEqual([]);
  });

  it("the cron syncs connected workspaces whose last sync is stale", async () => {
    const { syncStaleAccounts, ACCOUNT_SYNC_STALE_AFTER } = await import("../worker/services/setup/account-sync");
    const org = await connectedOrg({ identities: ["mail.cron.test"] });
    const queued = await syncStaleAccounts(env, Date.now(), 1000);
    expect(queued).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 300; i++) {
      const view = await json(await call(api(org.orgId, "/setup/identities"), { cookie: org.user.cookie }));
      if (view.identities.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const view = await json(await call(api(org.orgId, "/setup/identities"), { cookie: org.user.cookie }));
    expect(view.identities.map((i: { identity: string }) => i.identity)).toEqual(["mail.cron.test"]);
    // Fresh now: the next cron run leaves it alone.
    const { findOrgsDueForAccountSync } = await import("../worker/db/aws");
    const due = await findOrgsDueForAccountSync(db(), Date.now() - ACCOUNT_SYNC_STALE_AFTER, Date.now(), 1000);
    expect(due).not.toContain(org.orgId);
  });
});
