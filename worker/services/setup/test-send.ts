/**
 * The Setup Guide's phase 4, First Test Send: SES SendEmail through the workspace's role, on the stack's
 * configuration set, so the message's events travel SES → EventBridge → the ingest webhook → the queue
 * consumer like any other. The test counts as confirmed when its `messages` row (built by ingest, not by
 * this service) shows the delivery.
 */
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { findAwsConnection } from "../../db/aws";
import { listOrgIdentities } from "../../db/ingest";
import { eventReadsOf } from "../event-reads";
import type { MessageRowDb } from "../../db/reports";
import { findLatestTestSend, findTestSend, insertTestSendQuery, updateTestSendQuery, type TestSendRow } from "../../db/setup";
import type { MessageStatus } from "../../db/schema";
import { AwsError } from "../../aws/common";
import { STACK_NAMES } from "../../aws/stack/template";
import { notFound, validationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { explainAwsError, sesForOrg } from "../aws-connection";
import { parseAccountStatus } from "./account-status";
import { completePhaseQuery } from "./progress";
import type { TestSendOptionsView, TestSendView } from "./views";

export const testSendSchema = z.object({
  to: z.email({ message: "Enter the recipient's email address." }).max(254),
  from: z.email({ message: "Pick the address the test comes from." }).max(254),
});

/** The local part a verified domain sends the test from. */
const TEST_LOCAL_PART = "sendops-test";
/** The message tag that marks SendOps' test sends (SES tag names allow [A-Za-z0-9_-]). */
export const TEST_SEND_TAG = "sendops-test-send";
/** SES's mailbox simulator: accepted in sandbox, no quota used. */
const SIMULATOR_DOMAIN = "simulator.amazonses.com";

/** What a test's message status means for the test (the most telling event wins, as in `messages`), and when it happened. */
const OUTCOME: Partial<Record<MessageStatus, { status: TestSendView["status"]; at: keyof MessageRowDb }>> = {
  delivered: { status: "delivered", at: "delivered_at" },
  bounced: { status: "bounced", at: "bounced_at" },
  complained: { status: "complained", at: "complained_at" },
  rejected: { status: "rejected", at: "rejected_at" },
  delayed: { status: "delayed", at: "first_delay_at" },
};

async function verifiedIdentities(env: Env, orgId: string) {
  const rows = await listOrgIdentities(getDb(env.DB), orgId);
  return rows.filter((r) => r.verificationStatus === "SUCCESS" && r.detachedAt === null);
}

const fromAddressOf = (r: { identity: string; kind: string }) => (r.kind === "email" ? r.identity : `${TEST_LOCAL_PART}@${r.identity}`);

async function viewOf(env: Env, row: TestSendRow, at: number): Promise<TestSendView> {
  const base = {
    id: row.id,
    from: row.fromAddress,
    to: row.toAddress,
    sesMessageId: row.sesMessageId,
    error: row.errorCode ? { code: row.errorCode, message: row.error ?? "" } : null,
    createdAt: row.createdAt,
  };
  if (row.status !== "sent" || !row.sesMessageId) return { ...base, status: row.status, confirmedAt: null };
  const db = getDb(env.DB);
  const message = (await (await eventReadsOf(env, at)).message(row.orgId, row.sesMessageId, row.toAddress))?.row;
  const outcome = message && OUTCOME[message.status];
  if (!outcome) return { ...base, status: "sent", confirmedAt: null };
  if (outcome.status === "delivered") await completePhaseQuery(db, row.orgId, "test_send", at);
  return { ...base, status: outcome.status, confirmedAt: message[outcome.at] as number | null };
}

export async function getTestSendOptions(env: Env, org: Pick<OrgContext, "orgId" | "isDemo">, at = Date.now()): Promise<TestSendOptionsView> {
  const db = getDb(env.DB);
  const [identities, connection, last] = await Promise.all([verifiedIdentities(env, org.orgId), findAwsConnection(db, org.orgId), findLatestTestSend(db, org.orgId)]);
  return {
    fromAddresses: identities.map(fromAddressOf),
    sandbox: parseAccountStatus(connection?.accountJson ?? null)?.mode === "sandbox",
    verifiedRecipients: identities.map((i) => i.identity),
    lastTest: last ? await viewOf(env, last, at) : null,
  };
}

export async function getTestSend(env: Env, org: Pick<OrgContext, "orgId">, id: string, at = Date.now()): Promise<TestSendView> {
  const row = await findTestSend(getDb(env.DB), org.orgId, id);
  if (!row) throw notFound("Test send");
  return viewOf(env, row, at);
}

/** Sends one test. SES refusing it (e.g. sandbox: recipient not verified) is stored and shown, not thrown. */
export async function sendTestEmail(env: Env, org: OrgContext, input: z.infer<typeof testSendSchema>, at = Date.now()): Promise<TestSendView> {
  const db = getDb(env.DB);
  const from = input.from.toLowerCase();
  const to = input.to.toLowerCase();
  const allowed = (await verifiedIdentities(env, org.orgId)).map(fromAddressOf);
  if (!allowed.includes(from)) {
    throw validationError(`Send the test from a verified identity of this workspace${allowed.length ? ` (${allowed.join(", ")})` : ": none is verified yet — sync or add one in the Identities phase"}.`, {
      fields: [{ field: "from", message: "Not a verified identity of this workspace." }],
    });
  }
  const { ses, connection } = await sesForOrg(env, org.orgId);
  const id = newId("tst", at);
  const row = { id, orgId: org.orgId, fromAddress: from, toAddress: to, status: "sending" as const, requestedByUserId: org.actor.userId, requestedByName: org.actor.name, createdAt: at };
  await insertTestSendQuery(db, row);
  let result: Partial<TestSendRow>;
  try {
    const { messageId } = await ses.sendEmail({
      from,
      to: [to],
      subject: `SendOps test email for ${org.name}`,
      text: `This is a test email sent by SendOps from ${from} through Amazon SES (${connection.region}) to confirm that ${org.name}'s events reach SendOps end to end.\n\nYou can ignore it.`,
      html: `<p>This is a test email sent by <strong>SendOps</strong> from ${from} through Amazon SES (${connection.region}) to confirm that ${escapeHtml(org.name)}'s events reach SendOps end to end.</p><p>You can ignore it.</p>`,
      configurationSetName: STACK_NAMES.configurationSet,
      tags: [{ name: TEST_SEND_TAG, value: id }],
    });
    result = { status: "sent", sesMessageId: messageId };
  } catch (err) {
    if (!(err instanceof AwsError)) {
      await updateTestSendQuery(db, org.orgId, id, { status: "failed", errorCode: "INTERNAL", error: "The test could not be sent." });
      throw err;
    }
    result = { status: "failed", errorCode: err.code, error: explainSendError(err, env, connection.region ?? "") };
  }
  await db.batch([
    updateTestSendQuery(db, org.orgId, id, result),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "test_send",
      resourceId: id,
      operation: "send",
      summary: result.status === "sent" ? `Sent a test email from ${from} to ${to}` : `Test email from ${from} to ${to} refused by SES: ${result.errorCode}`,
      after: { from, to, status: result.status, sesMessageId: result.sesMessageId ?? null, error: result.errorCode ?? null },
      at,
    }),
  ]);
  return viewOf(env, { ...row, sesMessageId: null, errorCode: null, error: null, ...result } as TestSendRow, at);
}

function explainSendError(err: AwsError, env: Env, region: string): string {
  switch (err.code) {
    case "MessageRejected":
      return `SES rejected the message: ${err.message} In sandbox mode SES only sends to verified addresses and domains (or the mailbox simulator, e.g. success@${SIMULATOR_DOMAIN}).`;
    case "MailFromDomainNotVerifiedException":
      return `The MAIL FROM domain of ${err.message} is not verified in SES.`;
    case "NotFoundException":
      return `SES could not find the configuration set ${STACK_NAMES.configurationSet}: run Connection Validation, then deploy the stack. (${err.message})`;
    case "SendingPausedException":
    case "AccountSuspendedException":
      return `Sending is paused for this account in ${region}: ${err.message}`;
    case "AccessDeniedException":
      return `The role may not call ses:SendEmail (it is only needed for this test): add it to the SendOpsSESAccess policy. (${err.message})`;
    default:
      return explainAwsError(err, env, region);
  }
}

const escapeHtml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

