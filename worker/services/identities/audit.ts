import type { Actor } from "../../context";
import type { Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import type { IdentityRow } from "../../db/ingest";

/** What an identity's audit entries record as before/after. */
export const identitySnapshot = (r: IdentityRow) => ({
  identity: r.identity,
  kind: r.kind,
  verificationStatus: r.verificationStatus,
  dkimStatus: r.dkimStatus,
  configurationSetName: r.configurationSetName,
  detachedAt: r.detachedAt,
  archivedAt: r.archivedAt,
  disconnectedAt: r.disconnectedAt,
});

/** The audit entry of one identity change (operations: audit-vocabulary.ts). */
export function identityAudit(
  db: Db,
  e: { orgId: string; actor: Actor; row: IdentityRow; operation: string; summary: string; before?: IdentityRow | null; after?: IdentityRow | null; at: number },
) {
  return auditInsert(db, {
    orgId: e.orgId,
    actor: e.actor,
    resourceType: "identity",
    resourceId: e.row.id,
    operation: e.operation,
    summary: e.summary,
    before: e.before ? identitySnapshot(e.before) : undefined,
    after: e.after ? identitySnapshot(e.after) : undefined,
    at: e.at,
  });
}

export const kindLabel = (r: Pick<IdentityRow, "kind">) => (r.kind === "domain" ? "domain" : "email identity");
