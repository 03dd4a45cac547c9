import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { recordQualifying } from "../worker/services/org-ledger";
import { pruneExpired } from "../worker/services/retention";
import { presetRules, rulesVersion, type Rules } from "../worker/classification/rules";
import { ROLES, type Role } from "../worker/auth/permissions";
import type { QualifyingRow } from "../durable-objects/org-ledger";
import { call, db, insertMembership, json, newUser, type TestUser } from "./helpers";
import { fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";
import { parseCsv } from "./reports-helpers";
import { newApiKey, v1 } from "./v1-helpers";
import { DAY } from "../worker/lib/time";

let owner: TestUser;
beforeAll(async () => {
  owner = await newUser("ul-owner", "Olive Owner");
});

/** A fresh org (business plan unless told) with `owner` as its Owner. */
const newOrg = (plan: "free" | "team" | "business" = "business") => newIngestOrg({ plan, member: { userId: owner.id, role: "owner" } });

let seq = 0;
type Kind = "permanent" | "complaint" | "reject" | "transient" | "undetermined" | "soft";
const SHAPES: Record<Kind, Pick<QualifyingRow, "eventType" | "bounceType" | "subType">> = {
  permanent: { eventType: "bounce", bounceType: "Permanent", subType: "NoEmail" },
  complaint: { eventType: "complaint", bounceType: null, subType: "abuse" },
  reject: { eventType: "reject", bounceType: null, subType: null },
  transient: { eventType: "bounce", bounceType: "Transient", subType: "General" },
  undetermined: { eventType: "bounce", bounceType: "Undetermined", subType: "Undetermined" },
  soft: { eventType: "bounce", bounceType: "Transient", subType: "MailboxFull" },
};
/** What the ingest consumer hands to the org's OrgLedger (and D1 after it), `n` events of one kind. */
async function fail(orgId: string, email: string, kind: Kind, n = 1, newest = Date.now() - 60_000, diagnostic = "550 5.1.1 User unknown") {
  const rows: QualifyingRow[] = Array.from({ length: n }, (_, i) => ({
    eventKey: `ul-api-${++seq}`,
    email,
    at: newest - i * 60_000,
    diagnostic,
    messageId: `msg-${seq}`,
    channelId: null,
    ...SHAPES[kind],
  }));
  await recordQualifying(env, orgId, rows);
}

const api = (orgId: string, path = "") => `/api/orgs/${orgId}/undeliverable${path}`;
const list = async (orgId: string, query = "", cookie = owner.cookie) => {
  const res = await call(`${api(orgId)}${query}`, { cookie });
  expect(res.status).toBe(200);
  return { body: await json(res), version: res.headers.get("x-sendops-rules-version") };
};
const emails = (body: { rows: { email: string }[] }) => body.rows.map((r) => r.email).sort();
const auditRows = (orgId: string, resourceType: string) =>
  env.DB.prepare("SELECT * FROM audit_log WHERE org_id = ? AND resource_type = ? ORDER BY id").bind(orgId, resourceType).all<Record<string, any>>();

describe("the list", () => {
  it("shows an address the ingest pipeline saw bounce, with its reason, sub-type, diagnostic and the rules version header", async () => {
    const orgId = await newOrg();
    const event = fixture("bounce-permanent-noemail");
    const at = new Date(Date.now() - 3_600_000).toISOString();
    event.id = `ul-${Date.now()}`;
    (event.detail as any).bounce.timestamp = at;
    (event.detail as any).mail.timestamp = at;
    const result = await runConsumer([queued(orgId, event, Date.now())]);
    expect(result.retryMessages).toEqual([]);
    const { body, version } = await list(orgId);
    expect(body.rows).toEqual([
      expect.objectContaining({
        email: "old.account@example.org",
        status: "listed",
        reason: "permanent_bounce",
        subType: "NoEmail",
        label: "permanent bounce · NoEmail",
        events: 1,
        lastChange: Date.parse(at),
        lastDiagnostic: expect.stringContaining("550 5.1.1"),
        note: null,
      }),
    ]);
    expect(version).toBe(await rulesVersion(presetRules("standard")));
    expect(body.version).toBe(version);
  });

  it("filters compose, pages with a cursor and rejects a forged cursor", async () => {
    const orgId = await newOrg();
    for (let i = 0; i < 7; i++) await fail(orgId, `p${i}@acme.test`, "permanent", 1, Date.now() - i * 1000);
    await fail(orgId, "c@other.test", "complaint");
    await fail(orgId, "t@acme.test", "transient", 3);
    expect(emails((await list(orgId, "?search=ACME&reason=permanent_bounce")).body)).toHaveLength(7);
    expect(emails((await list(orgId, "?search=acme&reason=repeated_transient")).body)).toEqual(["t@acme.test"]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const { body }: { body: { rows: { email: string }[]; nextCursor: string | null } } = await list(orgId, `?limit=4${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...body.rows.map((r) => r.email));
      cursor = body.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(9);
    expect(new Set(seen).size).toBe(9);
    const bad = await call(`${api(orgId)}?cursor=bm9wZQ`, { cookie: owner.cookie });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("cursor");
    expect((await call(`${api(orgId)}?status=gone`, { cookie: owner.cookie })).status).toBe(422);
  });

  it("exports the filtered list as CSV", async () => {
    const orgId = await newOrg();
    await fail(orgId, "a@csv.test", "permanent", 1, Date.now() - 1000, "550 5.1.1 User unknown, \"really\"");
    await fail(orgId, "b@csv.test", "reject");
    await fail(orgId, "c@elsewhere.test", "reject");
    await call(api(orgId, "/allow"), { method: "POST", cookie: owner.cookie, body: { email: "b@csv.test", note: "=fixed, verified" } });
    const res = await call(api(orgId, "/export.csv?status=all&search=csv"), { cookie: owner.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("x-sendops-rules-version")).toMatch(/^[0-9a-f]{6}$/);
    const text = await res.text();
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(["email", "status", "reason", "sub_type", "events", "last_change", "last_diagnostic", "note"]);
    expect(rows.map((r) => r[0]).sort()).toEqual(["a@csv.test", "b@csv.test"]);
    expect(rows.find((r) => r[0] === "a@csv.test")![6]).toBe('550 5.1.1 User unknown, "really"');
    expect(rows.find((r) => r[0] === "b@csv.test")).toEqual(["b@csv.test", "excluded", "rejected", "", "1", expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), expect.any(String), "'=fixed, verified"]);
    expect(text).toContain('"550 5.1.1 User unknown, ""really"""');
  });

  it("an export with no match completes with just the header row", async () => {
    const orgId = await newOrg();
    await fail(orgId, "a@nomatch.test", "permanent");
    // Before the fix the stream stalled after the header: the runtime cancelled the response as hung and reading the body threw.
    const res = await call(api(orgId, "/export.csv?search=nobody"), { cookie: owner.cookie });
    expect(res.status).toBe(200);
    await expect(res.text()).resolves.toBe("email,status,reason,sub_type,events,last_change,last_diagnostic,note\r\n");
  });
});

describe("Allow and Re-list", () => {
  it("Allow with a note excludes at once, keeps the exclusion in D1 and records the note in the audit log", async () => {
    const orgId = await newOrg();
    await fail(orgId, "Fixed@Example.test", "permanent");
    const res = await call(api(orgId, "/allow"), {
      method: "POST",
      cookie: owner.cookie,
      body: { email: "fixed@EXAMPLE.test", note: "Customer fixed mailbox after IT migration" },
    });
    expect(res.status).toBe(200);
    expect((await json(res)).row).toMatchObject({ email: "fixed@example.test", status: "excluded", note: "Customer fixed mailbox after IT migration" });
    expect((await list(orgId)).body.rows).toEqual([]);
    expect((await list(orgId, "?status=excluded")).body.rows).toEqual([
      expect.objectContaining({ email: "fixed@example.test", status: "excluded", reason: "permanent_bounce", note: "Customer fixed mailbox after IT migration" }),
    ]);
    const stored = await env.DB.prepare("SELECT * FROM undeliverable_exclusions WHERE org_id = ?").bind(orgId).first<Record<string, any>>();
    expect(stored).toMatchObject({ email: "fixed@example.test", note: "Customer fixed mailbox after IT migration", actor_name: "Olive Owner" });
    const audit = (await auditRows(orgId, "undeliverable_address")).results;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ operation: "allow", actor_user_id: owner.id, resource_id: "fixed@example.test" });
    expect(audit[0]!.summary).toContain("Customer fixed mailbox after IT migration");
    expect(JSON.parse(audit[0]!.after_json)).toMatchObject({ status: "excluded", note: "Customer fixed mailbox after IT migration" });

    expect((await call(api(orgId, "/allow"), { method: "POST", cookie: owner.cookie, body: { email: "fixed@example.test" } })).status).toBe(409);
    expect((await call(api(orgId, "/allow"), { method: "POST", cookie: owner.cookie, body: { email: "nobody@example.test" } })).status).toBe(404);
  });

  it("a new failure after the Allow lists the address again and forgets the exclusion", async () => {
    const orgId = await newOrg();
    await fail(orgId, "again@example.test", "permanent", 1, Date.now() - 60_000);
    await call(api(orgId, "/allow"), { method: "POST", cookie: owner.cookie, body: { email: "again@example.test" } });
    await fail(orgId, "again@example.test", "permanent", 1, Date.now() + 1000, "550 5.1.1 still unknown");
    expect((await list(orgId)).body.rows).toEqual([
      expect.objectContaining({ email: "again@example.test", status: "listed", events: 2, lastDiagnostic: "550 5.1.1 still unknown" }),
    ]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM undeliverable_exclusions WHERE org_id = ?").bind(orgId).first("n")).toBe(0);
    expect((await auditRows(orgId, "undeliverable_address")).results.map((r) => [r.operation, r.actor_name])).toEqual([
      ["allow", "Olive Owner"],
      ["relist_after_failure", "SendOps"],
    ]);
  });

  it("Re-list removes the exclusion (audited) and the address is listed again while its events match", async () => {
    const orgId = await newOrg();
    await fail(orgId, "back@example.test", "transient", 3);
    await call(api(orgId, "/allow"), { method: "POST", cookie: owner.cookie, body: { email: "back@example.test", note: "try again" } });
    const res = await call(api(orgId, "/relist"), { method: "POST", cookie: owner.cookie, body: { email: "back@example.test" } });
    expect(res.status).toBe(200);
    expect((await json(res)).row).toMatchObject({ status: "listed", reason: "repeated_transient" });
    expect(emails((await list(orgId)).body)).toEqual(["back@example.test"]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM undeliverable_exclusions WHERE org_id = ?").bind(orgId).first("n")).toBe(0);
    const audit = (await auditRows(orgId, "undeliverable_address")).results;
    expect(audit.map((r) => r.operation)).toEqual(["allow", "relist"]);
    expect(JSON.parse(audit[1]!.before_json)).toMatchObject({ status: "excluded", note: "try again" });
    expect((await call(api(orgId, "/relist"), { method: "POST", cookie: owner.cookie, body: { email: "back@example.test" } })).status).toBe(404);
  });

  it("exclusions survive retention pruning", async () => {
    const orgId = await newOrg("free");
    await fail(orgId, "kept@example.test", "complaint");
    await call(api(orgId, "/allow"), { method: "POST", cookie: owner.cookie, body: { email: "kept@example.test", note: "keep me" } });
    // An Allow from long before the plan's 7-day retention: the daily prune leaves it alone.
    await env.DB.prepare("UPDATE undeliverable_exclusions SET allowed_at = allowed_at - ? WHERE org_id = ?").bind(400 * DAY, orgId).run();
    await pruneExpired(db());
    expect(await env.DB.prepare("SELECT note FROM undeliverable_exclusions WHERE org_id = ?").bind(orgId).first("note")).toBe("keep me");
    expect((await list(orgId, "?status=excluded")).body.rows).toEqual([expect.objectContaining({ email: "kept@example.test", note: "keep me" })]);
  });
});

describe("classification rules", () => {
  it("default to Standard; saving stores a new version, audits before/after and changes the list and its header", async () => {
    const orgId = await newOrg();
    await fail(orgId, "u@example.test", "undetermined", 2);
    await fail(orgId, "t@example.test", "transient", 3);
    const standard = await rulesVersion(presetRules("standard"));
    const initial = await json(await call(api(orgId, "/rules"), { cookie: owner.cookie }));
    expect(initial).toEqual({ rules: presetRules("standard"), version: standard, preset: "standard", updatedAt: null, updatedBy: null });
    expect(emails((await list(orgId)).body)).toEqual(["t@example.test"]);

    const res = await call(api(orgId, "/rules"), { method: "PUT", cookie: owner.cookie, body: presetRules("aggressive") });
    expect(res.status).toBe(200);
    const saved = await json(res);
    const aggressive = await rulesVersion(presetRules("aggressive"));
    expect(saved).toMatchObject({ rules: presetRules("aggressive"), version: aggressive, preset: "aggressive", updatedBy: "Olive Owner" });
    const after = await list(orgId);
    expect(after.version).toBe(aggressive);
    expect(emails(after.body)).toEqual(["t@example.test", "u@example.test"]);
    expect(after.body.rows.find((r: { email: string }) => r.email === "u@example.test").reason).toBe("undetermined");

    const audit = (await auditRows(orgId, "classification_rules")).results;
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]!.before_json)).toEqual({ rules: presetRules("standard"), version: standard });
    expect(JSON.parse(audit[0]!.after_json)).toEqual({ rules: presetRules("aggressive"), version: aggressive });

    // Saving the same rules again changes nothing and writes no audit entry.
    await call(api(orgId, "/rules"), { method: "PUT", cookie: owner.cookie, body: presetRules("aggressive") });
    expect((await auditRows(orgId, "classification_rules")).results).toHaveLength(1);

    const custom: Rules = { ...presetRules("strict"), soft_bounce_accumulation: { enabled: true, events: 4, windowDays: 10 } };
    const c = await json(await call(api(orgId, "/rules"), { method: "PUT", cookie: owner.cookie, body: custom }));
    expect(c.preset).toBe("custom");
    expect(c.version).not.toBe(aggressive);
    expect((await list(orgId)).body.rows).toEqual([]);
  });

  it("refuses invalid knobs naming the field, and keeps the saved rules", async () => {
    const orgId = await newOrg();
    const bad = { ...presetRules("standard"), repeated_transient: { enabled: true, events: 101, windowDays: 30 } };
    const res = await call(api(orgId, "/rules"), { method: "PUT", cookie: owner.cookie, body: bad });
    expect(res.status).toBe(422);
    expect((await json(res)).error.details.fields.map((f: { field: string }) => f.field)).toContain("repeated_transient.events");
    expect((await json(await call(api(orgId, "/rules"), { cookie: owner.cookie }))).preset).toBe("standard");
  });

  it("previews candidate rules without saving them; a failed preview leaves everything as it was", async () => {
    const orgId = await newOrg();
    await fail(orgId, "p@example.test", "permanent");
    await fail(orgId, "t@example.test", "transient", 3);
    await fail(orgId, "s1@example.test", "soft", 5);
    await fail(orgId, "s2@example.test", "soft", 8);
    const res = await call(api(orgId, "/rules/preview"), { method: "POST", cookie: owner.cookie, body: presetRules("aggressive") });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      currentSize: 2,
      candidateSize: 4,
      added: 2,
      removed: 0,
      breakdown: { permanent_bounce: 1, complaint: 0, rejected: 0, repeated_transient: 1, undetermined: 0, soft_bounce_accumulation: 2 },
      sampleAdditions: [
        { email: "s2@example.test", reason: "soft_bounce_accumulation", events: 8 },
        { email: "s1@example.test", reason: "soft_bounce_accumulation", events: 5 },
      ],
    });
    const failed = await call(api(orgId, "/rules/preview"), { method: "POST", cookie: owner.cookie, body: { ...presetRules("strict"), undetermined: null } });
    expect(failed.status).toBe(422);
    expect((await json(await call(api(orgId, "/rules"), { cookie: owner.cookie }))).preset).toBe("standard");
    expect(emails((await list(orgId)).body)).toEqual(["p@example.test", "t@example.test"]);
    expect((await auditRows(orgId, "classification_rules")).results).toHaveLength(0);
  });

  it("lets a visitor of the read-only demo workspace preview rules, but not save them", async () => {
    const preview = await call(api("org_demo", "/rules/preview"), { method: "POST", cookie: owner.cookie, body: presetRules("aggressive") });
    expect(preview.status).toBe(200);
    expect(await json(preview)).toHaveProperty("candidateSize");
    const save = await call(api("org_demo", "/rules"), { method: "PUT", cookie: owner.cookie, body: presetRules("aggressive") });
    expect(save.status).toBe(403);
    expect((await json(save)).error.code).toBe("DEMO_READ_ONLY");
  });
});

describe("permissions per role", () => {
  it("every role views; only Owner and Org Admin allow, re-list and change rules", async () => {
    const orgId = await newOrg();
    await fail(orgId, "perm@example.test", "permanent");
    const failures: string[] = [];
    for (const role of ROLES.filter((r): r is Exclude<Role, "owner"> => r !== "owner")) {
      const u = await newUser(`ul-${role}`);
      await insertMembership(orgId, u.id, role);
      const full = role === "org_admin";
      const check = (what: string, status: number, expected: number) => {
        if (status !== expected) failures.push(`${role} ${what}: ${status}, expected ${expected}`);
      };
      check("list", (await call(api(orgId), { cookie: u.cookie })).status, 200);
      check("rules", (await call(api(orgId, "/rules"), { cookie: u.cookie })).status, 200);
      check("preview", (await call(api(orgId, "/rules/preview"), { method: "POST", cookie: u.cookie, body: presetRules("strict") })).status, 200);
      check("save rules", (await call(api(orgId, "/rules"), { method: "PUT", cookie: u.cookie, body: presetRules("standard") })).status, full ? 200 : 403);
      const allow = await call(api(orgId, "/allow"), { method: "POST", cookie: u.cookie, body: { email: "perm@example.test" } });
      check("allow", allow.status, full ? 200 : 403);
      if (!full) expect((await json(allow)).error.details.permission).toBe("undeliverable.manage");
      check("relist", (await call(api(orgId, "/relist"), { method: "POST", cookie: u.cookie, body: { email: "perm@example.test" } })).status, full ? 200 : 403);
    }
    expect(failures).toEqual([]);
  });
});

describe("public API", () => {
  it("GET /v1/undeliverable pages the list with the version header; GET /v1/undeliverable/rules returns the rules and version", async () => {
    const orgId = await newOrg();
    await fail(orgId, "v1@example.test", "complaint");
    await fail(orgId, "v2@example.test", "reject");
    const key = await newApiKey(orgId);
    const res = await v1("/undeliverable?limit=1", { key: key.secret });
    expect(res.status).toBe(200);
    const version = await rulesVersion(presetRules("standard"));
    expect(res.headers.get("x-sendops-rules-version")).toBe(version);
    const page = await json(res);
    expect(page.version).toBe(version);
    expect(page.data).toHaveLength(1);
    expect(Object.keys(page.data[0]).sort()).toEqual(["email", "events", "lastChange", "lastDiagnostic", "note", "reason", "status", "subType"]);
    const next = await json(await v1(`/undeliverable?limit=1&cursor=${page.nextCursor}`, { key: key.secret }));
    expect([page.data[0].email, next.data[0].email].sort()).toEqual(["v1@example.test", "v2@example.test"]);
    expect(next.nextCursor).toBeNull();
    expect((await json(await v1("/undeliverable?reason=complaint", { key: key.secret }))).data).toEqual([
      expect.objectContaining({ email: "v1@example.test", reason: "complaint", subType: "abuse" }),
    ]);

    const rules = await json(await v1("/undeliverable/rules", { key: key.secret }));
    expect(rules).toEqual({
      version,
      preset: "standard",
      locked: ["permanent_bounce", "complaint", "rejected"],
      rules: presetRules("standard"),
      updatedAt: null,
    });
    expect((await v1("/undeliverable")).status).toBe(401);
  });
});
