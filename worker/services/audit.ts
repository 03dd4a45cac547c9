import { z } from "zod";
import type { OrgContext } from "../context";
import type { Db } from "../db/client";
import { auditFacets, listAuditEntries } from "../db/audit";
import { DAY } from "../lib/time";
import { RETENTION_DAYS } from "../lib/plans";
import { operationOf, storedFormsOf } from "./audit-vocabulary";

export const AUDIT_PAGE_MAX = 200;

export const auditQuerySchema = z.object({
  resourceType: z.string().max(64).optional(),
  operation: z.string().max(64).optional(),
  actor: z.string().trim().max(254).optional(),
  cursor: z.string().regex(/^\d{1,15}$/, "Invalid cursor.").optional(),
  limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(50),
});

/** Entries older than this are outside the plan's retention: hidden even before the daily prune deletes them. */
const visibleSince = (org: OrgContext, at: number) => at - RETENTION_DAYS[org.plan] * DAY;

const parseJson = (v: string | null): unknown => (v === null ? null : JSON.parse(v));

/** One page of the audit log, newest first; `nextCursor` is null on the last page. */
export async function listAudit(db: Db, org: OrgContext, query: z.infer<typeof auditQuerySchema>, at = Date.now()) {
  const rows = await listAuditEntries(db, {
    orgId: org.orgId,
    since: visibleSince(org, at),
    resourceType: query.resourceType || undefined,
    operations: query.operation ? storedFormsOf(query.operation) : undefined,
    actor: query.actor || undefined,
    beforeId: query.cursor === undefined ? undefined : Number(query.cursor),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return {
    entries: page.map((r) => ({
      id: r.id,
      at: r.at,
      actor: { userId: r.actorUserId, name: r.actorName, email: r.actorEmail },
      resourceType: r.resourceType,
      resourceId: r.resourceId,
      operation: operationOf(r.operation),
      summary: r.summary,
      before: parseJson(r.beforeJson),
      after: parseJson(r.afterJson),
    })),
    nextCursor: rows.length > query.limit ? String(page[page.length - 1]!.id) : null,
  };
}

export type AuditPage = Awaited<ReturnType<typeof listAudit>>;

/** The resource types and operations present in the org's visible entries (for the filter dropdowns). */
export async function listAuditFacets(db: Db, org: OrgContext, at = Date.now()) {
  const { resourceTypes, operations } = await auditFacets(db, org.orgId, visibleSince(org, at));
  return { resourceTypes, operations: [...new Set(operations.map(operationOf))].sort() };
}
