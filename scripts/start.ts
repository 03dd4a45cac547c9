/**
 * `npm start`: build the dashboard, apply local D1 migrations, start wrangler dev on 127.0.0.1:8787.
 * Data persists in .data/ between runs; Ctrl-C stops everything this script started.
 */
import path from "node:path";
import { applyMigrations, ROOT, run, startWrangler } from "./lib/instance";

const persistDir = path.join(ROOT, ".data");

async function main() {
  console.log("Building the dashboard…");
  await run("npx", ["vite", "build", "--config", "web/vite.config.ts"]);
  console.log("Applying D1 migrations…");
  await applyMigrations(persistDir);
  const instance = await startWrangler({ port: 8787, persistDir, logLevel: "info", echo: true });
  console.log(`\nSendOps is running at ${instance.url}\n`);
  const shutdown = async () => {
    await instance.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
