/**
 * The Worker's vars and secrets as the operator CLI sees them: the process environment first (what an
 * operator exports for --remote), then, for the local instance, `.dev.vars` (its secrets), the vars the
 * local stand-ins give it (scripts/lib/sims.ts, as `npm start` passes them) and wrangler.toml [vars].
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { unstable_readConfig } from "wrangler";
import { ROOT } from "./instance";
import { SIMS } from "./sims";

/** `.dev.vars` lines (KEY=value): the local secrets, as `wrangler dev` reads them. */
export function readDevVars(): Record<string, string> {
  const file = path.join(ROOT, ".dev.vars");
  const out: Record<string, string> = {};
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1");
  }
  return out;
}

export function workerVars(opts: { remote: boolean }): Record<string, string> {
  const config = unstable_readConfig({ config: path.join(ROOT, "wrangler.toml") });
  const toml = Object.fromEntries(Object.entries(config.vars ?? {}).map(([k, v]) => [k, String(v)]));
  const local = opts.remote
    ? {}
    : { ...Object.assign({}, ...SIMS.map((s) => s.vars(`http://127.0.0.1:${s.port}`))), APP_URL: "http://127.0.0.1:8787", ...readDevVars() };
  const fromEnv = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== ""));
  return { ...toml, ...local, ...fromEnv };
}
