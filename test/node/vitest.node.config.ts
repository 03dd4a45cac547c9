import { defineConfig } from "vitest/config";

/**
 * Node-side tests of the operator tooling (scripts/): the CLI, the D1 adapters, the demo traffic
 * generator and the event poster. They run in Node (no workerd pool) and start wrangler's local D1
 * themselves where they need one.
 */
export default defineConfig({
  test: {
    include: ["test/node/**/*.test.ts"],
    environment: "node",
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
