import { spawn } from "node:child_process";
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { localDb, wranglerDb } from "../../scripts/lib/d1";
import { countProcessedRows } from "../../worker/db/ingest";
import { readSeedState, seedStatePath, type SeedState } from "../../scripts/lib/demo-seed-state";
import { generateDemoTraffic, planDemoTraffic } from "../../scripts/lib/demo-traffic";
import * as instanceModule from "../../scripts/lib/instance";
import { applyMigrations, offlineEnv, ROOT, run, startWrangler, WRANGLER, type Instance } from "../../scripts/lib/instance";
import { runCommand } from "../../scripts/lib/operator";
import { sha256Hex } from "../../worker/lib/crypto";
import { events } from "../../worker/db/schema";
import { DEMO_ORG_ID } from "../../worker/services/demo";

// Every wrangler command the scripts run goes through `run`; the --remote test intercepts it.
vi.mock("../../scripts/lib/instance", async (importOriginal) => {
  const actual = await importOriginal<typeof instanceModule>();
  return { ...actual, run: vi.fn(actual.run) };
});
const realRun = (await vi.importActual<typeof instanceModule>("../../scripts/lib/instance")).run;

const servers: http.Server[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function listen(server: http.Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function tempDir(label: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `sendops-${label}-`));
  dirs.push(dir);
  return dir;
}

/** The plan's events as the seed generates them from its saved state. */
function plannedEvents(state: SeedState) {
  const traffic = { seed: state.seed, events: state.events, days: state.days, end: state.end };
  return [...generateDemoTraffic(traffic, planDemoTraffic(traffic).messages)];
}

const sorted = (ids: string[]) => [...ids].sort();

describe("seed-demo --remote", () => {
  afterEach(() => {
    vi.mocked(run).mockImplementation(realRun);
    vi.unstubAllEnvs();
  });

  it("runs every query as `wrangler d1 execute DB --remote` with the operator's login, and posts the events to the URL", async () => {
    const calls: { cmd: string; args: string[]; env: NodeJS.ProcessEnv | undefined }[] = [];
    vi.stubEnv("XDG_CONFIG_HOME", "/home/operator/.config");
    vi.stubEnv("CLOUDFLARE_API_TOKEN", "token-of-the-operator");
    // The deployed database, played without network: an empty one, as on a first seed. Each statement is
    // followed by the changes() probe, so the statements are counted by it; wrangler prints one result each.
    const probe = "SELECT changes() AS changes, last_insert_rowid() AS last_row_id";
    vi.mocked(run).mockImplementation(async (cmd, args, opts) => {
      calls.push({ cmd, args, env: opts?.env });
      const statements = args.at(-1)!.split(probe).length - 1;
      const answer = Array.from({ length: statements }, () => [
        { results: [], success: true, meta: {} },
        { results: [{ changes: 1, last_row_id: 1 }], success: true, meta: {} },
      ]).flat();
      return JSON.stringify(answer);
    });
    const received: { id: string; key: string }[] = [];
    const url = await listen(
      http.createServer((req, res) => {
        let body = "";
        req.on("data", (d) => (body += d));
        req.on("end", () => {
          if (req.url === "/ingest/eventbridge") received.push({ id: (JSON.parse(body) as { id: string }).id, key: String(req.headers["x-api-key"]) });
          res.writeHead(req.url === "/ingest/eventbridge" ? 202 : 404).end("{}");
        });
      }),
    );
    const stateFile = path.join(tempDir("seed-remote"), "state.json");
    const flags = { url, events: "200", days: "1", limit: "20", state: stateFile };

    const first = (await runCommand(wranglerDb({ remote: true }), "seed-demo", flags, { remote: true })) as Record<string, unknown>;
    expect(first).toMatchObject({ status: "paused", posted: 20, stateFile, url });
    expect(calls.length).toBeGreaterThan(5);
    for (const call of calls) {
      expect(call.cmd).toBe(WRANGLER);
      expect(call.args.slice(0, -1)).toEqual(["d1", "execute", "DB", "--json", "--yes", "--remote", "--command"]);
      expect(call.env).toMatchObject({ XDG_CONFIG_HOME: "/home/operator/.config", CLOUDFLARE_API_TOKEN: "token-of-the-operator", WRANGLER_SEND_METRICS: "false" });
    }
    // The demo workspace, its identities, channels, the ingest key the events were posted with, and the
    // seed's plan (what the dashboard measures its progress against).
    const state = readSeedState(stateFile)!;
    const sql = calls.map((c) => c.args.at(-1)!).join("\n");
    expect(sql).toContain(`'${DEMO_ORG_ID}'`);
    for (const table of ["orgs", "identities", "channels", "tracking_domains", "ingest_keys", "audit_log", "demo_seeds"]) expect(sql).toContain(`insert into "${table}"`);
    expect(sql).toContain(`'${await sha256Hex(state.ingestKey)}'`);
    expect(sql).not.toContain(state.ingestKey);
    const ids = plannedEvents(state).map((g) => g.event.id);
    expect(received.every((r) => r.key === state.ingestKey)).toBe(true);
    expect(sorted(received.map((r) => r.id))).toEqual(sorted(ids.slice(0, 20)));

    // Resumed from the state file: the next events, and no database work at all.
    calls.length = 0;
    expect(await runCommand(wranglerDb({ remote: true }), "seed-demo", flags, { remote: true })).toMatchObject({ status: "paused", posted: 40 });
    expect(calls).toHaveLength(0);
    expect(sorted(received.map((r) => r.id))).toEqual(sorted(ids.slice(0, 40)));
  });
});

describe("seed-demo against a running instance (standing in for a deployed one)", () => {
  let dir: string;
  let instance: Instance;
  /** Event ids the instance accepted (2xx), through a proxy in front of it. */
  const accepted: string[] = [];
  let proxyUrl: string;

  beforeAll(async () => {
    dir = tempDir("seed-demo");
    await applyMigrations(dir);
    instance = await startWrangler({ persistDir: dir });
    proxyUrl = await listen(
      http.createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (d: Buffer) => chunks.push(d));
        req.on("end", async () => {
          const body = Buffer.concat(chunks);
          try {
            const headers = { "content-type": String(req.headers["content-type"]), "x-api-key": String(req.headers["x-api-key"]) };
            const answer = await fetch(`${instance.url}${req.url}`, { method: req.method, headers, body });
            const text = await answer.text();
            if (answer.ok) accepted.push((JSON.parse(body.toString()) as { id: string }).id);
            const retryAfter = answer.headers.get("retry-after");
            res.writeHead(answer.status, { "content-type": "application/json", ...(retryAfter ? { "retry-after": retryAfter } : {}) }).end(text);
          } catch {
            res.writeHead(502).end();
          }
        });
      }),
    );
  });

  afterAll(async () => {
    await instance?.stop();
  });

  /**
   * `npm run admin -- seed-demo …` as a process, started the way the npm script starts it (node with tsx's
   * loader, so a signal reaches the CLI itself); `onStderr` sees its progress output as it comes.
   */
  function seedDemoCli(extra: string[], onStderr?: (text: string, kill: () => void) => void) {
    const args = ["seed-demo", "--persist-to", dir, "--url", proxyUrl, "--events", "400", "--days", "2", ...extra];
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "scripts/admin.ts"), ...args], { cwd: ROOT, env: offlineEnv() });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d) => (stdout += d));
      child.stderr.on("data", (d) => {
        stderr += d;
        onStderr?.(stderr, () => child.kill("SIGINT"));
      });
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
  }

  it("fills the demo exactly once across a --limit stop and a Ctrl-C, and its reports show the data", async () => {
    const first = await seedDemoCli(["--limit", "150"]);
    expect(first.stderr).toContain("Creating the demo workspace");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ status: "paused", posted: 150, stateFile: seedStatePath(dir) });
    expect(accepted).toHaveLength(150);

    let interrupted = false;
    const second = await seedDemoCli([], (text, kill) => {
      if (!interrupted && text.includes("Posting")) {
        interrupted = true;
        kill();
      }
    });
    expect(second.stderr).toContain("Resuming the demo seed: 150 events were acknowledged.");
    expect(second.stderr).toMatch(/error: interrupted after \d+ of \d+ events; run the same command again to continue/);
    expect(second.code).toBe(1);

    const third = await seedDemoCli([]);
    expect(third.code).toBe(0);
    const state = readSeedState(seedStatePath(dir))!;
    const planned = plannedEvents(state);
    expect(JSON.parse(third.stdout)).toMatchObject({ status: "seeded", events: 400, posted: planned.length, stored: planned.length });

    // Each planned event reached the instance once, and each is stored (or, when unmanaged, dropped) once.
    expect(sorted(accepted)).toEqual(sorted(planned.map((g) => g.event.id)));
    const managed = planned.filter((g) => g.managed);
    const local = await localDb(dir);
    try {
      expect(await countProcessedRows(local.db, DEMO_ORG_ID)).toBe(planned.length);
      expect((await local.db.select({ n: count() }).from(events).where(eq(events.orgId, DEMO_ORG_ID)).get())?.n).toBe(managed.length);
    } finally {
      await local.close();
    }

    // A new user lands in the demo workspace and its reports show the traffic.
    const email = `demo.${Date.now()}@example.com`;
    const post = (p: string, json: unknown) =>
      fetch(`${instance.url}${p}`, { method: "POST", headers: { origin: instance.url, "content-type": "application/json" }, body: JSON.stringify(json) });
    expect((await post("/api/auth/sign-up", { name: "Demo Viewer", email, password: "correct horse battery", acceptTerms: true })).status).toBe(201);
    const signIn = await post("/api/auth/sign-in", { email, password: "correct horse battery" });
    const cookie = /sendops_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")![0];
    const q = `from=${state.end - 3 * 86_400_000}&to=${state.end + 86_400_000}`;
    const report = await fetch(`${instance.url}/api/orgs/${DEMO_ORG_ID}/reports/deliverability?${q}`, { headers: { cookie } });
    expect(report.status).toBe(200);
    const { totals } = (await report.json()) as { totals: { sends: number; deliveries: number } };
    const ofType = (type: string) => managed.filter((g) => g.event.detail.eventType === type).length;
    expect(totals.sends).toBeGreaterThan(0);
    expect(totals).toMatchObject({ sends: ofType("Send"), deliveries: ofType("Delivery") });
    // The dashboard's "sample data is still arriving" measures against the plan the seed recorded.
    const seedStatus = await fetch(`${instance.url}/api/orgs/${DEMO_ORG_ID}/demo-seed`, { headers: { cookie } });
    expect(await seedStatus.json()).toEqual({ seeding: false, plannedEvents: planned.length, storedEvents: planned.length });

    // Done is done: another run posts nothing.
    const fourth = await seedDemoCli([]);
    expect(fourth.code).toBe(0);
    expect(JSON.parse(fourth.stdout)).toMatchObject({ status: "seeded earlier", stored: planned.length });
    expect(accepted).toHaveLength(planned.length);
  });
});
