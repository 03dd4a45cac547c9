/**
 * Serves the Worker bundle — exactly what `wrangler deploy` uploads — in workerd through Miniflare, with
 * the bindings of wrangler.toml (D1, R2, Queues and their consumers, Durable Objects, assets) persisted
 * under --persist-to in the same layout as `wrangler dev --persist-to`.
 *
 * What it leaves out is `wrangler dev`'s development proxy: a second workerd process that every request
 * crosses so that it can hold requests while the Worker reloads after a file change. Production has no
 * such hop, and on a 2-core machine it costs about half a core at 400 req/s, so the ingest benchmark
 * measures the Worker here (docs/ingest.md, "Benchmark"). Nothing watches files: no reloads.
 *
 * `--without-assets` leaves out the dashboard's static assets and with them Miniflare's emulation of the
 * asset router that every request crosses first (on Cloudflare that routing happens in front of the
 * Worker, not in its isolate); the ingest benchmark uses it, as it needs no dashboard.
 *
 * `--direct` (with `--without-assets`) serves the Worker itself on the port, without Miniflare's entry worker:
 * the script that, in the Worker's own thread, emulates what Cloudflare's front line does outside it
 * (copies every request to attach `cf`, compresses responses the client accepts gzip for).
 *
 * `--meter` serves the bundle of the same Worker behind the benchmark's cost meter
 * (scripts/lib/meter/runtime.ts): a generated entry imports the Worker's own entry and wraps its default
 * export and Durable Object classes, so every binding's billable use is counted and `GET /__meter`
 * answers the totals. What production deploys is not changed by it.
 *
 *   node --import tsx scripts/serve-bundle.ts --persist-to DIR --port N [--var KEY:VALUE ...] [--without-assets [--direct]] [--meter]
 *
 * Prints "ready on <url>" once it answers; stops on SIGTERM/SIGINT.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Log, LogLevel, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { readDevVars } from "./lib/worker-vars";
import { ensureDevVars, ROOT, run, WRANGLER } from "./lib/instance";

const { values } = parseArgs({
  options: {
    "persist-to": { type: "string" },
    port: { type: "string" },
    var: { type: "string", multiple: true, default: [] },
    "without-assets": { type: "boolean", default: false },
    direct: { type: "boolean", default: false },
    meter: { type: "boolean", default: false },
  },
  strict: true,
});
if (!values["persist-to"] || !values.port) throw new Error("usage: serve-bundle.ts --persist-to DIR --port N [--var KEY:VALUE ...] [--without-assets [--direct]]");
const persist = path.resolve(values["persist-to"]);
const port = Number(values.port);

/** `.dev.vars` lines (KEY=value) as bindings: the local secrets, as `wrangler dev` reads them. */
function devVars(): Record<string, string> {
  ensureDevVars();
  return readDevVars();
}

type WorkerOptions = ReturnType<typeof unstable_getMiniflareWorkerOptions>["workerOptions"];

/**
 * The entry `--meter` bundles instead of wrangler.toml's `main`: the Worker's own entry, its default
 * export and each Durable Object class wrapped by the meter, which learns from wrangler.toml which
 * binding is which class or queue.
 */
function meterEntry(workerOptions: WorkerOptions): string {
  const entries = (o: object | undefined) => Object.entries(o ?? {}) as [string, unknown][];
  const name = (v: unknown, key: string) => (typeof v === "string" ? v : String((v as Record<string, unknown>)[key]));
  const durableObjects = Object.fromEntries(entries(workerOptions.durableObjects).map(([b, v]) => [b, name(v, "className")]));
  const queues = Object.fromEntries(entries(workerOptions.queueProducers).map(([b, v]) => [b, name(v, "queueName")]));
  const config = JSON.stringify({ durableObjects, queues });
  const classes = [...new Set(Object.values(durableObjects))];
  return [
    `import worker, * as real from ${JSON.stringify(path.join(ROOT, "worker", "index.ts"))};`,
    `import { meterDurableObject, meterWorker } from ${JSON.stringify(path.join(ROOT, "scripts", "lib", "meter", "runtime.ts"))};`,
    `const config = ${config};`,
    `export default meterWorker(worker, config);`,
    ...classes.map((c) => `export const ${c} = meterDurableObject(real.${c}, ${JSON.stringify(c)}, config);`),
    "",
  ].join("\n");
}

async function main() {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "sendops-bundle-"));
  const { workerOptions } = unstable_getMiniflareWorkerOptions(path.join(ROOT, "wrangler.toml"));
  const entryDir = values.meter ? mkdtempSync(path.join(os.tmpdir(), "sendops-meter-")) : undefined;
  // Named index.ts so that the bundle is index.js either way.
  if (entryDir) writeFileSync(path.join(entryDir, "index.ts"), meterEntry(workerOptions));
  await run(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir, ...(entryDir ? ["--config", path.join(ROOT, "wrangler.toml"), path.join(entryDir, "index.ts")] : [])]);
  if (entryDir) rmSync(entryDir, { recursive: true, force: true });
  if (values["without-assets"]) {
    delete workerOptions.assets;
    // The Worker still gets an ASSETS binding (its env check requires one); it serves nothing.
    workerOptions.serviceBindings = { ...workerOptions.serviceBindings, ASSETS: () => new Response("Not found", { status: 404 }) };
  }
  if (values.direct) {
    if (workerOptions.assets) throw new Error("--direct needs --without-assets: the asset router sits in front of the Worker");
    workerOptions.unsafeDirectSockets = [{ host: "127.0.0.1", port }];
  }
  const overrides = Object.fromEntries(values.var.map((kv) => [kv.slice(0, kv.indexOf(":")), kv.slice(kv.indexOf(":") + 1)]));
  const mf = new Miniflare({
    ...workerOptions,
    name: "sendops",
    modules: true,
    modulesRoot: outdir,
    scriptPath: path.join(outdir, "index.js"),
    bindings: { ...workerOptions.bindings, ...devVars(), APP_URL: `http://127.0.0.1:${port}`, ...overrides },
    host: "127.0.0.1",
    // With --direct, `port` is the Worker's own socket and Miniflare's entry gets any free port.
    port: values.direct ? 0 : port,
    log: new Log(LogLevel.WARN),
    d1Persist: path.join(persist, "v3", "d1"),
    r2Persist: path.join(persist, "v3", "r2"),
    kvPersist: path.join(persist, "v3", "kv"),
    cachePersist: path.join(persist, "v3", "cache"),
    durableObjectsPersist: path.join(persist, "v3", "do"),
  });
  const url = await mf.ready;
  // Miniflare has read the bundle into workerd's configuration: the files are no longer needed, and
  // removing them now leaves nothing behind when the process group is stopped before dispose() returns.
  rmSync(outdir, { recursive: true, force: true });
  console.log(`ready on ${url.origin}`);
  const stop = async () => {
    await mf.dispose();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
