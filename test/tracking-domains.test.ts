import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { OrgContext } from "../worker/context";
import { claimDueTrackingChecks, findTrackingDomain } from "../worker/db/tracking-domains";
import { DAY, HOUR, MINUTE } from "../worker/lib/time";
import { createTrackingDomain, updateTrackingDomainCdn } from "../worker/services/tracking-domains/manage";
import { CHECK_LEASE, runTrackingCheck, verifyTrackingDomainNow } from "../worker/services/tracking-domains/checks";
import { listOrgNotifications } from "../worker/db/notifications";
import { CRONS, runScheduled } from "../worker/cron";
import { MAX_TRACKING_DOMAINS, nextCheckAt, VERIFY_NOW_COOLDOWN_MS } from "../worker/services/tracking-domains/rules";
import { sesForOrg } from "../worker/services/aws-connection";
import { call, db, insertOrgWithMember, json, newUser, type TestUser } from "./helpers";
import { newAwsAccount, sim } from "./aws-helpers";

const REGION = "eu-west-1";
const api = (orgId: string, rest = "") => `/api/orgs/${orgId}/tracking-domains${rest}`;

let n = 0;
/** A subdomain no other test (or test file: they share sim/dns) uses. */
const unique = (label = "track") => `${label}.t${Date.now().toString(36)}${++n}.example.com`;

/** A workspace (the user its Owner) connected to a fresh AWS account in REGION. */
async function connectedOrg(user?: TestUser) {
  user ??= await newUser("track");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const { externalId } = await json(await call(`/api/orgs/${orgId}/aws-connection`, { cookie: user.cookie }));
  const aws = await newAwsAccount(externalId);
  const res = await json(await call(`/api/orgs/${orgId}/aws-connection`, { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: REGION } }));
  expect(res.status).toBe("connected");
  const org: OrgContext = { orgId, name: "Tracking", slug: orgId, isDemo: false, plan: "free", role: "owner", actor: { userId: user.id, name: "Test User", email: user.email } };
  return { user, orgId, aws, org };
}

async function create(orgId: string, cookie: string, body: Record<string, unknown>) {
  return call(api(orgId), { method: "POST", cookie, body });
}

// ---- the stand-ins ----
const dnsControl = () => `${new URL(env.DNS_RESOLVER_URL).origin}/__sim/dns/records`;
async function setDns(name: string, type: "CNAME" | "TXT", values: string[]) {
  const res = await fetch(dnsControl(), { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type, values }) });
  expect(res.status).toBe(200);
}
const sesIdentity = async (account: string, name: string) =>
  (await sim<{ identities: { identity: string; status: string; DkimAttributes?: { Tokens: string[]; Status: string } }[] }>(`/accounts/${account}/${REGION}`)).identities.find(
    (i) => i.identity === name,
  );
/**
 * Sets the identity's DKIM status in the SES stand-in. Its DKIM CNAMEs are published in sim/dns too, so
 * this holds whether the stand-in settles identities by time or verifies them through DNS.
 */
async function setSesStatus(account: string, name: string, status: "SUCCESS" | "FAILED" | "PENDING", tokens: string[]) {
  for (const t of tokens) await setDns(`${t}._domainkey.${name}`, "CNAME", status === "SUCCESS" ? [`${t}.dkim.amazonses.com`] : []);
  await sim(`/accounts/${account}/${REGION}/identities/${name}/verify`, { method: "POST", json: { status } });
}

const auditOf = async (orgId: string) =>
  (
    await env.DB.prepare("SELECT operation, summary, actor_name AS actor FROM audit_log WHERE org_id = ? AND resource_type = 'tracking_domain' ORDER BY id")
      .bind(orgId)
      .all<{ operation: string; summary: string; actor: string }>()
  ).results;

/** Lets the next Verify Now through (the cooldown has its own test). */
const endCooldown = (id: string) => env.DB.prepare("UPDATE tracking_domains SET last_manual_check_at = NULL WHERE id = ?").bind(id).run();

const tokensOf = (view: { records: { purpose: string; name: string }[] }) => view.records.filter((r) => r.purpose === "dkim").map((r) => r.name.split(".")[0]!);

describe("creating a tracking domain", () => {
  it("creates the SES identity for an HTTP subdomain and answers the tracking CNAME and the three DKIM CNAMEs", async () => {
    const { user, orgId, aws } = await connectedOrg();
    const subdomain = unique();
    const before = Date.now();
    const res = await create(orgId, user.cookie, { subdomain: ` ${subdomain.toUpperCase()}. `, protocol: "http" });
    expect(res.status).toBe(201);
    const view = await json(res);
    expect(view).toMatchObject({
      subdomain,
      protocol: "http",
      cdnDomain: null,
      region: REGION,
      cnameTarget: `r.${REGION}.awstrack.me`,
      sesTrackingEndpoint: subdomain,
      status: "pending",
      cname: { status: "pending", checkedAt: null, verifiedAt: null },
      identity: { status: "pending", checkedAt: null, verifiedAt: null },
      createdBy: "Test User",
    });
    expect(view.createdAt).toBeGreaterThanOrEqual(before);
    expect(view.nextCheckAt).toBe(view.createdAt + 2 * MINUTE);

    const ses = await sesIdentity(aws.account, subdomain);
    expect(ses?.DkimAttributes?.Tokens).toHaveLength(3);
    expect(view.records).toEqual([
      { purpose: "tracking", type: "CNAME", name: subdomain, value: `r.${REGION}.awstrack.me` },
      ...ses!.DkimAttributes!.Tokens.map((t) => ({ purpose: "dkim", type: "CNAME", name: `${t}._domainkey.${subdomain}`, value: `${t}.dkim.amazonses.com` })),
    ]);

    const list = await json(await call(api(orgId), { cookie: user.cookie }));
    expect(list.limit).toBe(MAX_TRACKING_DOMAINS);
    expect(list.data.map((d: { id: string }) => d.id)).toEqual([view.id]);
    expect(await json(await call(api(orgId, `/${view.id}`), { cookie: user.cookie }))).toEqual(view);
    expect(await auditOf(orgId)).toEqual([
      { operation: "create", actor: "Test User", summary: `Added tracking domain ${subdomain} (HTTP, CNAME → r.${REGION}.awstrack.me) and its SES identity in ${REGION}` },
    ]);
  });

  it("points an HTTPS subdomain's CNAME at the CDN domain, which HTTPS requires", async () => {
    const { user, orgId } = await connectedOrg();
    const subdomain = unique("links");
    const missing = await create(orgId, user.cookie, { subdomain, protocol: "https" });
    expect(missing.status).toBe(422);
    expect((await json(missing)).error.details.fields).toEqual([{ field: "cdnDomain", message: "HTTPS needs the CDN domain that terminates TLS." }]);
    const bad = await create(orgId, user.cookie, { subdomain, protocol: "https", cdnDomain: "not a host" });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("cdnDomain");

    const res = await create(orgId, user.cookie, { subdomain, protocol: "https", cdnDomain: "D1234567890.cloudfront.net" });
    expect(res.status).toBe(201);
    const view = await json(res);
    expect(view).toMatchObject({ protocol: "https", cdnDomain: "d1234567890.cloudfront.net", cnameTarget: "d1234567890.cloudfront.net" });
    expect(view.records[0]).toEqual({ purpose: "tracking", type: "CNAME", name: subdomain, value: "d1234567890.cloudfront.net" });
  });

  it("refuses a bare word, an invalid host name and an unknown protocol, naming the field", async () => {
    const { user, orgId, aws } = await connectedOrg();
    for (const [body, field] of [
      [{ subdomain: "localhost", protocol: "http" }, "subdomain"],
      [{ subdomain: "track..example.com", protocol: "http" }, "subdomain"],
      [{ subdomain: "-track.example.com", protocol: "http" }, "subdomain"],
      [{ subdomain: "tr_ack.example.com", protocol: "http" }, "subdomain"],
      [{ subdomain: "track.example.com", protocol: "ftp" }, "protocol"],
    ] as const) {
      const res = await create(orgId, user.cookie, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect((await json(res)).error.details.fields[0].field).toBe(field);
    }
    expect((await json(await call(api(orgId), { cookie: user.cookie }))).data).toEqual([]);
    expect((await sim(`/accounts/${aws.account}/${REGION}`)).identities).toEqual([]);
  });

  it("refuses a duplicate (409) and an eleventh domain (409 LIMIT_REACHED), without touching SES", async () => {
    const { user, orgId, aws } = await connectedOrg();
    const base = unique("limit");
    for (let i = 0; i < MAX_TRACKING_DOMAINS; i++) expect((await create(orgId, user.cookie, { subdomain: `t${i}.${base}`, protocol: "http" })).status).toBe(201);
    const dup = await create(orgId, user.cookie, { subdomain: `t3.${base}`, protocol: "http" });
    expect(dup.status).toBe(409);
    expect((await json(dup)).error).toMatchObject({ code: "CONFLICT", message: `t3.${base} is already a tracking domain of this workspace.` });
    const over = await create(orgId, user.cookie, { subdomain: `t10.${base}`, protocol: "http" });
    expect(over.status).toBe(409);
    expect((await json(over)).error).toMatchObject({ code: "LIMIT_REACHED", details: { limit: 10 } });
    expect((await sim(`/accounts/${aws.account}/${REGION}`)).identities).toHaveLength(MAX_TRACKING_DOMAINS);
  });

  it("needs a connected AWS account (the identity is created in it)", async () => {
    const user = await newUser("track-noaws");
    const orgId = await insertOrgWithMember(user.id, "infra_admin");
    const res = await create(orgId, user.cookie, { subdomain: unique(), protocol: "http" });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("AWS_NOT_CONNECTED");
  });

  it("takes over an SES identity that already exists for the subdomain (e.g. an earlier attempt)", async () => {
    const { user, orgId, aws } = await connectedOrg();
    const subdomain = unique();
    await sim(`/accounts/${aws.account}/${REGION}/identities`, { method: "POST", json: { identity: subdomain, status: "PENDING" } });
    const tokens = (await sesIdentity(aws.account, subdomain))!.DkimAttributes!.Tokens;
    const res = await create(orgId, user.cookie, { subdomain, protocol: "http" });
    expect(res.status).toBe(201);
    expect(tokensOf(await json(res))).toEqual(tokens);
  });
});

describe("Verify Now", () => {
  it("checks the CNAME through DNS and the DKIM status in SES, and says what is missing", async () => {
    const { user, orgId, aws } = await connectedOrg();
    const subdomain = unique();
    const created = await json(await create(orgId, user.cookie, { subdomain, protocol: "http" }));
    const tokens = tokensOf(created);
    await setSesStatus(aws.account, subdomain, "PENDING", tokens);
    const verify = async () => {
      await endCooldown(created.id);
      const res = await call(api(orgId, `/${created.id}/verify`), { method: "POST", cookie: user.cookie });
      expect(res.status).toBe(200);
      return json(res);
    };

    const nothing = await verify();
    expect(nothing).toMatchObject({ status: "pending", cname: { status: "pending", verifiedAt: null }, identity: { status: "pending" } });
    expect(nothing.cname.checkedAt).toBeGreaterThanOrEqual(created.createdAt);
    expect(nothing.lastError).toContain(`${subdomain} has no CNAME record yet: add CNAME ${subdomain} → r.${REGION}.awstrack.me`);
    expect(nothing.lastError).toContain("SES reports DKIM status PENDING");

    await setDns(subdomain, "CNAME", ["r.us-east-1.awstrack.me"]);
    const wrong = await verify();
    expect(wrong.cname.status).toBe("pending");
    expect(wrong.lastError).toContain(`The CNAME of ${subdomain} points to r.us-east-1.awstrack.me, not to r.${REGION}.awstrack.me.`);

    await setDns(subdomain, "CNAME", [`r.${REGION}.awstrack.me`]);
    const cnameOk = await verify();
    expect(cnameOk).toMatchObject({ status: "pending", cname: { status: "verified" }, identity: { status: "pending" } });
    expect(cnameOk.cname.verifiedAt).toBe(cnameOk.cname.checkedAt);

    await setSesStatus(aws.account, subdomain, "SUCCESS", tokens);
    const both = await verify();
    expect(both).toMatchObject({ status: "verified", cname: { status: "verified", verifiedAt: cnameOk.cname.verifiedAt }, identity: { status: "verified" }, lastError: null });
    // Verified: only the drift check is left, an hour on.
    expect(both.nextCheckAt).toBe(both.cname.checkedAt + HOUR);

    const audit = await auditOf(orgId);
    expect(audit.map((a) => a.operation)).toEqual(["create", "check", "check", "check", "check"]);
    expect(audit.at(-1)).toEqual({ operation: "check", actor: "Test User", summary: `Checked tracking domain ${subdomain}: DNS CNAME verified, SES identity verified` });
  });

  it("shows SES's FAILED DKIM verification as a failed identity", async () => {
    const { user, orgId, aws } = await connectedOrg();
    const subdomain = unique();
    const created = await json(await create(orgId, user.cookie, { subdomain, protocol: "http" }));
    await setSesStatus(aws.account, subdomain, "FAILED", tokensOf(created));
    const view = await json(await call(api(orgId, `/${created.id}/verify`), { method: "POST", cookie: user.cookie }));
    expect(view).toMatchObject({ status: "failed", identity: { status: "failed" } });
    expect(view.lastError).toContain(`SES reports DKIM verification of ${subdomain} FAILED`);
  });

  it("has a 30 s cooldown: 429 with Retry-After, then allowed again", async () => {
    const { user, orgId, org } = await connectedOrg();
    const created = await json(await create(orgId, user.cookie, { subdomain: unique(), protocol: "http" }));
    const first = await call(api(orgId, `/${created.id}/verify`), { method: "POST", cookie: user.cookie });
    expect(first.status).toBe(200);
    const firstView = await json(first);
    expect(firstView.verifyAvailableAt).toBe(firstView.cname.checkedAt + VERIFY_NOW_COOLDOWN_MS);
    const again = await call(api(orgId, `/${created.id}/verify`), { method: "POST", cookie: user.cookie });
    expect(again.status).toBe(429);
    const retryAfter = Number(again.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect((await json(again)).error).toMatchObject({ code: "RATE_LIMITED", details: { retry_after_seconds: retryAfter } });

    const last = firstView.cname.checkedAt as number;
    await expect(verifyTrackingDomainNow(env, org, created.id, last + VERIFY_NOW_COOLDOWN_MS - 1)).rejects.toMatchObject({ status: 429, headers: { "Retry-After": "1" } });
    const later = await verifyTrackingDomainNow(env, org, created.id, last + VERIFY_NOW_COOLDOWN_MS);
    expect(later.cname.checkedAt).toBe(last + VERIFY_NOW_COOLDOWN_MS);
  });

  it("is a 404 for another workspace's domain", async () => {
    const a = await connectedOrg();
    const b = await connectedOrg(a.user);
    const created = await json(await create(a.orgId, a.user.cookie, { subdomain: unique(), protocol: "http" }));
    for (const [method, rest] of [["GET", ""], ["POST", "/verify"], ["DELETE", ""]] as const) {
      const res = await call(api(b.orgId, `/${created.id}${rest}`), { method, cookie: a.user.cookie });
      expect(res.status, `${method} ${rest}`).toBe(404);
    }
  });
});

describe("the decay schedule (pure)", () => {
  const T = Date.UTC(2026, 0, 5, 10, 0, 37);
  const pending = { cname: "pending", identity: "pending" } as const;
  it("checks every 2 min in the first hour, every 10 min in the first day, hourly to 7 days, on a grid from the start", () => {
    expect(nextCheckAt(T, T, pending)).toBe(T + 2 * MINUTE);
    expect(nextCheckAt(T, T + 2 * MINUTE + 17_000, pending)).toBe(T + 4 * MINUTE);
    expect(nextCheckAt(T, T + 58 * MINUTE, pending)).toBe(T + HOUR);
    expect(nextCheckAt(T, T + HOUR, pending)).toBe(T + HOUR + 10 * MINUTE);
    expect(nextCheckAt(T, T + HOUR + 3 * MINUTE, pending)).toBe(T + HOUR + 10 * MINUTE);
    expect(nextCheckAt(T, T + DAY - 5 * MINUTE, pending)).toBe(T + DAY);
    expect(nextCheckAt(T, T + DAY, pending)).toBe(T + DAY + HOUR);
    expect(nextCheckAt(T, T + 7 * DAY - 30 * MINUTE, pending)).toBe(T + 7 * DAY);
  });
  it("watches verified or invalid halves hourly after that, and stops when both failed", () => {
    expect(nextCheckAt(T, T + 7 * DAY, { cname: "verified", identity: "failed" })).toBe(T + 7 * DAY + HOUR);
    expect(nextCheckAt(T, T + 3 * MINUTE, { cname: "verified", identity: "verified" })).toBe(T + 63 * MINUTE);
    expect(nextCheckAt(T, T + 3 * MINUTE, { cname: "invalid", identity: "verified" })).toBe(T + 63 * MINUTE);
    expect(nextCheckAt(T, T + 7 * DAY, { cname: "failed", identity: "failed" })).toBeNull();
    expect(nextCheckAt(T, T + DAY, { cname: "failed", identity: "failed" })).toBeNull();
  });
});

describe("background checks (controllable clock)", () => {
  /** A domain created at T through the service; its SES identity pinned PENDING. */
  async function domainAt(T: number, protocol: "http" | "https" = "http") {
    const c = await connectedOrg();
    const subdomain = unique();
    const view = await createTrackingDomain(env, c.org, { subdomain, protocol, cdnDomain: protocol === "https" ? "d111.cloudfront.net" : undefined }, T);
    await setSesStatus(c.aws.account, subdomain, "PENDING", tokensOf(view));
    const check = async (at: number) => {
      await runTrackingCheck(env, { kind: "tracking.check", orgId: c.orgId, trackingDomainId: view.id }, at);
      return (await findTrackingDomain(db(), c.orgId, view.id))!;
    };
    return { ...c, view, subdomain, check };
  }

  it("follows the decay schedule across the hour, day and week, then fails what is not verified and stops", async () => {
    const T = Date.now();
    const { check, subdomain, orgId } = await domainAt(T);
    expect((await check(T + 2 * MINUTE)).nextCheckAt).toBe(T + 4 * MINUTE);
    expect((await check(T + 59 * MINUTE)).nextCheckAt).toBe(T + HOUR);
    expect((await check(T + HOUR)).nextCheckAt).toBe(T + 70 * MINUTE);
    expect((await check(T + DAY - MINUTE)).nextCheckAt).toBe(T + DAY);
    expect((await check(T + DAY)).nextCheckAt).toBe(T + DAY + HOUR);
    const lastDay = await check(T + 7 * DAY - 20 * MINUTE);
    expect(lastDay).toMatchObject({ cnameStatus: "pending", identityStatus: "pending", nextCheckAt: T + 7 * DAY });
    const end = await check(T + 7 * DAY);
    expect(end).toMatchObject({ cnameStatus: "failed", identityStatus: "failed", nextCheckAt: null, cnameCheckedAt: T + 7 * DAY });
    const audit = await auditOf(orgId);
    // Checks that change nothing are not audited; the failure is, by SendOps.
    expect(audit.map((a) => a.operation)).toEqual(["create", "verification_change"]);
    expect(audit[1]).toEqual({
      operation: "verification_change",
      actor: "SendOps",
      summary: `Tracking domain ${subdomain}: DNS CNAME pending, SES identity pending → DNS CNAME failed, SES identity failed`,
    });
    // …and raised once as a channel event.
    const raised = await listOrgNotifications(db(), orgId);
    expect(raised.map((r) => [r.type, JSON.parse(r.payloadJson).domain, r.link])).toEqual([["channel_events.tracking_domain_failed", subdomain, "tracking-domains"]]);
  });

  it("turns a verified CNAME that now points elsewhere invalid (drift), and verified again once fixed", async () => {
    const T = Date.now();
    const { check, subdomain } = await domainAt(T);
    await setDns(subdomain, "CNAME", [`r.${REGION}.awstrack.me`]);
    const ok = await check(T + 4 * MINUTE);
    expect(ok).toMatchObject({ cnameStatus: "verified", cnameVerifiedAt: T + 4 * MINUTE, identityStatus: "pending", nextCheckAt: T + 6 * MINUTE });

    await setDns(subdomain, "CNAME", ["elsewhere.example.net"]);
    const drifted = await check(T + 3 * DAY);
    expect(drifted).toMatchObject({ cnameStatus: "invalid", cnameVerifiedAt: T + 4 * MINUTE, cnameCheckedAt: T + 3 * DAY });
    expect(drifted.lastError).toContain(`The CNAME of ${subdomain} points to elsewhere.example.net`);
    // The week is over: the identity failed, the invalid CNAME is still watched hourly.
    const week = await check(T + 8 * DAY);
    expect(week).toMatchObject({ cnameStatus: "invalid", identityStatus: "failed", nextCheckAt: T + 8 * DAY + HOUR });

    await setDns(subdomain, "CNAME", []);
    expect((await check(T + 8 * DAY + HOUR)).cnameStatus).toBe("invalid");
    await setDns(subdomain, "CNAME", [`r.${REGION}.awstrack.me`]);
    expect(await check(T + 8 * DAY + 2 * HOUR)).toMatchObject({ cnameStatus: "verified", cnameVerifiedAt: T + 8 * DAY + 2 * HOUR, nextCheckAt: T + 8 * DAY + 3 * HOUR });
  });

  it("a verified domain keeps an hourly drift check", async () => {
    const T = Date.now();
    const { check, subdomain, aws, view } = await domainAt(T);
    await setDns(subdomain, "CNAME", [`r.${REGION}.awstrack.me`]);
    await setSesStatus(aws.account, subdomain, "SUCCESS", tokensOf(view));
    expect(await check(T + 2 * MINUTE)).toMatchObject({ cnameStatus: "verified", identityStatus: "verified", lastError: null, nextCheckAt: T + 2 * MINUTE + HOUR });
    expect((await check(T + 30 * DAY)).nextCheckAt).toBe(T + 30 * DAY + HOUR);
  });

  it("changing the CDN domain resets the CNAME to pending and restarts the schedule", async () => {
    const T = Date.now() - 2 * DAY;
    const { check, subdomain, org, view, orgId } = await domainAt(T, "https");
    await setDns(subdomain, "CNAME", ["d111.cloudfront.net"]);
    expect((await check(T + HOUR)).cnameStatus).toBe("verified");

    const at = T + 2 * DAY;
    const edited = await updateTrackingDomainCdn(env, org, view.id, "d222.cloudfront.net", at);
    expect(edited).toMatchObject({ cdnDomain: "d222.cloudfront.net", cnameTarget: "d222.cloudfront.net", cname: { status: "pending" }, nextCheckAt: at + 2 * MINUTE });
    expect(edited.records[0]).toMatchObject({ name: subdomain, value: "d222.cloudfront.net" });
    const row = (await findTrackingDomain(db(), orgId, view.id))!;
    expect(row.checksStartedAt).toBe(at);
    // The old target no longer counts; two minutes into the new schedule the next check is at 4.
    const stillOld = await check(at + 2 * MINUTE);
    expect(stillOld).toMatchObject({ cnameStatus: "pending", nextCheckAt: at + 4 * MINUTE });
    expect(stillOld.lastError).toContain("points to d111.cloudfront.net, not to d222.cloudfront.net");
    await setDns(subdomain, "CNAME", ["d222.cloudfront.net"]);
    expect((await check(at + 4 * MINUTE)).cnameStatus).toBe("verified");

    const audit = await auditOf(orgId);
    expect(audit.find((a) => a.operation === "update")?.summary).toBe(
      `Changed the CDN domain of tracking domain ${subdomain} from d111.cloudfront.net to d222.cloudfront.net: the CNAME must now point to d222.cloudfront.net`,
    );
  });

  it("the CDN domain is edited through the API (HTTPS only)", async () => {
    const { user, orgId } = await connectedOrg();
    const http = await json(await create(orgId, user.cookie, { subdomain: unique(), protocol: "http" }));
    const refused = await call(api(orgId, `/${http.id}`), { method: "PATCH", cookie: user.cookie, body: { cdnDomain: "d9.cloudfront.net" } });
    expect(refused.status).toBe(422);
    const https = await json(await create(orgId, user.cookie, { subdomain: unique(), protocol: "https", cdnDomain: "d1.cloudfront.net" }));
    const res = await call(api(orgId, `/${https.id}`), { method: "PATCH", cookie: user.cookie, body: { cdnDomain: "d2.cloudfront.net" } });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ cdnDomain: "d2.cloudfront.net", cnameTarget: "d2.cloudfront.net", cname: { status: "pending" } });
  });
});

describe("deleting a tracking domain", () => {
  it("deletes the SES identity, then the row, and lists the DNS records the user must remove", async () => {
    const { user, orgId, aws } = await connectedOrg();
    const subdomain = unique();
    const created = await json(await create(orgId, user.cookie, { subdomain, protocol: "http" }));
    expect(await sesIdentity(aws.account, subdomain)).toBeDefined();
    const res = await call(api(orgId, `/${created.id}`), { method: "DELETE", cookie: user.cookie });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ subdomain, deletedInSes: true, recordsToRemove: created.records });
    expect(body.message).toContain("Remove its CNAME record and the three DKIM CNAME records at your DNS provider");
    expect(await sesIdentity(aws.account, subdomain)).toBeUndefined();
    expect((await call(api(orgId, `/${created.id}`), { cookie: user.cookie })).status).toBe(404);
    expect((await auditOf(orgId)).at(-1)).toEqual({ operation: "delete", actor: "Test User", summary: `Deleted tracking domain ${subdomain} and its SES identity` });
  });

  it("an SES identity removed outside SendOps: the check shows it failed, and Delete still removes the row", async () => {
    const { user, orgId } = await connectedOrg();
    const subdomain = unique();
    const created = await json(await create(orgId, user.cookie, { subdomain, protocol: "http" }));
    await (await sesForOrg(env, orgId)).ses.deleteEmailIdentity(subdomain);
    const checked = await json(await call(api(orgId, `/${created.id}/verify`), { method: "POST", cookie: user.cookie }));
    expect(checked.identity.status).toBe("failed");
    expect(checked.lastError).toContain(`SES has no identity ${subdomain} any more`);
    const res = await call(api(orgId, `/${created.id}`), { method: "DELETE", cookie: user.cookie });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ deletedInSes: false });
    expect((await auditOf(orgId)).at(-1)?.summary).toBe(`Deleted tracking domain ${subdomain} (its SES identity was already gone)`);
  });
});

describe("the cron", () => {
  it("claims the due checks every 2 minutes and queues them; the jobs consumer runs them", async () => {
    const c = await connectedOrg();
    const subdomain = unique();
    const now = Date.now();
    const T = now - 3 * MINUTE;
    const view = await createTrackingDomain(env, c.org, { subdomain, protocol: "http" }, T);
    const notDue = await createTrackingDomain(env, c.org, { subdomain: unique(), protocol: "http" }, now);
    await setDns(subdomain, "CNAME", [`r.${REGION}.awstrack.me`]);

    await runScheduled(CRONS.trackingChecks, env, now);
    expect((await findTrackingDomain(db(), c.orgId, notDue.id))!.nextCheckAt).toBe(now + 2 * MINUTE);

    let row = (await findTrackingDomain(db(), c.orgId, view.id))!;
    for (let i = 0; i < 100 && row.cnameCheckedAt === null; i++) {
      await new Promise((r) => setTimeout(r, 50));
      row = (await findTrackingDomain(db(), c.orgId, view.id))!;
    }
    expect(row.cnameStatus).toBe("verified");
    expect(row.nextCheckAt).toBe(nextCheckAt(T, row.cnameCheckedAt!, { cname: "verified", identity: row.identityStatus }));
  });

  it("claims at most the batch size per tick, oldest first, leasing them so the next tick skips them", async () => {
    const c = await connectedOrg();
    const at = Date.now();
    const base = unique("batch");
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createTrackingDomain(env, c.org, { subdomain: `b${i}.${base}`, protocol: "http" }, at - 10 * DAY + i)).id);
    // Straight from D1 (no queue), so no job races the assertions. These three are the oldest due of all.
    const claimed = await claimDueTrackingChecks(db(), at, at + CHECK_LEASE, 2);
    expect(claimed.map((r) => r.id).sort()).toEqual(ids.slice(0, 2));
    const next = async (id: string) => (await findTrackingDomain(db(), c.orgId, id))!.nextCheckAt;
    expect([await next(ids[0]!), await next(ids[1]!), await next(ids[2]!)]).toEqual([at + CHECK_LEASE, at + CHECK_LEASE, at - 10 * DAY + 2 + 2 * MINUTE]);
    expect((await claimDueTrackingChecks(db(), at + MINUTE, at + CHECK_LEASE, 2)).map((r) => r.id)).not.toContain(ids[0]);
  });
});
