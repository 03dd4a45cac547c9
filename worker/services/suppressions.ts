/**
 * The Suppression List viewer (docs/reports.md): the workspace's copy of its SES account-level
 * suppression list, searched, filtered and sorted in D1, refreshed by a sync job on the jobs queue, and
 * deleted from in SES first, then in the copy. The demo workspace's copy comes from its own events.
 */
import { z } from "zod";
import type { OrgContext } from "../context";
import type { Env } from "../env";
import { getDb } from "../db/client";
import { auditInsert } from "../db/audit";
import { findAwsConnection } from "../db/aws";
import {
  advanceSuppressionSync,
  countSuppressions,
  decrementSuppressionCountQuery,
  deleteSuppressionQuery,
  deleteUnseenSuppressionsQuery,
  findOrgsDueForSync,
  findSuppression,
  findSuppressionSync,
  listSuppressionRows,
  saveSuppressionSync,
  updateSuppressionSyncQuery,
  upsertSuppressionQueries,
  mergeSuppressedRecipients,
  upsertSuppressionsFromEventsQuery,
  type SuppressedRecipient,
  type SuppressionQuery,
  type SuppressionRow,
} from "../db/suppressions";
import { SHARD_READ_CONCURRENCY } from "../db/event-store";
import { resolveEventStore } from "./event-store-migration";
import { listShardDays } from "../db/event-shards";
import { AwsError } from "../aws/common";
import { SUPPRESSION_PAGE_MAX, SUPPRESSION_REASONS } from "../aws/ses";
import { AppError, notFound } from "../lib/errors";
import { decodeCursor, paginate, paginationQuery, type Page } from "../lib/pagination";
import { HOUR, MINUTE } from "../lib/time";
import { awsFailure, explainAwsError, sesForOrg } from "./aws-connection";
import { DEMO_AWS, DEMO_ORG_ID } from "./demo";

export const listSuppressionsQuery = paginationQuery.extend({
  q: z.string().trim().max(254).optional().describe("Case-insensitive substring of the address."),
  reason: z.enum(SUPPRESSION_REASONS).optional().describe("Only entries SES suppressed for this reason."),
  sort: z.enum(["address", "lastUpdate"]).default("lastUpdate").describe("`lastUpdate` (default) or `address`."),
  order: z.enum(["asc", "desc"]).default("desc").describe("`desc` (default): newest first, or Z to A."),
});

export const suppressionSchema = z.object({
  email: z.string().describe("The suppressed address, as SES lists it."),
  reason: z.enum(SUPPRESSION_REASONS).describe("Why SES suppressed it: a hard bounce or a complaint."),
  lastUpdateTime: z.number().int().describe("Epoch ms: when SES last added or updated the entry."),
});
export type Suppression = z.infer<typeof suppressionSchema>;

/** One sync message handles this many SES pages (of 1,000) before handing on to the next message. */
export const SYNC_PAGES_PER_STEP = 10;
/** The cron refreshes a copy older than this. */
export const SYNC_STALE_AFTER = HOUR;
/** A sync whose chain has not finished after this long is taken as lost and may be started again. */
export const SYNC_STUCK_AFTER = 15 * MINUTE;

export interface SuppressionSyncJob {
  kind: "suppressions.sync";
  orgId: string;
  generation: number;
  step: number;
  nextToken: string | null;
}

const item = (r: SuppressionRow): Suppression => ({ email: r.email, reason: r.reason, lastUpdateTime: r.lastUpdateTime });
const addressCursor = z.tuple([z.string()]);
const timeCursor = z.tuple([z.number().int(), z.string()]);

/** One page of the copy, keyset-paginated in the chosen order. */
export async function listSuppressions(env: Env, orgId: string, q: z.infer<typeof listSuppressionsQuery>): Promise<Page<Suppression>> {
  let after: SuppressionQuery["after"];
  if (q.sort === "address") {
    const key = decodeCursor(q.cursor, addressCursor);
    after = key && { email: key[0] };
  } else {
    const key = decodeCursor(q.cursor, timeCursor);
    after = key && { lastUpdateTime: key[0], email: key[1] };
  }
  const rows = await listSuppressionRows(getDb(env.DB), {
    orgId,
    search: q.q ? q.q.toLowerCase() : undefined,
    reason: q.reason,
    sort: q.sort,
    order: q.order,
    after,
    limit: q.limit + 1,
  });
  return paginate(rows.map(item), q.limit, (r) => (q.sort === "address" ? [r.email] : [r.lastUpdateTime, r.email]));
}

export interface SuppressionSyncView {
  /** Whether there is a list to show: a validated AWS connection (or the demo's sample one). */
  connected: boolean;
  awsAccountId: string | null;
  region: string | null;
  running: boolean;
  /** Entries read so far by the running sync. */
  progress: number;
  startedAt: number | null;
  lastSyncedAt: number | null;
  count: number;
  lastError: string | null;
  lastErrorAt: number | null;
}

/** The sync's state; the first look at a connected workspace's list that was never synced starts its first sync. */
export async function getSuppressionSync(env: Env, org: Pick<OrgContext, "orgId" | "isDemo">, at = Date.now()): Promise<SuppressionSyncView> {
  const db = getDb(env.DB);
  const [connection, found] = await Promise.all([org.isDemo ? null : findAwsConnection(db, org.orgId), findSuppressionSync(db, org.orgId)]);
  const connected = org.isDemo || connection?.status === "connected";
  let sync = found;
  if (connected && !sync) {
    await startSync(env, org.orgId, undefined, at);
    sync = await findSuppressionSync(db, org.orgId);
  }
  return {
    connected,
    awsAccountId: org.isDemo ? DEMO_AWS.accountId : (connection?.roleArn?.split(":")[4] ?? null),
    region: org.isDemo ? DEMO_AWS.region : (connection?.region ?? null),
    running: sync?.running ?? false,
    progress: sync?.progress ?? 0,
    startedAt: sync?.startedAt ?? null,
    lastSyncedAt: sync?.lastSyncedAt ?? null,
    count: sync?.count ?? 0,
    lastError: sync?.lastError ?? null,
    lastErrorAt: sync?.lastErrorAt ?? null,
  };
}

/**
 * Starts a sync (Refresh, a new connection) unless one is running; answers the sync's state.
 * Refreshing is a read of SES: it needs only suppressions.view, and the demo may do it.
 */
export async function requestSuppressionSync(env: Env, org: Pick<OrgContext, "orgId" | "isDemo">, at = Date.now()): Promise<SuppressionSyncView> {
  const db = getDb(env.DB);
  if (!org.isDemo) {
    const connection = await findAwsConnection(db, org.orgId);
    if (connection?.status !== "connected") {
      throw new AppError("AWS_NOT_CONNECTED", 409, "Connect AWS first: the suppression list is read from your SES account.");
    }
  }
  await startSync(env, org.orgId, await findSuppressionSync(db, org.orgId), at);
  return getSuppressionSync(env, org, at);
}

/** Opens a new sync generation and queues its first step, unless a sync is running (and not stuck). */
async function startSync(env: Env, orgId: string, current: Awaited<ReturnType<typeof findSuppressionSync>>, at: number): Promise<void> {
  if (current?.running && current.startedAt >= at - SYNC_STUCK_AFTER) return;
  const generation = (current?.generation ?? 0) + 1;
  await saveSuppressionSync(getDb(env.DB), {
    orgId,
    generation,
    running: true,
    step: 0,
    startedAt: at,
    progress: 0,
    lastSyncedAt: current?.lastSyncedAt ?? null,
    count: current?.count ?? 0,
    lastError: null,
    lastErrorAt: null,
  });
  const job: SuppressionSyncJob = { kind: "suppressions.sync", orgId, generation, step: 0, nextToken: null };
  await env.JOBS_QUEUE.send(job, { contentType: "json" });
}

/** Ends a completed sync: what it did not see is gone from SES. */
async function finishSync(env: Env, orgId: string, generation: number, at: number) {
  const db = getDb(env.DB);
  await deleteUnseenSuppressionsQuery(db, orgId, generation);
  const count = await countSuppressions(db, orgId);
  await updateSuppressionSyncQuery(db, orgId, generation, { running: false, lastSyncedAt: at, count, progress: count });
}

async function failSync(env: Env, orgId: string, generation: number, message: string, at: number) {
  const db = getDb(env.DB);
  await updateSuppressionSyncQuery(db, orgId, generation, { running: false, lastError: message, lastErrorAt: at });
}

/**
 * One message of a sync: up to SYNC_PAGES_PER_STEP pages of ListSuppressedDestinations (1,000 each)
 * upserted into the copy. Returns the next message of the chain, or null when the sync is over (done,
 * failed, or this message was stale or a repeat). Throttling that outlasts the client's retries is
 * thrown, so the queue retries the message later.
 */
export async function runSuppressionSyncStep(env: Env, job: SuppressionSyncJob, at = Date.now()): Promise<SuppressionSyncJob | null> {
  const db = getDb(env.DB);
  const sync = await findSuppressionSync(db, job.orgId);
  if (!sync?.running || sync.generation !== job.generation || sync.step !== job.step) return null;
  if (job.orgId === DEMO_ORG_ID) {
    await copySuppressionsFromEvents(env, job.orgId, job.generation, at);
    if (!(await advanceSuppressionSync(db, job.orgId, job.generation, job.step, 0))) return null;
    await finishSync(env, job.orgId, job.generation, at);
    return null;
  }
  let progress = sync.progress;
  let token = job.nextToken;
  try {
    const { ses } = await sesForOrg(env, job.orgId);
    for (let page = 0; page < SYNC_PAGES_PER_STEP; page++) {
      const res = await ses.listSuppressedDestinations({ pageSize: SUPPRESSION_PAGE_MAX, nextToken: token });
      const upserts = upsertSuppressionQueries(db, job.orgId, job.generation, res.entries);
      if (upserts.length) await db.batch(upserts as [(typeof upserts)[number], ...typeof upserts]);
      progress += res.entries.length;
      token = res.nextToken;
      if (!token) break;
    }
  } catch (err) {
    if (err instanceof AwsError && err.throttled) throw err;
    const message =
      err instanceof AwsError
        ? explainAwsError(err, env, (await findAwsConnection(db, job.orgId))?.region ?? "")
        : err instanceof AppError
          ? err.message
          : null;
    if (message === null) throw err;
    await failSync(env, job.orgId, job.generation, message, at);
    return null;
  }
  if (!(await advanceSuppressionSync(db, job.orgId, job.generation, job.step, progress))) return null;
  if (token) return { ...job, step: job.step + 1, nextToken: token };
  await finishSync(env, job.orgId, job.generation, at);
  return null;
}

/** Upserts per D1 batch: as many as one page of a sync from SES writes (1,000 entries, 20 a statement). */
const BATCH_STATEMENTS = 50;

/**
 * The demo's copy, derived from its own stored events (a hard bounce or a complaint puts the recipient
 * on SES's list): from D1's `events`, or from every shard of the workspace the registry lists, merged.
 * Each entry is stamped with `generation`, as a sync from SES does.
 */
export async function copySuppressionsFromEvents(env: Env, orgId: string, generation: number, now: number): Promise<void> {
  const db = getDb(env.DB);
  if ((await resolveEventStore(env, now, "read")) !== "shards") {
    await upsertSuppressionsFromEventsQuery(db, orgId, generation);
    return;
  }
  const days = await listShardDays(env.DB, orgId);
  const lists: SuppressedRecipient[][] = [];
  for (let i = 0; i < days.length; i += SHARD_READ_CONCURRENCY) {
    const wave = days.slice(i, i + SHARD_READ_CONCURRENCY);
    lists.push(...(await Promise.all(wave.map((day) => env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(`${orgId}:${day}`)).suppressedRecipients()))));
  }
  const rows = mergeSuppressedRecipients(lists).map((r) => ({ email: r.recipient, reason: r.reason, lastUpdateTime: r.at }));
  const upserts = upsertSuppressionQueries(db, orgId, generation, rows);
  for (let i = 0; i < upserts.length; i += BATCH_STATEMENTS) {
    const part = upserts.slice(i, i + BATCH_STATEMENTS);
    await db.batch(part as [(typeof part)[number], ...typeof part]);
  }
}

/** Cron: start a sync for every connected workspace (and the demo) whose copy is over an hour old. */
export async function syncStaleSuppressionLists(env: Env, at = Date.now(), limit = 100): Promise<number> {
  const db = getDb(env.DB);
  // The query already keeps only connected workspaces (and the demo) with no live sync.
  const due = await findOrgsDueForSync(db, at - SYNC_STALE_AFTER, at - SYNC_STUCK_AFTER, limit);
  for (const orgId of due) await startSync(env, orgId, await findSuppressionSync(db, orgId), at);
  return due.length;
}

/**
 * Removes an address from the SES account-level list, then from the copy, with an audit entry in the
 * same batch. SES answering 404 means it is already gone there: the copy is cleaned up all the same.
 * An address not (yet) in the copy is looked up in SES first, so a typo is a 404, not a silent no-op.
 */
export async function deleteSuppression(env: Env, org: OrgContext, email: string, at = Date.now()) {
  const db = getDb(env.DB);
  const { ses } = await sesForOrg(env, org.orgId);
  const local = await findSuppression(db, org.orgId, email);
  let before: Suppression | null = local ? item(local) : null;
  let removedFromSes = true;
  try {
    before ??= await ses.getSuppressedDestination(email);
    await ses.deleteSuppressedDestination(email);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    if (err.code !== "NotFoundException") throw awsFailure(err);
    if (!local) throw notFound("Address on the suppression list");
    removedFromSes = false;
  }
  await db.batch([
    deleteSuppressionQuery(db, org.orgId, email),
    ...(local ? [decrementSuppressionCountQuery(db, org.orgId)] : []),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "suppressed_destination",
      resourceId: email,
      operation: "delete",
      summary: removedFromSes
        ? `Removed ${email} from the SES suppression list (${before!.reason})`
        : `Removed ${email} from the suppression list copy (already gone from SES)`,
      before,
      at,
    }),
  ]);
  return { email, removedFromSes };
}
