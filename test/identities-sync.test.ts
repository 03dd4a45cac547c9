import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { sesForOrg } from "../worker/services/aws-connection";
import { runAccountSync } from "../worker/services/setup/account-sync";
import { pickDetailReads } from "../worker/services/identities/sync";
import type { IdentityView } from "../worker/services/identities/views";
import type { IdentityRow } from "../worker/db/ingest";
import { call, json } from "./helpers";
import { sim, simStats } from "./aws-helpers";
import { counters, fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";
import { newUser } from "./helpers";
import { api, connectedOrg, putDns, recordingEnv, uniqueDomain } from "./identities-helpers";

type Org = Awaited<ReturnType<typeof connectedOrg>>;

/** One account sync, run as the jobs consumer would (with the queue recorded). */
async function sync(o: Org, at = Date.now()) {
  const rec = recordingEnv();
  await runAccountSync(rec.env, { kind: "aws.sync", orgId: o.orgId, actor: null }, at);
  return rec.jobs;
}

const list = async (o: Org, archived = false) => json(await call(api(o.orgId, `/identities${archived ? "?archived=true" : ""}`), { cookie: o.user.cookie }));
const byName = (domains: IdentityView[], name: string) => domains.find((d) => d.identity === name)!;

describe("Account sync and the identity lifecycle", () => {
  it("reads DKIM and the configuration set of each identity, keeps disconnected ones disconnected, detaches, archives and reattaches", async () => {
    const o = await connectedOrg();
    const kept = uniqueDomain("kept");
    const leaving = uniqueDomain("leaving");
    const { ses } = await sesForOrg(env, o.orgId);
    await ses.createConfigurationSet({ name: "acme-tx" });
    await sim(`/accounts/${o.account}/${o.region}/identities`, { method: "POST", json: { identity: kept, configurationSetName: "acme-tx" } });
    await sim(`/accounts/${o.account}/${o.region}/identities`, { method: "POST", json: { identity: leaving, status: "PENDING" } });

    await sync(o);
    let view = await list(o);
    expect(byName(view.domains, kept)).toMatchObject({ marker: "new", status: "verified", dkimStatus: "SUCCESS", configurationSetName: "acme-tx", channel: { name: "acme-tx" } });
    const leavingView = byName(view.domains, leaving);
    expect(leavingView).toMatchObject({ status: "pending", dkimStatus: "PENDING" });
    expect(leavingView.records.filter((r) => r.type === "CNAME")).toHaveLength(3);

    // Disconnected by a member: the next sync leaves it disconnected.
    const keptId = byName(view.domains, kept).id;
    await call(api(o.orgId, `/identities/${keptId}/disconnect`), { method: "POST", cookie: o.user.cookie });
    await ses.deleteEmailIdentity(leaving);
    await sync(o);
    view = await list(o);
    expect(byName(view.domains, kept).managed).toBe(false);
    expect(byName(view.domains, leaving).marker).toBe("detached");

    // Archived while gone; back in SES: reattached and shown again.
    const leavingId = byName(view.domains, leaving).id;
    expect((await call(api(o.orgId, `/identities/${leavingId}/archive`), { method: "POST", cookie: o.user.cookie })).status).toBe(200);
    expect((await list(o)).domains.map((d: IdentityView) => d.identity)).toEqual([kept]);
    await sim(`/accounts/${o.account}/${o.region}/identities`, { method: "POST", json: { identity: leaving } });
    await sync(o);
    view = await list(o);
    expect(byName(view.domains, leaving)).toMatchObject({ marker: "new", archivedAt: null, detachedAt: null, status: "verified" });
  });

  it("queues the default channels' provisioning from a sync while a verified domain exists and they were never provisioned", async () => {
    const o = await connectedOrg();
    const domain = uniqueDomain("sync-verify");
    await sim(`/accounts/${o.account}/${o.region}/identities`, { method: "POST", json: { identity: `ops@${domain}` } });
    await sim(`/accounts/${o.account}/${o.region}/identities`, { method: "POST", json: { identity: domain, status: "PENDING" } });
    expect(await sync(o)).toEqual([]);
    await sim(`/accounts/${o.account}/${o.region}/identities/${domain}/verify`, { method: "POST", json: { status: "SUCCESS" } });
    expect(await sync(o)).toEqual([{ kind: "channels.provision", orgId: o.orgId }]);
    // Until the job has provisioned them, each sync asks again (a failed provisioning gives its claim back).
    expect(await sync(o)).toEqual([{ kind: "channels.provision", orgId: o.orgId }]);
    await env.DB.prepare("INSERT INTO setup_progress (org_id, default_channels_provisioned_at, updated_at) VALUES (?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET default_channels_provisioned_at = excluded.default_channels_provisioned_at").bind(o.orgId, Date.now(), Date.now()).run();
    expect(await sync(o)).toEqual([]);
  });

  it("leaves tracking domains' subdomains out of the managed identities; the tracking domain still finds its SES identity", async () => {
    const o = await connectedOrg();
    const sending = uniqueDomain("sending");
    const tracking = `track.${uniqueDomain("tracked")}`;
    await sim(`/accounts/${o.account}/${o.region}/identities`, { method: "POST", json: { identity: sending } });
    const created = await json(await call(`/api/orgs/${o.orgId}/tracking-domains`, { method: "POST", cookie: o.user.cookie, body: { subdomain: tracking, protocol: "http" } }));
    // A subdomain a member had added as an identity before making it a tracking domain (which takes its SES identity over).
    const adopted = `click.${uniqueDomain("adopted")}`;
    expect((await call(api(o.orgId, "/identities/domains"), { method: "POST", cookie: o.user.cookie, body: { domain: adopted } })).status).toBe(201);
    expect((await call(`/api/orgs/${o.orgId}/tracking-domains`, { method: "POST", cookie: o.user.cookie, body: { subdomain: adopted, protocol: "http" } })).status).toBe(201);

    await sync(o);
    const view = await list(o);
    expect(view.domains.map((d: IdentityView) => d.identity).sort()).toEqual([adopted, sending].sort());
    // Not marked Detached: SES still holds it, for the tracking domain.
    expect(byName(view.domains, adopted)).toMatchObject({ marker: null, detachedAt: null });
    const setup = await json(await call(api(o.orgId, "/setup/identities"), { cookie: o.user.cookie }));
    expect(setup.identities.map((i: { identity: string }) => i.identity)).not.toContain(tracking);

    // The sync left its SES identity alone: Verify Now reads it once SES verified its DKIM.
    const tokens: string[] = created.records.filter((r: { purpose: string }) => r.purpose === "dkim").map((r: { name: string }) => r.name.split(".")[0]);
    for (const t of tokens) await putDns(`${t}._domainkey.${tracking}`, "CNAME", [`${t}.dkim.amazonses.com`]);
    await sim(`/accounts/${o.account}/${o.region}/identities/${tracking}/verify`, { method: "POST", json: { status: "SUCCESS" } });
    const checked = await json(await call(`/api/orgs/${o.orgId}/tracking-domains/${created.id}/verify`, { method: "POST", cookie: o.user.cookie }));
    expect(checked.identity.status).toBe("verified");
  });

  it("reads at most SYNC_DETAIL_READS identities in detail per sync: new and changed first, the rest in turn", async () => {
    const summary = (name: string, status = "SUCCESS") => ({ name, type: "DOMAIN" as const, sendingEnabled: true, verificationStatus: status as "SUCCESS" });
    const row = (identity: string, status = "SUCCESS") => ({ identity, kind: "domain", verificationStatus: status, detachedAt: null, dkimTokensJson: "[]" }) as IdentityRow;
    const known = new Map(["a.test", "b.test", "c.test", "d.test"].map((n) => [n, row(n)]));
    known.set("e.test", row("e.test", "PENDING"));
    const ses = ["a.test", "b.test", "c.test", "d.test", "e.test", "new.test"].map((n) => summary(n));
    const hour = 3_600_000;
    const first = pickDetailReads(ses, known, 0, 4);
    expect(first.slice(0, 2)).toEqual(["e.test", "new.test"]);
    expect(first).toHaveLength(4);
    // Over the next hours every unchanged identity gets its turn.
    const seen = new Set([0, 1, 2].flatMap((h) => pickDetailReads(ses, known, h * hour, 4).slice(2)));
    expect([...seen].sort()).toEqual(["a.test", "b.test", "c.test", "d.test"]);

    // Against the stand-in: one GetEmailIdentity per identity for a small account.
    const o = await connectedOrg();
    for (const i of [uniqueDomain("s1"), uniqueDomain("s2")]) await sim(`/accounts/${o.account}/${o.region}/identities`, { method: "POST", json: { identity: i } });
    await sync(o);
    expect((await simStats(o.account)).ses.GetEmailIdentity).toBe(2);
  });
});

describe("Connect / Disconnect and ingest", () => {
  it("an event from a disconnected identity is dropped as unmanaged and counted; after Connect it is ingested again", async () => {
    const user = await newUser("identities-ingest");
    const orgId = await newIngestOrg({ identities: ["mail.example.com"], member: { userId: user.id, role: "owner" } });
    const id = `${orgId}-idn-0`;
    expect((await call(api(orgId, `/identities/${id}/disconnect`), { method: "POST", cookie: user.cookie })).status).toBe(200);
    const dropped = fixture("send");
    dropped.detail.mail.messageId = "while-disconnected";
    await runConsumer([queued(orgId, dropped)]);
    expect(await counters(orgId)).toEqual({ "dropped.unmanaged_identity": 1 });

    expect((await call(api(orgId, `/identities/${id}/connect`), { method: "POST", cookie: user.cookie })).status).toBe(200);
    await runConsumer([queued(orgId, fixture("send"))]);
    expect(await counters(orgId)).toEqual({ "dropped.unmanaged_identity": 1, accepted: 1 });
    const events = await env.DB.prepare("SELECT message_id FROM events WHERE org_id = ?").bind(orgId).all<{ message_id: string }>();
    expect(events.results.map((r) => r.message_id)).toEqual([fixture("send").detail.mail.messageId]);
  });
});
