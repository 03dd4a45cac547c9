import { z } from "zod";
import { AWS_REGION_CODES } from "./aws/regions";

/**
 * Every binding, var and secret the Worker uses. Declared in wrangler.toml (bindings, vars) and set
 * with `wrangler secret put` (secrets); locally secrets come from `.dev.vars`, written by `npm start`.
 */
export interface Env {
  /** D1: the system of record. */
  DB: D1Database;
  /** R2: workspace logos and other uploaded files (a logo may exceed D1's 2,000,000-byte row limit). */
  FILES: R2Bucket;
  /** Static dashboard build (web/dist). */
  ASSETS: Fetcher;
  /** Queue "sendops-events": one message per accepted EventBridge event. */
  EVENTS_QUEUE: Queue;
  /** Queue "sendops-jobs": background work (syncs, evaluations, exports). */
  JOBS_QUEUE: Queue;
  /** Durable Object namespace: one OrgLedger per org. */
  ORG_LEDGER: DurableObjectNamespace;
  /**
   * Durable Object namespace: one RateLimiter per /v1 API key (sliding-window request log in memory).
   * Untyped here because the dashboard type-checks this file without the Workers runtime module; the
   * /v1 middleware narrows it to the RateLimiter class.
   */
  RATE_LIMITER: DurableObjectNamespace;
  /** Analytics Engine dataset: one data point per SES event. */
  EVENTS_AE: AnalyticsEngineDataset;
  /** Public URL of this deployment, e.g. https://sendops.example.com. */
  APP_URL: string;
  /**
   * Base URL of the AWS endpoints (SES v2, STS); empty means the real regional AWS endpoints
   * (`https://sts.<region>.amazonaws.com`, `https://email.<region>.amazonaws.com`). Locally and in
   * tests it names the stand-in sim/aws.ts, which answers both.
   */
  AWS_ENDPOINT_URL: string;
  /**
   * The 12-digit AWS account SendOps assumes customers' roles from: shown to users for their role's
   * trust policy. Empty: this deployment has no AWS account, and connecting AWS is refused.
   */
  SENDOPS_AWS_ACCOUNT_ID: string;
  /** Secret: access key id of SendOps' own IAM identity (in SENDOPS_AWS_ACCOUNT_ID) that calls sts:AssumeRole. */
  AWS_ACCESS_KEY_ID?: string;
  /** Secret: its secret access key. Both are needed to connect AWS accounts; without them connecting is refused. */
  AWS_SECRET_ACCESS_KEY?: string;
  /**
   * Sender of SendOps' own mail (e.g. "Delegate this step"), `addr@domain` or `Name <addr@domain>`, sent
   * through SES in MAILER_REGION with AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; its domain must be verified
   * in SES there. Empty: this deployment sends no mail.
   */
  MAILER_FROM: string;
  /** The AWS region whose SES sends MAILER_FROM's mail. */
  MAILER_REGION: string;
  /**
   * Where the AWS console's "Launch CloudFormation Stack" link fetches the template: the operator's copy
   * of `npm run admin -- cloudformation-template` on S3 (the console only reads S3 URLs). Empty: this
   * deployment's own `/cloudformation/sendops-v<version>.yaml`.
   */
  CLOUDFORMATION_TEMPLATE_URL: string;
  /**
   * Base URLs of systems no code calls yet (GitHub template repositories, Stripe billing, DNS-over-HTTPS
   * checks): optional, so a deployment need not set what nothing reads; checked as URLs when set.
   */
  GITHUB_API_URL?: string;
  STRIPE_API_URL?: string;
  DNS_RESOLVER_URL?: string;
  /** Message tag that names the template, unless an org sets its own. */
  DEFAULT_TEMPLATE_TAG: string;
  /** "true" enables POST /ingest/noop, the ingest benchmark's enqueue-only baseline; absent otherwise. */
  BENCH_BASELINE?: string;
  /** Secret: base64 of 32 random bytes; AES-GCM key for secrets stored at rest. */
  ENCRYPTION_KEY: string;
}

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
  ORG_LEDGER: binding("ORG_LEDGER", "idFromName"),
  RATE_LIMITER: binding("RATE_LIMITER", "idFromName"),
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
  DNS_RESOLVER_URL: z.url({ message: "var DNS_RESOLVER_URL must be an absolute URL when set" }).optional(),
  DEFAULT_TEMPLATE_TAG: z.string().min(1, { message: "var DEFAULT_TEMPLATE_TAG is missing" }),
  BENCH_BASELINE: z.enum(["true", "false"], { message: 'var BENCH_BASELINE must be "true" or "false" when set' }).optional(),
  ENCRYPTION_KEY: z
    .string({ message: "secret ENCRYPTION_KEY is missing (wrangler secret put ENCRYPTION_KEY)" })
    .refine((v) => /^[A-Za-z0-9+/]{43}=$/.test(v), {
      message: "secret ENCRYPTION_KEY must be base64 of 32 bytes",
    }),
});

const checked = new WeakSet<object>();

/** Throws an Error naming every missing or malformed binding, var or secret. Cached per env object. */
export function validateEnv(env: unknown): asserts env is Env {
  if (typeof env === "object" && env !== null && checked.has(env)) return;
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new Error(`SendOps environment is misconfigured: ${problems.join("; ")}`);
  }
  checked.add(env as object);
}
