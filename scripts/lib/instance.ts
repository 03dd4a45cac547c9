/**
 * Starting and stopping a local SendOps instance (wrangler dev + local D1/Queues/DOs), shared by
 * `npm start`, the e2e tests and the benchmarks. Everything stays on 127.0.0.1.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { randomBytes } from "node:crypto";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
/** Started directly (not through npx) so that stopping its process group stops wrangler and workerd. */
export const WRANGLER = path.join(ROOT, "node_modules", ".bin", "wrangler");
export const TSX = path.join(ROOT, "node_modules", ".bin", "tsx");

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

/**
 * Environment for wrangler commands against the deployed account: no telemetry, but the operator's own
 * wrangler login (~/.config/.wrangler) or CLOUDFLARE_API_TOKEN stays visible.
 */
export function remoteEnv(): NodeJS.ProcessEnv {
  return { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true" };
}

/** Runs a command to completion; resolves with its stdout, rejects with its whole output. */
export function run(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: opts.env ?? offlineEnv(), stdio: ["ignore", "pipe", "pipe"], signal: opts.signal });
    let stdout = "";
    let all = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      all += d;
    });
    child.stderr.on("data", (d) => (all += d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args.join(" ")} exited with ${code}:\n${all}`)),
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

/**
 * `.dev.vars` holds local secrets: created once with a random encryption key; `extra` secrets (e.g. the
 * credentials a stand-in accepts) are appended when the file does not set them yet, never overwritten.
 */
export function ensureDevVars(extra: Record<string, string> = {}): void {
  const file = path.join(ROOT, ".dev.vars");
  let text = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (text && !text.endsWith("\n")) text += "\n";
  const has = (name: string) => new RegExp(`^${name}=`, "m").test(text);
  if (!has("ENCRYPTION_KEY")) text += `ENCRYPTION_KEY=${randomBytes(32).toString("base64")}\n`;
  for (const [name, value] of Object.entries(extra)) if (!has(name)) text += `${name}=${value}\n`;
  if (!existsSync(file) || text !== readFileSync(file, "utf8")) writeFileSync(file, text, { mode: 0o600 });
}

export async function applyMigrations(persistDir: string, signal?: AbortSignal): Promise<void> {
  mkdirSync(persistDir, { recursive: true });
  await run(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistDir], { signal });
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
  /** Secrets to add to `.dev.vars` if it lacks them (see ensureDevVars). */
  devVars?: Record<string, string>;
  logLevel?: "debug" | "info" | "log" | "warn" | "error" | "none";
  /** Copy wrangler's output to stdout: all of it, or the lines a filter keeps. */
  echo?: boolean | ((line: string) => boolean);
}

/** Starts `wrangler dev` on 127.0.0.1 and resolves once it answers HTTP. */
export async function startWrangler(opts: StartOptions): Promise<Instance> {
  ensureDevVars(opts.devVars);
  const port = opts.port ?? (await freePort());
  const inspectorPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  // A local instance is development: integrations may point at the loopback stand-ins.
  const vars = { APP_URL: url, ENVIRONMENT: "development", ...(opts.vars ?? {}) };
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
  return spawnInstance("wrangler dev", WRANGLER, args, url, port, opts.echo);
}

/**
 * Starts the Worker bundle in workerd without `wrangler dev`'s development proxy (scripts/serve-bundle.ts)
 * and resolves once it answers HTTP. Same bindings and persistence layout as `startWrangler`. `meter`
 * puts the cost meter around it (`GET /__meter`; needs `withoutAssets`, or the asset router answers).
 */
export async function startBundled(opts: Omit<StartOptions, "logLevel"> & { withoutAssets?: boolean; direct?: boolean; meter?: boolean }): Promise<Instance> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const args = [
    "--import", "tsx", path.join(ROOT, "scripts", "serve-bundle.ts"),
    "--persist-to", opts.persistDir,
    "--port", String(port),
    ...Object.entries(opts.vars ?? {}).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ...(opts.withoutAssets ? ["--without-assets"] : []),
    ...(opts.direct ? ["--direct"] : []),
    ...(opts.meter ? ["--meter"] : []),
  ];
  return spawnInstance("serve-bundle", process.execPath, args, url, port, opts.echo);
}

async function spawnInstance(label: string, cmd: string, args: string[], url: string, port: number, echo: StartOptions["echo"]): Promise<Instance> {
  const child = spawn(cmd, args, { cwd: ROOT, env: offlineEnv(), stdio: ["ignore", "pipe", "pipe"], detached: true });
  let logs = "";
  let partial = "";
  const onData = (d: Buffer) => {
    const text = d.toString();
    logs += text;
    if (logs.length > 200_000) logs = logs.slice(-100_000);
    if (echo === true) process.stdout.write(d);
    else if (echo) {
      const lines = (partial + text).split("\n");
      partial = lines.pop()!;
      for (const line of lines) if (echo(line)) process.stdout.write(`${line}\n`);
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const stop = () => stopGroup(child);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${label} exited early:\n${logs}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return { url, port, child, logs: () => logs, stop };
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  await stop();
  throw new Error(`${label} did not become ready within 90 s:\n${logs}`);
}

/** Stops a child started with `detached: true` and everything it spawned (its process group). */
export async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  signalGroup(child, "SIGTERM");
  const timer = setTimeout(() => signalGroup(child, "SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Synchronous, for `process.on("exit")`, where nothing asynchronous runs any more. */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** A process and all its descendants, from /proc (Linux): pid → its /proc/<pid>/stat and status text. */
function processTree(rootPid: number): { stat: string; status: string }[] {
  const children = new Map<number, number[]>();
  const files = new Map<number, { stat: string; status: string }>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      files.set(pid, { stat, status });
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    } catch {
      // The process exited while we were reading.
    }
  }
  const out: { stat: string; status: string }[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    const f = files.get(pid);
    if (f) out.push(f);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Resident memory (bytes) of a process and all its descendants, read from /proc (Linux). */
export function processTreeRssBytes(rootPid: number): number {
  return processTree(rootPid).reduce((sum, p) => sum + Number(/^VmRSS:\s+(\d+) kB/m.exec(p.status)?.[1] ?? 0) * 1024, 0);
}

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ, the same on every architecture Node runs on). */
const TICK_MS = 10;

/** CPU time (user + system, ms) a process and its live descendants have used so far, read from /proc. */
export function processTreeCpuMs(rootPid: number): number {
  return processTree(rootPid).reduce((sum, p) => {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = p.stat.slice(p.stat.lastIndexOf(")") + 2).split(" ");
    return sum + (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  }, 0);
}
