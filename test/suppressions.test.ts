import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { call, db, insertMembership, insertOrgWithMember, json, newUser, type TestUser } from "./helpers";
import { getSuppressions, newAwsAccount, setSuppressions, simStats, throttle, type SimEntry } from "./aws-helpers";
import { fixture, runConsumer, queued } from "./ingest-helpers";
import { listAuditEntries } from "../worker/db/audit";
import { runSuppressionSyncStep, syncStaleSuppressionLists, SYNC_STALE_AFTER } from "../worker/services/suppressions";
import { findSuppressionSync } from "../worker/db/suppressions";
import { consumeJobs } from "../queues/jobs";

const DAY_S = 86_400;
const T0 = Date.UTC(2025, 5, 1) / 1000;
const REGION = "eu-central-1";
const api = (orgId: string, rest = "") => `/api/orgs/${orgId}/suppressions${rest}`;

/** A workspace (the user its Owner) connected to a fresh AWS account whose list is `entries`. */
async function connectedOrg(entries: SimEntry[], user?: TestUser) {
  user ??= await newUser("supp");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const { externalId } = await json(await call(`/api/orgs/${orgId}/aws-connection`, { cookie: user.cookie }));
  const aws = await newAwsAccount(externalId);
  await setSuppressions(aws.account, REGION, entries);
  const res = await json(await call(`/api/orgs/${orgId}/aws-connection`, { method: "PUT", cookie: user.cookie, body: { roleArn: aws.roleArn, region: REGION } }));
  expect(res.status).toBe("connected");
  return { user, orgId, aws };
}

/** Waits until the sync the queue consumer runs has finished; returns its state. */
async function synced(orgId: string, cookie: string, after = 0) {
  for (let i = 0; i < 300; i++) {
    const s = await json(await call(api(orgId, "/sync"), { cookie }));
    if (!s.running && (s.lastSyncedAt ?? 0) >= after) return s;
    if (!s.running && s.lastError) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("sync did not finish");
}

async function refresh(orgId: string, cookie: string) {
  const at = Date.now();
  const res = await call(api(orgId, "/sync"), { method: "POST", cookie });
  expect(res.status).toBe(202);
  return synced(orgId, cookie, at);
}

async function allPages(orgId: string, cookie: string, query: string) {
  const out: { email: string; reason: string; lastUpdateTime: number }[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page: any = await json(await call(api(orgId, `?${query}&limit=7${cursor ? `&cursor=${cursor}` : ""}`), { cookie }));
    out.push(...page.data);
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  return { rows: out, pages };
}

const entries = (n: number, prefix: string, reasonOf = (i: number) => (i % 5 === 0 ? "COMPLAINT" : "BOUNCE")): SimEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    EmailAddress: `${prefix}${String(i).padStart(5, "0")}@example.net`,
    Reason: reasonOf(i) as SimEntry["Reason"],
    LastUpdateTime: T0 + (i % 97) * DAY_S + i,
  }));

describe("suppression list sync", () => {
  it("pages through more than 1,000 entries (and several queue messages), then removes what SES no longer lists", async () => {
    const list = entries(10_500, "big");
    const { user, orgId, aws } = await connectedOrg(list);
    // The first look at a connected list starts its first sync.
    const first = await synced(orgId, user.cookie, 1);
    expect(first).toMatchObject({ connected: true, running: false, count: 10_500, lastError: null, region: REGION, awsAccountId: aws.account });
    const stats = await simStats(aws.account);
    expect(stats.ses.ListSuppressedDestinations).toBe(11);

    // 500 leave SES (one deleted from the console, the rest expired), 3 arrive.
    const kept = list.slice(500);
    await setSuppressions(aws.account, REGION, [...kept, ...entries(3, "fresh")]);
    const second = await refresh(orgId, user.cookie);
    expect(second.count).toBe(10_003);
    const gone = await json(await call(api(orgId, "?q=big00001&limit=100"), { cookie: user.cookie }));
    expect(gone.data).toEqual([]);
    const fresh = await json(await call(api(orgId, "?q=FRESH&sort=address&order=asc"), { cookie: user.cookie }));
    expect(fresh.data.map((r: any) => r.email)).toEqual(["fresh00000@example.net", "fresh00001@example.net", "fresh00002@example.net"]);
  });

  it("retries SES throttling during a sync", async () => {
    const { user, orgId, aws } = await connectedOrg(entries(40, "thr"));
    await synced(orgId, user.cookie, 1);
    await throttle(aws.account, 2);
    expect((await refresh(orgId, user.cookie)).count).toBe(40);
  });

  it("a stale or repeated sync message changes nothing (queues deliver at least once)", async () => {
    const { user, orgId } = await connectedOrg(entries(5, "dup"));
    await synced(orgId, user.cookie, 1);
    const sync = (await findSuppressionSync(db(), orgId))!;
    expect(await runSuppressionSyncStep(env, { kind: "suppressions.sync", orgId, generation: sync.generation, step: 0, nextToken: null })).toBeNull();
    expect(await runSuppressionSyncStep(env, { kind: "suppressions.sync", orgId, generation: sync.generation - 1, step: 0, nextToken: null })).toBeNull();
    expect(await findSuppressionSync(db(), orgId)).toEqual(sync);
  });

  it("the cron refreshes connected lists older than an hour", async () => {
    const { user, orgId, aws } = await connectedOrg(entries(3, "cron"));
    await synced(orgId, user.cookie, 1);
    await setSuppressions(aws.account, REGION, entries(4, "cron"));
    const before = await findSuppressionSync(db(), orgId);
    // Storage is shared by the file: the demo workspace every sign-up joins may never have synced. A
    // first run starts whatever is due; then nothing synced within the hour or still syncing is due.
    await syncStaleSuppressionLists(env, Date.now());
    expect(await syncStaleSuppressionLists(env, Date.now())).toBe(0);
    expect((await findSuppressionSync(db(), orgId))!.generation).toBe(before!.generation);
    // An hour on, every list is: each connected workspace's and the demo's.
    const lists = await env.DB.prepare(
      "SELECT count(*) AS n FROM orgs LEFT JOIN aws_connections c ON c.org_id = orgs.id WHERE c.status = 'connected' OR orgs.is_demo = 1",
    ).first<{ n: number }>();
    expect(lists!.n).toBeGreaterThan(1);
    expect(await syncStaleSuppressionLists(env, Date.now() + SYNC_STALE_AFTER + 1000)).toBe(lists!.n);
    const after = await synced(orgId, user.cookie, before!.lastSyncedAt! + 1);
    expect(after.count).toBe(4);
  });

  it("needs a validated connection; the viewer shows why", async () => {
    const user = await newUser("supp-none");
    const orgId = await insertOrgWithMember(user.id, "owner");
    expect(await json(await call(api(orgId, "/sync"), { cookie: user.cookie }))).toMatchObject({ connected: false, running: false, lastSyncedAt: null });
    const res = await call(api(orgId, "/sync"), { method: "POST", cookie: user.cookie });
    expect(res.status).toBe(409);
    expect((await json(res)).error.code).toBe("AWS_NOT_CONNECTED");
    expect((await json(await call(api(orgId), { cookie: user.cookie }))).data).toEqual([]);
  });
});

describe("suppression list viewer", () => {
  const set: SimEntry[] = [
    { EmailAddress: "alice@gmail.com", Reason: "BOUNCE", LastUpdateTime: T0 + 5 * DAY_S },
    { EmailAddress: "bob@yahoo.com", Reason: "COMPLAINT", LastUpdateTime: T0 + 9 * DAY_S },
    { EmailAddress: "carol@gmail.com", Reason: "COMPLAINT", LastUpdateTime: T0 + 1 * DAY_S },
    { EmailAddress: "dave@outlook.com", Reason: "BOUNCE", LastUpdateTime: T0 + 9 * DAY_S },
    { EmailAddress: "erin@GMAIL.com", Reason: "BOUNCE", LastUpdateTime: T0 + 3 * DAY_S },
    ...entries(20, "zed"),
  ];

  it("searches by address substring, filters by reason, sorts by address or time both ways, in keyset pages", async () => {
    const { user, orgId } = await connectedOrg(set);
    await synced(orgId, user.cookie, 1);
    const gmail = await json(await call(api(orgId, "?q=Gmail.COM&sort=address&order=asc"), { cookie: user.cookie }));
    expect(gmail.data.map((r: any) => r.email)).toEqual(["alice@gmail.com", "carol@gmail.com", "erin@gmail.com"]);
    expect(gmail.data[0]).toEqual({ email: "alice@gmail.com", reason: "BOUNCE", lastUpdateTime: (T0 + 5 * DAY_S) * 1000 });
    const complaints = await json(await call(api(orgId, "?reason=COMPLAINT&q=o"), { cookie: user.cookie }));
    expect(complaints.data.map((r: any) => r.email)).toEqual(["bob@yahoo.com", "carol@gmail.com"]);

    const byTime = await allPages(orgId, user.cookie, "sort=lastUpdate&order=desc");
    expect(byTime.rows).toHaveLength(25);
    expect(byTime.pages).toBe(4);
    const times = byTime.rows.map((r) => r.lastUpdateTime);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Equal times are ordered by address, so no row is skipped or repeated across pages.
    const dave = byTime.rows.findIndex((r) => r.email === "dave@outlook.com");
    expect(byTime.rows[dave + 1]!.email).toBe("bob@yahoo.com");
    const oldest = await allPages(orgId, user.cookie, "sort=lastUpdate&order=asc");
    expect(oldest.rows.map((r) => r.email)).toEqual(byTime.rows.map((r) => r.email).reverse());
    const byAddress = await allPages(orgId, user.cookie, "sort=address&order=desc");
    expect(byAddress.rows.map((r) => r.email)).toEqual(byTime.rows.map((r) => r.email).sort().reverse());

    const bad = await call(api(orgId, "?sort=address&cursor=nonsense"), { cookie: user.cookie });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("cursor");
  });

  it("delete removes the address in SES first, then in the copy, with an audit entry", async () => {
    const { user, orgId, aws } = await connectedOrg(set);
    await synced(orgId, user.cookie, 1);
    const res = await call(api(orgId, `/${encodeURIComponent("bob@yahoo.com")}`), { method: "DELETE", cookie: user.cookie });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ email: "bob@yahoo.com", removedFromSes: true });
    expect((await getSuppressions(aws.account, REGION)).map((e) => e.EmailAddress)).not.toContain("bob@yahoo.com");
    expect((await json(await call(api(orgId, "?q=bob"), { cookie: user.cookie }))).data).toEqual([]);
    expect((await json(await call(api(orgId, "/sync"), { cookie: user.cookie }))).count).toBe(24);
    const audit = await listAuditEntries(db(), { orgId, since: 0, resourceType: "suppressed_destination", limit: 5 });
    expect(audit.map((e) => [e.operation, e.resourceId, e.summary, e.actorUserId])).toEqual([
      ["delete", "bob@yahoo.com", "Removed bob@yahoo.com from the SES suppression list (COMPLAINT)", user.id],
    ]);
    expect(JSON.parse(audit[0]!.beforeJson!)).toEqual({ email: "bob@yahoo.com", reason: "COMPLAINT", lastUpdateTime: (T0 + 9 * DAY_S) * 1000 });
  });

  it("SES answering 404 (already gone there) still removes the copy's row; an address on neither list is 404", async () => {
    const { user, orgId, aws } = await connectedOrg(set);
    await synced(orgId, user.cookie, 1);
    await setSuppressions(aws.account, REGION, set.filter((e) => e.EmailAddress !== "dave@outlook.com"));
    const res = await call(api(orgId, "/dave@outlook.com"), { method: "DELETE", cookie: user.cookie });
    expect(await json(res)).toEqual({ email: "dave@outlook.com", removedFromSes: false });
    expect((await json(await call(api(orgId, "?q=dave"), { cookie: user.cookie }))).data).toEqual([]);
    const missing = await call(api(orgId, "/nobody@example.net"), { method: "DELETE", cookie: user.cookie });
    expect(missing.status).toBe(404);
    expect((await simStats(aws.account)).ses.DeleteSuppressedDestination).toBe(1);
  });

  it("Viewers may read and refresh but not delete; Customer Support may delete", async () => {
    const { user: owner, orgId } = await connectedOrg(set);
    await synced(orgId, owner.cookie, 1);
    const viewer = await newUser("supp-viewer");
    await insertMembership(orgId, viewer.id, "viewer");
    expect((await json(await call(api(orgId), { cookie: viewer.cookie }))).data).toHaveLength(25);
    expect((await call(api(orgId, "/sync"), { method: "POST", cookie: viewer.cookie })).status).toBe(202);
    const denied = await call(api(orgId, "/alice@gmail.com"), { method: "DELETE", cookie: viewer.cookie });
    expect(denied.status).toBe(403);
    expect((await json(denied)).error.details.permission).toBe("suppressions.manage");
    const support = await newUser("supp-support");
    await insertMembership(orgId, support.id, "support");
    await synced(orgId, owner.cookie, 1);
    expect((await call(api(orgId, "/alice@gmail.com"), { method: "DELETE", cookie: support.cookie })).status).toBe(200);
  });
});

describe("the demo workspace", () => {
  it("derives its list from its own hard bounces and complaints; Refresh works there, delete is refused", async () => {
    const user = await newUser("supp-demo");
    await env.DB.prepare("INSERT OR IGNORE INTO identities (id, org_id, identity, kind, verification_status, created_at) VALUES ('org_demo-idn-supp', 'org_demo', 'mail.example.com', 'domain', 'SUCCESS', ?)")
      .bind(Date.now())
      .run();
    const recipientAs = (name: string, to: string) => {
      const e = fixture(name) as any;
      e.id = `${name}-${to}`;
      e.detail.mail.messageId = `0100018f-supp-${to}-000000`;
      e.detail.mail.destination = [to];
      for (const r of e.detail.bounce?.bouncedRecipients ?? []) r.emailAddress = to;
      for (const r of e.detail.complaint?.complainedRecipients ?? []) r.emailAddress = to;
      return e;
    };
    const result = await runConsumer([
      queued("org_demo", recipientAs("bounce-permanent-noemail", "gone@example.org")),
      queued("org_demo", recipientAs("complaint", "angry@example.net")),
      queued("org_demo", recipientAs("bounce-transient-general", "later@example.net")),
    ]);
    expect(result.retryMessages).toEqual([]);
    const refreshed = await refresh("org_demo", user.cookie);
    expect(refreshed).toMatchObject({ connected: true, region: "us-east-1", awsAccountId: "111122223333", lastError: null });
    const rows = (await json(await call(api("org_demo", "?sort=address&order=asc&limit=100"), { cookie: user.cookie }))).data;
    expect(rows.filter((r: any) => ["gone@example.org", "angry@example.net", "later@example.net"].includes(r.email))).toEqual([
      { email: "angry@example.net", reason: "COMPLAINT", lastUpdateTime: expect.any(Number) },
      { email: "gone@example.org", reason: "BOUNCE", lastUpdateTime: expect.any(Number) },
    ]);
    const del = await call(api("org_demo", "/gone@example.org"), { method: "DELETE", cookie: user.cookie });
    expect(del.status).toBe(403);
    expect((await json(del)).error.code).toBe("DEMO_READ_ONLY");
  });
});

describe("jobs queue consumer", () => {
  it("retries a job of an unknown kind (so it dead-letters and is recorded) instead of dropping it", async () => {
    const batch = createMessageBatch("sendops-jobs", [{ id: "job-unknown", timestamp: new Date(), attempts: 1, body: { kind: "nope" } }]);
    const ctx = createExecutionContext();
    await consumeJobs(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["job-unknown"]);
  });
});
