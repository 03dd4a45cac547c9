import { spawn } from "node:child_process";
import path from "node:path";
import { offlineEnv, ROOT, TSX } from "../../scripts/lib/instance";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run admin -- …` as its own process, as an operator does. */
export function runAdmin(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [path.join(ROOT, "scripts/admin.ts"), ...args], { cwd: ROOT, env: offlineEnv(env) });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
