import { describe, expect, it } from "vitest";
import { listAuditEntries } from "../worker/db/audit";
import { DEFAULT_ALERT_THRESHOLDS } from "../worker/lib/alert-thresholds";
import { call, db, insertMembership, insertOrgWithMember, json, newUser } from "./helpers";
import { channelIdOf } from "./ingest-helpers";
import { env } from "cloudflare:test";

async function setup() {
  const owner = await newUser("thr-owner");
  const orgId = await insertOrgWithMember(owner.id, "owner");
  const dev = await newUser("thr-dev");
  await insertMembership(orgId, dev.id, "developer");
  const channel = channelIdOf(orgId, "acme-marketing");
  await env.DB.prepare("INSERT INTO channels (id, org_id, name, configuration_set_name, created_at) VALUES (?, ?, 'Marketing', 'acme-marketing', ?)").bind(channel, orgId, Date.now()).run();
  return { orgId, owner, dev, channel };
}

const custom = { bounce: { warning: 3, critical: 8 }, complaint: { warning: 0.05, critical: 0.3 }, minVolume: 500 };

describe("alert threshold routes", () => {
  it("shows the defaults, lets an Owner change the workspace's thresholds (audited), and a Developer only read them", async () => {
    const o = await setup();
    const first = await json(await call(`/api/orgs/${o.orgId}/alert-thresholds`, { cookie: o.dev.cookie }));
    expect(first).toEqual({ defaults: DEFAULT_ALERT_THRESHOLDS, workspace: DEFAULT_ALERT_THRESHOLDS, channels: [], domains: [] });

    const denied = await call(`/api/orgs/${o.orgId}/alert-thresholds`, { method: "PUT", cookie: o.dev.cookie, body: custom });
    expect(denied.status).toBe(403);

    const saved = await call(`/api/orgs/${o.orgId}/alert-thresholds`, { method: "PUT", cookie: o.owner.cookie, body: custom });
    expect(saved.status).toBe(200);
    expect((await json(saved)).workspace).toEqual(custom);
    const audit = await listAuditEntries(db(), { orgId: o.orgId, since: 0, resourceType: "alert_thresholds", limit: 5 });
    expect(audit.map((a) => a.summary)).toEqual(["Set the workspace's alert thresholds: bounce 3% / 8%, complaint 0.05% / 0.3%, minimum volume 500"]);
  });

  it("refuses a critical level below the warning level", async () => {
    const o = await setup();
    const res = await call(`/api/orgs/${o.orgId}/alert-thresholds`, { method: "PUT", cookie: o.owner.cookie, body: { ...custom, bounce: { warning: 6, critical: 5 } } });
    expect(res.status).toBe(422);
  });

  it("saves a channel's overrides over the workspace's, and clears them", async () => {
    const o = await setup();
    const res = await call(`/api/orgs/${o.orgId}/channels/${o.channel}/alert-thresholds`, { method: "PUT", cookie: o.owner.cookie, body: { complaint: { warning: 0.2, critical: 0.4 } } });
    expect(res.status).toBe(200);
    expect((await json(res)).channels).toEqual([
      {
        channelId: o.channel,
        overrides: { bounce: null, complaint: { warning: 0.2, critical: 0.4 }, minVolume: null },
        effective: { ...DEFAULT_ALERT_THRESHOLDS, complaint: { warning: 0.2, critical: 0.4 } },
      },
    ]);
    const cleared = await json(await call(`/api/orgs/${o.orgId}/channels/${o.channel}/alert-thresholds`, { method: "PUT", cookie: o.owner.cookie, body: {} }));
    expect(cleared.channels).toEqual([]);
    expect((await call(`/api/orgs/${o.orgId}/channels/nope/alert-thresholds`, { method: "PUT", cookie: o.owner.cookie, body: {} })).status).toBe(404);
  });

  it("saves an identity's sending-domain overrides (shared by the domain's identities), audited, Owners only, and clears them", async () => {
    const o = await setup();
    const at = Date.now();
    for (const [id, identity, kind] of [
      [`${o.orgId}-dom`, "mail.example.com", "domain"],
      [`${o.orgId}-addr`, "news@mail.example.com", "email"],
    ]) {
      await env.DB.prepare("INSERT INTO identities (id, org_id, identity, kind, verification_status, created_at) VALUES (?, ?, ?, ?, 'SUCCESS', ?)").bind(id, o.orgId, identity, kind, at).run();
    }
    const path = (id: string) => `/api/orgs/${o.orgId}/identities/${id}/alert-thresholds`;
    const body = { bounce: { warning: 2, critical: 4 } };
    expect((await call(path(`${o.orgId}-addr`), { method: "PUT", cookie: o.dev.cookie, body })).status).toBe(403);

    const res = await call(path(`${o.orgId}-addr`), { method: "PUT", cookie: o.owner.cookie, body });
    expect(res.status).toBe(200);
    const domains = [{ domain: "mail.example.com", overrides: { bounce: { warning: 2, critical: 4 }, complaint: null, minVolume: null }, effective: { ...DEFAULT_ALERT_THRESHOLDS, bounce: { warning: 2, critical: 4 } } }];
    expect((await json(res)).domains).toEqual(domains);
    // The domain identity's page reads the same overrides.
    expect((await json(await call(`/api/orgs/${o.orgId}/alert-thresholds`, { cookie: o.dev.cookie }))).domains).toEqual(domains);
    const audit = await listAuditEntries(db(), { orgId: o.orgId, since: 0, resourceType: "identity", limit: 5 });
    expect(audit.map((a) => [a.resourceId, a.summary])).toEqual([
      [`${o.orgId}-addr`, "Set the alert thresholds of sending domain mail.example.com (identity news@mail.example.com): bounce 2% / 4%"],
    ]);

    const cleared = await json(await call(path(`${o.orgId}-dom`), { method: "PUT", cookie: o.owner.cookie, body: {} }));
    expect(cleared.domains).toEqual([]);
    expect((await call(path("nope"), { method: "PUT", cookie: o.owner.cookie, body: {} })).status).toBe(404);
    expect((await call(path(`${o.orgId}-dom`), { method: "PUT", cookie: o.owner.cookie, body: { bounce: { warning: 6, critical: 5 } } })).status).toBe(422);
  });
});
