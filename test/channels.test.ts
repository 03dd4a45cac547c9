import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgContext } from "../worker/context";
import { listAuditEntries } from "../worker/db/audit";
import { PURPOSE_PRESETS, type ChannelSettings } from "../worker/lib/channels";
import { sesForOrg } from "../worker/services/aws-connection";
import { runProvisionDefaultChannels } from "../worker/services/channels/provision";
import { CHANNEL_SYNC_STUCK_AFTER } from "../worker/services/channels/views";
import { runAccountSync } from "../worker/services/setup/account-sync";
import { call, db, insertOrgWithMember, json, newUser } from "./helpers";
import { newAwsAccount, sim } from "./aws-helpers";
import { newApiKey, v1 } from "./v1-helpers";

const REGION = "eu-west-1";
const ALL_TYPES = ["SEND", "REJECT", "BOUNCE", "COMPLAINT", "DELIVERY", "OPEN", "CLICK", "RENDERING_FAILURE", "DELIVERY_DELAY", "SUBSCRIPTION"];
const NO_ENGAGEMENT = ALL_TYPES.filter((t) => t !== "OPEN" && t !== "CLICK");

/** A workspace whose AWS connection is validated against a fresh account of the stand-in. */
async function connectedOrg(role: "owner" | "developer" = "owner") {
  const user = await newUser("channels");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const { externalId } = await json(await call(`/api/orgs/${orgId}/aws-connection`, { cookie: user.cookie }));
  const aws = await newAwsAccount(externalId);
  const connected = await json(await call(`/api/orgs/${orgId}/aws-connection`, { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: REGION } }));
  expect(connected.status).toBe("connected");
  // Connecting AWS is an Owner's job; channels are a Developer's too.
  if (role !== "owner") await env.DB.prepare("UPDATE memberships SET role = ? WHERE org_id = ?").bind(role, orgId).run();
  const req = (method: string, path: string, body?: unknown) => call(`/api/orgs/${orgId}${path}`, { method, cookie: user.cookie, body });
  const org: OrgContext = { orgId, name: "Chan", slug: orgId, isDemo: false, plan: "free", role: "owner", actor: { userId: user.id, name: "Test User", email: user.email } };
  return { user, orgId, aws, req, org };
}
type Org = Awaited<ReturnType<typeof connectedOrg>>;

/** What SES holds for the account (the stand-in's view: GetConfigurationSet shapes plus EventDestinations). */
async function sesState(o: Org) {
  const state = await sim(`/accounts/${o.aws.account}/${REGION}`);
  return {
    set: (name: string) => (state.configurationSets as any[]).find((s) => s.ConfigurationSetName === name),
    identity: (name: string) => (state.identities as any[]).find((i) => i.identity === name),
  };
}

async function create(o: Org, name: string, purpose = "custom", settings?: ChannelSettings) {
  const res = await o.req("POST", "/channels", { name, purpose, ...(settings ? { settings } : {}) });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json(res)).channel;
}

const fault = (o: Org, operation: string, code: string, count = 1) =>
  sim(`/accounts/${o.aws.account}/faults`, { method: "POST", json: { operation, code, message: `Injected ${code}`, count } });

/** A managed identity in SES and in D1, using `set`. */
async function identityOn(o: Org, identity: string, set: string) {
  await sim(`/accounts/${o.aws.account}/${REGION}/identities`, { method: "POST", json: { identity, configurationSetName: set } });
  await env.DB.prepare("INSERT INTO identities (id, org_id, identity, kind, verification_status, created_at, configuration_set_name) VALUES (?, ?, ?, 'domain', 'SUCCESS', ?, ?)")
    .bind(`idn_${identity}_${Date.now().toString(36)}`, o.orgId, identity, Date.now(), set)
    .run();
}

const d1IdentitySet = async (orgId: string, identity: string) =>
  (await env.DB.prepare("SELECT configuration_set_name AS s FROM identities WHERE org_id = ? AND identity = ?").bind(orgId, identity).first<{ s: string | null }>())?.s;

const audits = async (orgId: string) => (await listAuditEntries(db(), { orgId, since: 0, resourceType: "channel", limit: 100 })).map((e) => `${e.operation} ${e.summary}`);

describe("creating a channel", () => {
  it("creates sesmail-<slug> with every option block of the purpose's preset and an EventBridge destination", async () => {
    const o = await connectedOrg();
    const ch = await create(o, "Password Resets!", "transactional");
    expect(ch).toMatchObject({
      name: "Password Resets!",
      purpose: "transactional",
      configurationSetName: "sesmail-password-resets",
      origin: "sendops",
      isDefault: false,
      status: "enabled",
      syncStatus: "synced",
      syncError: null,
      settings: PURPOSE_PRESETS.transactional,
    });
    const set = (await sesState(o)).set("sesmail-password-resets");
    expect(set.SendingOptions).toEqual({ SendingEnabled: true });
    expect(set.DeliveryOptions).toMatchObject({ TlsPolicy: "REQUIRE", MaxDeliverySeconds: 50400 });
    expect(set.ReputationOptions).toMatchObject({ ReputationMetricsEnabled: true });
    expect(set.SuppressionOptions).toEqual({
      SuppressedReasons: ["BOUNCE"],
      ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "MANAGED" } } },
    });
    // Transactional has tracking off: the destination publishes everything but opens and clicks.
    expect(set.EventDestinations).toEqual([
      {
        Name: "sendops-eventbridge",
        Enabled: true,
        MatchingEventTypes: NO_ENGAGEMENT,
        EventBridgeDestination: { EventBusArn: `arn:aws:events:${REGION}:${o.aws.account}:event-bus/default` },
      },
    ]);
    expect(await audits(o.orgId)).toContain("created Created channel Password Resets! (Transactional) with configuration set sesmail-password-resets");
  });

  it("with tracking on, the destination matches all 10 event types; reviewed settings override the preset", async () => {
    const o = await connectedOrg("developer");
    const settings: ChannelSettings = { ...PURPOSE_PRESETS.marketing, tlsPolicy: "OPTIONAL", maxDeliverySeconds: 3600 };
    const ch = await create(o, "Newsletter", "marketing", settings);
    expect(ch.settings).toEqual(settings);
    const set = (await sesState(o)).set("sesmail-newsletter");
    expect(set.EventDestinations[0].MatchingEventTypes).toEqual(ALL_TYPES);
    expect(set.DeliveryOptions).toMatchObject({ TlsPolicy: "OPTIONAL", MaxDeliverySeconds: 3600 });
    expect(set.SuppressionOptions.ValidationOptions.ConditionThreshold.OverallConfidenceThreshold).toEqual({ ConfidenceVerdictThreshold: "HIGH" });
    const events = await json(await o.req("GET", `/channels/${ch.id}/event-destinations`));
    expect(events.eventDestinations).toEqual([
      { name: "sendops-eventbridge", enabled: true, matchingEventTypes: ALL_TYPES, eventBridgeBusArn: `arn:aws:events:${REGION}:${o.aws.account}:event-bus/default`, managed: true },
    ]);
  });

  it("refuses a name without a letter or digit (422), a name taken in SendOps or in SES (409)", async () => {
    const o = await connectedOrg();
    const empty = await o.req("POST", "/channels", { name: "!!!", purpose: "custom" });
    expect(empty.status).toBe(422);
    expect((await json(empty)).error.details.fields).toEqual([{ field: "name", message: expect.stringContaining("letter or digit") }]);
    await create(o, "Receipts");
    const dup = await o.req("POST", "/channels", { name: "receipts", purpose: "custom" });
    expect(dup.status).toBe(409);
    expect((await json(dup)).error.code).toBe("CHANNEL_EXISTS");
    await (await sesForOrg(env, o.orgId)).ses.createConfigurationSet({ name: "sesmail-billing" });
    const inSes = await o.req("POST", "/channels", { name: "Billing", purpose: "custom" });
    expect(inSes.status).toBe(409);
    expect((await json(inSes)).error.code).toBe("CONFIGURATION_SET_EXISTS");
    expect((await json(await o.req("GET", "/channels"))).channels.map((c: any) => c.name)).toEqual(["Receipts"]);
  });

  it("SES refusing the set leaves nothing; the destination failing keeps the channel with a sync error", async () => {
    const o = await connectedOrg();
    await fault(o, "CreateConfigurationSet", "LimitExceededException");
    const refused = await o.req("POST", "/channels", { name: "Alpha", purpose: "custom" });
    expect(refused.status).toBe(502);
    expect((await json(refused)).error.details.awsCode).toBe("LimitExceededException");
    expect((await sesState(o)).set("sesmail-alpha")).toBeUndefined();
    expect((await json(await o.req("GET", "/channels"))).channels).toEqual([]);

    await fault(o, "CreateConfigurationSetEventDestination", "BadRequestException");
    const ch = await create(o, "Alpha");
    expect(ch.syncStatus).toBe("error");
    expect(ch.syncError).toMatchObject({ code: "BadRequestException", message: expect.stringContaining("Injected BadRequestException") });
    expect((await sesState(o)).set("sesmail-alpha").EventDestinations).toEqual([]);
    const retried = await json(await o.req("POST", `/channels/${ch.id}/retry-sync`));
    expect(retried.channel).toMatchObject({ syncStatus: "synced", syncError: null });
    expect((await sesState(o)).set("sesmail-alpha").EventDestinations[0].MatchingEventTypes).toEqual(ALL_TYPES);
  });
});

describe("settings", () => {
  it("each setting is saved and pushed to SES with its own call", async () => {
    const o = await connectedOrg();
    const ch = await create(o, "Ops");
    const patch = async (body: object) => {
      const res = await o.req("PATCH", `/channels/${ch.id}/settings`, body);
      expect(res.status, await res.clone().text()).toBe(200);
      const { channel } = await json(res);
      expect(channel.syncStatus).toBe("synced");
      return channel;
    };
    expect((await patch({ sendingEnabled: false })).status).toBe("disabled");
    await patch({ tlsPolicy: "OPTIONAL" });
    await patch({ maxDeliverySeconds: 300 });
    await patch({ autoValidation: "off" });
    await patch({ suppressedReasons: ["COMPLAINT"] });
    const last = await patch({ trackingEnabled: false });
    expect(last.settings).toEqual({ sendingEnabled: false, tlsPolicy: "OPTIONAL", maxDeliverySeconds: 300, autoValidation: "off", suppressedReasons: ["COMPLAINT"], trackingEnabled: false, autoPause: false });
    const set = (await sesState(o)).set("sesmail-ops");
    expect(set.SendingOptions).toEqual({ SendingEnabled: false });
    expect(set.DeliveryOptions).toMatchObject({ TlsPolicy: "OPTIONAL", MaxDeliverySeconds: 300 });
    expect(set.SuppressionOptions).toEqual({ SuppressedReasons: ["COMPLAINT"], ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "DISABLED" } } });
    expect(set.EventDestinations[0].MatchingEventTypes).toEqual(NO_ENGAGEMENT);

    // No override: the account-level list applies again (SES holds no reasons for the set).
    await patch({ suppressedReasons: null, autoValidation: "medium" });
    expect((await sesState(o)).set("sesmail-ops").SuppressionOptions).toEqual({
      ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "MEDIUM" } } },
    });
    const log = await audits(o.orgId);
    expect(log).toContain("updated Changed TLS policy from Require to Optional of channel Ops (sesmail-ops)");
    expect(log).toContain("updated Changed sending from on to off of channel Ops (sesmail-ops)");

    const bad = await o.req("PATCH", `/channels/${ch.id}/settings`, { maxDeliverySeconds: 1234 });
    expect(bad.status).toBe(422);
    expect((await o.req("PATCH", `/channels/${ch.id}/settings`, {})).status).toBe(422);
  });

  it("a failed push keeps the change with the AWS error; Retry Sync pushes everything and re-creates the destination", async () => {
    const o = await connectedOrg();
    const ch = await create(o, "Retry Me");
    await fault(o, "PutConfigurationSetDeliveryOptions", "BadRequestException");
    const failed = (await json(await o.req("PATCH", `/channels/${ch.id}/settings`, { tlsPolicy: "OPTIONAL" }))).channel;
    expect(failed).toMatchObject({ syncStatus: "error", syncError: { code: "BadRequestException" }, settings: { tlsPolicy: "OPTIONAL" } });
    expect((await sesState(o)).set("sesmail-retry-me").DeliveryOptions.TlsPolicy).toBe("REQUIRE");
    // The list shows the error too (the "Sync Error" badge).
    expect((await json(await o.req("GET", "/channels"))).channels[0]).toMatchObject({ id: ch.id, syncStatus: "error" });

    const { ses } = await sesForOrg(env, o.orgId);
    await ses.deleteConfigurationSetEventDestination("sesmail-retry-me", "sendops-eventbridge");
    const retried = (await json(await o.req("POST", `/channels/${ch.id}/retry-sync`))).channel;
    expect(retried).toMatchObject({ syncStatus: "synced", syncError: null });
    const set = (await sesState(o)).set("sesmail-retry-me");
    expect(set.DeliveryOptions.TlsPolicy).toBe("OPTIONAL");
    expect(set.EventDestinations.map((d: any) => d.Name)).toEqual(["sendops-eventbridge"]);
    expect(await audits(o.orgId)).toContain("synced Pushed every setting of channel Retry Me to sesmail-retry-me again (Retry Sync)");

    // Throttling that outlasts the client's retries is a sync error like any other.
    await fault(o, "PutConfigurationSetSendingOptions", "TooManyRequestsException", 4);
    const throttled = (await json(await o.req("PATCH", `/channels/${ch.id}/settings`, { sendingEnabled: false }))).channel;
    expect(throttled.syncError).toMatchObject({ code: "TooManyRequestsException", message: expect.stringContaining("throttling") });
  });

  it("a push cut off before it recorded its outcome reads as an error after the bound; a running one blocks Retry Sync", async () => {
    const o = await connectedOrg();
    const ch = await create(o, "Stuck");
    const setSyncing = (since: number) => env.DB.prepare("UPDATE channels SET sync_status = 'syncing', updated_at = ? WHERE id = ?").bind(since, ch.id).run();
    await setSyncing(Date.now());
    expect((await json(await o.req("GET", `/channels/${ch.id}`))).channel.syncStatus).toBe("syncing");
    expect((await o.req("POST", `/channels/${ch.id}/retry-sync`)).status).toBe(409);
    await setSyncing(Date.now() - CHANNEL_SYNC_STUCK_AFTER - 1000);
    const stuck = (await json(await o.req("GET", `/channels/${ch.id}`))).channel;
    expect(stuck).toMatchObject({ syncStatus: "error", syncError: { code: "SYNC_INTERRUPTED" } });
    expect((await json(await o.req("POST", `/channels/${ch.id}/retry-sync`))).channel.syncStatus).toBe("synced");
  });
});

describe("rename, delete, default, archive", () => {
  it("a new slug moves the channel to a new set with the same settings, its identities with it, and deletes the old set", async () => {
    const o = await connectedOrg();
    const ch = await create(o, "Alerts", "custom", { ...PURPOSE_PRESETS.custom, tlsPolicy: "OPTIONAL", trackingEnabled: false });
    await identityOn(o, "alerts.example.com", "sesmail-alerts");
    const renamed = (await json(await o.req("PATCH", `/channels/${ch.id}`, { name: "Ops Alerts" }))).channel;
    expect(renamed).toMatchObject({ id: ch.id, name: "Ops Alerts", configurationSetName: "sesmail-ops-alerts", syncStatus: "synced" });
    const ses = await sesState(o);
    expect(ses.set("sesmail-alerts")).toBeUndefined();
    expect(ses.set("sesmail-ops-alerts").DeliveryOptions.TlsPolicy).toBe("OPTIONAL");
    expect(ses.set("sesmail-ops-alerts").EventDestinations[0].MatchingEventTypes).toEqual(NO_ENGAGEMENT);
    expect(ses.identity("alerts.example.com").ConfigurationSetName).toBe("sesmail-ops-alerts");
    expect(await d1IdentitySet(o.orgId, "alerts.example.com")).toBe("sesmail-ops-alerts");

    // Same slug: only the name changes.
    const same = (await json(await o.req("PATCH", `/channels/${ch.id}`, { name: "OPS alerts!" }))).channel;
    expect(same).toMatchObject({ name: "OPS alerts!", configurationSetName: "sesmail-ops-alerts" });
    expect(await audits(o.orgId)).toContain("renamed Renamed channel Alerts to Ops Alerts: configuration set sesmail-alerts replaced by sesmail-ops-alerts");
  });

  it("a rename SES refuses half-way is undone", async () => {
    const o = await connectedOrg();
    const ch = await create(o, "Digest");
    await identityOn(o, "digest.example.com", "sesmail-digest");
    await fault(o, "DeleteConfigurationSet", "BadRequestException");
    const res = await o.req("PATCH", `/channels/${ch.id}`, { name: "Weekly Digest" });
    expect(res.status).toBe(502);
    const ses = await sesState(o);
    expect(ses.set("sesmail-weekly-digest")).toBeUndefined();
    expect(ses.identity("digest.example.com").ConfigurationSetName).toBe("sesmail-digest");
    expect((await json(await o.req("GET", `/channels/${ch.id}`))).channel.configurationSetName).toBe("sesmail-digest");
  });

  it("delete moves identities to the default channel's set and deletes the set; the default cannot be deleted or renamed", async () => {
    const o = await connectedOrg();
    const main = await create(o, "Main");
    const promo = await create(o, "Promo", "marketing");
    expect((await json(await o.req("POST", `/channels/${main.id}/default`))).channel.isDefault).toBe(true);
    await identityOn(o, "promo.example.com", "sesmail-promo");

    const delDefault = await o.req("DELETE", `/channels/${main.id}`);
    expect(delDefault.status).toBe(409);
    expect((await json(delDefault)).error.code).toBe("DEFAULT_CHANNEL");
    expect((await o.req("PATCH", `/channels/${main.id}`, { name: "Primary" })).status).toBe(409);

    expect(await json(await o.req("DELETE", `/channels/${promo.id}`))).toEqual({ deleted: true, identitiesMoved: ["promo.example.com"] });
    const ses = await sesState(o);
    expect(ses.set("sesmail-promo")).toBeUndefined();
    expect(ses.identity("promo.example.com").ConfigurationSetName).toBe("sesmail-main");
    expect(await d1IdentitySet(o.orgId, "promo.example.com")).toBe("sesmail-main");
    expect((await o.req("GET", `/channels/${promo.id}`)).status).toBe(404);
    expect(await audits(o.orgId)).toContain("deleted Deleted channel Promo and its configuration set sesmail-promo; 1 identity moved to sesmail-main");
  });

  it("one default per workspace: Set as Default moves the mark", async () => {
    const o = await connectedOrg();
    const a = await create(o, "A");
    const b = await create(o, "B");
    await o.req("POST", `/channels/${a.id}/default`);
    await o.req("POST", `/channels/${b.id}/default`);
    const list = (await json(await o.req("GET", "/channels"))).channels;
    expect(list.map((c: any) => [c.name, c.isDefault])).toEqual([
      ["A", false],
      ["B", true],
    ]);
    expect(await audits(o.orgId)).toContain("made_default Made B the default channel (was A)");
  });

  it("archive and restore detached channels only, without touching SES; archived ones are listed on request", async () => {
    const o = await connectedOrg();
    const ch = await create(o, "Old");
    expect((await o.req("POST", `/channels/${ch.id}/archive`)).status).toBe(409);
    await env.DB.prepare("UPDATE channels SET detached_at = ? WHERE id = ?").bind(Date.now(), ch.id).run();
    expect((await json(await o.req("POST", `/channels/${ch.id}/archive`))).channel.archivedAt).toEqual(expect.any(Number));
    expect((await json(await o.req("GET", "/channels"))).channels).toEqual([]);
    expect((await json(await o.req("GET", "/channels?archived=1"))).channels.map((c: any) => c.id)).toEqual([ch.id]);
    expect((await o.req("PATCH", `/channels/${ch.id}/settings`, { tlsPolicy: "OPTIONAL" })).status).toBe(409);
    expect((await json(await o.req("POST", `/channels/${ch.id}/restore`))).channel.archivedAt).toBeNull();
    expect((await sesState(o)).set("sesmail-old")).toBeDefined();
    const log = await audits(o.orgId);
    expect(log).toContain("archived Archived channel Old (sesmail-old)");
    expect(log).toContain("restored Restored channel Old (sesmail-old)");
  });
});

describe("default channels", () => {
  it("are provisioned once: Default (the default), Transactional, Marketing, Onboarding, each with its preset", async () => {
    const o = await connectedOrg();
    expect(await runProvisionDefaultChannels(env, { kind: "channels.provision", orgId: o.orgId })).toBe(true);
    expect(await runProvisionDefaultChannels(env, { kind: "channels.provision", orgId: o.orgId })).toBe(false);
    const list = (await json(await o.req("GET", "/channels"))).channels;
    expect(list.map((c: any) => [c.name, c.purpose, c.isDefault, c.syncStatus])).toEqual([
      ["Default", "default", true, "synced"],
      ["Marketing", "marketing", false, "synced"],
      ["Onboarding", "onboarding", false, "synced"],
      ["Transactional", "transactional", false, "synced"],
    ]);
    const ses = await sesState(o);
    expect(ses.set("sesmail-marketing").SuppressionOptions.SuppressedReasons).toEqual(["BOUNCE", "COMPLAINT"]);
    expect(ses.set("sesmail-transactional").EventDestinations[0].MatchingEventTypes).toEqual(NO_ENGAGEMENT);
    expect(ses.set("sesmail-default").EventDestinations[0].MatchingEventTypes).toEqual(ALL_TYPES);
    expect((await audits(o.orgId)).filter((a) => a.startsWith("provisioned"))).toHaveLength(4);
  });

  it("concurrent jobs provision once; a set already in SES is adopted with its settings", async () => {
    const o = await connectedOrg();
    const { ses } = await sesForOrg(env, o.orgId);
    await ses.createConfigurationSet({ name: "sesmail-marketing", deliveryOptions: { tlsPolicy: "OPTIONAL", maxDeliverySeconds: 1800 } });
    const job = { kind: "channels.provision" as const, orgId: o.orgId };
    const runs = await Promise.all([runProvisionDefaultChannels(env, job), runProvisionDefaultChannels(env, job)]);
    expect(runs.filter(Boolean)).toHaveLength(1);
    const list = (await json(await o.req("GET", "/channels"))).channels;
    expect(list).toHaveLength(4);
    const marketing = list.find((c: any) => c.name === "Marketing");
    expect(marketing.settings).toMatchObject({ tlsPolicy: "OPTIONAL", maxDeliverySeconds: 1800, suppressedReasons: null });
    expect((await sesState(o)).set("sesmail-marketing").EventDestinations.map((d: any) => d.Name)).toEqual(["sendops-eventbridge"]);
  });

  it("puts managed identities without a configuration set on the Default channel's, in SES and D1, audited", async () => {
    const o = await connectedOrg();
    await identityOn(o, "bare.example.com", "");
    await env.DB.prepare("UPDATE identities SET configuration_set_name = NULL WHERE org_id = ?").bind(o.orgId).run();
    await sim(`/accounts/${o.aws.account}/${REGION}/identities`, { method: "POST", json: { identity: "gone.example.com" } });
    await env.DB.prepare("INSERT INTO identities (id, org_id, identity, kind, verification_status, created_at, disconnected_at) VALUES (?, ?, 'gone.example.com', 'domain', 'SUCCESS', ?, ?)")
      .bind(`idn_gone_${Date.now().toString(36)}`, o.orgId, Date.now(), Date.now())
      .run();
    await identityOn(o, "kept.example.com", "acme-own");
    expect(await runProvisionDefaultChannels(env, { kind: "channels.provision", orgId: o.orgId })).toBe(true);
    const ses = await sesState(o);
    expect(ses.identity("bare.example.com").ConfigurationSetName).toBe("sesmail-default");
    expect(await d1IdentitySet(o.orgId, "bare.example.com")).toBe("sesmail-default");
    // A disconnected identity is not SendOps' to change; one on its own set keeps it.
    expect(ses.identity("gone.example.com").ConfigurationSetName).toBeUndefined();
    expect(await d1IdentitySet(o.orgId, "gone.example.com")).toBeNull();
    expect(ses.identity("kept.example.com").ConfigurationSetName).toBe("acme-own");
    const log = (await listAuditEntries(db(), { orgId: o.orgId, since: 0, resourceType: "identity", limit: 10 })).map((e) => `${e.operation} ${e.summary}`);
    expect(log).toEqual(["channel_assigned Default channels: bare.example.com had no channel and now uses Default (sesmail-default)"]);
  });

  it("a failed run gives the claim back so a later job provisions", async () => {
    const o = await connectedOrg();
    await fault(o, "CreateConfigurationSet", "AccessDeniedException");
    expect(await runProvisionDefaultChannels(env, { kind: "channels.provision", orgId: o.orgId })).toBe(false);
    expect(await runProvisionDefaultChannels(env, { kind: "channels.provision", orgId: o.orgId })).toBe(true);
    expect((await json(await o.req("GET", "/channels"))).channels).toHaveLength(4);
  });
});

describe("account sync", () => {
  it("reads a discovered set's settings, and queues provisioning once a verified domain exists", async () => {
    const o = await connectedOrg();
    const { ses } = await sesForOrg(env, o.orgId);
    await ses.createConfigurationSet({ name: "acme-billing", deliveryOptions: { tlsPolicy: "REQUIRE", maxDeliverySeconds: 3600 }, sendingOptions: { sendingEnabled: false } });
    await runAccountSync(env, { kind: "aws.sync", orgId: o.orgId, actor: null });
    let list = (await json(await o.req("GET", "/channels"))).channels;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ name: "acme-billing", origin: "discovered", isNew: true, status: "disabled", settings: { tlsPolicy: "REQUIRE", maxDeliverySeconds: 3600, trackingEnabled: false } });

    await sim(`/accounts/${o.aws.account}/${REGION}/identities`, { method: "POST", json: { identity: "verified.example.com" } });
    await runAccountSync(env, { kind: "aws.sync", orgId: o.orgId, actor: null });
    for (let i = 0; i < 100 && list.length < 5; i++) {
      await new Promise((r) => setTimeout(r, 100));
      list = (await json(await o.req("GET", "/channels"))).channels;
    }
    expect(list.map((c: any) => c.name)).toEqual(["acme-billing", "Default", "Marketing", "Onboarding", "Transactional"]);
  });
});

describe("/v1/channels and the stand-in's fault route", () => {
  it("lists channels with purpose, status, sync status, default, configuration set and settings", async () => {
    const o = await connectedOrg();
    const ch = await create(o, "Receipts", "transactional");
    await o.req("POST", `/channels/${ch.id}/default`);
    await fault(o, "PutConfigurationSetSendingOptions", "BadRequestException");
    await o.req("PATCH", `/channels/${ch.id}/settings`, { sendingEnabled: false });
    const key = await newApiKey(o.orgId);
    const page = await json(await v1("/channels", { key: key.secret }));
    expect(page.data).toEqual([
      expect.objectContaining({
        id: ch.id,
        name: "Receipts",
        purpose: "transactional",
        status: "disabled",
        syncStatus: "error",
        syncError: expect.objectContaining({ code: "BadRequestException" }),
        isDefault: true,
        configurationSetName: "sesmail-receipts",
        settings: { ...PURPOSE_PRESETS.transactional, sendingEnabled: false },
      }),
    ]);
  });

  it("refuses an unknown operation, lists pending faults and clears them", async () => {
    const o = await connectedOrg();
    await expect(sim(`/accounts/${o.aws.account}/faults`, { method: "POST", json: { operation: "PutNothing", code: "BadRequestException" } })).rejects.toThrow(/400/);
    await fault(o, "DeleteConfigurationSet", "NotFoundException", 2);
    expect((await sim(`/accounts/${o.aws.account}/faults`)).faults).toEqual([
      { operation: "DeleteConfigurationSet", code: "NotFoundException", status: 404, message: "Injected NotFoundException", count: 2 },
    ]);
    expect((await sim(`/accounts/${o.aws.account}/faults`, { method: "DELETE" })).faults).toEqual([]);
  });
});
