import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { LOCAL_RETRY, localDb, retryingDb, withAppliedCheck, type LocalDb } from "../../scripts/lib/d1";
import { applyMigrations, offlineEnv, ROOT } from "../../scripts/lib/instance";
import { CliError, OPERATOR_ACTOR, runCommand } from "../../scripts/lib/operator";
import { verifyPassword } from "../../worker/auth/passwords";
import { sha256Hex } from "../../worker/lib/crypto";
import { apiKeys, auditLog, awsConnections, eventStoreMigration, ingestKeys, memberships, notificationDeliveries, notificationInbox, notifications, orgs, ownershipTransfers, sessions, userCredentials, users } from "../../worker/db/schema";
import { runAdmin } from "./admin-cli";
import { validateTemplateFile } from "./cfn-validate";
import { findOrgBySlug } from "../../worker/db/workspaces";
import { DEMO_ORG_ID } from "../../worker/services/demo";

let dir: string;
let local: LocalDb;
let counter = 0;
const email = (label: string) => `${label}.${++counter}@example.com`;

/** Runs `npm run admin -- …` as a process against the test's persist dir. */
const cli = (args: string[], persist = true, env: Record<string, string> = {}) => runAdmin([...args, ...(persist ? ["--persist-to", dir] : [])], env);

const run = (command: string, flags: Record<string, string>) => runCommand(local.db, command, flags) as Promise<any>;
const refused = (command: string, flags: Record<string, string>) =>
  run(command, flags).then(
    () => {
      throw new Error(`${command} succeeded`);
    },
    (err: unknown) => {
      if (!(err instanceof CliError)) throw err;
      return err.message;
    },
  );

async function userWithWorkspace(label: string) {
  const owner = email(label);
  await run("create-user", { email: owner, name: `${label} Owner`, password: "owner password" });
  const slug = `${label}-${counter}`;
  const { workspace } = await run("create-workspace", { name: `${label} Inc`, "owner-email": owner, slug });
  return { owner, slug, orgId: workspace.id as string };
}

const setPlanOf = (orgId: string, plan: "free" | "team" | "business") => local.db.update(orgs).set({ plan }).where(eq(orgs.id, orgId));
const auditOf = (orgId: string) => local.db.select().from(auditLog).where(eq(auditLog.orgId, orgId)).orderBy(auditLog.id).all();
const roleOf = async (orgId: string, addr: string) => {
  const user = await local.db.select().from(users).where(eq(users.email, addr)).get();
  const m = await local.db.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, user!.id))).get();
  return m?.role;
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sendops-admin-test-"));
  await applyMigrations(dir);
  local = await localDb(dir);
});

afterAll(async () => {
  await local?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("npm run admin (process)", () => {
  it("prints usage and exits 2 without a command", async () => {
    const r = await cli([], false);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("Usage: npm run admin -- <command>");
    for (const c of ["create-user", "create-workspace", "set-role", "reset-password", "rotate-ingest-key", "create-api-key", "cloudformation-template"]) expect(r.stdout).toContain(c);
  });

  it("creates a user and prints JSON", async () => {
    const addr = email("proc");
    const r = await cli(["create-user", "--email", addr, "--name", "Process User", "--password", "a long password"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ user: { email: addr, name: "Process User" } });
  });

  it("exits 1 with a clear message on bad input", async () => {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /^error: unknown command "frobnicate"/],
      [["create-user", "--email", "x@example.com", "--name", "X"], /^error: create-user needs --password/],
      [["create-user", "--email", "x@example.com", "--name", "X", "--password", "long enough", "--colour", "red"], /^error: create-user: Unknown option '--colour'/],
      [["set-role", "--workspace", "nope", "--email", "x@example.com", "--role", "viewer", "--remote"], /^error: --remote and --persist-to exclude each other/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe("");
    }
  });

  it("explains a missing local database", async () => {
    const r = await cli(["create-user", "--email", "x@example.com", "--name", "X", "--password", "long enough", "--persist-to", path.join(dir, "nowhere")], false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no local database in .*nowhere: run `npm start` once/);
  });
});

describe("Ctrl-C", () => {
  /** Holds an exclusive lock on the local D1 file, as a transaction of the running instance does, for `seconds`. */
  function holdLock(seconds: number) {
    const d1Dir = path.join(dir, "v3", "d1", "miniflare-D1DatabaseObject");
    const file = path.join(d1Dir, readdirSync(d1Dir).find((f) => f.endsWith(".sqlite"))!);
    const script = `import sqlite3,sys,time\nc=sqlite3.connect(sys.argv[1],isolation_level=None)\nc.execute("BEGIN EXCLUSIVE")\nprint("locked",flush=True)\ntime.sleep(${seconds})\nc.execute("ROLLBACK")`;
    const child = spawn("python3", ["-c", script, file]);
    const locked = new Promise<void>((resolve) => child.stdout.on("data", () => resolve()));
    return { locked, release: () => child.kill() };
  }

  it("exits 130, not 0, when interrupted mid-command (wrangler's D1 proxy would exit 0)", async () => {
    const lock = holdLock(40);
    await lock.locked;
    try {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/admin.ts"), "rotate-ingest-key", "--workspace", "demo", "--persist-to", dir], {
        cwd: ROOT,
        env: offlineEnv(),
      });
      let stdout = "";
      child.stdout.on("data", (d) => (stdout += d));
      const exit = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
      // Its reads wait out the lock (up to ~25 s) once wrangler's proxy is up (a few seconds).
      await new Promise((r) => setTimeout(r, 12_000));
      child.kill("SIGINT");
      expect(await exit).toBe(130);
      expect(stdout).toBe("");
    } finally {
      lock.release();
    }
  }, 60_000);
});

describe("create-user", () => {
  it("stores a PBKDF2 password the Worker verifies, and joins the demo workspace like a sign-up", async () => {
    const addr = email("ada");
    const out = await run("create-user", { email: addr.toUpperCase(), name: "Ada Lovelace", password: "correct horse battery" });
    expect(out.user).toMatchObject({ email: addr, name: "Ada Lovelace" });
    expect(out.user.id).toMatch(/^usr_[0-9a-f]{24}$/);
    const cred = await local.db.select().from(userCredentials).where(eq(userCredentials.userId, out.user.id)).get();
    expect(cred).toMatchObject({ kind: "password", subject: addr });
    const stored = { hash: cred!.passwordHash!, salt: cred!.passwordSalt!, iterations: cred!.passwordIterations! };
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("wrong", stored)).toBe(false);
    expect(await roleOf(DEMO_ORG_ID, addr)).toBe("org_admin");
  });

  it("refuses bad emails, short passwords, empty names and duplicates", async () => {
    expect(await refused("create-user", { email: "not-an-email", name: "X", password: "long enough" })).toMatch(/^--email: /);
    expect(await refused("create-user", { email: email("x"), name: "X", password: "short" })).toBe("--password: Password must be at least 8 characters.");
    expect(await refused("create-user", { email: email("x"), name: "  ", password: "long enough" })).toMatch(/^--name: /);
    const addr = email("dup");
    await run("create-user", { email: addr, name: "Dup", password: "long enough" });
    expect(await refused("create-user", { email: addr, name: "Dup", password: "long enough" })).toBe(`a user with the email ${addr} already exists`);
  });
});

describe("create-workspace", () => {
  it("creates the workspace with its Owner and an audit entry by the operator CLI", async () => {
    const owner = email("owner");
    await run("create-user", { email: owner, name: "Olga Owner", password: "long enough" });
    const out = await run("create-workspace", { name: "Northwind Traders", "owner-email": owner, slug: "northwind", plan: "team" });
    expect(out.workspace).toMatchObject({ name: "Northwind Traders", slug: "northwind", plan: "team" });
    expect(await roleOf(out.workspace.id, owner)).toBe("owner");
    const audit = await auditOf(out.workspace.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorName: OPERATOR_ACTOR.name, actorUserId: null, resourceType: "workspace", operation: "created" });
    expect(audit[0]!.summary).toContain("Northwind Traders");
  });

  it("derives a free slug from the name when none is given", async () => {
    const owner = email("auto");
    await run("create-user", { email: owner, name: "Auto Slug", password: "long enough" });
    const a = await run("create-workspace", { name: "Globex Corp", "owner-email": owner });
    const b = await run("create-workspace", { name: "Globex Corp", "owner-email": owner });
    expect(a.workspace.slug).toBe("globex-corp");
    expect(b.workspace.slug).toBe("globex-corp-2");
    expect(a.workspace.plan).toBe("free");
  });

  it("refuses a duplicate or malformed slug, an unknown owner and an unknown plan", async () => {
    const { owner, slug } = await userWithWorkspace("taken");
    expect(await refused("create-workspace", { name: "Other", "owner-email": owner, slug })).toBe(`--slug: the URL slug "${slug}" is already taken`);
    expect(await refused("create-workspace", { name: "Other", "owner-email": owner, slug: "demo" })).toBe('--slug: the URL slug "demo" is already taken');
    expect(await refused("create-workspace", { name: "Other", "owner-email": owner, slug: "Bad Slug" })).toMatch(/^--slug: Slug must be 3–48 characters/);
    expect(await refused("create-workspace", { name: "Other", "owner-email": "ghost@example.com" })).toMatch(/^no user with the email ghost@example.com/);
    expect(await refused("create-workspace", { name: "Other", "owner-email": owner, plan: "platinum" })).toBe("--plan: must be one of: free, team, business");
    expect(await refused("create-workspace", { name: "x".repeat(65), "owner-email": owner })).toMatch(/^--name: Workspace name is at most 64/);
  });
});

describe("set-role", () => {
  it("adds a member, changes the role, and audits both", async () => {
    const { slug, orgId } = await userWithWorkspace("team");
    await setPlanOf(orgId, "team");
    const dev = email("dev");
    await run("create-user", { email: dev, name: "Dee Veloper", password: "long enough" });
    expect(await run("set-role", { workspace: slug, email: dev, role: "developer" })).toMatchObject({ role: "developer", changed: true });
    expect(await run("set-role", { workspace: slug, email: dev, role: "developer" })).toMatchObject({ changed: false });
    await run("set-role", { workspace: slug, email: dev, role: "viewer" });
    expect(await roleOf(orgId, dev)).toBe("viewer");
    const summaries = (await auditOf(orgId)).map((a) => [a.operation, a.summary, a.actorName]);
    expect(summaries.slice(1)).toEqual([
      ["created", `Added Dee Veloper (${dev}) to the workspace as Developer`, "operator CLI"],
      ["updated", `Changed the role of Dee Veloper (${dev}) from Developer to Viewer`, "operator CLI"],
    ]);
  });

  it("never sets the Owner: --role owner explains the transfer; the Owner's role is fixed", async () => {
    const { owner, slug, orgId } = await userWithWorkspace("transfer");
    await setPlanOf(orgId, "team");
    const heir = email("heir");
    await run("create-user", { email: heir, name: "Heir", password: "long enough" });
    expect(await refused("set-role", { workspace: slug, email: heir, role: "owner" })).toMatch(/^--role owner: ownership is not set, it is transferred\. .*Transfer Ownership/);
    expect(await roleOf(orgId, heir)).toBeUndefined();
    expect(await refused("set-role", { workspace: slug, email: owner, role: "viewer" })).toBe("The Owner's membership cannot be changed here; transfer ownership first.");
    expect(await roleOf(orgId, owner)).toBe("owner");
  });

  it("keeps to the plan's seats like an accepted invitation (Free: the Owner alone)", async () => {
    const { slug, orgId } = await userWithWorkspace("seats");
    const extra = email("extra");
    await run("create-user", { email: extra, name: "Extra", password: "long enough" });
    expect(await refused("set-role", { workspace: slug, email: extra, role: "viewer" })).toBe(
      "The Free plan supports a single user. To invite additional team members, upgrade to the Team or Business plan.",
    );
    expect(await roleOf(orgId, extra)).toBeUndefined();
  });

  it("refuses a role change while an ownership transfer to that member is pending (the same rule as the dashboard)", async () => {
    const { owner, slug, orgId } = await userWithWorkspace("pending");
    await setPlanOf(orgId, "team");
    const heir = email("pending-heir");
    await run("create-user", { email: heir, name: "Pending Heir", password: "long enough" });
    await run("set-role", { workspace: slug, email: heir, role: "developer" });
    const [from, to] = await Promise.all([owner, heir].map((a) => local.db.select().from(users).where(eq(users.email, a)).get()));
    const now = Date.now();
    await local.db.insert(ownershipTransfers).values({ id: `otr_cli${counter}`, orgId, fromUserId: from!.id, toUserId: to!.id, secretHash: "x", createdAt: now, expiresAt: now + 3_600_000 });
    expect(await refused("set-role", { workspace: slug, email: heir, role: "viewer" })).toMatch(/^This member has a pending ownership transfer\. Cancel the transfer first/);
    expect(await roleOf(orgId, heir)).toBe("developer");
  });

  it("refuses an unknown role, workspace or user, and the demo workspace", async () => {
    const { owner, slug } = await userWithWorkspace("refuse");
    expect(await refused("set-role", { workspace: slug, email: owner, role: "boss" })).toMatch(/^--role: must be one of: owner, org_admin, /);
    expect(await refused("set-role", { workspace: "no-such-workspace", email: owner, role: "viewer" })).toBe('unknown workspace "no-such-workspace" (give its URL slug)');
    expect(await refused("set-role", { workspace: slug, email: "ghost@example.com", role: "viewer" })).toMatch(/^no user with the email/);
    expect(await refused("set-role", { workspace: "demo", email: owner, role: "viewer" })).toMatch(/demo workspace are fixed/);
    expect(await refused("set-role", { workspace: slug, email: owner })).toBe("set-role needs --role");
  });
});

describe("reset-password", () => {
  it("sets a new password, ends every session and audits it in the user's workspaces", async () => {
    const { owner, orgId } = await userWithWorkspace("reset");
    const user = (await local.db.select().from(users).where(eq(users.email, owner)).get())!;
    const now = Date.now();
    await local.db.insert(sessions).values({ id: `ses_${counter}`, tokenHash: `hash-${counter}`, userId: user.id, orgId: null, createdAt: now, lastSeenAt: now, expiresAt: now + 3_600_000 });
    const out = await run("reset-password", { email: owner, password: "brand new password" });
    expect(out).toMatchObject({ sessionsEnded: 1, auditedWorkspaces: 1 });
    const cred = (await local.db.select().from(userCredentials).where(eq(userCredentials.userId, user.id)).get())!;
    expect(await verifyPassword("brand new password", { hash: cred.passwordHash!, salt: cred.passwordSalt!, iterations: cred.passwordIterations! })).toBe(true);
    expect(await verifyPassword("owner password", { hash: cred.passwordHash!, salt: cred.passwordSalt!, iterations: cred.passwordIterations! })).toBe(false);
    expect(await local.db.select().from(sessions).where(eq(sessions.userId, user.id)).all()).toEqual([]);
    expect((await auditOf(orgId)).at(-1)).toMatchObject({ resourceType: "user", operation: "password_reset", actorName: "operator CLI" });
    expect(await refused("reset-password", { email: owner, password: "short" })).toMatch(/^--password: /);
    expect(await refused("reset-password", { email: "ghost@example.com", password: "long enough" })).toMatch(/^no user with the email/);
  });
});

describe("schedule-maintenance", () => {
  it("announces the window to every workspace once, however often it runs", async () => {
    const { orgId } = await userWithWorkspace("maint");
    const flags = { start: "2026-07-01T22:00:00Z", end: "2026-07-01T23:30:00Z", message: "Database upgrade: the dashboard is read-only" };
    const first = await run("schedule-maintenance", flags);
    expect(first.workspaces).toBeGreaterThanOrEqual(1);
    await run("schedule-maintenance", flags);
    const rows = await local.db.select().from(notifications).where(eq(notifications.orgId, orgId)).all();
    expect(rows.map((r) => [r.type, r.title, r.body, JSON.parse(r.payloadJson)])).toEqual([
      [
        "system_infrastructure.scheduled_maintenance",
        "Maintenance scheduled 2026-07-01 22:00 UTC",
        `${flags.message} (2026-07-01 22:00 UTC to 2026-07-01 23:30 UTC).`,
        { start: Date.parse(flags.start), end: Date.parse(flags.end), message: flags.message },
      ],
    ]);
    // In-app only: the owner's inbox holds it, and the CLI records no email or Slack delivery.
    const inbox = await local.db.select().from(notificationInbox).where(eq(notificationInbox.orgId, orgId)).all();
    expect(inbox.map((i) => i.notificationId)).toEqual([rows[0]!.id]);
    expect(await local.db.select().from(notificationDeliveries).where(eq(notificationDeliveries.notificationId, rows[0]!.id)).all()).toEqual([]);
    expect(await refused("schedule-maintenance", { ...flags, end: "2026-07-01T21:00:00Z" })).toBe("--end: must be after --start");
    expect(await refused("schedule-maintenance", { ...flags, start: "tomorrow" })).toMatch(/^--start: an ISO 8601/);
  });
});

describe("event-store-status", () => {
  it("shows the migration's state, its cursor and what is left to copy, then to delete", async () => {
    expect(await run("event-store-status", {})).toMatchObject({ state: "not started" });
    const { orgId } = await userWithWorkspace("store");
    await local.db.run(sql`INSERT INTO events (id, org_id, event_key, eventbridge_id, type, at, received_at, message_id, recipient, recipient_domain,
      provider, sending_identity, sent_at, detail)
      SELECT value, ${orgId}, 'k' || value, 'e' || value, 'send', 0, 0, 'm' || value, 'a@example.com', 'example.com', 'other', 'example.com', 0, X'7B7D'
      FROM json_each('[1, 2, 3, 4, 5]')`);
    const at = Date.UTC(2026, 0, 1);
    await local.db.insert(eventStoreMigration).values({ id: 1, state: "copying", cursor: 2, rowsImported: 2, startedAt: at, updatedAt: at + 60_000 });
    const copying = await runCommand(local.db, "event-store-status", {}, { remote: false }, at + 70_000);
    expect(copying).toMatchObject({ state: "copying", cursor: 2, rowsImported: 2, remainingToCopy: 3, estimatedMinutesLeft: 2, stalled: false });
    expect(await runCommand(local.db, "event-store-status", {}, { remote: false }, at + 60 * 60_000)).toMatchObject({ stalled: true });
    await local.db.update(eventStoreMigration).set({ state: "shards", cursor: 5, switchedAt: at + 120_000 });
    expect(await run("event-store-status", {})).toMatchObject({ state: "shards", switchedAt: new Date(at + 120_000).toISOString(), d1RowsLeftToDelete: 5, d1ClearedAt: null });
  });
});

describe("rotate-ingest-key and create-api-key", () => {
  it("creates an ingest key stored only as its hash; rotating leaves the old one 24 hours", async () => {
    const { slug, orgId } = await userWithWorkspace("ingest");
    const first = await run("rotate-ingest-key", { workspace: slug });
    expect(first.key).toMatch(/^sik_/);
    const second = await run("rotate-ingest-key", { workspace: slug });
    const keys = await local.db.select().from(ingestKeys).where(eq(ingestKeys.orgId, orgId)).all();
    const old = keys.find((k) => k.id === first.ingestKey.id)!;
    const current = keys.find((k) => k.id === second.ingestKey.id)!;
    expect(old.keyHash).toBe(await sha256Hex(first.key));
    expect(current.expiresAt).toBeNull();
    expect(old.expiresAt! - second.ingestKey.createdAt).toBe(24 * 3_600_000);
    expect(second.previousKeysValidUntil).toBe(old.expiresAt);
    expect(keys.every((k) => k.createdByName === "operator CLI")).toBe(true);
    expect((await auditOf(orgId)).filter((a) => a.resourceType === "ingest_key").map((a) => a.operation)).toEqual(["create", "rotate"]);
    expect(await refused("rotate-ingest-key", { workspace: "no-such-workspace" })).toMatch(/^unknown workspace/);
  });

  it("creates a /v1 API key and prints its secret once", async () => {
    const { slug, orgId } = await userWithWorkspace("api");
    const out = await run("create-api-key", { workspace: slug, name: "CI pipeline" });
    expect(out.secret).toMatch(/^sk_live_/);
    const row = (await local.db.select().from(apiKeys).where(eq(apiKeys.orgId, orgId)).get())!;
    expect(row).toMatchObject({ name: "CI pipeline", createdByName: "operator CLI", keyHash: await sha256Hex(out.secret) });
    expect(await refused("create-api-key", { workspace: slug, name: "" })).toBe("create-api-key needs --name");
    expect(await refused("create-api-key", { workspace: "demo", name: "x" })).toMatch(/demo workspace cannot have API keys/);
    expect(await findOrgBySlug(local.db, slug)).toMatchObject({ id: orgId });
  });
});

describe("cloudformation-template", () => {
  const vars = { ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", APP_URL: "https://sendops.example.com", SENDOPS_AWS_ACCOUNT_ID: "123456789012" };

  it("prints the workspace's template as its Setup Guide downloads it, valid for CloudFormation, carrying its sealed ingest key", async () => {
    const { slug, orgId } = await userWithWorkspace("cfn");
    const r = await cli(["cloudformation-template", "--workspace", slug], true, vars);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const file = path.join(dir, "workspace.yaml");
    writeFileSync(file, r.stdout);
    const { synthesized } = validateTemplateFile(file);
    expect(Object.keys(synthesized.Resources)).toHaveLength(7);
    const parsed = YAML.parse(r.stdout);
    const connection = await local.db.select().from(awsConnections).where(eq(awsConnections.orgId, orgId)).get();
    expect(parsed.Parameters.ExternalId.Default).toBe(connection!.externalId);
    expect(parsed.Parameters.SendOpsAccountId.Default).toBe("123456789012");
    expect(parsed.Parameters.WebhookUrl.Default).toBe("https://sendops.example.com/ingest/eventbridge");
    const key = parsed.Parameters.WebhookApiKey.Default as string;
    const rows = await local.db.select().from(ingestKeys).where(eq(ingestKeys.orgId, orgId)).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.keyHash).toBe(await sha256Hex(key));
    expect(rows[0]!.sealedKey).not.toContain(key);

    // JSON, and the same key the second time.
    const json = await cli(["cloudformation-template", "--workspace", slug, "--format", "json"], true, vars);
    expect(JSON.parse(json.stdout).Parameters.WebhookApiKey.Default).toBe(key);
  });

  it("without --workspace prints the generic template (no workspace values) to publish; refuses a bad format", async () => {
    const r = await cli(["cloudformation-template", "--format", "json"], true, vars);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout);
    expect(Object.values(t.Parameters).some((p) => "Default" in (p as object))).toBe(false);
    expect((await cli(["cloudformation-template", "--format", "xml"], true, vars)).stderr).toContain("--format: must be yaml or json");
  });
});

const isSelect = (sql: string) => /^\s*select\b/i.test(sql);
/** Writes (any statement but a select) to `table`. */
const writesTo = (table: string) => (sql: string) => !isSelect(sql) && sql.includes(`"${table}"`);

/**
 * `d1`, except that the first `times` calls with a statement `target` picks fail as a locked local
 * database does: after committing (the failure reported late) or without running at all.
 */
function faultyD1(d1: D1Database, target: (sql: string) => boolean, fault: "after-commit" | "before-commit", times = 1): D1Database {
  let left = times;
  const failing = async <T>(sql: string[], send: () => Promise<T>): Promise<T> => {
    if (left <= 0 || !sql.some(target)) return send();
    left--;
    if (fault === "after-commit") await send();
    throw new Error("D1_ERROR: Failed to parse body as JSON, got: Error: internal error; reference = fault");
  };
  type Wrapped = { sql: string; inner: D1PreparedStatement };
  const wrap = (sql: string, stmt: D1PreparedStatement) => ({
    sql,
    inner: stmt,
    bind: (...values: unknown[]) => wrap(sql, stmt.bind(...values)),
    all: () => failing([sql], () => stmt.all()),
    run: () => failing([sql], () => stmt.run()),
    raw: () => failing([sql], () => stmt.raw()),
    first: (column?: string) => failing([sql], () => (column === undefined ? stmt.first() : stmt.first(column))),
  });
  return {
    prepare: (sql: string) => wrap(sql, d1.prepare(sql)),
    batch: (statements: Wrapped[]) => failing(statements.map((s) => s.sql), () => d1.batch(statements.map((s) => s.inner))),
  } as unknown as D1Database;
}

describe("a write that fails transiently (the instance holds the database's lock)", () => {
  const noWait = async () => undefined;
  const countOf = async <T>(rows: Promise<T[]>) => (await rows).length;

  const cases: { command: string; table: string; prepare: () => Promise<{ flags: Record<string, string>; stored: (out: any) => Promise<void> }> }[] = [
    {
      command: "create-user",
      table: "users",
      prepare: async () => {
        const addr = email("faulty-user");
        return {
          flags: { email: addr, name: "Faulty User", password: "long enough" },
          stored: async (out) => {
            expect(out.user.email).toBe(addr);
            expect(await countOf(local.db.select().from(users).where(eq(users.email, addr)).all())).toBe(1);
            expect(await countOf(local.db.select().from(userCredentials).where(eq(userCredentials.userId, out.user.id)).all())).toBe(1);
          },
        };
      },
    },
    {
      command: "create-workspace",
      table: "orgs",
      prepare: async () => {
        const owner = email("faulty-ws");
        await run("create-user", { email: owner, name: "Faulty Owner", password: "long enough" });
        const name = `Faulty Workspace ${counter}`;
        return {
          flags: { name, "owner-email": owner },
          stored: async (out) => {
            // A second application would have taken the next free slug.
            expect(out.workspace.slug).toBe(`faulty-workspace-${counter}`);
            expect(await countOf(local.db.select().from(orgs).where(eq(orgs.name, name)).all())).toBe(1);
            expect(await countOf(auditOf(out.workspace.id))).toBe(1);
          },
        };
      },
    },
    {
      command: "set-role",
      table: "memberships",
      prepare: async () => {
        const { slug, orgId } = await userWithWorkspace("faulty-role");
        await setPlanOf(orgId, "team");
        const member = email("faulty-member");
        await run("create-user", { email: member, name: "Faulty Member", password: "long enough" });
        return {
          flags: { workspace: slug, email: member, role: "developer" },
          stored: async (out) => {
            expect(out.changed).toBe(true);
            expect(await roleOf(orgId, member)).toBe("developer");
            expect((await auditOf(orgId)).filter((a) => a.resourceType === "team")).toHaveLength(1);
          },
        };
      },
    },
    {
      command: "reset-password",
      table: "user_credentials",
      prepare: async () => {
        const { owner, orgId } = await userWithWorkspace("faulty-reset");
        return {
          flags: { email: owner, password: "a faulty new password" },
          stored: async (out) => {
            expect(out.auditedWorkspaces).toBe(1);
            expect((await auditOf(orgId)).filter((a) => a.operation === "password_reset")).toHaveLength(1);
            const cred = (await local.db.select().from(userCredentials).where(eq(userCredentials.userId, out.user.id)).get())!;
            expect(await verifyPassword("a faulty new password", { hash: cred.passwordHash!, salt: cred.passwordSalt!, iterations: cred.passwordIterations! })).toBe(true);
          },
        };
      },
    },
    {
      command: "rotate-ingest-key",
      table: "ingest_keys",
      prepare: async () => {
        const { slug, orgId } = await userWithWorkspace("faulty-ingest");
        return {
          flags: { workspace: slug },
          stored: async (out) => {
            const keys = await local.db.select().from(ingestKeys).where(eq(ingestKeys.orgId, orgId)).all();
            expect(keys.map((k) => k.keyHash)).toEqual([await sha256Hex(out.key)]);
            expect((await auditOf(orgId)).filter((a) => a.resourceType === "ingest_key")).toHaveLength(1);
          },
        };
      },
    },
    {
      command: "create-api-key",
      table: "api_keys",
      prepare: async () => {
        const { slug, orgId } = await userWithWorkspace("faulty-api");
        return {
          flags: { workspace: slug, name: "Faulty key" },
          stored: async (out) => {
            const keys = await local.db.select().from(apiKeys).where(eq(apiKeys.orgId, orgId)).all();
            expect(keys.map((k) => k.keyHash)).toEqual([await sha256Hex(out.secret)]);
            expect((await auditOf(orgId)).filter((a) => a.resourceType === "api_key")).toHaveLength(1);
          },
        };
      },
    },
  ];

  for (const fault of ["after-commit", "before-commit"] as const) {
    it.each(cases)(`$command reports success and stores its change once when its write fails ${fault}`, async ({ command, table, prepare }) => {
      const { flags, stored } = await prepare();
      const db = retryingDb(faultyD1(local.d1, writesTo(table), fault), noWait);
      await stored(await runCommand(db, command, flags));
    });
  }

  it("retries reads that find the database locked, waiting a little longer each time", async () => {
    const waits: number[] = [];
    const db = retryingDb(faultyD1(local.d1, isSelect, "before-commit", 3), async (ms) => void waits.push(ms));
    expect(await db.select().from(users).where(eq(users.email, "nobody@example.com")).get()).toBeUndefined();
    expect(waits).toEqual([LOCAL_RETRY.delayMs, 2 * LOCAL_RETRY.delayMs, 3 * LOCAL_RETRY.delayMs]);
  });

  it("never sends a write again without a check that says it did not commit", async () => {
    const at = Date.now();
    const row = (id: string) => ({ id, email: `${id}@example.com`, name: id, createdAt: at });
    const unguarded = retryingDb(faultyD1(local.d1, writesTo("users"), "before-commit"), noWait);
    await expect(unguarded.insert(users).values(row(`usr_unguarded_${counter}`))).rejects.toThrow(/Failed query: insert into "users"/);
    expect(await local.db.select().from(users).where(eq(users.id, `usr_unguarded_${counter}`)).get()).toBeUndefined();

    const guarded = retryingDb(faultyD1(local.d1, writesTo("users"), "after-commit"), noWait);
    const id = `usr_guarded_${counter}`;
    const stored = async () => !!(await guarded.select().from(users).where(eq(users.id, id)).get());
    await withAppliedCheck(guarded, stored, () => guarded.insert(users).values(row(id)));
    expect(await countOf(local.db.select().from(users).where(eq(users.id, id)).all())).toBe(1);
  });
});
