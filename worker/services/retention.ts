import { and, eq, lt, sql } from "drizzle-orm";
import { getDb, type Db } from "../db/client";
import { auditLog, auditPruneCutoffs, orgs, orgSlugRedirects, sessions } from "../db/schema";
import { DAY } from "../lib/time";
import { RETENTION_DAYS } from "../lib/plans";
import { pruneIngestRound } from "../db/ingest";
import { listShardDaysBefore, pruneAppliedShardTokens } from "../db/event-shards";
import type { Env } from "../env";
import { destroyShards, SHARD_RETRY_HORIZON_MS } from "./event-shards";

/**
 * Daily pruning. Audit entries go through the one documented exception to the append-only triggers:
 * record the org's cutoff (the trigger refuses a cutoff under 7 days old), then delete rows older than it.
 */
export async function pruneExpired(
  db: Db,
  at = Date.now(),
): Promise<{ auditDeleted: number; eventsDeleted: number; messagesDeleted: number }> {
  const all = await db.select({ id: orgs.id, plan: orgs.plan }).from(orgs).all();
  let auditDeleted = 0;
  let eventsDeleted = 0;
  let messagesDeleted = 0;
  for (const org of all) {
    const cutoff = at - RETENTION_DAYS[org.plan] * DAY;
    const [, res] = await db.batch([
      db
        .insert(auditPruneCutoffs)
        .values({ orgId: org.id, pruneBefore: cutoff })
        .onConflictDoUpdate({ target: auditPruneCutoffs.orgId, set: { pruneBefore: sql`excluded.prune_before` } }),
      db.delete(auditLog).where(and(eq(auditLog.orgId, org.id), lt(auditLog.at, cutoff))),
    ]);
    auditDeleted += res.meta.changes ?? 0;
    const ingest = await pruneIngestData(db, org.id, cutoff);
    eventsDeleted += ingest.events;
    messagesDeleted += ingest.messages;
  }
  await db.batch([
    db.delete(sessions).where(lt(sessions.expiresAt, at)),
    db.delete(orgSlugRedirects).where(lt(orgSlugRedirects.expiresAt, at)),
  ]);
  return { auditDeleted, eventsDeleted, messagesDeleted };
}

/** Rows deleted per statement: each round stays short however large the org. */
export const PRUNE_CHUNK = 5000;

/**
 * Deletes the org's events (and the dedupe marks of dropped ones), messages, rejected payloads and ingest
 * counters older than `cutoff`, in bounded rounds until none is left. Rollups stay: reports over old
 * ranges keep working.
 */
async function pruneIngestData(db: Db, orgId: string, cutoff: number): Promise<{ events: number; messages: number }> {
  const totals = { events: 0, messages: 0 };
  for (;;) {
    const round = await pruneIngestRound(db, orgId, cutoff, PRUNE_CHUNK);
    totals.events += round.events;
    totals.messages += round.messages;
    if (Object.values(round).every((n) => n < PRUNE_CHUNK)) return totals;
  }
}
/**
 * Retention on the shard path (docs/scaling.md, Shards: retention): a shard whose whole send day is older
 * than the plan's retention is deleted at once (its messages and every event of them), not row by row;
 * then the applied tokens no retry can bring back are forgotten.
 */
export async function pruneExpiredShards(env: Pick<Env, "DB" | "EVENT_SHARDS">, at: number): Promise<{ shardsDropped: number; tokensPruned: number }> {
  const all = await getDb(env.DB).select({ id: orgs.id, plan: orgs.plan }).from(orgs).all();
  let shardsDropped = 0;
  for (const org of all) {
    // A day before the cutoff's day ends at or before the cutoff.
    const cutoffDay = new Date(at - RETENTION_DAYS[org.plan] * DAY).toISOString().slice(0, 10);
    const days = await listShardDaysBefore(env.DB, org.id, cutoffDay);
    await destroyShards(env, org.id, days);
    shardsDropped += days.length;
  }
  return { shardsDropped, tokensPruned: await pruneAppliedShardTokens(env.DB, at - SHARD_RETRY_HORIZON_MS) };
}
