import { and, eq, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { auditLog, auditPruneCutoffs, orgs, orgSlugRedirects, sessions } from "../db/schema";
import { DAY } from "../lib/time";
import { RETENTION_DAYS } from "../lib/plans";
import { pruneIngestRound } from "../db/ingest";

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