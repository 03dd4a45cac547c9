/**
 * Account sync (docs/aws.md): reads the connected SES account — its status (sandbox or production,
 * quotas, review, enforcement, sending enabled), its identities and its configuration sets — and makes
 * them the workspace's own. Identities SES holds become managed identities, so their events are counted
 * instead of dropped as unmanaged (new ones are marked New; ones gone from SES are marked Detached and
 * still counted until archived). Configuration sets become channels (marked Discovered unless SendOps
 * created them); the stack's base set `sendops-events` is not a channel. Runs on the jobs queue: hourly
 * from the cron, and on demand ("Sync from AWS"). A failed sync is recorded and shown.
 */
import type { BatchItem } from "drizzle-orm/batch";
import type { Actor, OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { findAwsConnection, updateAwsConnectionQuery, type AwsConnectionRow } from "../../db/aws";
import { insertChannelQuery, listOrgChannels, updateChannelQuery, type ChannelRow } from "../../db/ingest";
import { listTrackingDomainRows } from "../../db/tracking-domains";
import { findOrgsDueForAccountSync } from "../../db/aws";
import { AwsError } from "../../aws/common";
import type { SesClient } from "../../aws/ses";
import { STACK_NAMES } from "../../aws/stack/template";
import { AppError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { HOUR, MINUTE } from "../../lib/time";
import { explainAwsError, sesForOrg } from "../aws-connection";
import { syncIdentities, type IdentitySyncChanges } from "../identities/sync";
import { queueProvisioningIfDue, readDiscoveredSettings } from "../channels/account-sync";
import { accountStatusOf, parseAccountStatus } from "./account-status";
import type { AwsAccountSyncView } from "./views";
import { productionRaise, type RaiseFn } from "../alerts/raise";
import { evaluateAccountHealth, evaluateSyncFailure } from "../alerts/account-health";

/** The cron re-syncs an account whose last sync is older than this. */
export const ACCOUNT_SYNC_STALE_AFTER = HOUR;
/** A sync that has not finished after this long is taken as lost and may be started again. */
export const ACCOUNT_SYNC_STUCK_AFTER = 15 * MINUTE;

/** Who the cron's syncs are recorded as in the audit log. */
export const ACCOUNT_SYNC_ACTOR: Actor = { userId: null, name: "AWS account sync", email: "system@sendops" };

export interface AccountSyncJob {
  kind: "aws.sync";
  orgId: string;
  /** The member who asked ("Sync from AWS"); null for the hourly cron. */
  actor: Actor | null;
}

export function accountSyncView(row: AwsConnectionRow | undefined, at: number): AwsAccountSyncView {
  return {
    running: row?.accountSyncStartedAt != null && row.accountSyncStartedAt >= at - ACCOUNT_SYNC_STUCK_AFTER,
    lastSyncedAt: row?.accountSyncedAt ?? null,
    lastError:
      row?.accountSyncErrorCode && row.accountSyncErrorAt
        ? { code: row.accountSyncErrorCode, message: row.accountSyncError ?? "", at: row.accountSyncErrorAt }
        : null,
    account: parseAccountStatus(row?.accountJson ?? null),
  };
}

const connectedOrThrow = (row: AwsConnectionRow | undefined) => {
  if (row?.status !== "connected") {
    throw new AppError("AWS_NOT_CONNECTED", 409, "Connect and validate an AWS role first: the sync reads your SES account through it.");
  }
  return row;
};

/** Queues a sync unless one is running (and not stuck); answers the sync's state. */
export async function requestAccountSync(env: Env, org: Pick<OrgContext, "orgId" | "actor">, at = Date.now()): Promise<AwsAccountSyncView> {
  const db = getDb(env.DB);
  const row = connectedOrThrow(await findAwsConnection(db, org.orgId));
  if (!accountSyncView(row, at).running) await startAccountSync(env, db, org.orgId, org.actor, at);
  return accountSyncView(await findAwsConnection(db, org.orgId), at);
}

async function startAccountSync(env: Env, db: Db, orgId: string, actor: Actor | null, at: number) {
  await updateAwsConnectionQuery(db, orgId, { accountSyncStartedAt: at });
  const job: AccountSyncJob = { kind: "aws.sync", orgId, actor };
  await env.JOBS_QUEUE.send(job, { contentType: "json" });
}

/** Cron: queue a sync for every connected workspace whose last one is over an hour old. */
export async function syncStaleAccounts(env: Env, at = Date.now(), limit = 100): Promise<number> {
  const db = getDb(env.DB);
  const due = await findOrgsDueForAccountSync(db, at - ACCOUNT_SYNC_STALE_AFTER, at - ACCOUNT_SYNC_STUCK_AFTER, limit);
  for (const orgId of due) await startAccountSync(env, db, orgId, null, at);
  return due.length;
}

/** What one sync changed, for the audit entry (nothing is audited when nothing changed). */
interface SyncChanges extends IdentitySyncChanges {
  discoveredChannels: string[];
  detachedChannels: string[];
}

/** Reads identities and configuration sets from SES and folds them into the workspace's rows. */
async function syncResources(db: Db, ses: SesClient, orgId: string, at: number) {
  const [sesIdentities, configurationSets, ownChannels, trackingDomains] = await Promise.all([
    ses.listEmailIdentities(),
    ses.listConfigurationSets(),
    listOrgChannels(db, orgId),
    listTrackingDomainRows(db, orgId),
  ]);
  // A tracking domain's SES identity exists for the tracking CNAME, not for sending: it is not a managed identity.
  const trackingSubdomains = new Set(trackingDomains.map((t) => t.subdomain.toLowerCase()));
  const identities = await syncIdentities(db, ses, orgId, at, sesIdentities, trackingSubdomains);
  const changes: SyncChanges = { ...identities.changes, discoveredChannels: [], detachedChannels: [] };
  const statements: BatchItem<"sqlite">[] = [...identities.statements, ...(await syncChannels(db, ses, orgId, configurationSets, ownChannels, changes, at))];
  return { statements, changes };
}

/**
 * Configuration sets → channels: new ones discovered (with the settings SES holds), gone ones detached,
 * returning ones attached again; a channel whose settings SendOps never knew gets them from SES.
 */
async function syncChannels(db: Db, ses: SesClient, orgId: string, configurationSets: string[], ownChannels: ChannelRow[], changes: SyncChanges, at: number) {
  const statements = [];
  const channelBySet = new Map(ownChannels.map((c) => [c.configurationSetName, c]));
  const sets = new Set(configurationSets.filter((n) => n !== STACK_NAMES.configurationSet));
  const unknownSettings = [...sets].filter((name) => !channelBySet.get(name)?.settingsJson);
  const settings = await readDiscoveredSettings(ses, unknownSettings);
  for (const name of sets) {
    const mine = channelBySet.get(name);
    const settingsJson = settings.get(name) ?? null;
    if (!mine) {
      changes.discoveredChannels.push(name);
      statements.push(insertChannelQuery(db, { id: newId("chn", at), orgId, name, configurationSetName: name, origin: "discovered", createdAt: at, settingsJson }));
    } else if (mine.detachedAt !== null || (settingsJson && !mine.settingsJson)) {
      statements.push(updateChannelQuery(db, orgId, mine.id, { detachedAt: null, ...(settingsJson && !mine.settingsJson ? { settingsJson } : {}) }));
    }
  }
  for (const mine of ownChannels) {
    if (sets.has(mine.configurationSetName) || mine.detachedAt !== null) continue;
    changes.detachedChannels.push(mine.configurationSetName);
    statements.push(updateChannelQuery(db, orgId, mine.id, { detachedAt: at }));
  }
  return statements;
}

function changeSummary(c: SyncChanges): string | null {
  const parts = [
    c.newIdentities.length && `${c.newIdentities.length} new identit${c.newIdentities.length === 1 ? "y" : "ies"} (${c.newIdentities.join(", ")})`,
    c.reattachedIdentities.length && `${c.reattachedIdentities.length} back in SES (${c.reattachedIdentities.join(", ")})`,
    c.detachedIdentities.length && `${c.detachedIdentities.length} detached (${c.detachedIdentities.join(", ")})`,
    c.discoveredChannels.length && `${c.discoveredChannels.length} configuration set${c.discoveredChannels.length === 1 ? "" : "s"} discovered as channels (${c.discoveredChannels.join(", ")})`,
    c.detachedChannels.length && `${c.detachedChannels.length} channel${c.detachedChannels.length === 1 ? "" : "s"} detached (${c.detachedChannels.join(", ")})`,
  ].filter(Boolean);
  return parts.length ? `AWS account sync: ${parts.join("; ")}` : null;
}

/**
 * The sync job. AWS failures are recorded on the connection (visible in the dashboard) and end the job;
 * throttling that outlasts the client's retries is thrown so the queue retries it later.
 */
export async function runAccountSync(env: Env, job: AccountSyncJob, at = Date.now(), raise: RaiseFn = productionRaise(env)): Promise<void> {
  const db = getDb(env.DB);
  const connection = await findAwsConnection(db, job.orgId);
  if (connection?.status !== "connected") {
    if (connection) await updateAwsConnectionQuery(db, job.orgId, { accountSyncStartedAt: null });
    return;
  }
  try {
    const { ses } = await sesForOrg(env, job.orgId);
    const account = accountStatusOf(await ses.getAccount());
    const { statements, changes } = await syncResources(db, ses, job.orgId, at);
    const summary = changeSummary(changes);
    await db.batch([
      updateAwsConnectionQuery(db, job.orgId, {
        accountJson: JSON.stringify(account),
        accountSyncedAt: at,
        accountSyncStartedAt: null,
        accountSyncErrorCode: null,
        accountSyncError: null,
        accountSyncErrorAt: null,
      }),
      ...statements,
      ...(summary
        ? [
            auditInsert(db, {
              orgId: job.orgId,
              actor: job.actor ?? ACCOUNT_SYNC_ACTOR,
              resourceType: "aws_account",
              resourceId: job.orgId,
              operation: "sync",
              summary,
              after: changes,
              at,
            }),
          ]
        : []),
    ]);
    // A verified domain and no default channels yet (first verification, or a provisioning that gave its claim back).
    await queueProvisioningIfDue(env, db, job.orgId);
    await evaluateAccountHealth(db, job.orgId, connection.region ?? "", parseAccountStatus(connection.accountJson), account, raise, at);
  } catch (err) {
    if (err instanceof AwsError && err.throttled) throw err;
    const failure =
      err instanceof AwsError
        ? { code: err.code, message: explainAwsError(err, env, connection.region ?? "") }
        : err instanceof AppError && err.code === "AWS_ERROR"
          ? { code: String((err.details as { awsCode?: string } | null)?.awsCode ?? err.code), message: err.message }
          : null;
    if (!failure) throw err;
    await updateAwsConnectionQuery(db, job.orgId, {
      accountSyncStartedAt: null,
      accountSyncErrorCode: failure.code,
      accountSyncError: failure.message,
      accountSyncErrorAt: at,
    });
    await evaluateSyncFailure(db, job.orgId, connection.region ?? "", failure.message, raise, at);
  }
}

export async function getAccountSyncState(env: Env, org: Pick<OrgContext, "orgId">, at = Date.now()): Promise<AwsAccountSyncView> {
  return accountSyncView(await findAwsConnection(getDb(env.DB), org.orgId), at);
}
