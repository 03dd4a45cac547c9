/*
 * The rollup buffers' registry in D1 (`rollup_buffers`, docs/scaling.md, Shards: the rollup buffer): a
 * row is pending while its org's buffer may hold increments D1 lacks, so the frequent cron can flush a
 * buffer no traffic flushes any more. Marks are counted, as for `event_shards`: a clear names the count
 * it saw, and a mark made since keeps the row pending.
 */

/** Marks the org's buffer pending (the row is created on first use); returns the mark count a clear must name. */
export async function markBufferPending(d1: D1Database, orgId: string, now: number): Promise<number> {
  const row = await d1
    .prepare(
      `INSERT INTO rollup_buffers (org_id, pending_since, pending_marks) VALUES (?1, ?2, 1)
       ON CONFLICT (org_id) DO UPDATE SET pending_since = COALESCE(pending_since, excluded.pending_since), pending_marks = pending_marks + 1
       RETURNING pending_marks AS marks`,
    )
    .bind(orgId, now)
    .first<{ marks: number }>();
  return row!.marks;
}

/** The buffer holds nothing D1 lacks: no longer pending, unless it was marked again since `marks`. */
export async function clearBufferPending(d1: D1Database, orgId: string, marks: number) {
  await d1.prepare("UPDATE rollup_buffers SET pending_since = NULL WHERE org_id = ?1 AND pending_marks = ?2").bind(orgId, marks).run();
}

/** At most 1,000 orgs whose buffer is pending since before `before` (the `rollup_buffers_pending` index), oldest first. */
export async function listPendingBuffers(d1: D1Database, before: number): Promise<string[]> {
  const { results } = await d1
    .prepare("SELECT org_id AS orgId FROM rollup_buffers WHERE pending_since < ?1 ORDER BY pending_since LIMIT 1000")
    .bind(before)
    .all<{ orgId: string }>();
  return results.map((r) => r.orgId);
}
