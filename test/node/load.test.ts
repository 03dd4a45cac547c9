import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { and, count, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDb } from "../../scripts/lib/d1";
import { generateDemoTraffic } from "../../scripts/lib/demo-traffic";
import { DEMO_CHANNELS, DEMO_IDENTITIES } from "../../scripts/lib/demo-world";
import { applyMigrations, startWrangler, type Instance } from "../../scripts/lib/instance";
import { OPERATOR_ACTOR, runCommand } from "../../scripts/lib/operator";
import { postEvents, type PostResult } from "../../scripts/lib/post-events";
import type { Db } from "../../worker/db/client";
import { apiKeys, auditLog, ingestKeys, memberships, orgs, users } from "../../worker/db/schema";
import { addChannel, addManagedIdentity } from "../../worker/services/ingest/admin";
import { runAdmin, type CliRun } from "./admin-cli";

/*
 * Issue 12's "done when": ingest (EventBridge posts), dashboard reads and operator CLI commands together
 * against one local instance for 60 s. No request may answer 500, no CLI run may fail, and every change
 * a CLI run made must be stored exactly once afterwards.
 */

const DURATION_MS = 60_000;
const INGEST_PER_SECOND = 40;
const READERS = 2;
const OWNER = { email: "load.owner@example.com", password: "load owner password" };
const WORKSPACE = "load-target";

let dir: string;
let instance: Instance | undefined;
let ingestKey: string;
let orgId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sendops-load-test-"));
  await applyMigrations(dir);
  const local = await localDb(dir);
  try {
    await runCommand(local.db, "create-user", { email: OWNER.email, name: "Load Owner", password: OWNER.password });
    orgId = ((await runCommand(local.db, "create-workspace", { name: "Load Target", "owner-email": OWNER.email, slug: WORKSPACE, plan: "business" })) as { workspace: { id: string } }).workspace.id;
    ingestKey = ((await runCommand(local.db, "rotate-ingest-key", { workspace: WORKSPACE })) as { key: string }).key;
    for (const { identity } of DEMO_IDENTITIES) await addManagedIdentity(local.db, orgId, { identity, verificationStatus: "SUCCESS" }, OPERATOR_ACTOR);
    for (const c of DEMO_CHANNELS) await addChannel(local.db, orgId, { name: c.name, configurationSetName: c.configurationSet }, OPERATOR_ACTOR);
  } finally {
    await local.close();
  }
  instance = await startWrangler({ persistDir: dir });
}, 120_000);

afterAll(async () => {
  await instance?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type Histogram = Record<string, number>;
const tally = (h: Histogram, key: string | number) => (h[key] = (h[key] ?? 0) + 1);

/** The dashboard's reads of the target workspace, as a signed-in member's browser makes them, until `done`. */
async function readDashboard(cookie: string, done: { now: boolean }, statuses: Histogram, failures: string[]): Promise<void> {
  const paths = ["reports/deliverability", "reports/providers", "messages", "undeliverable", "undeliverable/rules"];
  for (let i = 0; !done.now; i++) {
    const res = await fetch(`${instance!.url}/api/orgs/${orgId}/${paths[i % paths.length]}`, { headers: { cookie } });
    tally(statuses, res.status);
    const body = await res.text();
    if (res.status !== 200 && failures.length < 5) failures.push(`${res.status} ${paths[i % paths.length]}: ${body.slice(0, 300)}`);
  }
}

/** One CLI run: its arguments and how to find, afterwards, the rows its change wrote (exactly once). */
interface CliStep {
  args: string[];
  stored: (db: Db, out: unknown) => Promise<number>;
}

const audits = (db: Db, where: ReturnType<typeof and>) =>
  db.select({ n: count() }).from(auditLog).where(where).get().then((r) => r?.n ?? 0);

const userIdOf = (db: Db, email: string) => db.select({ id: users.id }).from(users).where(eq(users.email, email)).get().then((u) => u!.id);

/*
 * Two operators at once, each running its cycle of commands again and again; cycle `n` creates or
 * changes things named after `n`, so each change can be found (and counted) afterwards.
 */

/** Users: create one, add them to the workspace, reset their password. */
function userCommands(n: number): CliStep[] {
  const email = `cli.${n}@example.com`;
  return [
    {
      args: ["create-user", "--email", email, "--name", `CLI User ${n}`, "--password", "cli user password"],
      stored: (db) => db.select({ n: count() }).from(users).where(eq(users.email, email)).get().then((r) => r?.n ?? 0),
    },
    {
      args: ["set-role", "--workspace", WORKSPACE, "--email", email, "--role", "viewer"],
      stored: async (db) => {
        const id = await userIdOf(db, email);
        const member = await db.select().from(memberships).where(and(eq(memberships.orgId, orgId), eq(memberships.userId, id))).get();
        expect(member?.role).toBe("viewer");
        return audits(db, and(eq(auditLog.orgId, orgId), eq(auditLog.resourceType, "team"), eq(auditLog.resourceId, id)));
      },
    },
    {
      args: ["reset-password", "--email", email, "--password", "another cli password"],
      stored: async (db) => audits(db, and(eq(auditLog.orgId, orgId), eq(auditLog.operation, "password_reset"), eq(auditLog.resourceId, await userIdOf(db, email)))),
    },
  ];
}

/** Workspaces and keys: create a workspace, an API key, a new ingest key for the workspace under ingest. */
function workspaceCommands(n: number): CliStep[] {
  const workspace = `CLI Workspace ${n}`;
  const keyName = `cli key ${n}`;
  return [
    {
      // No --slug: a second application would take the next free slug, so a double write would show.
      args: ["create-workspace", "--name", workspace, "--owner-email", OWNER.email],
      stored: async (db) => {
        const rows = await db.select({ id: orgs.id }).from(orgs).where(eq(orgs.name, workspace)).all();
        for (const r of rows) expect(await audits(db, and(eq(auditLog.orgId, r.id), eq(auditLog.resourceType, "workspace")))).toBe(1);
        return rows.length;
      },
    },
    {
      args: ["create-api-key", "--workspace", WORKSPACE, "--name", keyName],
      stored: async (db) => {
        const rows = await db.select({ id: apiKeys.id }).from(apiKeys).where(and(eq(apiKeys.orgId, orgId), eq(apiKeys.name, keyName))).all();
        const logged = await audits(db, and(eq(auditLog.orgId, orgId), eq(auditLog.resourceType, "api_key"), like(auditLog.summary, `%"${keyName}"%`)));
        expect(logged).toBe(rows.length);
        return rows.length;
      },
    },
    {
      args: ["rotate-ingest-key", "--workspace", WORKSPACE],
      stored: async (db, out) => {
        const { id } = (out as { ingestKey: { id: string } }).ingestKey;
        return audits(db, and(eq(auditLog.orgId, orgId), eq(auditLog.resourceType, "ingest_key"), eq(auditLog.resourceId, id)));
      },
    },
  ];
}

describe("ingest, dashboard reads and the operator CLI together on one instance", () => {
  it(`runs ${DURATION_MS / 1000} s without a 500, a failed CLI run or a change stored twice`, async () => {
    const signIn = await fetch(`${instance!.url}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: instance!.url },
      body: JSON.stringify({ email: OWNER.email, password: OWNER.password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;

    // The CLI lanes start commands for DURATION_MS; ingest and reads go on until the last command ends.
    const until = Date.now() + DURATION_MS;
    const stopIngest = new AbortController();
    const readsDone = { now: false };
    const traffic = generateDemoTraffic({ seed: "load", events: 10_000, days: 2, end: Date.now() }, 10_000);
    const ingest: Promise<PostResult> = postEvents(
      (function* () {
        for (const g of traffic) yield g.event;
      })(),
      { endpoint: `${instance!.url}/ingest/eventbridge`, apiKey: ingestKey, concurrency: 20, ratePerSecond: INGEST_PER_SECOND, signal: stopIngest.signal },
    );

    const reads: Histogram = {};
    const readFailures: string[] = [];
    const readers = Array.from({ length: READERS }, () => readDashboard(cookie, readsDone, reads, readFailures));

    const cliRuns: { step: CliStep; run: CliRun }[] = [];
    const lane = async (cycle: (n: number) => CliStep[]) => {
      for (let n = 1; Date.now() < until; n++) {
        for (const step of cycle(n)) {
          if (Date.now() >= until) break;
          cliRuns.push({ step, run: await runAdmin([...step.args, "--persist-to", dir]) });
        }
      }
    };
    await Promise.all([lane(userCommands), lane(workspaceCommands)]);
    stopIngest.abort();
    readsDone.now = true;
    const [posted] = await Promise.all([ingest, ...readers]);

    const failedCli = cliRuns.filter((r) => r.run.code !== 0);
    const total = (h: Histogram) => Object.values(h).reduce((a, b) => a + b, 0);
    console.log(
      [
        `load test: ${instance!.url}`,
        `  ingest: ${posted.events} events, ${total(posted.statuses)} requests, statuses ${JSON.stringify(posted.statuses)}`,
        `  dashboard reads: ${total(reads)} requests, statuses ${JSON.stringify(reads)}`,
        `  operator CLI: ${cliRuns.length} runs, ${failedCli.length} failed`,
        ...readFailures.map((f) => `  ${f}`),
      ].join("\n"),
    );

    expect(failedCli.map((r) => `${r.step.args.join(" ")}\n${r.run.stderr}`)).toEqual([]);
    // A successful run says nothing on stderr: no alarming noise about locks it waited out.
    expect(cliRuns.filter((r) => r.run.stderr !== "").map((r) => `${r.step.args.join(" ")}\n${r.run.stderr}`)).toEqual([]);
    expect(Object.keys(posted.statuses).filter((s) => s !== "202" && s !== "503")).toEqual([]);
    expect(Object.keys(reads).filter((s) => s !== "200" && s !== "503")).toEqual([]);
    expect(posted.accepted).toBeGreaterThan(INGEST_PER_SECOND * (DURATION_MS / 1000) * 0.5);
    // Every command ran at least once.
    expect(new Set(cliRuns.map((r) => r.step.args[0])).size).toBe(6);

    await instance!.stop();
    const local = await localDb(dir);
    try {
      for (const { step, run } of cliRuns) expect(await step.stored(local.db, JSON.parse(run.stdout)), step.args.join(" ")).toBe(1);
      // Each rotation stored exactly one key (the first came with the setup).
      const keys = await local.db.select({ n: count() }).from(ingestKeys).where(eq(ingestKeys.orgId, orgId)).get();
      expect(keys?.n).toBe(1 + cliRuns.filter((r) => r.step.args[0] === "rotate-ingest-key").length);
    } finally {
      await local.close();
    }
  }, 240_000);
});
