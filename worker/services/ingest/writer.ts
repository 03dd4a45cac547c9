import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { batchWriteStatements, loadOrgIngestConfigs } from "../../db/ingest";
import { newId } from "../../lib/ids";
import { bucketStart } from "../../lib/time";
import type { OrgLedger, QualifyingRow } from "../../../durable-objects/org-ledger";
import { normaliseEvent, type EventRow } from "./normalise";
import type { SesEventBridgeEvent } from "./schemas";

export interface QueuedEvent {
  orgId: string;
  receivedAt: number;
  event: SesEventBridgeEvent;
}

export interface IngestBatchResult {
  batchId: string;
  /** Rows offered after filtering, rows newly stored, rows already stored. */
  rows: number;
  inserted: number;
  duplicates: number;
  dropped: number;
  /** Events of orgs that no longer exist (acknowledged, nothing stored). */
  orphaned: number;
}

const QUALIFYING_TYPES = new Set(["bounce", "complaint", "reject"]);

/**
 * Normalises and stores one consumer batch with an exactly-once effect:
 *   1. load each org's identities / channels / template tag;
 *   2. normalise (drop unmanaged identities, resolve channel, provider, template);
 *   3. ONE D1 batch (transaction): events (deduped by event_key), rollups, messages, counters;
 *   4. one Analytics Engine data point per newly inserted row (best effort, never retried);
 *   5. forward every qualifying row (bounce / complaint / reject) to the org's OrgLedger, new or not,
 *      so a retry after a Durable Object failure still delivers them (the ledger dedupes by event_key).
 * Any throw before 5 completes makes the queue retry the batch; step 3 then inserts nothing new.
 */
export async function ingestEvents(env: Env, items: QueuedEvent[], now = Date.now()): Promise<IngestBatchResult> {
  const db = getDb(env.DB);
  const batchId = newId("batch", now);
  const configs = await loadOrgIngestConfigs(db, [...new Set(items.map((i) => i.orgId))], env.DEFAULT_TEMPLATE_TAG);

  const rows: EventRow[] = [];
  const offered = new Map<string, number>();
  const dropped = new Map<string, Map<string, number>>();
  let droppedRows = 0;
  let orphaned = 0;
  for (const item of items) {
    const config = configs.get(item.orgId);
    if (!config) {
      orphaned++;
      continue;
    }
    const result = await normaliseEvent(item.event, config, item.receivedAt);
    if (result.ok) {
      rows.push(...result.rows);
      offered.set(item.orgId, (offered.get(item.orgId) ?? 0) + result.rows.length);
    } else {
      const counters = dropped.get(item.orgId) ?? new Map<string, number>();
      const name = `dropped.${result.reason}`;
      counters.set(name, (counters.get(name) ?? 0) + result.rows);
      dropped.set(item.orgId, counters);
      droppedRows += result.rows;
    }
  }
  if (!rows.length && !dropped.size) return { batchId, rows: 0, inserted: 0, duplicates: 0, dropped: 0, orphaned };

  const { statements, eventStatementCount } = batchWriteStatements(env.DB, {
    batchId,
    rows,
    offered,
    dropped,
    counterBucket: bucketStart(now, "hour"),
  });
  const results = await env.DB.batch<{ event_key: string }>(statements);

  const insertedKeys = new Set(results.slice(0, eventStatementCount).flatMap((r) => r.results.map((x) => x.event_key)));
  // A key offered twice in one batch was inserted once: claim each returned key once.
  const inserted = rows.filter((r) => insertedKeys.delete(r.eventKey));
  writeDataPoints(env, inserted);
  await forwardQualifying(env, rows);

  return { batchId, rows: rows.length, inserted: inserted.length, duplicates: rows.length - inserted.length, dropped: droppedRows, orphaned };
}

/** Analytics Engine: blobs org, channel, type, provider, template, bounce type, bounce sub-type; double latency; index org. */
function writeDataPoints(env: Env, rows: EventRow[]) {
  for (const r of rows) {
    try {
      env.EVENTS_AE.writeDataPoint({
        indexes: [r.orgId],
        blobs: [r.orgId, r.channelId ?? "", r.type, r.provider, r.template ?? "", r.bounceType ?? "", r.bounceSubType ?? ""],
        doubles: [r.latencyMs ?? 0],
      });
    } catch (err) {
      // The long-horizon store is best effort; D1 already holds the committed truth.
      console.error("ingest: Analytics Engine write failed", err);
      return;
    }
  }
}

export function qualifyingRowOf(r: EventRow): QualifyingRow {
  return {
    eventKey: r.eventKey,
    email: r.recipient,
    at: r.at,
    eventType: r.type,
    bounceType: r.bounceType,
    subType: r.type === "bounce" ? r.bounceSubType : r.type === "complaint" ? r.complaintFeedbackType : null,
    diagnostic: r.diagnostic ?? r.reason,
    messageId: r.messageId,
    channelId: r.channelId,
  };
}

async function forwardQualifying(env: Env, rows: EventRow[]) {
  const byOrg = new Map<string, QualifyingRow[]>();
  for (const r of rows) {
    if (!QUALIFYING_TYPES.has(r.type)) continue;
    const list = byOrg.get(r.orgId) ?? [];
    list.push(qualifyingRowOf(r));
    byOrg.set(r.orgId, list);
  }
  const ns = env.ORG_LEDGER as unknown as DurableObjectNamespace<OrgLedger>;
  await Promise.all([...byOrg].map(([orgId, list]) => ns.get(ns.idFromName(orgId)).recordQualifying(list)));
}
