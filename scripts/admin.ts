/**
 * Operator CLI: `npm run admin -- <command> [--flags]`. Works on the local instance's D1 (.data/, the
 * same files `npm start` uses, opened through wrangler's local D1 like `wrangler d1 execute --local`) or,
 * with --remote, on the deployed D1 through `wrangler d1 execute --remote`. Prints JSON;
 * exits 1 with `error: <message>` on bad input or a refused change, 2 on a usage error.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { localDb, quietRuntimeLogs, wranglerDb } from "./lib/d1";
import { ROOT } from "./lib/instance";
import { CliError, COMMANDS, runCommand, TextOutput } from "./lib/operator";
import { withSignalHandler } from "./lib/signals";

const print = (result: unknown) => console.log(result instanceof TextOutput ? result.text : JSON.stringify(result, null, 2));

const GLOBAL_FLAGS = ["remote", "persist-to"] as const;

function usage(): string {
  const lines = [
    "Usage: npm run admin -- <command> [--flag value ...] [--remote | --persist-to <dir>]",
    "",
    "Commands:",
  ];
  for (const [name, c] of Object.entries(COMMANDS)) {
    const flags = [...c.required.map((f) => `--${f} <${f}>`), ...c.optional.map((f) => `[--${f} <${f}>]`)].join(" ");
    lines.push(`  ${name} ${flags}`, `      ${c.summary}`);
  }
  lines.push(
    "",
    "Options:",
    "  --remote            run against the deployed D1 database (wrangler login or CLOUDFLARE_API_TOKEN)",
    "  --persist-to <dir>  local data directory (default .data, as used by npm start)",
  );
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) throw new CliError(`unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(", ")})`);
  const options: Record<string, { type: "string" | "boolean" }> = { remote: { type: "boolean" }, "persist-to": { type: "string" } };
  for (const f of [...command.required, ...command.optional]) options[f] = { type: "string" };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new CliError(`${name}: ${(err as Error).message.split("\n")[0]}`);
  }
  const flags: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) {
    if (typeof v === "string" && !(GLOBAL_FLAGS as readonly string[]).includes(k)) flags[k] = v;
  }
  if (values.remote && values["persist-to"]) throw new CliError("--remote and --persist-to exclude each other");
  const persistDir = path.resolve(ROOT, typeof values["persist-to"] === "string" ? values["persist-to"] : ".data");
  if (values.remote) {
    print(await runCommand(wranglerDb({ remote: true }), name, flags, { remote: true }));
    return 0;
  }
  if (!existsSync(path.join(persistDir, "v3", "d1"))) {
    throw new CliError(`no local database in ${persistDir}: run \`npm start\` once (it creates and migrates it)`);
  }
  quietRuntimeLogs();
  const local = await localDb(persistDir);
  try {
    // wrangler's local D1 proxy exits with code 0 on Ctrl-C, which would report an interrupted command as done.
    const interrupted = (signal: NodeJS.Signals) => process.exit(signal === "SIGINT" ? 130 : 143);
    print(await withSignalHandler(interrupted, () => runCommand(local.db, name, flags, { remote: false, persistDir })));
  } finally {
    await local.close();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    let message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof CliError) && /no such table/.test(message)) {
      message += "\n(the database has no tables yet: run `npm start` once locally, or `wrangler d1 migrations apply DB --remote`)";
    }
    console.error(`error: ${message}`);
    process.exit(1);
  },
);
