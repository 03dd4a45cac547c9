/**
 * Starting and stopping a local SendOps instance (wrangler dev + local D1/Queues/DOs), shared by
 * `npm start`, the e2e tests and the benchmarks. Everything stays on 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { randomBytes } from "node:crypto";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");

/** Environment for every wrangler command: no telemetry, no update check, no request.cf lookups. */
export function offlineEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    XDG_CONFIG_HOME: path.join(ROOT, ".xdg"),
    ...extra,
  };
}

export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: opts.env ?? offlineEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${out}`)),
    );
  });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** `.dev.vars` holds local secrets; created once with a random encryption key. */
export function ensureDevVars(): void {
  const file = path.join(ROOT, ".dev.vars");
  if (existsSync(file) && readFileSync(file, "utf8").includes("ENCRYPTION_KEY=")) return;
  writeFileSync(file, `ENCRYPTION_KEY=${randomBytes(32).toString("base64")}\n`, { mode: 0o600 });
}

export async function applyMigrations(persistDir: string): Promise<void> {
  mkdirSync(persistDir, { recursive: true });
  await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir]);
}

export interface Instance {
  url: string;
  port: number;
  child: ChildProcess;
  logs: () => string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  port?: number;
  persistDir: string;
  vars?: Record<string, string>;
  logLevel?: "debug" | "info" | "log" | "warn" | "error" | "none";
  echo?: boolean;
}

/** Starts `wrangler dev` on 127.0.0.1 and resolves once it answers HTTP. */
export async function startWrangler(opts: StartOptions): Promise<Instance> {
  ensureDevVars();
  const port = opts.port ?? (await freePort());
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const vars = { APP_URL: url, ...(opts.vars ?? {}) };
  const args = [
    "dev",
    "--ip", "127.0.0.1",
    "--port", String(port),
    "--inspector-port", String(inspectorPort),
    "--persist-to", opts.persistDir,
    "--test-scheduled",
    "--show-interactive-dev-session=false",
    "--log-level", opts.logLevel ?? "warn",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  const child = spawn(WRANGLER, args, { cwd: ROOT, env: offlineEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let logs = "";
  const onData = (d: Buffer) => {
    logs += d.toString();
    if (logs.length > 200_000) logs = logs.slice(-100_000);
    if (opts.echo) process.stdout.write(d);
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      /* already gone */
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        /* already gone */
      }
    }, 5000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${logs}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return { url, port, child, logs: () => logs, stop };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`wrangler dev did not become ready within 90 s:\n${logs}`);
}
