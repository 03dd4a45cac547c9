/**
 * `npm run bench:undeliverable`: runs test/bench/undeliverable.perf.ts in the Workers test pool (real
 * workerd, SQLite-backed Durable Object), prints its figures, and as the last line one JSON object
 * {"addresses","events","preview_ms","list_ms","do_ingest_median_ms"}.
 */
import { spawn } from "node:child_process";
import path from "node:path";

const root = path.join(import.meta.dirname, "..");
const child = spawn(
  path.join(root, "node_modules/.bin/vitest"),
  ["run", "--config", "test/bench/vitest.bench.config.ts", "test/bench/undeliverable.perf.ts"],
  {
    cwd: root,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    stdio: ["ignore", "pipe", "inherit"],
  },
);

let output = "";
let result: string | null = null;
child.stdout.on("data", (chunk: Buffer) => {
  output += chunk.toString();
  let nl;
  while ((nl = output.indexOf("\n")) >= 0) {
    // vitest colours its console relay; the markers are matched on the plain text.
    const line = output.slice(0, nl).replace(/\x1b\[[0-9;]*m/g, "").replace(/^.*?(?=BENCH)/, "");
    output = output.slice(nl + 1);
    if (line.startsWith("BENCH ")) console.log(line.slice("BENCH ".length));
    else if (line.startsWith("BENCH_RESULT ")) result = line.slice("BENCH_RESULT ".length);
    else if (/FAIL|Error|✗|×/.test(line)) console.error(line);
  }
});

child.on("close", (code) => {
  if (code !== 0 || result === null) {
    console.error(`bench failed (vitest exit code ${code})`);
    process.exit(1);
  }
  console.log(result);
});
