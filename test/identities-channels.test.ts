import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sesForOrg } from "../worker/services/aws-connection";
import { runAccountSync } from "../worker/services/setup/account-sync";
import type { IdentitiesView, IdentityView } from "../worker/services/identities/views";
import type { ChannelView } from "../worker/services/channels/views";
import { call, json } from "./helpers";
import { api, connectedOrg, recordingEnv, sesIdentity, uniqueDomain } from "./identities-helpers";

/**
 * Identities and channels together (issue 14): the Identities page's channel dropdown and Channel column
 * follow what the Channels page changes, and the default channel is found one way for both.
 */

type Org = Awaited<ReturnType<typeof connectedOrg>>;

const req = async (o: Org, method: string, path: string, body?: unknown) => {
  const res = await call(api(o.orgId, path), { method, cookie: o.user.cookie, body });
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return json(res);
};
const newChannel = async (o: Org, name: string): Promise<ChannelView> => (await req(o, "POST", "/channels", { name, purpose: "custom" })).channel;
const identities = (o: Org): Promise<IdentitiesView> => req(o, "GET", "/identities");
const domainIn = async (o: Org, name: string): Promise<IdentityView> => (await identities(o)).domains.find((d) => d.identity === name)!;
const sync = (o: Org) => runAccountSync(recordingEnv().env, { kind: "aws.sync", orgId: o.orgId, actor: null });

/** Deletes the channel's set in SES behind SendOps' back; the next sync marks the channel detached. */
async function detach(o: Org, channel: ChannelView) {
  await (await sesForOrg(env, o.orgId)).ses.deleteConfigurationSet(channel.configurationSetName);
  await sync(o);
}

describe("the Identities page's channels", () => {
  it("the dropdown offers the Channels page's channels except detached ones; the Channel column follows a rename and a delete", async () => {
    const o = await connectedOrg();
    const main = await newChannel(o, "Main");
    await req(o, "POST", `/channels/${main.id}/default`);
    const alerts = await newChannel(o, "Alerts");
    const gone = await newChannel(o, "Gone");
    await detach(o, gone);

    const listed: ChannelView[] = (await req(o, "GET", "/channels")).channels;
    expect(listed.map((c) => [c.name, c.detachedAt !== null])).toEqual([
      ["Alerts", false],
      ["Gone", true],
      ["Main", false],
    ]);
    // A detached channel's set is gone from SES, so SES could not apply it: the dropdown leaves it out.
    expect((await identities(o)).channels.map((c) => [c.name, c.isDefault])).toEqual([
      ["Main", true],
      ["Alerts", false],
    ]);

    const domain = uniqueDomain("chan-follow");
    const added: IdentityView = await req(o, "POST", "/identities/domains", { domain });
    expect(added).toMatchObject({ configurationSetName: "sesmail-main", channel: { id: main.id, name: "Main" } });
    await req(o, "PUT", `/identities/${added.id}/channel`, { channelId: alerts.id });

    await req(o, "PATCH", `/channels/${alerts.id}`, { name: "Ops Alerts" });
    expect(await domainIn(o, domain)).toMatchObject({ configurationSetName: "sesmail-ops-alerts", channel: { id: alerts.id, name: "Ops Alerts", configurationSetName: "sesmail-ops-alerts" } });
    expect((await sesIdentity(o.account, o.region, domain))!.ConfigurationSetName).toBe("sesmail-ops-alerts");

    await req(o, "DELETE", `/channels/${alerts.id}`);
    expect(await domainIn(o, domain)).toMatchObject({ configurationSetName: "sesmail-main", channel: { id: main.id, name: "Main" } });
    expect((await sesIdentity(o.account, o.region, domain))!.ConfigurationSetName).toBe("sesmail-main");
    expect((await identities(o)).channels.map((c) => c.name)).toEqual(["Main"]);
  });
});

describe("the default channel's configuration set", () => {
  it("is not used once the default is detached: new identities get none, a deleted channel's identities are cleared", async () => {
    const o = await connectedOrg();
    const main = await newChannel(o, "Main");
    await req(o, "POST", `/channels/${main.id}/default`);
    const promo = await newChannel(o, "Promo");
    const onPromo = uniqueDomain("on-promo");
    const before: IdentityView = await req(o, "POST", "/identities/domains", { domain: onPromo });
    await req(o, "PUT", `/identities/${before.id}/channel`, { channelId: promo.id });
    await detach(o, main);

    const domain = uniqueDomain("no-default");
    const added: IdentityView = await req(o, "POST", "/identities/domains", { domain });
    expect(added).toMatchObject({ configurationSetName: null, channel: null });
    expect((await sesIdentity(o.account, o.region, domain))!.ConfigurationSetName).toBeUndefined();

    expect(await req(o, "DELETE", `/channels/${promo.id}`)).toEqual({ deleted: true, identitiesMoved: [onPromo] });
    expect(await domainIn(o, onPromo)).toMatchObject({ configurationSetName: null, channel: null });
    expect((await sesIdentity(o.account, o.region, onPromo))!.ConfigurationSetName).toBeUndefined();
  });
});

describe("the Setup Guide's configuration sets", () => {
  it("are the channels the Channels page lists, with their purpose and the default marked", async () => {
    const o = await connectedOrg();
    const main = await newChannel(o, "Main");
    await req(o, "POST", `/channels/${main.id}/default`);
    const old = await newChannel(o, "Old");
    await detach(o, old);
    await req(o, "POST", `/channels/${old.id}/archive`);
    const view = await req(o, "GET", "/setup/identities");
    expect(view.configurationSets).toEqual([
      { name: "sesmail-main", channelId: main.id, channelName: "Main", purpose: "custom", isDefault: true, origin: "sendops", detached: false },
    ]);
  });
});
