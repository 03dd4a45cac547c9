import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

/** Performance runs (`npm run bench:*`): the worker pool of the tests, long timeouts, one file at a time. */
export default defineConfig(async () => {
  const root = path.join(import.meta.dirname, "../..");
  const migrations = await readD1Migrations(path.join(root, "migrations"));
  return {
    root,
    plugins: [
      cloudflareTest({
        main: "./worker/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            // Smaller runs while iterating: BENCH_EVENTS=100000 BENCH_ADDRESSES=20000 npm run bench:undeliverable
            BENCH_ADDRESSES: process.env.BENCH_ADDRESSES ?? "",
            BENCH_EVENTS: process.env.BENCH_EVENTS ?? "",
          },
        },
      }),
    ],
    test: {
      include: ["test/bench/**/*.perf.ts"],
      setupFiles: ["./test/apply-migrations.ts"],
      testTimeout: 60 * 60 * 1000,
      hookTimeout: 60 * 60 * 1000,
      fileParallelism: false,
    },
  };
});
