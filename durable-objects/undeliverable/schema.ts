/**
 * The Undeliverable list inside the OrgLedger Durable Object (SQLite storage), as plain functions over
 * `SqlStorage` (one module per concern in this folder; `store.ts` is what the DO class delegates to).
 * Four tables, created on first use:
 *
 * - `ul_events`: the OrgLedger's only copy of each qualifying event, kept for the plan's retention and
 *   deduped by event key: its category (`cat`, which fixes the event type and bounce type), the event's
 *   own sub-type, time, diagnostic, message and channel. For the configurable rules each event carries
 *   `pos`, its rank among its address's events of that category (1 = newest, null past the 100th: no
 *   rule can look further back). A rule "N in W days" holds for an address exactly when its `pos = N`
 *   event is inside the window, so previewing any knob is one index range scan per rule instead of a
 *   scan of every event.
 * - `ul_addresses`: per-address state kept current on ingest and by alarms: counts, latest locked
 *   events, last diagnostic, the outcome under the saved rules, the operator's exclusion (a mirror of
 *   D1, which is the durable record) and `next_check`, the moment the outcome can next change by itself.
 * - `ul_meta`: the saved rules, the plan's retention and the org id, pushed by the Worker on each call.
 * - `ul_outbox`: changes of the OrgLedger's own that D1 has not been told of yet (outbox.ts).
 */

/**
 * Columns of `ul_events` that only `listEvents` reads. Existing tables gain them by ALTER TABLE, which
 * needs a default for NOT NULL; every stored event has its message id.
 */
const EVENT_DETAILS = ["diagnostic TEXT", "message_id TEXT NOT NULL DEFAULT ''", "channel_id TEXT"];

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ul_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS ul_addresses (
    id INTEGER PRIMARY KEY,
    address TEXT NOT NULL UNIQUE,
    events INTEGER NOT NULL DEFAULT 0,
    oldest_at INTEGER, last_at INTEGER, last_diagnostic TEXT, diagnostic_at INTEGER,
    perm_at INTEGER, perm_sub TEXT, complaint_at INTEGER, complaint_sub TEXT, reject_at INTEGER,
    reason INTEGER, sub TEXT,
    status INTEGER NOT NULL DEFAULT 0,
    last_change INTEGER NOT NULL,
    excluded_at INTEGER, excluded_note TEXT, excluded_by TEXT,
    next_check INTEGER
  )`,
  `CREATE INDEX IF NOT EXISTS ul_addresses_status ON ul_addresses (status, last_change DESC, address)`,
  `CREATE INDEX IF NOT EXISTS ul_addresses_visible ON ul_addresses (last_change DESC, address) WHERE status > 0`,
  `CREATE INDEX IF NOT EXISTS ul_addresses_reason ON ul_addresses (reason, status, last_change DESC, address)`,
  `CREATE INDEX IF NOT EXISTS ul_addresses_next ON ul_addresses (next_check) WHERE next_check IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS ul_events (
    event_key TEXT PRIMARY KEY,
    addr_id INTEGER NOT NULL,
    cat INTEGER NOT NULL,
    sub TEXT,
    at INTEGER NOT NULL,
    pos INTEGER,
    ${EVENT_DETAILS.join(",\n    ")}
  )`,
  `CREATE INDEX IF NOT EXISTS ul_events_address_at ON ul_events (addr_id, at)`,
  // Ranked events of one address (at most 100 per category): ingest re-ranks through it.
  `CREATE INDEX IF NOT EXISTS ul_events_rank ON ul_events (addr_id, cat, pos, at) WHERE pos IS NOT NULL`,
  // Ranked events across addresses: "pos = N and at >= window start" per rule, for previews.
  `CREATE INDEX IF NOT EXISTS ul_events_rule ON ul_events (cat, pos, at, addr_id) WHERE pos IS NOT NULL`,
  `CREATE TABLE IF NOT EXISTS ul_outbox (key TEXT PRIMARY KEY, entry TEXT NOT NULL)`,
];

const ready = new WeakSet<SqlStorage>();
export function ensureSchema(sql: SqlStorage): void {
  if (ready.has(sql)) return;
  for (const stmt of SCHEMA) sql.exec(stmt);
  foldLegacyEvents(sql);
  ready.add(sql);
}

/**
 * Storage written before `ul_events` held whole events also kept every event a second time, in
 * `qualifying_events`: its details fill the columns `ul_events` gained, then it goes. Each step is
 * idempotent, so an interrupted fold completes on the next start.
 */
function foldLegacyEvents(sql: SqlStorage): void {
  if (!sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'qualifying_events'").toArray().length) return;
  const columns = new Set(sql.exec("SELECT * FROM ul_events LIMIT 0").columnNames);
  for (const column of EVENT_DETAILS) {
    if (!columns.has(column.split(" ")[0]!)) sql.exec(`ALTER TABLE ul_events ADD COLUMN ${column}`);
  }
  sql.exec(
    `UPDATE ul_events SET sub = q.sub_type, diagnostic = q.diagnostic, message_id = q.message_id, channel_id = q.channel_id
     FROM qualifying_events AS q WHERE q.event_key = ul_events.event_key`,
  );
  sql.exec("DROP TABLE IF EXISTS qualifying_events");
}
