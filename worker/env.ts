import { z } from "zod";
import { AWS_REGION_CODES } from "./aws/regions";
import { AppError } from "./lib/errors";

/**
 * The Worker's environment. Bindings and `[vars]` are declared in wrangler.toml and typed by
 * `npm run types` (`wrangler types`, generated into worker-configuration.d.ts as `Cloudflare.Env`:
 * Durable Object namespaces typed with their classes); a Node test fails when that file is stale.
 * What wrangler.toml cannot declare is typed here: secrets (`wrangler secret put`; locally `.dev.vars`,
 * written by `npm start`, which `npm run types` deliberately ignores so its output is the same on
 * every machine) and vars a deployment may leave out. Every member is documented in
 * docs/configuration.md.
 */
export interface EnvSecrets {
  /** Secret: access key id of SendOps' own IAM identity (in SENDOPS_AWS_ACCOUNT_ID) that calls sts:AssumeRole. */
  AWS_ACCESS_KEY_ID?: string;
  /** Secret: its secret access key. Both are needed to connect AWS accounts; without them connecting is refused. */
  AWS_SECRET_ACCESS_KEY?: string;
  /** Secret: base64 of 32 random bytes; AES-GCM key for secrets stored at rest. */
  ENCRYPTION_KEY: string;
  /**
   * Base URLs of systems no code calls yet (GitHub template repositories, Stripe billing): optional, so a
   * deployment need not set what nothing reads; checked as URLs when set.
   */
  GITHUB_API_URL?: string;
  STRIPE_API_URL?: string;
  /** Var: the WebAuthn RP ID (a host name, e.g. "sendops.example.com"); unset: the host the dashboard is served from. */
  WEBAUTHN_RP_ID?: string;
  /**
   * Sign in with GitHub / Google (worker/integrations/github-oauth.ts, google-oidc.ts): a provider is offered
   * only when its client id and secret are both set. The base URLs default to the real services; locally and
   * in tests they point at sim/oauth.
   */
  GITHUB_OAUTH_URL?: string;
  GITHUB_CLIENT_ID?: string;
  GITHUB_CLIENT_SECRET?: string;
  GOOGLE_ISSUER_URL?: string;
  GOOGLE_CLIENT_ID?: string;
  GOOGLE_CLIENT_SECRET?: string;
}

export interface Env extends Cloudflare.Env, EnvSecrets {}

const binding = (name: string, method: string) =>
  z.custom<unknown>(
    (v) => typeof v === "object" && v !== null && typeof (v as Record<string, unknown>)[method] === "function",
    { message: `binding ${name} is missing or is not the right kind (check wrangler.toml)` },
  );

const envSchema = z.object({
  DB: binding("DB", "prepare"),
  FILES: binding("FILES", "put"),
  ASSETS: binding("ASSETS", "fetch"),
  EVENTS_QUEUE: binding("EVENTS_QUEUE", "send"),
  JOBS_QUEUE: binding("JOBS_QUEUE", "send"),
  WEBHOOKS_QUEUE: binding("WEBHOOKS_QUEUE", "send"),
  ORG_LEDGER: binding("ORG_LEDGER", "idFromName"),
  RATE_LIMITER: binding("RATE_LIMITER", "idFromName"),
  EVENT_SHARDS: binding("EVENT_SHARDS", "idFromName"),
  ROLLUP_BUFFERS: binding("ROLLUP_BUFFERS", "idFromName"),
  EVENTS_AE: binding("EVENTS_AE", "writeDataPoint"),
  APP_URL: z.url({ message: "var APP_URL must be an absolute URL" }),
  AWS_ENDPOINT_URL: z.union([z.literal(""), z.url()], { message: "var AWS_ENDPOINT_URL must be empty or an absolute URL" }),
  SENDOPS_AWS_ACCOUNT_ID: z
    .string({ message: "var SENDOPS_AWS_ACCOUNT_ID is missing" })
    .regex(/^(\d{12})?$/, { message: "var SENDOPS_AWS_ACCOUNT_ID must be empty or 12 digits" }),
  AWS_ACCESS_KEY_ID: z.string().min(16, { message: "secret AWS_ACCESS_KEY_ID is too short" }).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(16, { message: "secret AWS_SECRET_ACCESS_KEY is too short" }).optional(),
  MAILER_FROM: z
    .string({ message: "var MAILER_FROM is missing (empty disables mail)" })
    .regex(/^$|^[^\s<>@]+@[^\s<>@]+$|^[^<>]*<[^\s<>@]+@[^\s<>@]+>$/, {
      message: 'var MAILER_FROM must be empty, "addr@domain" or "Name <addr@domain>"',
    }),
  MAILER_REGION: z.enum(AWS_REGION_CODES, { message: "var MAILER_REGION must be an AWS region SendOps supports, e.g. us-east-1" }),
  CLOUDFORMATION_TEMPLATE_URL: z.union([z.literal(""), z.url()], { message: "var CLOUDFORMATION_TEMPLATE_URL must be empty or an absolute URL" }),
  GITHUB_API_URL: z.url({ message: "var GITHUB_API_URL must be an absolute URL when set" }).optional(),
  STRIPE_API_URL: z.url({ message: "var STRIPE_API_URL must be an absolute URL when set" }).optional(),
  WEBAUTHN_RP_ID: z
    .string()
    .regex(/^$|^[a-z0-9.-]+$/, { message: "var WEBAUTHN_RP_ID must be a host name (no scheme, no port) when set" })
    .optional(),
  GITHUB_OAUTH_URL: z.url({ message: "var GITHUB_OAUTH_URL must be an absolute URL when set" }).optional(),
  GOOGLE_ISSUER_URL: z.url({ message: "var GOOGLE_ISSUER_URL must be an absolute URL when set" }).optional(),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  DNS_RESOLVER_URL: z.url({ message: "var DNS_RESOLVER_URL must be the absolute URL of a DNS-over-HTTPS JSON endpoint" }),
  DEFAULT_TEMPLATE_TAG: z.string().min(1, { message: "var DEFAULT_TEMPLATE_TAG is missing" }),
  BENCH_BASELINE: z.enum(["true", "false"], { message: 'var BENCH_BASELINE must be "true" or "false" when set' }).optional(),
  EVENT_STORE: z.enum(["d1", "shards"], { message: 'var EVENT_STORE must be "d1" or "shards"' }).optional(),
  ROLLUP_FLUSH_SECONDS: z.string().regex(/^\d{1,5}$/, { message: 'var ROLLUP_FLUSH_SECONDS must be a whole number of seconds, e.g. "30"' }).optional(),
  ENVIRONMENT: z.enum(["production", "development"], { message: 'var ENVIRONMENT must be "production" or "development"' }),
  ENCRYPTION_KEY: z
    .string({ message: "secret ENCRYPTION_KEY is missing (wrangler secret put ENCRYPTION_KEY)" })
    .refine((v) => /^[A-Za-z0-9+/]{43}=$/.test(v), {
      message: "secret ENCRYPTION_KEY must be base64 of 32 bytes",
    }),
});

/** The names the check covers (the dashboard's type check sees the Worker's bindings by these names). */
export type CheckedEnvName = keyof z.input<typeof envSchema>;

const checked = new WeakSet<object>();

/**
 * Throws a 500 BAD_ENVIRONMENT AppError whose details name every missing or malformed binding, var or
 * secret (one `{ field, message }` each, as validation errors do). Cached per env object.
 */
export function validateEnv(env: unknown): asserts env is Env {
  if (typeof env === "object" && env !== null && checked.has(env)) return;
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((i) => ({ field: i.path.join("."), message: i.message }));
    const message = `SendOps environment is misconfigured: ${fields.map((f) => `${f.field}: ${f.message}`).join("; ")}`;
    // The operator reads the deployment's log, not every client's answer.
    console.error(message);
    throw new AppError("BAD_ENVIRONMENT", 500, message, { fields });
  }
  checked.add(env as object);
}

/** Local development (`npm start`, the tests): loopback and plain-HTTP integration URLs are accepted only here. */
export const isDevelopment = (env: Pick<Env, "ENVIRONMENT">) => env.ENVIRONMENT === "development";
