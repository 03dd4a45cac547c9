import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { freePort } from "./scripts/lib/instance";
import { SIM_ACCESS_KEY_ID, SIM_SECRET_ACCESS_KEY, SIM_SENDOPS_ACCOUNT } from "./sim/aws/credentials";
import { SIM_GITHUB_CLIENT_ID, SIM_GITHUB_CLIENT_SECRET, SIM_GOOGLE_CLIENT_ID, SIM_GOOGLE_CLIENT_SECRET } from "./sim/oauth/credentials";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(__dirname, "migrations"));
  // The AWS and DNS stand-ins (started by test/aws-sim-setup.ts) listen here; kept if the config is evaluated again.
  process.env.SENDOPS_TEST_AWS_PORT ??= String(await freePort());
  process.env.SENDOPS_TEST_DNS_PORT ??= String(await freePort());
  process.env.SENDOPS_TEST_WEBHOOK_PORT ??= String(await freePort());
  // The GitHub + Google stand-in (sim/oauth), also started by test/aws-sim-setup.ts.
  process.env.SENDOPS_TEST_OAUTH_PORT ??= String(await freePort());
  const oauthUrl = `http://127.0.0.1:${process.env.SENDOPS_TEST_OAUTH_PORT}`;
  return {
    plugins: [
      cloudflareTest({
        main: "./worker/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            // A fixed test key (base64 of 32 bytes); real deployments set their own secret.
            ENCRYPTION_KEY: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
            AWS_ENDPOINT_URL: `http://127.0.0.1:${process.env.SENDOPS_TEST_AWS_PORT}`,
            DNS_RESOLVER_URL: `http://127.0.0.1:${process.env.SENDOPS_TEST_DNS_PORT}/dns-query`,
            SENDOPS_AWS_ACCOUNT_ID: SIM_SENDOPS_ACCOUNT,
            AWS_ACCESS_KEY_ID: SIM_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY: SIM_SECRET_ACCESS_KEY,
            MAILER_FROM: "SendOps <no-reply@sendops.local>",
            TEST_WEBHOOK_RECEIVER_URL: `http://127.0.0.1:${process.env.SENDOPS_TEST_WEBHOOK_PORT}`,
            GITHUB_OAUTH_URL: oauthUrl,
            GITHUB_API_URL: oauthUrl,
            GITHUB_CLIENT_ID: SIM_GITHUB_CLIENT_ID,
            GITHUB_CLIENT_SECRET: SIM_GITHUB_CLIENT_SECRET,
            GOOGLE_ISSUER_URL: oauthUrl,
            GOOGLE_CLIENT_ID: SIM_GOOGLE_CLIENT_ID,
            GOOGLE_CLIENT_SECRET: SIM_GOOGLE_CLIENT_SECRET,
            // The Slack stand-in listens on 127.0.0.1, which only development accepts as a webhook URL.
            ENVIRONMENT: "development",
          },
        },
      }),
    ],
    test: {
      include: ["test/**/*.test.ts"],
      exclude: ["test/e2e/**", "test/node/**"],
      setupFiles: ["./test/apply-migrations.ts"],
      globalSetup: ["./test/aws-sim-setup.ts"],
      // Some tests walk every route × role or replay whole event sets; CI machines have 2 cores.
      testTimeout: 60_000,
      hookTimeout: 60_000,
    },
  };
});
