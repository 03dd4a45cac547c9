import { defineConfig } from "vitest/config";

/** Browser tests: Node runs Playwright (Debian's Chromium) against a wrangler dev instance started once. */
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    globalSetup: ["test/e2e/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    environment: "node",
  },
});
