import { env } from "cloudflare:test";
import { SIM_SENDOPS_ACCOUNT } from "../sim/aws";

/** SendOps' own credentials as the Worker has them (vitest.config.ts points them at the stand-in). */
export const sendOpsCreds = () => ({ accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! });

/** Calls the stand-in's control API (/__sim/…); throws on a non-2xx answer. */
export async function sim<T = any>(path: string, init: { method?: string; json?: unknown } = {}): Promise<T> {
  const res = await fetch(`${env.AWS_ENDPOINT_URL}/__sim${path}`, {
    method: init.method ?? "GET",
    headers: init.json === undefined ? {} : { "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  if (!res.ok) throw new Error(`sim ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

let n = 0;
/**
 * A fresh customer AWS account with a SendOps role trusting SendOps' account under `externalId`
 * (files run in parallel against one stand-in, so each test gets its own account). A test that also
 * deploys the stack names the role otherwise: the stack creates `SendOpsRole` itself.
 */
export async function newAwsAccount(externalId = `ext-${Date.now().toString(36)}-${++n}`, roleName = "SendOpsRole") {
  const account = String(100_000_000_000 + Math.floor(Math.random() * 800_000_000_000) + n).slice(0, 12);
  const roleArn = `arn:aws:iam::${account}:role/${roleName}`;
  await sim("/roles", { method: "PUT", json: { arn: roleArn, trustedAccount: SIM_SENDOPS_ACCOUNT, externalId } });
  return { account, roleArn, externalId };
}

export interface SimEntry {
  EmailAddress: string;
  Reason: "BOUNCE" | "COMPLAINT";
  /** Epoch seconds, as SES sends it. */
  LastUpdateTime: number;
}

export const setSuppressions = (account: string, region: string, entries: SimEntry[]) =>
  sim(`/accounts/${account}/${region}/suppressions`, { method: "PUT", json: { entries } });
export const getSuppressions = async (account: string, region: string) =>
  (await sim<{ entries: SimEntry[] }>(`/accounts/${account}/${region}/suppressions`)).entries;
export const throttle = (account: string, count: number) => sim(`/accounts/${account}/throttle`, { method: "POST", json: { count } });
export const simStats = (account: string) => sim<{ assumeRole: number; ses: Record<string, number> }>(`/accounts/${account}/stats`);

/**
 * Deploys the SendOps stack (template `version`, the current one by default) into a fresh account, as the
 * account's owner would from the Setup Guide; its own `SendOpsRole` trusts SendOps under `externalId`.
 */
export async function deploySendOpsStack(region: string, externalId: string, version?: number) {
  const { cloudFormationTemplate, templateJson } = await import("../worker/aws/stack/template");
  const account = String(100_000_000_000 + Math.floor(Math.random() * 800_000_000_000) + ++n).slice(0, 12);
  const stack = await sim<{ stackId: string; status: string; outputs: Record<string, string> }>(`/accounts/${account}/${region}/stacks`, {
    method: "POST",
    json: {
      stackName: "sendops",
      templateBody: templateJson(cloudFormationTemplate(version === undefined ? {} : { version })),
      parameters: { SendOpsAccountId: SIM_SENDOPS_ACCOUNT, ExternalId: externalId, WebhookUrl: "http://127.0.0.1:9/ingest/eventbridge", WebhookApiKey: "sik_test" },
    },
  });
  if (stack.status !== "CREATE_COMPLETE") throw new Error(`stack ${stack.status}`);
  return { account, roleArn: stack.outputs.RoleARN!, externalId, stackId: stack.stackId };
}

/** Makes drift detection find these resources of the account's `sendops` stack changed outside it ({} = back in sync). */
export const setStackDrift = (account: string, region: string, resources: Record<string, "MODIFIED" | "DELETED">) =>
  sim(`/accounts/${account}/${region}/stacks/sendops/drift`, { method: "PUT", json: { resources } });
