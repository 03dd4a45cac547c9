import type { Actor } from "../context";
import type { Env } from "../env";
import type { QualifyingRow } from "../classification/types";
import { auditInsertOnce } from "../db/audit";
import { getDb, type Db } from "../db/client";
import { deleteExclusionQuery } from "../db/undeliverable";
import type { OrgLedger, OutboxEntry } from "../../durable-objects/org-ledger";

/** Who the audit log names when SendOps itself ends an exclusion (a new failure after an Allow). */
const SYSTEM_ACTOR: Actor = { userId: null, name: "SendOps", email: "" };

/** The workspace's OrgLedger Durable Object. */
export function orgLedger(env: Env, orgId: string) {
  const ns = env.ORG_LEDGER;
  return ns.get(ns.idFromName(orgId));
}

/**
 * Hands qualifying rows to the workspace's OrgLedger, then brings D1 up to date with what the ledger
 * changed: each outbox entry it answers with is applied to D1 and acknowledged, until none is left.
 * Any failure throws, and the queue's retry of the batch offers the rows and the entries again.
 */
export async function recordQualifying(env: Env, orgId: string, rows: QualifyingRow[]): Promise<void> {
  const ledger = orgLedger(env, orgId);
  const db = getDb(env.DB);
  let pending = (await ledger.recordQualifying(rows)).outbox;
  while (pending.length) {
    await applyOutbox(db, orgId, pending);
    pending = await ledger.ackOutbox(pending.map((e) => e.key));
  }
}

/**
 * One D1 transaction that can be repeated: each ended Allow's exclusion row is deleted only if it is
 * still that Allow (a newer one stays), and its audit entry is written once (its `before` names the Allow).
 */
async function applyOutbox(db: Db, orgId: string, entries: OutboxEntry[]): Promise<void> {
  const [first, ...rest] = entries.flatMap((e) => [
    deleteExclusionQuery(db, orgId, e.email, e.allowedAt),
    auditInsertOnce(db, {
      orgId,
      actor: SYSTEM_ACTOR,
      resourceType: "undeliverable_address",
      resourceId: e.email,
      operation: "relist_after_failure",
      summary: `Listed ${e.email} again: a new failure arrived after it was allowed`,
      before: { status: "excluded", allowedAt: e.allowedAt, note: e.note },
      after: { status: "listed", reason: e.reason, subType: e.subType, events: e.events },
      at: e.at,
    }),
  ]);
  await db.batch([first!, ...rest]);
}
