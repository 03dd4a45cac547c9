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

/**
 * The insert for one audit entry. Services put it in the same `db.batch([...])` as the change it
 * describes, so the change and its record commit together or not at all.
 */
export function auditInsert(db: Db, e: AuditInput) {
  return db.insert(auditLog).values({
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
}
