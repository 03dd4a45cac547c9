import { getTableColumns } from "drizzle-orm";
import { events, messages, type EventStoreMigrationState } from "./schema";

/*
 * Data access of the event store migration (docs/scaling.md, Shards: migrating existing data): the
 * state row `event_store_migration` (id 1), the walk of D1 `events` by id with the messages of each
 * chunk, and the deletes of the copied rows once the deployment reads the shards.
 */

export interface EventStoreMigration {
  state: EventStoreMigrationState;
  cursor: number;
  rewinds: number;
  rowsImported: number;
  startedAt: number;
  switchedAt: number | null;
  d1ClearedAt: number | null;
  updatedAt: number;
}

/** A D1 row as the shard stores it (blobs as ArrayBuffer). */
export type StoredRow = Record<string, SqlStorageValue>;

/** The columns an imported event keeps: all of D1's but its id (a shard numbers its own rows). */
export const IMPORTED_EVENT_COLUMNS = Object.values(getTableColumns(events))
  .map((c) => c.name)
  .filter((c) => c !== "id");
export const IMPORTED_MESSAGE_COLUMNS = Object.values(getTableColumns(messages)).map((c) => c.name);

const ROW_SQL = `SELECT state, cursor, rewinds, rows_imported AS rowsImported, started_at AS startedAt, switched_at AS switchedAt,
  d1_cleared_at AS d1ClearedAt, updated_at AS updatedAt FROM event_store_migration WHERE id = 1`;

export async function findMigration(d1: D1Database): Promise<EventStoreMigration | null> {
  return d1.prepare(ROW_SQL).first<EventStoreMigration>();
}

/**
 * Creates the state row unless it exists: 'shards' when D1 holds no event (nothing to copy), else
 * 'copying'. Returns the row and whether this call created it.
 */
export async function startMigration(d1: D1Database, now: number): Promise<{ row: EventStoreMigration; created: boolean }> {
  const [insert, select] = await d1.batch<EventStoreMigration>([
    d1
      .prepare(
        `INSERT OR IGNORE INTO event_store_migration (id, state, started_at, switched_at, d1_cleared_at, updated_at)
         SELECT 1, s.state, ?1, CASE s.state WHEN 'shards' THEN ?1 END, CASE s.state WHEN 'shards' THEN ?1 END, ?1
         FROM (SELECT CASE WHEN EXISTS (SELECT 1 FROM events) THEN 'copying' ELSE 'shards' END AS state) AS s`,
      )
      .bind(now),
    d1.prepare(ROW_SQL),
  ]);
  return { row: select!.results[0]!, created: (insert!.meta.changes ?? 0) > 0 };
}

/** Moves the state on only from `from` (compare and set); false when another walker did it first. */
export async function setMigrationState(d1: D1Database, from: EventStoreMigrationState, to: EventStoreMigrationState, now: number): Promise<boolean> {
  const res = await d1
    .prepare(
      `UPDATE event_store_migration SET state = ?2, updated_at = ?3, switched_at = CASE WHEN ?2 = 'switching' THEN ?3 ELSE switched_at END
       WHERE id = 1 AND state = ?1`,
    )
    .bind(from, to, now)
    .run();
  return (res.meta.changes ?? 0) > 0;
}

/** The next `limit` D1 events after `cursor` by id (a primary-key range scan across all orgs), and the messages of them. */
export async function readEventChunk(d1: D1Database, cursor: number, limit: number): Promise<{ events: (StoredRow & { id: number })[]; messages: StoredRow[] }> {
  const { results } = await d1
    .prepare(`SELECT id, ${IMPORTED_EVENT_COLUMNS.join(", ")} FROM events WHERE id > ?1 ORDER BY id LIMIT ?2`)
    .bind(cursor, limit)
    .all<Record<string, unknown>>();
  if (!results.length) return { events: [], messages: [] };
  const keys = [...new Set(results.map((e) => JSON.stringify([e.org_id, e.message_id, e.recipient])))];
  const found = await d1
    .prepare(
      `SELECT m.* FROM (SELECT DISTINCT j.value ->> 0 AS org_id, j.value ->> 1 AS message_id, j.value ->> 2 AS recipient FROM json_each(?1) AS j) AS k
       JOIN messages AS m ON m.org_id = k.org_id AND m.message_id = k.message_id AND m.recipient = k.recipient`,
    )
    .bind(`[${keys.join(",")}]`)
    .all<Record<string, unknown>>();
  return { events: results.map(storedRow) as (StoredRow & { id: number })[], messages: found.results.map(storedRow) };
}

/**
 * A D1 row with its BLOB values as ArrayBuffer, as a Durable Object's SQL binds them. D1 hands a BLOB
 * back as an array of byte values; `events.detail` may also be the JSON text of a row stored before
 * migration 0017, which stays text (the reader tells them apart, worker/lib/deflate.ts).
 */
function storedRow(row: Record<string, unknown>): StoredRow {
  const out: StoredRow = {};
  for (const [k, v] of Object.entries(row)) {
    out[k] = Array.isArray(v)
      ? Uint8Array.from(v as number[]).buffer
      : ArrayBuffer.isView(v)
        ? Uint8Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)).buffer
        : (v as SqlStorageValue);
  }
  return out;
}

/**
 * Records a copied chunk of `rows` D1 events: the registry rows of the shards it touched (their row
 * count as the shards report it), then the cursor, which only advances, and only if no rewind happened
 * since the walker read it (`rewinds`); the rows count as copied when the cursor passes them. One transaction.
 */
export async function recordImportedChunk(
  d1: D1Database,
  chunk: { shards: { orgId: string; day: string; rows: number }[]; cursor: number; rewinds: number; rows: number },
  now: number,
): Promise<void> {
  const shards = chunk.shards.map((s) =>
    d1
      .prepare(
        `INSERT INTO event_shards (org_id, day, event_rows) VALUES (?1, ?2, ?3)
         ON CONFLICT (org_id, day) DO UPDATE SET event_rows = MAX(event_rows, excluded.event_rows)`,
      )
      .bind(s.orgId, s.day, s.rows),
  );
  await d1.batch([
    ...shards,
    d1
      .prepare(
        `UPDATE event_store_migration SET updated_at = ?4,
           rows_imported = rows_imported + CASE WHEN rewinds = ?2 AND ?1 > cursor THEN ?3 ELSE 0 END,
           cursor = CASE WHEN rewinds = ?2 THEN MAX(cursor, ?1) ELSE cursor END WHERE id = 1`,
      )
      .bind(chunk.cursor, chunk.rewinds, chunk.rows, now),
  ]);
}

/** Rows deleted per statement when D1 lets go of the copied rows. */
const DELETE_ROWS = 1000;

/** Deletes up to DELETE_ROWS copied events (id ≤ cursor), else up to DELETE_ROWS messages; returns how many went. */
export async function deleteMigratedRows(d1: D1Database, cursor: number): Promise<number> {
  const eventsGone = await d1
    .prepare("DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE id <= ?1 LIMIT ?2)")
    .bind(cursor, DELETE_ROWS)
    .run();
  if (eventsGone.meta.changes) return eventsGone.meta.changes;
  const messagesGone = await d1.prepare("DELETE FROM messages WHERE rowid IN (SELECT rowid FROM messages LIMIT ?1)").bind(DELETE_ROWS).run();
  return messagesGone.meta.changes ?? 0;
}

export async function markD1Cleared(d1: D1Database, now: number): Promise<void> {
  await d1.prepare("UPDATE event_store_migration SET d1_cleared_at = ?1, updated_at = ?1 WHERE id = 1 AND d1_cleared_at IS NULL").bind(now).run();
}

/** Marks the migration alive (a job ran), so the cron does not queue another. */
export async function touchMigration(d1: D1Database, now: number): Promise<void> {
  await d1.prepare("UPDATE event_store_migration SET updated_at = ?1 WHERE id = 1").bind(now).run();
}

/** The migration if it is unfinished and no job touched it since `before` (a lost job message). */
export async function findStalledMigration(d1: D1Database, before: number): Promise<EventStoreMigration | null> {
  return d1.prepare(`${ROW_SQL} AND updated_at < ?1 AND d1_cleared_at IS NULL`).bind(before).first<EventStoreMigration>();
}

/** D1 events the copy has not passed yet (the admin status's remaining estimate). */
export async function countEventsAfter(d1: D1Database, cursor: number): Promise<number> {
  return (await d1.prepare("SELECT COUNT(*) AS n FROM events WHERE id > ?1").bind(cursor).first<{ n: number }>())!.n;
}
