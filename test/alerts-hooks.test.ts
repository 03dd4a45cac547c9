import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { listOrgNotifications } from "../worker/db/notifications";
import { call, db, insertOrgWithMember, json, newUser } from "./helpers";
import { newAwsAccount, sim } from "./aws-helpers";

const REGION = "eu-west-1";

/** The workspace's stored notifications, oldest first: type, payload (the params and the structured details), link. */
const raised = async (orgId: string) =>
  (await listOrgNotifications(db(), orgId)).reverse().map((r) => [r.type, JSON.parse(r.payloadJson), r.link]);

describe("channel event hooks, raised where the channel service audits", () => {
  it("raises channel created, settings changed and domain removed", async () => {
    const user = await newUser("hooks");
    const orgId = await insertOrgWithMember(user.id, "owner");
    const { externalId } = await json(await call(`/api/orgs/${orgId}/aws-connection`, { cookie: user.cookie }));
    const aws = await newAwsAccount(externalId);
    await call(`/api/orgs/${orgId}/aws-connection`, { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: REGION } });
    const ch = (await json(await call(`/api/orgs/${orgId}/channels`, { method: "POST", cookie: user.cookie, body: { name: "Receipts", purpose: "transactional" } }))).channel;
    await call(`/api/orgs/${orgId}/channels/${ch.id}/settings`, { method: "PATCH", cookie: user.cookie, body: { tlsPolicy: "OPTIONAL", autoPause: true } });
    // Saving what is already set changes nothing and raises nothing.
    await call(`/api/orgs/${orgId}/channels/${ch.id}/settings`, { method: "PATCH", cookie: user.cookie, body: { tlsPolicy: "OPTIONAL" } });

    await sim(`/accounts/${aws.account}/${REGION}/identities`, { method: "POST", json: { identity: "hooks.example.com", configurationSetName: ch.configurationSetName } });
    const identityId = `idn_hooks_${Date.now().toString(36)}`;
    await env.DB.prepare("INSERT INTO identities (id, org_id, identity, kind, verification_status, created_at, configuration_set_name) VALUES (?, ?, 'hooks.example.com', 'domain', 'SUCCESS', ?, ?)")
      .bind(identityId, orgId, Date.now(), ch.configurationSetName)
      .run();
    const res = await call(`/api/orgs/${orgId}/identities/${identityId}/channel`, { method: "PUT", cookie: user.cookie, body: { channelId: null } });
    expect(res.status, await res.clone().text()).toBe(200);

    expect(await raised(orgId)).toEqual([
      ["channel_events.channel_created", { channel: "Receipts", actor: "Test User", configurationSet: ch.configurationSetName, channelId: ch.id, purpose: "transactional" }, `channels/${ch.id}`],
      [
        "channel_events.channel_settings_changed",
        expect.objectContaining({ actor: "Test User", setting: "TLS policy, auto-pause", channel: "Receipts", channelId: ch.id }),
        `channels/${ch.id}`,
      ],
      [
        "channel_events.domain_removed",
        { identity: "hooks.example.com", channel: "Receipts", actor: "Test User", identityId, channelId: ch.id, newChannelId: null },
        `channels/${ch.id}`,
      ],
    ]);
  });
});
