import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { localDb, type LocalDb } from "../../scripts/lib/d1";
import { applyMigrations, ROOT, TSX } from "../../scripts/lib/instance";
import { CliError, OPERATOR_ACTOR, runCommand } from "../../scripts/lib/operator";
import { verifyPassword } from "../../worker/auth/passwords";
import { sha256Hex } from "../../worker/lib/crypto";
import { apiKeys, auditLog, awsConnections, ingestKeys, memberships, sessions, userCredentials, users } from "../../worker/db/schema";
import { validateTemplateFile } from "./cfn-validate";
import { findOrgBySlug } from "../../worker/db/workspaces";
import { DEMO_ORG_ID } from "../../worker/services/demo";

let dir: string;
let local: LocalDb;
let counter = 0;
const email = (label: string) => `${label}.${++counter}@example.com`;

/** Runs `npm run admin -- …` as a process against the test's persist dir. */
function cli(args: string[], persist = true, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [path.join(ROOT, "scripts/admin.ts"), ...args, ...(persist ? ["--persist-to", dir] : [])], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

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

  it("transfers ownership with --role owner, keeping exactly one Owner", async () => {
    const { owner, slug, orgId } = await userWithWorkspace("transfer");
    const heir = email("heir");
    await run("create-user", { email: heir, name: "Heir", password: "long enough" });
    const out = await run("set-role", { workspace: slug, email: heir, role: "owner" });
    expect(out.previousOwnerId).toBeTruthy();
    expect(await roleOf(orgId, heir)).toBe("owner");
    expect(await roleOf(orgId, owner)).toBe("org_admin");
    const owners = await local.db.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.role, "owner"))).all();
    expect(owners).toHaveLength(1);
    expect(await refused("set-role", { workspace: slug, email: heir, role: "viewer" })).toMatch(/is the Owner of .*make another member the Owner first/);
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
