import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { batchWriteStatements, eventIdentity, findStoredEventKeys, loadOrgIngestConfigs } from "../../db/ingest";
import { resolveEventStore } from "../event-store-migration";
import { bucketStart } from "../../lib/time";
import type { QualifyingRow } from "../../classification/types";
import { recordQualifying } from "../org-ledger";
import { lagBucketStart, latencyBucket } from "./latency";
import { normaliseEvent, type DroppedRow, type EventRow } from "./normalise";
import { writeToShards } from "./shard-writer";
import type { SesEventBridgeEvent } from "./schemas";

export interface QueuedEvent {
  orgId: string;
  receivedAt: number;
  event: SesEventBridgeEvent;
}

export interface IngestBatchResult {
  /** Event rows offered after filtering, rows newly stored, rows (stored or dropped) seen before. */
  rows: number;
  inserted: number;
  duplicates: number;
  /** Rows newly dropped (a drop seen before is a duplicate). */
  dropped: number;
  /** Events of orgs that no longer exist (acknowledged, nothing stored). */
  orphaned: number;
}

const QUALIFYING_TYPES = new Set(["bounce", "complaint", "reject"]);

/**
 * Normalises and stores one consumer batch with an exactly-once effect:
 *   1. load each org's identities / channels / template tag;
 *   2. normalise (drop unmanaged identities, resolve channel, provider, template);
 *   3. D1 transactions of at most WRITE_CHUNK_ROWS rows each (`writeChunk`): events, rollups, messages,
 *      counters, ingestion lag, or the dedupe marks of dropped rows and their counters; a transaction commits only rows
 *      not stored (or dropped) before. With EVENT_STORE = "shards" the event rows go to the event shards
 *      instead (shard-writer.ts) once D1's rows are migrated (services/event-store-migration.ts), and
 *      only the dropped rows' transactions stay here;
 *   4. one Analytics Engine data point per newly inserted row (best effort, never retried);
 *   5. forward every qualifying row (bounce / complaint / reject) to the org's OrgLedger, new or not,
 *      so a retry after a Durable Object failure still delivers them (the ledger dedupes by event_key),
 *      and apply to D1 what the ledger changed (its outbox: services/org-ledger.ts).
 * Any throw before 5 completes makes the queue retry the batch; step 3 then inserts nothing it had
 * already committed.
 */
export async function ingestEvents(env: Env, items: QueuedEvent[], now = Date.now()): Promise<IngestBatchResult> {
  const db = getDb(env.DB);
  const configs = await loadOrgIngestConfigs(db, [...new Set(items.map((i) => i.orgId))], env.DEFAULT_TEMPLATE_TAG);

  const rows: EventRow[] = [];
  const drops: DroppedRow[] = [];
  let orphaned = 0;
  for (const [n, item] of items.entries()) {
    if (n > 0 && n % YIELD_EVERY_EVENTS === 0) await yieldToEventLoop();
    const config = configs.get(item.orgId);
    if (!config) {
      orphaned++;
      continue;
    }
    const result = await normaliseEvent(item.event, config, item.receivedAt);
    if (result.ok) rows.push(...result.rows);
    else drops.push(...result.drops);
  }
  if (!rows.length && !drops.length) return { rows: 0, inserted: 0, duplicates: 0, dropped: 0, orphaned };

  const inserted: EventRow[] = [];
  let dropped = 0;
  const claimed = new Set<string>();
  // The one place the event store is chosen: the shards take the event rows; dropped rows stay in D1.
  const toShards = (await resolveEventStore(env, now, "write")) === "shards";
  if (toShards) inserted.push(...(await writeToShards(env, rows, WRITE_CHUNK_ROWS, now)));
  const chunks: Chunk[] = [
    ...(toShards ? [] : chunked(rows).map((part) => ({ rows: part, drops: [] }))),
    ...chunked(drops).map((part) => ({ rows: [], drops: part })),
  ];
  for (const chunk of chunks) {
    await yieldToEventLoop();
    const fresh = await writeChunk(env.DB, chunk, claimed, now);
    inserted.push(...fresh.rows);
    dropped += fresh.drops.length;
  }
  writeDataPoints(env, inserted);
  await yieldToEventLoop();
  await forwardQualifying(env, rows);

  const offered = rows.length + drops.length;
  return { rows: rows.length, inserted: inserted.length, duplicates: offered - inserted.length - dropped, dropped, orphaned };
}

/** What one transaction writes: event rows, or the dedupe marks of dropped rows. */
interface Chunk {
  rows: EventRow[];
  drops: DroppedRow[];
}

/** Attempts at one transaction before the batch is left to the queue's retry. */
const WRITE_ATTEMPTS = 3;

/**
 * Writes one chunk in one transaction and returns what it inserted. Rows already claimed by an earlier
 * chunk of this batch are duplicates. The transaction fails as a whole when any of its events is already
 * stored (or, for drops, already dropped) — by an earlier attempt whose acknowledgement was lost, by an
 * earlier delivery of the event, or by a consumer running alongside: the stored ones are then looked up,
 * left out as duplicates, and the rest written again. A failure with none of them stored is not about
 * duplicates, and is thrown.
 */
async function writeChunk(d1: D1Database, part: Chunk, claimed: Set<string>, now: number): Promise<Chunk> {
  const unclaimed = <T extends EventRow | DroppedRow>(r: T) => {
    const id = eventIdentity(r);
    if (claimed.has(id)) return false;
    claimed.add(id);
    return true;
  };
  let fresh: Chunk = { rows: part.rows.filter(unclaimed), drops: part.drops.filter(unclaimed) };
  for (let attempt = 1; ; attempt++) {
    const statements = batchWriteStatements(d1, {
      ...fresh,
      counters: chunkCounters(part, fresh),
      counterBucket: bucketStart(now, "hour"),
      lags: chunkLags(fresh.rows, now),
      lagBucketStart: lagBucketStart(now),
    });
    if (!statements.length) return fresh;
    try {
      await d1.batch(statements);
      return fresh;
    } catch (err) {
      const stored = await findStoredEventKeys(d1, fresh.rows, fresh.drops);
      if (!stored.size || attempt === WRITE_ATTEMPTS) throw err;
      const notStored = (r: EventRow | DroppedRow) => !stored.has(eventIdentity(r));
      fresh = { rows: fresh.rows.filter(notStored), drops: fresh.drops.filter(notStored) };
    }
  }
}

/**
 * Per org: accepted = rows inserted, dropped.<reason> = drops recorded, duplicates = everything offered
 * (rows and drops) − what was written.
 */
function chunkCounters(part: Chunk, fresh: Chunk) {
  const out = new Map<string, Map<string, number>>();
  for (const r of [...part.rows, ...part.drops]) addCount(out, r.orgId, "duplicates", 1);
  for (const r of fresh.rows) {
    addCount(out, r.orgId, "accepted", 1);
    addCount(out, r.orgId, "duplicates", -1);
  }
  for (const r of fresh.drops) {
    addCount(out, r.orgId, `dropped.${r.reason}`, 1);
    addCount(out, r.orgId, "duplicates", -1);
  }
  return out;
}

/** Per org: the ingestion lag (processing time − the event's own time) of each row stored, as latency buckets. */
function chunkLags(rows: EventRow[], now: number) {
  const out = new Map<string, Map<number, number>>();
  for (const r of rows) {
    const m = out.get(r.orgId) ?? new Map<number, number>();
    const bucket = latencyBucket(Math.max(0, now - r.at));
    m.set(bucket, (m.get(bucket) ?? 0) + 1);
    out.set(r.orgId, m);
  }
  return out;
}

function addCount(counts: Map<string, Map<string, number>>, orgId: string, name: string, n: number) {
  const m = counts.get(orgId) ?? new Map<string, number>();
  m.set(name, (m.get(name) ?? 0) + n);
  counts.set(orgId, m);
}

/**
 * Rows per D1 write transaction. Each transaction is exactly-once on its own (it commits only events
 * not stored before, and the rollups and messages of exactly those), so a batch may commit in parts: a
 * retry after a failed part re-offers the committed ones, which count as duplicates. Short transactions
 * hold D1's single writer briefly, so report queries (and, locally, the runtime's one thread) are not
 * kept waiting.
 */
export const WRITE_CHUNK_ROWS = 50;

/** Events normalised between two yields to the event loop. */
const YIELD_EVERY_EVENTS = 25;

/**
 * Lets the runtime serve whatever else is waiting (above all ingest requests) before the consumer
 * goes on. Without it a batch runs as one block of work: promises resolved inside the isolate, and the
 * D1 and Durable Object calls, keep the event loop busy, so requests that arrived wait for the whole
 * batch. A timer is a real turn of the event loop, in which it also reads its sockets.
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function chunked<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += WRITE_CHUNK_ROWS) out.push(items.slice(i, i + WRITE_CHUNK_ROWS));
  return out;
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
  await Promise.all([...byOrg].map(([orgId, list]) => recordQualifying(env, orgId, list)));
}
