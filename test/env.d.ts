import type { EnvSecrets } from "../worker/env";

/** The tests' `env` (cloudflare:test): the generated bindings and vars, the secrets vitest.config.ts sets, and the migrations. */
declare global {
  namespace Cloudflare {
    interface Env extends EnvSecrets {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
      /** test/webhook-receiver.ts, started by test/aws-sim-setup.ts. */
      TEST_WEBHOOK_RECEIVER_URL: string;
    }
  }
}
declare module "vitest" {
  interface ProvidedContext {
    /** Base URL of the Slack stand-in (test/aws-sim-setup.ts). */
    slackSimUrl: string;
  }
}
export {};
