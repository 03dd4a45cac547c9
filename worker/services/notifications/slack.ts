/**
 * Connections → Integrations → Slack: the workspace's incoming-webhook URL (stored encrypted, since it
 * is enough to post into the channel), a test message, removal. Notifications reach Slack through the
 * `notification.deliver` job (deliver.ts).
 */
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { isDevelopment } from "../../env";
import { getDb } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { deleteSlackIntegrationQuery, findSlackIntegration, upsertSlackIntegrationQuery } from "../../db/notifications";
import { postSlackMessage, SlackError } from "../../integrations/slack";
import { decryptSecret, encryptSecret } from "../../lib/crypto";
import { AppError, notFound, validationError } from "../../lib/errors";
import { mrkdwn, notificationUrl } from "./messages";

export const slackUrlSchema = z.object({ webhookUrl: z.string().trim().min(1).max(500) });

const SLACK_PATH = /^\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]+$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface SlackIntegrationView {
  connected: boolean;
  /** The URL with its secret part hidden. */
  webhookUrlHint: string | null;
  connectedBy: string | null;
  updatedAt: number | null;
  /** Development deployments also accept a loopback stand-in's URL. */
  loopbackAllowed: boolean;
}

/** `https://hooks.slack.com/services/T…/B…/<secret>`; in development also the same path on a loopback host. */
export function checkSlackWebhookUrl(env: Pick<Env, "ENVIRONMENT">, raw: string): URL {
  const refuse = (message: string) => validationError(`webhookUrl: ${message}`, { fields: [{ field: "webhookUrl", message }] });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse("Enter the full incoming-webhook URL Slack showed you, starting with https://hooks.slack.com/services/.");
  }
  const slack = url.protocol === "https:" && url.hostname === "hooks.slack.com" && url.port === "";
  const local = isDevelopment(env) && (url.protocol === "http:" || url.protocol === "https:") && LOOPBACK.has(url.hostname);
  if (!slack && !local) throw refuse("Slack incoming-webhook URLs start with https://hooks.slack.com/services/.");
  if (url.username || url.password || url.search || url.hash || !SLACK_PATH.test(url.pathname)) {
    throw refuse("That is not an incoming-webhook URL: it looks like https://hooks.slack.com/services/T…/B…/….");
  }
  return url;
}

const hintOf = (url: URL) => `${url.origin}${url.pathname.replace(/[^/]+$/, "••••")}`;

export async function getSlackIntegration(env: Env, org: OrgContext): Promise<SlackIntegrationView> {
  const row = await findSlackIntegration(getDb(env.DB), org.orgId);
  return {
    connected: row !== undefined,
    webhookUrlHint: row?.webhookUrlHint ?? null,
    connectedBy: row?.createdByName ?? null,
    updatedAt: row?.updatedAt ?? null,
    loopbackAllowed: isDevelopment(env),
  };
}

export async function saveSlackIntegration(env: Env, org: OrgContext, input: z.infer<typeof slackUrlSchema>, at = Date.now()): Promise<SlackIntegrationView> {
  const url = checkSlackWebhookUrl(env, input.webhookUrl);
  const db = getDb(env.DB);
  const existing = await findSlackIntegration(db, org.orgId);
  const hint = hintOf(url);
  await db.batch([
    upsertSlackIntegrationQuery(db, {
      orgId: org.orgId,
      webhookUrlSealed: await encryptSecret(env.ENCRYPTION_KEY, url.toString()),
      webhookUrlHint: hint,
      createdByName: org.actor.name,
      createdAt: at,
      updatedAt: at,
    }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "slack_integration",
      resourceId: org.orgId,
      operation: existing ? "updated" : "connected",
      summary: existing ? `Changed the Slack webhook to ${hint}` : `Connected Slack (${hint})`,
      before: existing ? { webhookUrl: existing.webhookUrlHint } : undefined,
      after: { webhookUrl: hint },
      at,
    }),
  ]);
  return getSlackIntegration(env, org);
}

export async function removeSlackIntegration(env: Env, org: OrgContext, at = Date.now()): Promise<SlackIntegrationView> {
  const db = getDb(env.DB);
  const existing = await findSlackIntegration(db, org.orgId);
  if (!existing) throw notFound("Slack integration");
  await db.batch([
    deleteSlackIntegrationQuery(db, org.orgId),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "slack_integration",
      resourceId: org.orgId,
      operation: "disconnected",
      summary: `Disconnected Slack (${existing.webhookUrlHint})`,
      before: { webhookUrl: existing.webhookUrlHint },
      at,
    }),
  ]);
  return getSlackIntegration(env, org);
}

/** Posts a test message now; Slack's refusal comes back as 502 SLACK_REJECTED with Slack's own error code. */
export async function sendSlackTest(env: Env, org: OrgContext): Promise<{ sent: true }> {
  const row = await findSlackIntegration(getDb(env.DB), org.orgId);
  if (!row) throw notFound("Slack integration");
  const url = notificationUrl(env.APP_URL, org.slug, "notifications");
  try {
    await postSlackMessage(await decryptSecret(env.ENCRYPTION_KEY, row.webhookUrlSealed), {
      text: `SendOps test message from ${org.name}`,
      blocks: [
        { type: "section", text: { type: "mrkdwn", text: `:white_check_mark: *SendOps is connected.* ${mrkdwn(org.actor.name)} sent this test message from the workspace ${mrkdwn(org.name)}.` } },
        { type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "Open notifications" }, url }] },
      ],
    });
  } catch (err) {
    if (!(err instanceof SlackError)) throw err;
    throw new AppError("SLACK_REJECTED", 502, `Slack did not accept the test message: ${err.message}.`, { status: err.status, slackError: err.code });
  }
  return { sent: true };
}
