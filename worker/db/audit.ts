import { and, desc, eq, getTableColumns, gte, inArray, lt, sql, type SQL } from "drizzle-orm";
import type { Actor } from "../context";
import type { Db } from "./client";
import { auditLog } from "./schema";

export interface AuditInput {
  orgId: string;
  actor: Actor;
  resourceType: string;
  resourceId: string;
  operation: string;
  summary: string;
  before?: unknown;
  after?: unknown;
  at?: number;
}

const auditRow = (e: AuditInput) => ({
  orgId: e.orgId,
  at: e.at ?? Date.now(),
  actorUserId: e.actor.userId,
  actorName: e.actor.name,
  actorEmail: e.actor.email,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  operation: e.operation,
  summary: e.summary,
  beforeJson: e.before === undefined ? null : JSON.stringify(e.before),
  afterJson: e.after === undefined ? null : JSON.stringify(e.after),
});

/**
 * The insert for one audit entry. Services put it in the same `db.batch([...])` as the change it
 * describes, so the change and its record commit together or not at all.
 */
export function auditInsert(db: Db, e: AuditInput) {
  return db.insert(auditLog).values(auditRow(e));
}

/**
 * `auditInsert` for a change that may be applied more than once (the OrgLedger's outbox, offered again
 * when its acknowledgement was lost): the entry is written unless the org already has one for the same
 * resource and operation with the same `before`, which must therefore identify the change.
 */
export function auditInsertOnce(db: Db, e: AuditInput & { before: object }) {
  const r = auditRow(e);
  const same = db
    .select({ one: sql`1` })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.orgId, r.orgId),
        eq(auditLog.resourceType, r.resourceType),
        eq(auditLog.resourceId, r.resourceId),
        eq(auditLog.operation, r.operation),
        eq(auditLog.beforeJson, r.beforeJson!), // set: `before` is an object
      ),
    );
  // INSERT … SELECT lists every column of the table in schema order; the id is assigned.
  const values = Object.keys(getTableColumns(auditLog)).map((k) => (k === "id" ? sql`NULL` : sql`${r[k as keyof typeof r]}`));
  return db.insert(auditLog).select(sql`SELECT ${sql.join(values, sql`, `)} WHERE NOT EXISTS ${same}`);
}

export interface AuditQuery {
  orgId: string;
  /** Entries before this time are outside the plan's retention and never returned. */
  since: number;
  resourceType?: string;
  /** Any of these stored operations. */
  operations?: readonly string[];
  /** Case-insensitive substring of the actor's name or email. */
  actor?: string;
  /** Keyset cursor: only entries with a smaller id. */
  beforeId?: number;
  limit: number;
}

/** Entries newest first, all filters AND-combined. */
export function listAuditEntries(db: Db, q: AuditQuery) {
  const where: SQL[] = [eq(auditLog.orgId, q.orgId), gte(auditLog.at, q.since)];
  if (q.resourceType) where.push(eq(auditLog.resourceType, q.resourceType));
  if (q.operations?.length) where.push(inArray(auditLog.operation, [...q.operations]));
  if (q.actor) {
    const needle = q.actor.toLowerCase();
    where.push(
      sql`(instr(lower(${auditLog.actorName}), ${needle}) > 0 or instr(lower(${auditLog.actorEmail}), ${needle}) > 0)`,
    );
  }
  if (q.beforeId !== undefined) where.push(lt(auditLog.id, q.beforeId));
  return db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(q.limit)
    .all();
}

/** The distinct resource types and operations among an org's visible entries. */
export async function auditFacets(db: Db, orgId: string, since: number) {
  const visible = and(eq(auditLog.orgId, orgId), gte(auditLog.at, since));
  const [types, ops] = await db.batch([
    db.selectDistinct({ v: auditLog.resourceType }).from(auditLog).where(visible).orderBy(auditLog.resourceType),
    db.selectDistinct({ v: auditLog.operation }).from(auditLog).where(visible).orderBy(auditLog.operation),
  ]);
  return { resourceTypes: types.map((r) => r.v), operations: ops.map((r) => r.v) };
}
