import { and, eq, gte, lt, sql } from "drizzle-orm";
import type { Db } from "./client";
import { alertDomainThresholds, rollupSendingDomains } from "./schema";
import { ALERT_METRICS } from "../lib/alert-thresholds";
import type { TimeRange } from "../lib/time";

/* Data access of the sending-domain rollup (docs/alerts.md, "Sending domains"; ingest writes it: worker/db/ingest.ts) and of the domains' alert threshold overrides. */

export interface SendingDomainCounts {
  domain: string;
  /** Which of the ranges the counts are of (0: the first). */
  idx: number;
  counts: Record<(typeof ALERT_METRICS)[number], number>;
}

/** Each sending domain's counts in each of the (disjoint, hour-aligned) ranges: one read. */
export async function sumSendingDomains(db: Db, orgId: string, ranges: readonly TimeRange[]): Promise<SendingDomainCounts[]> {
  const t = rollupSendingDomains;
  const idx = sql.join(
    ranges.map((r, i) => sql`WHEN ${t.bucketStart} >= ${r.from} AND ${t.bucketStart} < ${r.to} THEN ${i}`),
    sql` `,
  );
  const from = Math.min(...ranges.map((r) => r.from));
  const to = Math.max(...ranges.map((r) => r.to));
  const sums = Object.fromEntries(ALERT_METRICS.map((m) => [m, sql<number>`SUM(${t[m]})`.mapWith(Number)])) as Record<(typeof ALERT_METRICS)[number], ReturnType<typeof sql<number>>>;
  const rows = await db
    .select({ domain: t.sendingDomain, idx: sql<number | null>`CASE ${idx} END`, ...sums })
    .from(t)
    .where(and(eq(t.orgId, orgId), gte(t.bucketStart, from), lt(t.bucketStart, to)))
    .groupBy(sql`1, 2`)
    .all();
  return rows
    .filter((r) => r.idx !== null)
    .map(({ domain, idx: i, ...counts }) => ({ domain, idx: Number(i), counts: counts as SendingDomainCounts["counts"] }));
}

export type DomainThresholdRow = typeof alertDomainThresholds.$inferSelect;

export function listDomainThresholds(db: Db, orgId: string) {
  return db.select().from(alertDomainThresholds).where(eq(alertDomainThresholds.orgId, orgId)).all();
}

export function upsertDomainThresholdsQuery(db: Db, row: DomainThresholdRow) {
  const { orgId: _o, domain: _d, ...set } = row;
  return db.insert(alertDomainThresholds).values(row).onConflictDoUpdate({ target: [alertDomainThresholds.orgId, alertDomainThresholds.domain], set });
}

export function deleteDomainThresholdsQuery(db: Db, orgId: string, domain: string) {
  return db.delete(alertDomainThresholds).where(and(eq(alertDomainThresholds.orgId, orgId), eq(alertDomainThresholds.domain, domain)));
}
