import { and, asc, desc, eq, gt, isNull, lt, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { awsConnections, orgs, suppressedDestinations, suppressionSyncs } from "./schema";

export type SuppressionRow = typeof suppressedDestinations.$inferSelect;
export type SuppressionSyncRow = typeof suppressionSyncs.$inferSelect;
export type SuppressionSort = "address" | "lastUpdate";

export interface SuppressionQuery {
  orgId: string;
  /** Lower-cased substring of the address. */
  search?: string;
  reason?: SuppressionRow["reason"];
  sort: SuppressionSort;
  order: "asc" | "desc";
  /** Keyset: the sort key of the last row of the previous page. */
  after?: { email: string; lastUpdateTime?: number };
  limit: number;
}

/**
 * One page in index order: by address (the primary key) or by last update then address (the time index).
 * The search is a substring match, checked on each row the index walk reaches.
 */
export function listSuppressionRows(db: Db, q: SuppressionQuery) {
  const t = suppressedDestinations;
  const where: (SQL | undefined)[] = [eq(t.orgId, q.orgId)];
  if (q.reason) where.push(eq(t.reason, q.reason));
  if (q.search) where.push(sql`instr(lower(${t.email}), ${q.search}) > 0`);
  const past = q.order === "asc" ? gt : lt;
  const dir = q.order === "asc" ? asc : desc;
  if (q.sort === "address") {
    if (q.after) where.push(past(t.email, q.after.email));
    return db.select().from(t).where(and(...where)).orderBy(dir(t.email)).limit(q.limit).all();
  }
  if (q.after) {
    const at = q.after.lastUpdateTime ?? 0;
    where.push(or(past(t.lastUpdateTime, at), and(eq(t.lastUpdateTime, at), past(t.email, q.after.email))));
  }
  return db.select().from(t).where(and(...where)).orderBy(dir(t.lastUpdateTime), dir(t.email)).limit(q.limit).all();
}

export function findSuppression(db: Db, orgId: string, email: string) {
  return db
    .select()
    .from(suppressedDestinations)
    .where(and(eq(suppressedDestinations.orgId, orgId), eq(suppressedDestinations.email, email)))
    .get();
}

export function deleteSuppressionQuery(db: Db, orgId: string, email: string) {
  return db.delete(suppressedDestinations).where(and(eq(suppressedDestinations.orgId, orgId), eq(suppressedDestinations.email, email)));
}

/** D1 binds at most 100 parameters per statement: 5 columns × 20 rows. */
const UPSERT_ROWS = 20;

/** Statements that insert or refresh `rows`, stamped with the sync generation that saw them. */
export function upsertSuppressionQueries(db: Db, orgId: string, generation: number, rows: readonly Pick<SuppressionRow, "email" | "reason" | "lastUpdateTime">[]) {
  const out = [];
  for (let i = 0; i < rows.length; i += UPSERT_ROWS) {
    out.push(
      db
        .insert(suppressedDestinations)
        .values(rows.slice(i, i + UPSERT_ROWS).map((r) => ({ orgId, email: r.email, reason: r.reason, lastUpdateTime: r.lastUpdateTime, syncGeneration: generation })))
        .onConflictDoUpdate({
          target: [suppressedDestinations.orgId, suppressedDestinations.email],
          set: {
            reason: sql`excluded.reason`,
            lastUpdateTime: sql`excluded.last_update_time`,
            syncGeneration: sql`excluded.sync_generation`,
          },
        }),
    );
  }
  return out;
}

/**
 * The demo's copy, derived from its own events: every recipient that bounced permanently or complained
 * (a complaint wins, as SES records the latest reason), last updated at its latest such event.
 */
export function upsertSuppressionsFromEventsQuery(db: Db, orgId: string, generation: number) {
  return db.run(sql`
    INSERT INTO suppressed_destinations (org_id, email, reason, last_update_time, sync_generation)
    SELECT org_id, recipient,
           CASE WHEN max(type = 'complaint') = 1 THEN 'COMPLAINT' ELSE 'BOUNCE' END,
           max(at), ${generation}
    FROM events
    WHERE org_id = ${orgId} AND (type = 'complaint' OR (type = 'bounce' AND bounce_type = 'Permanent'))
    GROUP BY org_id, recipient
    ON CONFLICT (org_id, email) DO UPDATE SET
      reason = excluded.reason, last_update_time = excluded.last_update_time, sync_generation = excluded.sync_generation`);
}

/** A recipient the demo's copy lists, derived from stored events (an event shard answers these). */
export interface SuppressedRecipient {
  recipient: string;
  reason: SuppressionRow["reason"];
  /** Its latest permanent bounce or complaint. */
  at: number;
}

/**
 * `upsertSuppressionsFromEventsQuery`'s selection over one event shard's `events` (one org per shard):
 * per recipient that bounced permanently or complained, the reason (a complaint wins) and the latest
 * such event's time.
 */
export const SHARD_SUPPRESSED_RECIPIENTS_SQL = `SELECT recipient, CASE WHEN max(type = 'complaint') = 1 THEN 'COMPLAINT' ELSE 'BOUNCE' END AS reason, max(at) AS at
FROM events WHERE type = 'complaint' OR (type = 'bounce' AND bounce_type = 'Permanent') GROUP BY recipient`;

/**
 * Several shards' lists as one, as the D1 query groups them: a recipient that complained in any shard
 * is a complaint, last updated at its latest permanent bounce or complaint in any of them.
 */
export function mergeSuppressedRecipients(lists: SuppressedRecipient[][]): SuppressedRecipient[] {
  const merged = new Map<string, SuppressedRecipient>();
  for (const r of lists.flat()) {
    const seen = merged.get(r.recipient);
    merged.set(
      r.recipient,
      seen ? { recipient: r.recipient, reason: seen.reason === "COMPLAINT" || r.reason === "COMPLAINT" ? "COMPLAINT" : "BOUNCE", at: Math.max(seen.at, r.at) } : r,
    );
  }
  return [...merged.values()];
}

/** Deletes what the completed sync `generation` did not see: addresses no longer on the SES list. */
export function deleteUnseenSuppressionsQuery(db: Db, orgId: string, generation: number) {
  return db
    .delete(suppressedDestinations)
    .where(and(eq(suppressedDestinations.orgId, orgId), lt(suppressedDestinations.syncGeneration, generation)));
}

export async function countSuppressions(db: Db, orgId: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(suppressedDestinations)
    .where(eq(suppressedDestinations.orgId, orgId))
    .get();
  return row?.n ?? 0;
}

/** Statements that forget a workspace's copy and its sync state (its AWS account or region changed). */
export function clearSuppressionsQueries(db: Db, orgId: string) {
  return [
    db.delete(suppressedDestinations).where(eq(suppressedDestinations.orgId, orgId)),
    db.delete(suppressionSyncs).where(eq(suppressionSyncs.orgId, orgId)),
  ] as const;
}

export function findSuppressionSync(db: Db, orgId: string) {
  return db.select().from(suppressionSyncs).where(eq(suppressionSyncs.orgId, orgId)).get();
}

export function saveSuppressionSync(db: Db, row: SuppressionSyncRow) {
  const { orgId, ...set } = row;
  return db.insert(suppressionSyncs).values(row).onConflictDoUpdate({ target: suppressionSyncs.orgId, set });
}

/** Moves a running sync from `step` to the next; false when another delivery of the message already did. */
export async function advanceSuppressionSync(db: Db, orgId: string, generation: number, step: number, progress: number): Promise<boolean> {
  const res = await db
    .update(suppressionSyncs)
    .set({ step: step + 1, progress })
    .where(and(eq(suppressionSyncs.orgId, orgId), eq(suppressionSyncs.generation, generation), eq(suppressionSyncs.step, step), eq(suppressionSyncs.running, true)))
    .run();
  return res.meta.changes === 1;
}

export function updateSuppressionSyncQuery(db: Db, orgId: string, generation: number, set: Partial<Omit<SuppressionSyncRow, "orgId" | "generation">>) {
  return db.update(suppressionSyncs).set(set).where(and(eq(suppressionSyncs.orgId, orgId), eq(suppressionSyncs.generation, generation)));
}

/** The copy's entry count after a delete (the status shows it without counting 100k rows). */
export function decrementSuppressionCountQuery(db: Db, orgId: string) {
  return db
    .update(suppressionSyncs)
    .set({ count: sql`max(${suppressionSyncs.count} - 1, 0)` })
    .where(eq(suppressionSyncs.orgId, orgId));
}

/**
 * Workspaces whose copy is due: connected (or the demo), last refreshed before `staleBefore` (or never),
 * and no sync running unless it started before `stuckBefore` (its chain was lost).
 */
export async function findOrgsDueForSync(db: Db, staleBefore: number, stuckBefore: number, limit: number): Promise<string[]> {
  const rows = await db
    .select({ orgId: orgs.id })
    .from(orgs)
    .leftJoin(awsConnections, eq(awsConnections.orgId, orgs.id))
    .leftJoin(suppressionSyncs, eq(suppressionSyncs.orgId, orgs.id))
    .where(
      and(
        or(eq(awsConnections.status, "connected"), eq(orgs.isDemo, true)),
        or(isNull(suppressionSyncs.lastSyncedAt), lt(suppressionSyncs.lastSyncedAt, staleBefore)),
        or(isNull(suppressionSyncs.running), eq(suppressionSyncs.running, false), lt(suppressionSyncs.startedAt, stuckBefore)),
      ),
    )
    .limit(limit)
    .all();
  return rows.map((r) => r.orgId);
}
