import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { listAuditEntries } from "../worker/db/audit";
import { channels } from "../worker/db/schema";
import { sesForOrg } from "../worker/services/aws-connection";
import { refreshIdentity } from "../worker/services/identities/actions";
import type { IdentityView } from "../worker/services/identities/views";
import { call, db, insertMembership, insertOrgWithMember, json, newUser } from "./helpers";
import { sim } from "./aws-helpers";
import { api, connectedOrg, publishRecords, recordingEnv, sesIdentity, uniqueDomain } from "./identities-helpers";

type Org = Awaited<ReturnType<typeof connectedOrg>>;

async function addDomain(o: Org, domain: string): Promise<IdentityView> {
  const res = await call(api(o.orgId, "/identities/domains"), { method: "POST", cookie: o.user.cookie, body: { domain } });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

async function action(o: Org, id: string, verb: string, method = "POST", body?: unknown) {
  return call(api(o.orgId, `/identities/${id}${verb}`), { method, cookie: o.user.cookie, body });
}

/** A channel row whose configuration set exists in the workspace's SES account. */
async function channel(o: Org, name: string, opts: { isDefault?: boolean; archived?: boolean } = {}) {
  const set = `sesmail-${name.toLowerCase()}`;
  await (await sesForOrg(env, o.orgId)).ses.createConfigurationSet({ name: set });
  const id = `chn_${o.orgId}_${name.toLowerCase()}`;
  await db()
    .insert(channels)
    .values({ id, orgId: o.orgId, name, configurationSetName: set, createdAt: Date.now(), isDefault: opts.isDefault ?? false, archivedAt: opts.archived ? Date.now() : null });
  return { id, set };
}

const audit = async (orgId: string) => (await listAuditEntries(db(), { orgId, since: 0, resourceType: "identity", limit: 50 })).map((e) => [e.operation, e.summary]);

describe("Add Domain", () => {
  it("creates the identity in SES and shows its three DKIM CNAMEs, SPF and DMARC; audited", async () => {
    const o = await connectedOrg();
    const domain = uniqueDomain("add");
    const view = await addDomain(o, `  ${domain.toUpperCase()} `);
    expect(view).toMatchObject({ identity: domain, kind: "domain", origin: "sendops", status: "pending", dkimStatus: "PENDING", health: "pending", marker: null, managed: true, channel: null });

    const inSes = (await sesIdentity(o.account, o.region, domain))!;
    expect(inSes.DkimAttributes.Tokens).toHaveLength(3);
    expect(view.records.map((r) => [r.type, r.name, r.value])).toEqual([
      ...inSes.DkimAttributes.Tokens.map((t) => ["CNAME", `${t}._domainkey.${domain}`, `${t}.dkim.amazonses.com`]),
      ["TXT", domain, "v=spf1 include:amazonses.com ~all"],
      ["TXT", `_dmarc.${domain}`, `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`],
    ]);
    // The first DNS check ran at once: nothing is published yet.
    expect(view.dnsCheck).toMatchObject({ spf: { status: "warning" }, dmarc: { status: "warning" }, dkim: { status: "pending" } });

    const list = await json(await call(api(o.orgId, "/identities"), { cookie: o.user.cookie }));
    expect(list.domains.map((d: IdentityView) => d.identity)).toEqual([domain]);
    expect(list.emails).toEqual([]);
    expect(list.awsConnected).toBe(true);
    expect(await audit(o.orgId)).toEqual([["created", `Added domain ${domain} (created in SES)`]]);
  });

  it("refuses a duplicate (409), malformed names (422 naming the field), and a workspace without AWS (409)", async () => {
    const o = await connectedOrg();
    const domain = uniqueDomain("dup");
    await addDomain(o, domain);
    const dup = await call(api(o.orgId, "/identities/domains"), { method: "POST", cookie: o.user.cookie, body: { domain: domain.toUpperCase() } });
    expect(dup.status).toBe(409);
    expect((await json(dup)).error.code).toBe("IDENTITY_EXISTS");
    for (const bad of ["https://example.com", "localhost", "-bad.example.com", "a..example.com", "example.c0m", "x@example.com"]) {
      const res = await call(api(o.orgId, "/identities/domains"), { method: "POST", cookie: o.user.cookie, body: { domain: bad } });
      expect(res.status, bad).toBe(422);
      expect((await json(res)).error.details.fields[0].field).toBe("domain");
    }
    for (const bad of ["example.com", "a@b", "two@@example.com", ".dot@example.com"]) {
      const res = await call(api(o.orgId, "/identities/emails"), { method: "POST", cookie: o.user.cookie, body: { email: bad } });
      expect(res.status, bad).toBe(422);
    }

    const user = await newUser("identities-unconnected");
    const orgId = await insertOrgWithMember(user.id, "owner");
    const res = await call(api(orgId, "/identities/domains"), { method: "POST", cookie: user.cookie, body: { domain: uniqueDomain("nc") } });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("AWS_NOT_CONNECTED");
    expect((await json(await call(api(orgId, "/identities"), { cookie: user.cookie }))).awsConnected).toBe(false);
  });

  it("puts a new identity on the default channel's configuration set, and adopts one SES already holds", async () => {
    const o = await connectedOrg();
    const { set } = await channel(o, "Default", { isDefault: true });
    const email = `alerts@${uniqueDomain("email")}`;
    const res = await call(api(o.orgId, "/identities/emails"), { method: "POST", cookie: o.user.cookie, body: { email } });
    expect(res.status).toBe(201);
    const view: IdentityView = await json(res);
    expect(view).toMatchObject({ kind: "email", identity: email, domain: email.split("@")[1], configurationSetName: set, channel: { name: "Default", configurationSetName: set }, records: [] });
    expect((await sesIdentity(o.account, o.region, email))!.ConfigurationSetName).toBe(set);

    // Created in SES outside SendOps (not synced yet): Add manages it as it is.
    const outside = uniqueDomain("outside");
    await sim(`/accounts/${o.account}/${o.region}/identities`, { method: "POST", json: { identity: outside } });
    const adopted = await addDomain(o, outside);
    expect(adopted).toMatchObject({ origin: "ses", status: "verified", dkimStatus: "SUCCESS", configurationSetName: null });
  });

  it("explains an SES refusal (the role lacks ses:CreateEmailIdentity)", async () => {
    const o = await connectedOrg();
    const roles = await sim<{ roles: { arn: string }[] }>(`/roles?account=${o.account}`);
    await sim("/roles/actions", { method: "PUT", json: { arn: roles.roles[0]!.arn, allowedActions: ["ses:GetAccount", "ses:ListConfigurationSets"] } });
    const res = await call(api(o.orgId, "/identities/domains"), { method: "POST", cookie: o.user.cookie, body: { domain: uniqueDomain("denied") } });
    expect(res.status).toBe(502);
    const body = await json(res);
    expect(body.error).toMatchObject({ code: "AWS_ERROR", details: { awsCode: "AccessDeniedException" } });
    expect(body.error.message).toContain("SendOpsSESAccess");
  });
});

describe("Refresh", () => {
  it("stays Pending until SES verifies; then Verified with DKIM, SPF and DMARC ok once the records are published", async () => {
    const o = await connectedOrg();
    const domain = uniqueDomain("refresh");
    const added = await addDomain(o, domain);
    const pending: IdentityView = await json(await action(o, added.id, "/refresh"));
    expect(pending).toMatchObject({ status: "pending", dkimStatus: "PENDING", dnsCheck: { dkim: { status: "pending", message: "0 of 3 DKIM records resolve to SES." } } });

    await publishRecords(added.records);
    await sim(`/accounts/${o.account}/${o.region}/identities/${domain}/verify`, { method: "POST", json: { status: "SUCCESS" } });
    const verified: IdentityView = await json(await action(o, added.id, "/refresh"));
    expect(verified).toMatchObject({ status: "verified", verificationStatus: "SUCCESS", dkimStatus: "SUCCESS", health: "healthy" });
    expect(verified.dnsCheck).toMatchObject({ spf: { status: "ok" }, dmarc: { status: "ok", policy: "quarantine" }, dkim: { status: "ok", message: "3 of 3 DKIM records resolve to SES." } });
    expect(verified.dnsCheck!.dkim.records.map((r) => r.status)).toEqual(["ok", "ok", "ok"]);

    // SES gives up on DKIM: critical.
    await sim(`/accounts/${o.account}/${o.region}/identities/${domain}/verify`, { method: "POST", json: { status: "FAILED" } });
    expect(await json(await action(o, added.id, "/refresh"))).toMatchObject({ status: "failed", health: "critical" });

    expect((await audit(o.orgId)).map(([op, s]) => `${op}: ${s}`)).toEqual([
      `refreshed: Refreshed ${domain} from SES: status SUCCESS → FAILED, DKIM SUCCESS → FAILED`,
      `refreshed: Refreshed ${domain} from SES: status PENDING → SUCCESS, DKIM PENDING → SUCCESS`,
      `created: Added domain ${domain} (created in SES)`,
    ]);
  });

  it("marks an identity gone from SES Detached", async () => {
    const o = await connectedOrg();
    const added = await addDomain(o, uniqueDomain("gone"));
    await (await sesForOrg(env, o.orgId)).ses.deleteEmailIdentity(added.identity);
    const view: IdentityView = await json(await action(o, added.id, "/refresh"));
    expect(view.marker).toBe("detached");
    expect(view.detachedAt).toBeGreaterThan(0);
  });

  it("queues the default channels' provisioning when the workspace's first domain verifies, and only then", async () => {
    const o = await connectedOrg();
    const first = await addDomain(o, uniqueDomain("first"));
    const second = await addDomain(o, uniqueDomain("second"));
    const email = await json(await call(api(o.orgId, "/identities/emails"), { method: "POST", cookie: o.user.cookie, body: { email: `a@${uniqueDomain("e")}` } }));
    const rec = recordingEnv();
    const verify = (identity: string) => sim(`/accounts/${o.account}/${o.region}/identities/${identity}/verify`, { method: "POST", json: { status: "SUCCESS" } });

    // An email address verifying is not a domain.
    await verify(email.identity);
    await refreshIdentity(rec.env, o.org, email.id);
    // A domain still pending.
    await refreshIdentity(rec.env, o.org, first.id);
    expect(rec.jobs).toEqual([]);

    await verify(first.identity);
    await refreshIdentity(rec.env, o.org, first.id);
    expect(rec.jobs).toEqual([{ kind: "channels.provision", orgId: o.orgId }]);
    // Refreshing the verified domain again, or a second domain verifying, queues nothing more.
    await refreshIdentity(rec.env, o.org, first.id);
    await verify(second.identity);
    await refreshIdentity(rec.env, o.org, second.id);
    expect(rec.jobs).toHaveLength(1);

    // Provisioned already (the marker the job sets): a workspace whose only verified domain was deleted does not provision twice.
    const other = await connectedOrg();
    const d = await addDomain(other, uniqueDomain("marked"));
    await env.DB.prepare("UPDATE setup_progress SET default_channels_provisioned_at = ? WHERE org_id = ?").bind(Date.now(), other.orgId).run();
    await sim(`/accounts/${other.account}/${other.region}/identities/${d.identity}/verify`, { method: "POST", json: { status: "SUCCESS" } });
    const rec2 = recordingEnv();
    await refreshIdentity(rec2.env, other.org, d.id);
    expect(rec2.jobs).toEqual([]);
  });
});

describe("Channel assignment", () => {
  it("sets the identity's configuration set in SES; no channel clears it; archived or unknown channels are refused", async () => {
    const o = await connectedOrg();
    const added = await addDomain(o, uniqueDomain("assign"));
    const marketing = await channel(o, "Marketing");
    const archived = await channel(o, "Old", { archived: true });

    const list = await json(await call(api(o.orgId, "/identities"), { cookie: o.user.cookie }));
    expect(list.channels.map((c: { name: string }) => c.name)).toEqual(["Marketing"]);

    const assigned = await action(o, added.id, "/channel", "PUT", { channelId: marketing.id });
    expect(assigned.status).toBe(200);
    expect(await json(assigned)).toMatchObject({ configurationSetName: marketing.set, channel: { id: marketing.id, name: "Marketing" } });
    expect((await sesIdentity(o.account, o.region, added.identity))!.ConfigurationSetName).toBe(marketing.set);

    expect((await action(o, added.id, "/channel", "PUT", { channelId: archived.id })).status).toBe(409);
    expect((await action(o, added.id, "/channel", "PUT", { channelId: "chn_nope" })).status).toBe(404);
    expect((await sesIdentity(o.account, o.region, added.identity))!.ConfigurationSetName).toBe(marketing.set);

    const cleared = await json(await action(o, added.id, "/channel", "PUT", { channelId: null }));
    expect(cleared).toMatchObject({ configurationSetName: null, channel: null });
    expect((await sesIdentity(o.account, o.region, added.identity))!.ConfigurationSetName).toBeUndefined();
    expect((await audit(o.orgId)).slice(0, 2).map(([op, s]) => `${op}: ${s}`)).toEqual([
      `channel_assigned: Removed ${added.identity} from its channel (no configuration set)`,
      `channel_assigned: Assigned ${added.identity} to channel Marketing (${marketing.set})`,
    ]);
  });
});

describe("Delete", () => {
  it("deletes the identity in SES and in SendOps; one already gone from SES is removed too", async () => {
    const o = await connectedOrg();
    const added = await addDomain(o, uniqueDomain("delete"));
    const res = await action(o, added.id, "", "DELETE");
    expect(res.status).toBe(200);
    expect(await sesIdentity(o.account, o.region, added.identity)).toBeUndefined();
    expect((await json(await call(api(o.orgId, "/identities"), { cookie: o.user.cookie }))).domains).toEqual([]);
    expect((await action(o, added.id, "", "DELETE")).status).toBe(404);

    const gone = await addDomain(o, uniqueDomain("already-gone"));
    await (await sesForOrg(env, o.orgId)).ses.deleteEmailIdentity(gone.identity);
    expect((await action(o, gone.id, "", "DELETE")).status).toBe(200);
    const summaries = (await audit(o.orgId)).map(([, s]) => s);
    expect(summaries).toContain(`Deleted domain ${gone.identity} from SendOps (it was no longer in SES)`);
    expect(summaries).toContain(`Deleted domain ${added.identity} from SES and SendOps`);
  });
});

describe("Archive, Restore, Connect, Disconnect", () => {
  it("archives only detached identities (hidden unless asked for), restores them; disconnects and connects without touching SES", async () => {
    const o = await connectedOrg();
    const added = await addDomain(o, uniqueDomain("life"));
    const refused = await action(o, added.id, "/archive");
    expect(refused.status).toBe(409);
    expect((await json(refused)).error.code).toBe("IDENTITY_NOT_DETACHED");

    const disconnected: IdentityView = await json(await action(o, added.id, "/disconnect"));
    expect(disconnected).toMatchObject({ managed: false });
    expect(await sesIdentity(o.account, o.region, added.identity)).toBeDefined();
    // Already disconnected: nothing changes, nothing is audited.
    await action(o, added.id, "/disconnect");
    expect(await json(await action(o, added.id, "/connect"))).toMatchObject({ managed: true, disconnectedAt: null });

    await (await sesForOrg(env, o.orgId)).ses.deleteEmailIdentity(added.identity);
    await action(o, added.id, "/refresh");
    expect(await json(await action(o, added.id, "/archive"))).toMatchObject({ marker: "archived", managed: false });
    const hidden = await json(await call(api(o.orgId, "/identities"), { cookie: o.user.cookie }));
    expect(hidden).toMatchObject({ domains: [], archivedCount: 1 });
    const shown = await json(await call(api(o.orgId, "/identities?archived=true"), { cookie: o.user.cookie }));
    expect(shown.domains.map((d: IdentityView) => d.marker)).toEqual(["archived"]);
    expect(await json(await action(o, added.id, "/restore"))).toMatchObject({ marker: "detached", archivedAt: null });

    expect((await audit(o.orgId)).map(([op]) => op)).toEqual(["restored", "archived", "refreshed", "connected", "disconnected", "created"]);
  });

  it("is for the roles that manage domains: a Developer reads, the demo refuses", async () => {
    const o = await connectedOrg();
    const added = await addDomain(o, uniqueDomain("roles"));
    const dev = await newUser("identities-dev");
    await insertMembership(o.orgId, dev.id, "developer");
    expect((await call(api(o.orgId, "/identities"), { cookie: dev.cookie })).status).toBe(200);
    const denied = await call(api(o.orgId, `/identities/${added.id}/disconnect`), { method: "POST", cookie: dev.cookie });
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.details.permission).toBe("domains.manage");
    const infra = await newUser("identities-infra");
    await insertMembership(o.orgId, infra.id, "infra_admin");
    expect((await call(api(o.orgId, `/identities/${added.id}/disconnect`), { method: "POST", cookie: infra.cookie })).status).toBe(200);
  });
});
