/**
 * The stand-in's configuration: the keys it accepts, the roles that exist before any stack, and the
 * AWS accounts it starts with. AWS_SIM_CONFIG (inline JSON, or the path of a JSON file) overrides any
 * top-level member of DEFAULT_CONFIG.
 */
import { readFileSync } from "node:fs";
import { DEMO_AWS } from "../../worker/services/demo";
import { SENDOPS_POLICY_ACTIONS } from "./sendops-stack";

export { SIM_ACCESS_KEY_ID, SIM_DEMO_ACCOUNT, SIM_SECRET_ACCESS_KEY, SIM_SENDOPS_ACCOUNT, SIM_TEST_ACCESS_KEY_ID, SIM_TEST_SECRET_ACCESS_KEY } from "./credentials";
import { SIM_ACCESS_KEY_ID, SIM_DEMO_ACCOUNT, SIM_SECRET_ACCESS_KEY, SIM_SENDOPS_ACCOUNT, SIM_TEST_ACCESS_KEY_ID, SIM_TEST_SECRET_ACCESS_KEY } from "./credentials";

export interface SimCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** The account the key belongs to: the principal a role's trust policy must name. */
  account: string;
  /** The IAM user the key belongs to (in `arn:aws:iam::<account>:user/<name>`). */
  userName: string;
  /** IAM actions the user may call (`ses:*`-style wildcards, `*` for all). */
  allowedActions: string[];
}

export interface SimRole {
  arn: string;
  /** The account the trust policy trusts (SendOps' account). */
  trustedAccount: string;
  /** The trust policy's sts:ExternalId condition. Absent: bound to the first External ID presented (as if the user created the role with the id SendOps showed them). */
  externalId?: string;
  /** The permission policy's actions; absent: the SendOps policy. */
  allowedActions?: string[];
}

export type VerificationStatus = "PENDING" | "SUCCESS" | "FAILED" | "TEMPORARY_FAILURE" | "NOT_STARTED";

export interface SimAccount {
  account: string;
  /** A region, or "*" for every region of the account (each starts like this when first used). */
  region: string;
  mode: "sandbox" | "production";
  /** Identities that exist from the start (status SUCCESS unless given). */
  identities: { identity: string; status?: VerificationStatus; configurationSetName?: string }[];
  /** Configuration sets created outside any stack, each with an EventBridge event destination for all event types when `eventBridge` is set. */
  configurationSets: { name: string; eventBridge?: boolean }[];
  /** The SendOps stack (PLAN's template) deployed as stack `sendops` with these parameters. */
  sendopsStack?: { externalId: string; webhookUrl: string; webhookApiKey: string };
}

export interface AwsSimConfig {
  credentials: SimCredential[];
  roles: SimRole[];
  accounts: SimAccount[];
  /** Entries a suppression list starts with the first time an account + region is used. */
  seedEntries: number;
  /** How long a new identity (and its DKIM) stays PENDING before it reads SUCCESS. */
  verificationDelaySeconds: number;
  /** Time between the Send event and the recipient's outcome (Delivery, Bounce, …). */
  outcomeDelayMs: number;
  /** API destination delivery: attempts per event, the first retry's backoff (doubling), the per-attempt timeout. */
  delivery: { attempts: number; backoffMs: number; timeoutMs: number };
}

export const DEFAULT_CONFIG: AwsSimConfig = {
  credentials: [
    { accessKeyId: SIM_ACCESS_KEY_ID, secretAccessKey: SIM_SECRET_ACCESS_KEY, account: SIM_SENDOPS_ACCOUNT, userName: "sendops", allowedActions: ["sts:AssumeRole", "ses:SendEmail"] },
    { accessKeyId: SIM_TEST_ACCESS_KEY_ID, secretAccessKey: SIM_TEST_SECRET_ACCESS_KEY, account: SIM_DEMO_ACCOUNT, userName: "test", allowedActions: ["*"] },
  ],
  roles: [
    { arn: "arn:aws:iam::222233334444:role/SendOpsRole", trustedAccount: SIM_SENDOPS_ACCOUNT },
    { arn: "arn:aws:iam::444455556666:role/SendOpsRole", trustedAccount: SIM_SENDOPS_ACCOUNT },
  ],
  accounts: [
    { account: SIM_SENDOPS_ACCOUNT, region: "*", mode: "production", identities: [{ identity: "sendops.local" }], configurationSets: [] },
    {
      account: "222233334444",
      region: "*",
      mode: "sandbox",
      identities: [{ identity: "mail.northwind.test" }, { identity: "ops@northwind.test" }],
      configurationSets: [],
    },
    { account: "444455556666", region: "*", mode: "production", identities: [{ identity: "mail.contoso.test" }], configurationSets: [] },
    {
      // The demo workspace's account, with the SendOps stack its connection's role comes from (for the
      // demo's External ID). Its identities and configuration sets are the demo seed's: scripts/lib/demo-sims.ts
      // publishes scripts/lib/demo-world.ts into it.
      account: SIM_DEMO_ACCOUNT,
      region: DEMO_AWS.region,
      mode: "production",
      identities: [],
      configurationSets: [],
      sendopsStack: { externalId: DEMO_AWS.externalId, webhookUrl: "http://127.0.0.1:8787/ingest/eventbridge", webhookApiKey: "demo-ingest-key-not-configured" },
    },
  ],
  seedEntries: 400,
  verificationDelaySeconds: 60,
  outcomeDelayMs: 1000,
  delivery: { attempts: 4, backoffMs: 200, timeoutMs: 5000 },
};

/** The SendOps policy's actions: what a role from `roles` may do unless it says otherwise. */
export const defaultRoleActions = () => [...SENDOPS_POLICY_ACTIONS];

export function loadConfig(): AwsSimConfig {
  const raw = process.env.AWS_SIM_CONFIG;
  if (!raw) return DEFAULT_CONFIG;
  const text = raw.trim().startsWith("{") ? raw : readFileSync(raw, "utf8");
  return { ...DEFAULT_CONFIG, ...(JSON.parse(text) as Partial<AwsSimConfig>) };
}
