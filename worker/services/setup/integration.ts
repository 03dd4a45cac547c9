/**
 * The Setup Guide's phase 1, AWS Integration (aws-setup__connecting-aws.md): the CloudFormation template
 * generated for the workspace (its four parameters filled with the workspace's values, the ingest key
 * as `WebhookApiKey`), the console launch link, the manual IAM snippets, the permission breakdown, and
 * "Delegate this step" (an e-mail to a colleague, or a prompt for an AI assistant).
 */
import { z } from "zod";
import type { Actor, OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { findActiveIngestKey } from "../../db/ingest";
import { AWS_REGION_CODES, type AwsRegion } from "../../aws/regions";
import { NEVER_ACCESSED_SERVICES, permissionCategories, TEMPLATE_VERSION } from "../../aws/stack/permissions";
import { cloudFormationTemplate, STACK_NAMES, templateJson, templateYaml, type StackParameters } from "../../aws/stack/template";
import { manualRoleCloudFormation, manualRoleTerraform } from "../../aws/stack/manual";
import { assistantPrompt, createStackCommand, delegateEmail, launchStackUrl, roleConsoleUrl, stackConsoleUrl } from "../../aws/stack/links";
import { sendMail } from "../../integrations/mailer";
import { decryptSecret } from "../../lib/crypto";
import { AppError } from "../../lib/errors";
import { createIngestKey } from "../ingest/keys";
import { connectionRow } from "../aws-connection";
import { DEMO_AWS } from "../demo";
import type { AwsIntegrationView } from "./views";

export const integrationQuery = z.object({
  region: z.enum(AWS_REGION_CODES, { message: "Pick one of the supported AWS regions." }),
});

export const templateQuery = integrationQuery.extend({
  format: z.enum(["yaml", "json"]).default("yaml"),
});

export const delegateSchema = z.object({
  email: z.email({ message: "Enter your colleague's email address." }).max(254),
  note: z.string().trim().max(2000).optional(),
  /** The region picked in the guide; defaults to the saved connection's, else us-east-1. */
  region: z.enum(AWS_REGION_CODES, { message: "Pick one of the supported AWS regions." }).optional(),
});

/** The ingest endpoint EventBridge posts to. */
export const webhookUrlOf = (env: Pick<Env, "APP_URL">) => new URL("/ingest/eventbridge", env.APP_URL).toString();

/**
 * Where the AWS console fetches the generic template (no workspace values): the operator's published
 * copy (`CLOUDFORMATION_TEMPLATE_URL`, an S3 URL in production), else this deployment's public route.
 */
export const templateUrlOf = (env: Pick<Env, "APP_URL" | "CLOUDFORMATION_TEMPLATE_URL">) =>
  env.CLOUDFORMATION_TEMPLATE_URL || new URL(`/cloudformation/sendops-v${TEMPLATE_VERSION}.yaml`, env.APP_URL).toString();

/** The generic template (public route; `npm run admin -- cloudformation-template` without a workspace). */
export const genericTemplate = (format: "yaml" | "json") => {
  const t = cloudFormationTemplate();
  return format === "json" ? templateJson(t) : templateYaml(t);
};

export const TEMPLATE_CONTENT_TYPES = { yaml: "text/yaml; charset=utf-8", json: "application/json; charset=utf-8" } as const;

/** Shown instead of a key in the read-only demo workspace, which deploys nothing. */
const DEMO_KEY = "sik_demo-workspace-has-no-ingest-key";

/**
 * The ingest key the template carries: the active key if it is kept sealed, else a new key (the old
 * one stays valid for 24 h, as with any rotation) — keys created before templates existed have no
 * sealed copy, and a key is never stored in the clear.
 */
async function stackIngestKey(env: Pick<Env, "ENCRYPTION_KEY">, db: Db, orgId: string, actor: Actor, at: number): Promise<{ key: string; prefix: string }> {
  const active = await findActiveIngestKey(db, orgId);
  if (active?.sealedKey) return { key: await decryptSecret(env.ENCRYPTION_KEY, active.sealedKey), prefix: active.prefix };
  const created = await createIngestKey(db, orgId, actor, at, env.ENCRYPTION_KEY);
  return { key: created.key, prefix: created.prefix };
}

/** What the template's parameters come from besides the database (the CLI passes them in too). */
export type StackEnv = Pick<Env, "SENDOPS_AWS_ACCOUNT_ID" | "APP_URL" | "ENCRYPTION_KEY">;

/** The four stack parameters of the workspace, or 503 when this deployment has no AWS account. */
export async function stackParametersOf(db: Db, env: StackEnv, org: Pick<OrgContext, "orgId" | "isDemo" | "actor">, at = Date.now()) {
  if (!env.SENDOPS_AWS_ACCOUNT_ID) {
    throw new AppError("AWS_NOT_CONFIGURED", 503, "This SendOps deployment has no AWS account configured (var SENDOPS_AWS_ACCOUNT_ID). Ask your SendOps operator.");
  }
  const connection = org.isDemo ? { externalId: DEMO_AWS.externalId, roleArn: DEMO_AWS.roleArn, region: DEMO_AWS.region } : await connectionRow(db, org.orgId, at);
  const { key, prefix } = org.isDemo ? { key: DEMO_KEY, prefix: DEMO_KEY.slice(0, 12) } : await stackIngestKey(env, db, org.orgId, org.actor, at);
  const parameters: StackParameters = {
    sendOpsAccountId: env.SENDOPS_AWS_ACCOUNT_ID,
    externalId: connection.externalId,
    webhookUrl: webhookUrlOf(env),
    webhookApiKey: key,
  };
  return { parameters, keyPrefix: prefix, connection };
}

/** The workspace's template with its parameters' defaults filled in. */
export async function workspaceTemplate(db: Db, env: StackEnv, org: Pick<OrgContext, "orgId" | "isDemo" | "actor">, format: "yaml" | "json", at = Date.now()) {
  const { parameters } = await stackParametersOf(db, env, org, at);
  const template = cloudFormationTemplate({ defaults: parameters });
  return format === "json" ? templateJson(template) : templateYaml(template);
}

export async function getAwsIntegration(env: Env, org: OrgContext, region: AwsRegion, at = Date.now()): Promise<AwsIntegrationView> {
  const { parameters, keyPrefix, connection } = await stackParametersOf(getDb(env.DB), env, org, at);
  const templateUrl = templateUrlOf(env);
  const stackName = STACK_NAMES.stack;
  const links = { region, templateUrl, stackName, parameters };
  return {
    region,
    sendOpsAccountId: parameters.sendOpsAccountId,
    externalId: parameters.externalId,
    webhookUrl: parameters.webhookUrl,
    webhookKeyPrefix: keyPrefix,
    stackName,
    templateVersion: TEMPLATE_VERSION,
    launchUrl: launchStackUrl(links),
    templateUrl,
    stackConsoleUrl: stackConsoleUrl({ region, stackName }),
    roleConsoleUrl: connection.roleArn ? roleConsoleUrl(connection.roleArn) : null,
    createStackCommand: createStackCommand(links),
    assistantPrompt: assistantPrompt(links),
    manual: { cloudformation: manualRoleCloudFormation(parameters), terraform: manualRoleTerraform(parameters) },
    permissions: permissionCategories().map((c) => ({ category: c.name, actions: c.permissions.map((p) => ({ action: p.action, why: p.why })) })),
    neverAccessed: [...NEVER_ACCESSED_SERVICES],
  };
}

/** The workspace's template as a file; each download is audited (it carries the ingest key). */
export async function downloadTemplate(env: Env, org: OrgContext, q: z.infer<typeof templateQuery>, at = Date.now()) {
  const db = getDb(env.DB);
  const body = await workspaceTemplate(db, env, org, q.format, at);
  if (!org.isDemo) {
    await auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "aws_connection",
      resourceId: org.orgId,
      operation: "download_template",
      summary: `Downloaded the CloudFormation template (version ${TEMPLATE_VERSION}, ${q.format.toUpperCase()}, ${q.region})`,
      after: { version: TEMPLATE_VERSION, format: q.format, region: q.region },
      at,
    });
  }
  return { body, format: q.format, filename: `sendops-${org.slug}-v${TEMPLATE_VERSION}.${q.format}` };
}

/** Local deployments read SendOps' own mail in the AWS stand-in's outbox instead of an inbox. */
function localOutboxUrl(env: Pick<Env, "AWS_ENDPOINT_URL">): string | null {
  if (!env.AWS_ENDPOINT_URL) return null;
  const url = new URL(env.AWS_ENDPOINT_URL);
  return url.hostname === "127.0.0.1" || url.hostname === "localhost" ? new URL("/__sim/outbox", url).toString() : null;
}

/** "Delegate this step → Email a colleague": the deploy link, the command and the values, by e-mail. */
export async function delegateAwsIntegration(env: Env, org: OrgContext, input: z.infer<typeof delegateSchema>, at = Date.now()) {
  const { parameters, connection } = await stackParametersOf(getDb(env.DB), env, org, at);
  const region = input.region ?? (connection.region as AwsRegion | null) ?? "us-east-1";
  const templateUrl = templateUrlOf(env);
  const mail = delegateEmail({
    workspaceName: org.name,
    inviterName: org.actor.name,
    inviterEmail: org.actor.email,
    note: input.note ?? null,
    setupGuideUrl: new URL(`/w/${org.slug}/setup?phase=aws`, env.APP_URL).toString(),
    region,
    templateUrl,
    stackName: STACK_NAMES.stack,
    parameters,
  });
  const { messageId } = await sendMail(env, { to: input.email, ...mail });
  await auditInsert(getDb(env.DB), {
    orgId: org.orgId,
    actor: org.actor,
    resourceType: "aws_connection",
    resourceId: org.orgId,
    operation: "delegate",
    summary: `Sent the AWS Integration instructions (${region}) to ${input.email}`,
    after: { email: input.email, region, messageId },
    at,
  });
  return { sentTo: input.email, messageId, localOutboxUrl: localOutboxUrl(env) };
}
