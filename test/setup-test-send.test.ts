import { describe, expect, it } from "vitest";
import { listAuditEntries } from "../worker/db/audit";
import { call, db, insertOrgWithMember, json, newUser } from "./helpers";
import { newAwsAccount, sim } from "./aws-helpers";

const api = (orgId: string, rest: string) => `/api/orgs/${orgId}${rest}`;
const REGION = "eu-central-1";

/**
 * A sandbox workspace with the stack deployed and its identities synced. The stand-in posts each SES
 * event to the stack's WebhookUrl; the worker pool has no listening port, so `forwardEvents` hands the
 * envelopes it tried to deliver to the Worker's ingest endpoint with the stack's key, as EventBridge would.
 */
async function readyOrg() {
  const user = await newUser("test-send");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const { externalId } = await json(await call(api(orgId, "/aws-connection"), { cookie: user.cookie }));
  const aws = await newAwsAccount(externalId, "SendOpsManualRole");
  await sim(`/accounts/${aws.account}/${REGION}/account`, { method: "PUT", json: { mode: "sandbox" } });
  for (const identity of ["mail.tsend.test", "ops@tsend.test"]) await sim(`/accounts/${aws.account}/${REGION}/identities`, { method: "POST", json: { identity } });
  expect((await json(await call(api(orgId, "/aws-connection"), { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: REGION } }))).status).toBe("connected");
  const template = await (await call(api(orgId, `/setup/cloudformation-template?region=${REGION}&format=json`), { cookie: user.cookie })).text();
  const key = JSON.parse(template).Parameters.WebhookApiKey.Default as string;
  expect((await sim(`/accounts/${aws.account}/${REGION}/stacks`, { method: "POST", json: { stackName: "sendops", templateBody: template, parameters: {} } })).status).toBe("CREATE_COMPLETE");
  await call(api(orgId, "/aws-connection/sync"), { method: "POST", cookie: user.cookie });
  for (let i = 0; i < 300; i++) {
    const view = await json(await call(api(orgId, "/setup/test-send"), { cookie: user.cookie }));
    if (view.fromAddresses.length === 2 && view.sandbox) return { user, orgId, aws, key, options: view };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("sync did not finish");
}

const forwarded = new Set<string>();
/** Posts every envelope the stand-in tried to deliver for this account to the Worker's ingest endpoint. */
async function forwardEvents(account: string, key: string) {
  const state = await sim(`/accounts/${account}/${REGION}`);
  for (const d of state.deliveries as { eventId: string; event: Record<string, unknown> }[]) {
    if (forwarded.has(d.eventId)) continue;
    forwarded.add(d.eventId);
    const res = await call("/ingest/eventbridge", {
      method: "POST",
      origin: null,
      body: JSON.stringify(d.event),
      headers: { "x-api-key": key, "content-type": "application/json; charset=utf-8", "user-agent": "Amazon/EventBridge/ApiDestinations" },
    });
    expect(res.status).toBe(202);
  }
}

async function waitForOutcome(org: Awaited<ReturnType<typeof readyOrg>>, id: string, done: (status: string) => boolean) {
  for (let i = 0; i < 300; i++) {
    await forwardEvents(org.aws.account, org.key);
    const view = await json(await call(api(org.orgId, `/setup/test-send/${id}`), { cookie: org.user.cookie }));
    if (done(view.status)) return view;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no outcome");
}

describe("First Test Send", () => {
  it("offers the verified identities as senders; a test to the mailbox simulator is confirmed by its Delivery event through ingest", async () => {
    const org = await readyOrg();
    expect(org.options).toMatchObject({ fromAddresses: ["sendops-test@mail.tsend.test", "ops@tsend.test"], sandbox: true, verifiedRecipients: ["mail.tsend.test", "ops@tsend.test"], lastTest: null });
    const sent = await call(api(org.orgId, "/setup/test-send"), { method: "POST", cookie: org.user.cookie, body: { from: "ops@tsend.test", to: "success@simulator.amazonses.com" } });
    expect(sent.status).toBe(201);
    const test = await json(sent);
    expect(test).toMatchObject({ from: "ops@tsend.test", to: "success@simulator.amazonses.com", status: "sent", error: null, confirmedAt: null });
    expect(test.sesMessageId).toMatch(/-000000$/);
    // Nothing is confirmed before the events come back.
    expect((await json(await call(api(org.orgId, "/setup"), { cookie: org.user.cookie }))).phases[3].completedAt).toBeNull();

    const done = await waitForOutcome(org, test.id, (s) => s === "delivered");
    expect(done.confirmedAt).toBeGreaterThanOrEqual(test.createdAt - 1000);
    expect((await json(await call(api(org.orgId, "/setup"), { cookie: org.user.cookie }))).phases[3].completedAt).not.toBeNull();
    // The message is a real ingested message of the workspace, visible in Reports → Messages.
    const messages = await json(await call(api(org.orgId, `/messages?from=${test.createdAt - 3_600_000}&to=${Date.now() + 3_600_000}&recipient=success%40simulator.amazonses.com`), { cookie: org.user.cookie }));
    expect(JSON.stringify(messages)).toContain(test.sesMessageId);
    const audit = await listAuditEntries(db(), { orgId: org.orgId, since: 0, resourceType: "test_send", limit: 5 });
    expect(audit.map((e) => e.summary)).toEqual(["Sent a test email from ops@tsend.test to success@simulator.amazonses.com"]);
  });

  it("a bounce from the simulator shows as bounced", async () => {
    const org = await readyOrg();
    const test = await json(await call(api(org.orgId, "/setup/test-send"), { method: "POST", cookie: org.user.cookie, body: { from: "sendops-test@mail.tsend.test", to: "bounce@simulator.amazonses.com" } }));
    expect((await waitForOutcome(org, test.id, (s) => s === "bounced")).status).toBe("bounced");
  });

  it("SES refusing an unverified recipient in sandbox is stored and explained; a sender that is not a verified identity is refused before SES", async () => {
    const org = await readyOrg();
    const refused = await json(await call(api(org.orgId, "/setup/test-send"), { method: "POST", cookie: org.user.cookie, body: { from: "ops@tsend.test", to: "someone@elsewhere.test" } }));
    expect(refused).toMatchObject({ status: "failed", sesMessageId: null, error: { code: "MessageRejected" } });
    expect(refused.error.message).toContain("Email address is not verified");
    expect(refused.error.message).toContain("sandbox");
    const last = await json(await call(api(org.orgId, "/setup/test-send"), { cookie: org.user.cookie }));
    expect(last.lastTest.id).toBe(refused.id);

    const bad = await call(api(org.orgId, "/setup/test-send"), { method: "POST", cookie: org.user.cookie, body: { from: "ceo@unverified.test", to: "success@simulator.amazonses.com" } });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("from");
    const badTo = await call(api(org.orgId, "/setup/test-send"), { method: "POST", cookie: org.user.cookie, body: { from: "ops@tsend.test", to: "not-an-address" } });
    expect(badTo.status).toBe(422);
  });
});
