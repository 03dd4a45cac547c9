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
    expect(first).toEqual({ defaults: DEFAULT_ALERT_THRESHOLDS, workspace: DEFAULT_ALERT_THRESHOLDS, channels: [] });

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
});
