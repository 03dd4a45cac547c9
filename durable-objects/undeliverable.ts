import { normaliseEmail } from "../worker/db/accounts";
import { getDb } from "../worker/db/client";
import { endExclusionsAfterFailure } from "../worker/services/undeliverable";
import { RETENTION_DAYS } from "../worker/lib/plans";
import {
  categorize,
  emptyBreakdown,
  evaluateDigest,
  windowStart,
  type AddressDigest,
} from "../worker/classification/evaluate";
import type {
  AddressStatus,
  AddressView,
  LedgerSettings,
  ListedAddress,
  ListQuery,
  QualifyingRow,
} from "../worker/classification/types";
import { previewDiff, PREVIEW_SAMPLE_SIZE, type Preview, type PreviewCounts } from "../worker/classification/preview";
import {
  CONFIGURABLE_RULES,
  defaultRules,
  MAX_EVENTS,
  reasonOfRank,
  reasonRank,
  rulesSchema,
  type Reason,
  sameRules,
  type ConfigurableRule,
  type Rules,
} from "../worker/classification/rules";
import { DAY } from "../worker/lib/time";

/**
 * The Undeliverable list inside the OrgLedger Durable Object (SQLite storage), as plain functions over
 * `SqlStorage` so the DO class only delegates. Three tables, created on first use:
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
 */

/** Reason ranks 1–3 are the locked rules; above are the configurable ones (ranked events). */
const LOCKED_RANKS = 3;
const LISTED = 1;
const EXCLUDED = 2;
/** Status values: 0 = known but not listed, 1 = listed, 2 = excluded by an operator. */
const STATUS_NAMES: Record<number, AddressStatus> = { 0: "clear", 1: "listed", 2: "excluded" };

type AddressRow = {
  id: number;
  address: string;
  events: number;
  oldest_at: number | null;
  last_at: number | null;
  last_diagnostic: string | null;
  diagnostic_at: number | null;
  perm_at: number | null;
  perm_sub: string | null;
  complaint_at: number | null;
  complaint_sub: string | null;
  reject_at: number | null;
  reason: number | null;
  sub: string | null;
  status: number;
  last_change: number;
  excluded_at: number | null;
  excluded_note: string | null;
  excluded_by: string | null;
  next_check: number | null;
};

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
];

const ready = new WeakSet<SqlStorage>();
function ensureSchema(sql: SqlStorage): void {
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

/**
 * Status, reason rank (0: none) and event count per address id, mirrored in memory for previews:
 * counting a candidate rule's matches is then a scan of one index plus array lookups, never a join.
 * Loaded on first use; every write of those columns goes through `mirror()`.
 */
type StateMirror = { status: Uint8Array; reason: Uint8Array; events: Uint32Array };
const mirrors = new WeakMap<SqlStorage, StateMirror>();

function stateMirror(sql: SqlStorage): StateMirror {
  let m = mirrors.get(sql);
  if (m) return m;
  const maxId = sql.exec<{ id: number | null }>("SELECT max(id) AS id FROM ul_addresses").one().id ?? 0;
  m = sized(maxId + 1);
  for (const [id, status, reason, events] of sql
    .exec<{ id: number; status: number; reason: number; events: number }>("SELECT id, status, coalesce(reason, 0), events FROM ul_addresses")
    .raw<[number, number, number, number]>()) {
    [m.status[id], m.reason[id], m.events[id]] = [status, reason, events];
  }
  mirrors.set(sql, m);
  return m;
}

const sized = (n: number): StateMirror => ({ status: new Uint8Array(n), reason: new Uint8Array(n), events: new Uint32Array(n) });

/** Records an address's new state in the mirror (if loaded); a deleted address is all zeros. */
function mirror(sql: SqlStorage, id: number, status: number, reason: number | null, events: number): void {
  let m = mirrors.get(sql);
  if (!m) return;
  if (id >= m.status.length) {
    const grown = sized(Math.max(id + 1, m.status.length * 2));
    grown.status.set(m.status);
    grown.reason.set(m.reason);
    grown.events.set(m.events);
    mirrors.set(sql, (m = grown));
  }
  [m.status[id], m.reason[id], m.events[id]] = [status, reason ?? 0, events];
}

/** Until the Worker tells the DO the plan, keep the longest retention any plan has (never prune early). */
const MAX_RETENTION_DAYS = Math.max(...Object.values(RETENTION_DAYS));

type Settings = { orgId: string | null; retentionDays: number; rules: Rules };
/** Settings are read on every re-evaluation: parsed once, dropped whenever they are written. */
const settingsCache = new WeakMap<SqlStorage, Settings>();

function readSettings(sql: SqlStorage): Settings {
  const cached = settingsCache.get(sql);
  if (cached) return cached;
  const settings = loadSettings(sql);
  settingsCache.set(sql, settings);
  return settings;
}

function loadSettings(sql: SqlStorage): Settings {
  const meta = new Map(sql.exec<{ key: string; value: string }>("SELECT key, value FROM ul_meta").toArray().map((r) => [r.key, r.value]));
  const rules = meta.get("rules");
  return {
    orgId: meta.get("org_id") ?? null,
    retentionDays: Number(meta.get("retention_days") ?? MAX_RETENTION_DAYS),
    rules: rules ? rulesSchema.parse(JSON.parse(rules)) : defaultRules(),
  };
}

function writeMeta(sql: SqlStorage, key: string, value: string): void {
  settingsCache.delete(sql);
  sql.exec("INSERT INTO ul_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
}

/**
 * Applies the Worker's view of the org. A rules change re-evaluates the addresses it can affect; a
 * retention change (plan change) re-evaluates everything.
 */
export function syncSettings(sql: SqlStorage, s: LedgerSettings, now: number): void {
  ensureSchema(sql);
  const cur = readSettings(sql);
  if (cur.orgId !== s.orgId) writeMeta(sql, "org_id", s.orgId);
  const rulesChanged = !sameRules(cur.rules, s.rules);
  if (rulesChanged) writeMeta(sql, "rules", JSON.stringify(s.rules));
  if (cur.retentionDays !== s.retentionDays) {
    writeMeta(sql, "retention_days", String(s.retentionDays));
    for (const { id } of sql.exec<{ id: number }>("SELECT id FROM ul_addresses").toArray()) refresh(sql, id, now);
  } else if (rulesChanged) {
    const ids = new Set(candidateMatches(sql, s.rules, s.retentionDays, now));
    for (const { id } of sql.exec<{ id: number }>("SELECT id FROM ul_addresses WHERE reason > ?", LOCKED_RANKS).toArray()) ids.add(id);
    for (const id of ids) refresh(sql, id, now);
  }
}

export function storedOrgId(sql: SqlStorage): string | null {
  ensureSchema(sql);
  return readSettings(sql).orgId;
}

const loadById = (sql: SqlStorage, id: number) => sql.exec<AddressRow>("SELECT * FROM ul_addresses WHERE id = ?", id).toArray()[0];
const loadByEmail = (sql: SqlStorage, email: string) =>
  sql.exec<AddressRow>("SELECT * FROM ul_addresses WHERE address = ?", normaliseEmail(email)).toArray()[0];

function digestOfRow(sql: SqlStorage, row: AddressRow): AddressDigest {
  const nth = new Map<string, number>();
  for (const e of sql.exec<{ cat: number; pos: number; at: number }>(
    "SELECT cat, pos, at FROM ul_events INDEXED BY ul_events_rank WHERE addr_id = ? AND pos IS NOT NULL",
    row.id,
  )) {
    nth.set(`${e.cat}:${e.pos}`, e.at);
  }
  const latest: AddressDigest["latest"] = {};
  if (row.perm_at !== null) latest.permanent_bounce = { at: row.perm_at, subType: row.perm_sub };
  if (row.complaint_at !== null) latest.complaint = { at: row.complaint_at, subType: row.complaint_sub };
  if (row.reject_at !== null) latest.rejected = { at: row.reject_at, subType: null };
  return { latest, nthRecent: (rule: ConfigurableRule, n: number) => nth.get(`${reasonRank(rule)}:${n}`) };
}

/**
 * Brings one address up to date at `now`: drops its events that left the retention window, evaluates
 * the saved rules, and saves the row (or deletes it once nothing is left and no exclusion holds).
 * `newestAt` is the newest event just ingested for it: a failure after an operator's Allow that lists
 * the address again ends the exclusion (its Allow time is returned).
 */
function refresh(sql: SqlStorage, id: number, now: number): void {
  const row = loadById(sql, id);
  if (row) refreshRow(sql, row, now);
}

function refreshRow(sql: SqlStorage, row: AddressRow, now: number, newestAt?: number): { endedExclusion: number | null } {
  const id = row.id;
  const { retentionDays, rules } = readSettings(sql);
  const cutoff = windowStart(now, retentionDays);
  if (row.oldest_at !== null && row.oldest_at < cutoff) {
    sql.exec("DELETE FROM ul_events WHERE addr_id = ? AND at < ?", id, cutoff);
    const left = sql.exec<{ n: number; oldest: number | null }>(
      "SELECT count(*) AS n, min(at) AS oldest FROM ul_events WHERE addr_id = ?",
      id,
    ).one();
    row.events = left.n;
    row.oldest_at = left.oldest;
    // Each column holds its category's latest event: older than the cutoff means none is left.
    if (row.perm_at !== null && row.perm_at < cutoff) [row.perm_at, row.perm_sub] = [null, null];
    if (row.complaint_at !== null && row.complaint_at < cutoff) [row.complaint_at, row.complaint_sub] = [null, null];
    if (row.reject_at !== null && row.reject_at < cutoff) row.reject_at = null;
  }
  if (row.events === 0 && row.excluded_at === null) {
    sql.exec("DELETE FROM ul_addresses WHERE id = ?", id);
    mirror(sql, id, 0, null, 0);
    return { endedExclusion: null };
  }
  const ev = evaluateDigest(digestOfRow(sql, row), rules, now, retentionDays);
  let endedExclusion: number | null = null;
  if (row.excluded_at !== null && newestAt !== undefined && newestAt > row.excluded_at && ev.reason !== null) {
    endedExclusion = row.excluded_at;
    [row.excluded_at, row.excluded_note, row.excluded_by] = [null, null, null];
  }
  row.reason = ev.reason === null ? null : reasonRank(ev.reason);
  row.sub = ev.subType;
  row.status = row.excluded_at !== null ? EXCLUDED : ev.reason !== null ? LISTED : 0;
  row.last_change = row.excluded_at ?? row.last_at ?? now;
  const retentionLapse = row.oldest_at === null ? null : row.oldest_at + retentionDays * DAY + 1;
  const checks = [ev.nextChange, retentionLapse].filter((t): t is number => t !== null);
  row.next_check = checks.length ? Math.min(...checks) : null;
  sql.exec(
    `UPDATE ul_addresses SET events = ?, oldest_at = ?, last_at = ?, last_diagnostic = ?, diagnostic_at = ?,
       perm_at = ?, perm_sub = ?, complaint_at = ?, complaint_sub = ?, reject_at = ?, reason = ?, sub = ?,
       status = ?, last_change = ?, excluded_at = ?, excluded_note = ?, excluded_by = ?, next_check = ?
     WHERE id = ?`,
    row.events,
    row.oldest_at,
    row.last_at,
    row.last_diagnostic,
    row.diagnostic_at,
    row.perm_at,
    row.perm_sub,
    row.complaint_at,
    row.complaint_sub,
    row.reject_at,
    row.reason,
    row.sub,
    row.status,
    row.last_change,
    row.excluded_at,
    row.excluded_note,
    row.excluded_by,
    row.next_check,
    id,
  );
  mirror(sql, id, row.status, row.reason, row.events);
  return { endedExclusion };
}

/**
 * Stores qualifying events (idempotent by event key) and re-evaluates each touched address once.
 * Returns how many were new and which operator exclusions a new failure ended (D1 must forget them).
 */
export function recordEvents(
  sql: SqlStorage,
  rows: readonly QualifyingRow[],
  now: number,
): { stored: number; relisted: { email: string; excludedAt: number }[] } {
  ensureSchema(sql);
  const cutoff = windowStart(now, readSettings(sql).retentionDays);
  // Each touched address is loaded once, updated in memory and written once by refreshRow.
  const touched = new Map<string, { row: AddressRow; newestAt: number }>();
  let stored = 0;
  for (const r of rows) {
    const c = categorize(r);
    if (!c || r.at < cutoff) continue;
    const email = normaliseEmail(r.email);
    let entry = touched.get(email);
    if (!entry) {
      const row =
        loadByEmail(sql, email) ??
        sql.exec<AddressRow>("INSERT INTO ul_addresses (address, last_change) VALUES (?, ?) RETURNING *", email, r.at).one();
      entry = { row, newestAt: r.at };
      touched.set(email, entry);
    }
    const { row } = entry;
    const cat = reasonRank(c.reason);
    const inserted = sql
      .exec(
        `INSERT INTO ul_events (event_key, addr_id, cat, sub, at, diagnostic, message_id, channel_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_key) DO NOTHING RETURNING 1`,
        r.eventKey,
        row.id,
        cat,
        r.subType,
        r.at,
        r.diagnostic,
        r.messageId,
        r.channelId,
      )
      .toArray().length;
    if (!inserted) continue;
    if (cat > LOCKED_RANKS) {
      const newer = sql.exec<{ n: number }>(
        `SELECT count(*) AS n FROM ul_events INDEXED BY ul_events_rank
         WHERE addr_id = ? AND cat = ? AND pos IS NOT NULL AND (at > ? OR (at = ? AND event_key > ?))`,
        row.id,
        cat,
        r.at,
        r.at,
        r.eventKey,
      ).one().n;
      if (newer < MAX_EVENTS) {
        // Older events move one place back; the one pushed past the 100th leaves the ranking for good.
        sql.exec(
          "UPDATE ul_events INDEXED BY ul_events_rank SET pos = CASE WHEN pos >= ? THEN NULL ELSE pos + 1 END WHERE addr_id = ? AND cat = ? AND pos > ?",
          MAX_EVENTS,
          row.id,
          cat,
          newer,
        );
        sql.exec("UPDATE ul_events SET pos = ? WHERE event_key = ?", newer + 1, r.eventKey);
      }
    }
    row.events++;
    row.oldest_at = Math.min(row.oldest_at ?? r.at, r.at);
    row.last_at = Math.max(row.last_at ?? r.at, r.at);
    if (r.diagnostic && r.at >= (row.diagnostic_at ?? r.at)) [row.last_diagnostic, row.diagnostic_at] = [r.diagnostic, r.at];
    if (c.reason === "permanent_bounce" && r.at >= (row.perm_at ?? r.at)) [row.perm_at, row.perm_sub] = [r.at, c.subType];
    if (c.reason === "complaint" && r.at >= (row.complaint_at ?? r.at)) [row.complaint_at, row.complaint_sub] = [r.at, c.subType];
    if (c.reason === "rejected") row.reject_at = Math.max(row.reject_at ?? r.at, r.at);
    entry.newestAt = Math.max(entry.newestAt, r.at);
    stored++;
  }
  const relisted: { email: string; excludedAt: number }[] = [];
  for (const [email, { row, newestAt }] of touched) {
    const { endedExclusion } = refreshRow(sql, row, now, newestAt);
    if (endedExclusion !== null) relisted.push({ email, excludedAt: endedExclusion });
  }
  return { stored, relisted };
}

/** The event type and bounce type of each category's events: `categorize` gives each pair one category. */
const SIGNALS: Record<Reason, Pick<QualifyingRow, "eventType" | "bounceType">> = {
  permanent_bounce: { eventType: "bounce", bounceType: "Permanent" },
  complaint: { eventType: "complaint", bounceType: null },
  rejected: { eventType: "reject", bounceType: null },
  repeated_transient: { eventType: "bounce", bounceType: "Transient" },
  undetermined: { eventType: "bounce", bounceType: "Undetermined" },
  soft_bounce_accumulation: { eventType: "bounce", bounceType: "Transient" },
};

type EventRow = {
  event_key: string;
  address: string;
  at: number;
  cat: number;
  sub: string | null;
  diagnostic: string | null;
  message_id: string;
  channel_id: string | null;
};

/**
 * Stored events newest first (ties by event key), of one address (an index range) or of all (a scan:
 * for tests and diagnostics). Events past retention that the alarm has not dropped yet are left out.
 */
export function listEvents(sql: SqlStorage, q: { email?: string; since?: number; limit: number }, now: number): QualifyingRow[] {
  ensureSchema(sql);
  const from = Math.max(q.since ?? 0, windowStart(now, readSettings(sql).retentionDays));
  const select = `SELECT e.event_key, a.address, e.at, e.cat, e.sub, e.diagnostic, e.message_id, e.channel_id
    FROM ul_events e JOIN ul_addresses a ON a.id = e.addr_id`;
  const order = "ORDER BY e.at DESC, e.event_key LIMIT ?";
  const rows =
    q.email === undefined
      ? sql.exec<EventRow>(`${select} WHERE e.at >= ? ${order}`, from, q.limit)
      : sql.exec<EventRow>(`${select} WHERE a.address = ? AND e.at >= ? ${order}`, normaliseEmail(q.email), from, q.limit);
  return rows.toArray().map((r) => ({
    eventKey: r.event_key,
    email: r.address,
    at: r.at,
    ...SIGNALS[reasonOfRank(r.cat)],
    subType: r.sub,
    diagnostic: r.diagnostic,
    messageId: r.message_id,
    channelId: r.channel_id,
  }));
}

/** The earliest `next_check`: when the DO's alarm should fire. */
export function nextDueAt(sql: SqlStorage): number | null {
  ensureSchema(sql);
  // The IS NOT NULL lets SQLite answer from the partial index instead of scanning every address.
  return sql.exec<{ t: number | null }>("SELECT min(next_check) AS t FROM ul_addresses WHERE next_check IS NOT NULL").one().t;
}

/** Alarm work: re-evaluates addresses whose windows or retention lapsed. `more` = call again. */
export function processDue(sql: SqlStorage, now: number, limit = 2000): { processed: number; more: boolean } {
  ensureSchema(sql);
  const due = sql
    .exec<{ id: number }>("SELECT id FROM ul_addresses WHERE next_check <= ? ORDER BY next_check LIMIT ?", now, limit + 1)
    .toArray();
  for (const { id } of due.slice(0, limit)) refresh(sql, id, now);
  return { processed: Math.min(due.length, limit), more: due.length > limit };
}

function view(row: AddressRow): AddressView {
  return {
    email: row.address,
    status: STATUS_NAMES[row.status]!,
    reason: row.reason === null ? null : reasonOfRank(row.reason),
    subType: row.sub,
    events: row.events,
    lastChange: row.last_change,
    lastDiagnostic: row.last_diagnostic,
    note: row.excluded_note,
    excludedAt: row.excluded_at,
    excludedBy: row.excluded_by,
  };
}

export function getAddress(sql: SqlStorage, email: string): AddressView | null {
  ensureSchema(sql);
  const row = loadByEmail(sql, email);
  return row ? view(row) : null;
}

/** One page, newest change first; `nextAfter` is the keyset for the following page (null at the end). */
export function listAddresses(sql: SqlStorage, q: ListQuery): { rows: ListedAddress[]; nextAfter: ListQuery["after"] | null } {
  ensureSchema(sql);
  const where: string[] = [];
  const binds: (string | number)[] = [];
  if (q.status === "all") where.push("status > 0");
  else {
    where.push("status = ?");
    binds.push(q.status === "listed" ? LISTED : EXCLUDED);
  }
  if (q.reason) {
    where.push("reason = ?");
    binds.push(reasonRank(q.reason));
  }
  if (q.search) {
    where.push("address LIKE ? ESCAPE '\\'");
    binds.push(`%${q.search.toLowerCase().replace(/[\\%_]/g, (m) => `\\${m}`)}%`);
  }
  if (q.after) {
    where.push("(last_change < ? OR (last_change = ? AND address > ?))");
    binds.push(q.after.lastChange, q.after.lastChange, q.after.email);
  }
  const rows = sql
    .exec<AddressRow>(
      `SELECT * FROM ul_addresses WHERE ${where.join(" AND ")} ORDER BY last_change DESC, address LIMIT ?`,
      ...binds,
      q.limit + 1,
    )
    .toArray();
  // The WHERE clause admits only status 1 and 2.
  const page = rows.slice(0, q.limit).map((r) => view(r) as ListedAddress);
  const last = page[page.length - 1];
  return { rows: page, nextAfter: rows.length > q.limit && last ? { lastChange: last.lastChange, email: last.email } : null };
}

/** Marks a listed address as excluded (the operator's Allow). */
export function excludeAddress(
  sql: SqlStorage,
  email: string,
  e: { at: number; note: string | null; by: string },
): AddressView | null {
  ensureSchema(sql);
  const row = loadByEmail(sql, email);
  if (!row) return null;
  sql.exec(
    "UPDATE ul_addresses SET excluded_at = ?, excluded_note = ?, excluded_by = ?, status = ?, last_change = ? WHERE id = ?",
    e.at,
    e.note,
    e.by,
    EXCLUDED,
    e.at,
    row.id,
  );
  mirror(sql, row.id, EXCLUDED, row.reason, row.events);
  return view(loadById(sql, row.id)!);
}

/** Removes the exclusion; the address is listed again if its events still match a rule. */
export function relistAddress(sql: SqlStorage, email: string, now: number): AddressView | null {
  ensureSchema(sql);
  const row = loadByEmail(sql, email);
  if (!row) return null;
  sql.exec("UPDATE ul_addresses SET excluded_at = NULL, excluded_note = NULL, excluded_by = NULL WHERE id = ?", row.id);
  refresh(sql, row.id, now);
  const after = loadById(sql, row.id);
  return after ? view(after) : null;
}

/**
 * For every address some enabled configurable rule of `rules` matches at `now`: the rank of the best
 * such rule, indexed by address id (0: none). One range scan of the rule index per enabled rule
 * (`pos = N and at >= window start`, covering), highest priority first.
 */
function bestMatches(sql: SqlStorage, rules: Rules, retentionDays: number, now: number, size: number): Uint8Array {
  const best = new Uint8Array(size);
  for (const rule of CONFIGURABLE_RULES) {
    const k = rules[rule];
    if (!k.enabled) continue;
    const cat = reasonRank(rule);
    for (const [id] of sql
      .exec<{ addr_id: number }>(
        "SELECT addr_id FROM ul_events INDEXED BY ul_events_rule WHERE cat = ? AND pos = ? AND at >= ?",
        cat,
        k.events,
        windowStart(now, Math.min(k.windowDays, retentionDays)),
      )
      .raw<[number]>()) {
      if (best[id] === 0) best[id] = cat;
    }
  }
  return best;
}

function candidateMatches(sql: SqlStorage, rules: Rules, retentionDays: number, now: number): number[] {
  const best = bestMatches(sql, rules, retentionDays, now, stateMirror(sql).status.length);
  const ids: number[] = [];
  best.forEach((cat, id) => cat && ids.push(id));
  return ids;
}

/** The list under candidate rules compared with the list now. Reads only. */
export function previewRules(sql: SqlStorage, candidate: Rules, now: number): Preview {
  ensureSchema(sql);
  const { retentionDays } = readSettings(sql);
  const m = stateMirror(sql);
  const best = bestMatches(sql, candidate, retentionDays, now, m.status.length);
  const listedByReason = emptyBreakdown();
  // [candidate rank][excluded, none, configurable, locked]
  const tally = new Map<number, [number, number, number, number]>();
  const added: number[] = [];
  for (let id = 0; id < best.length; id++) {
    const status = m.status[id]!;
    const reason = m.reason[id]!;
    if (status === LISTED) listedByReason[reasonOfRank(reason)]++;
    const cat = best[id]!;
    if (cat === 0) continue;
    const t = tally.get(cat) ?? [0, 0, 0, 0];
    tally.set(cat, t);
    if (status === EXCLUDED) t[0]++;
    else if (reason === 0) {
      t[1]++;
      added.push(id);
    } else if (reason > LOCKED_RANKS) t[2]++;
    else t[3]++;
  }
  const counts: PreviewCounts = { listedByReason, candidateGroups: [], sampleAdditions: [] };
  for (const [cat, [excluded, none, configurable, locked]] of tally) {
    const candidate = reasonOfRank(cat);
    counts.candidateGroups.push(
      { candidate, current: "none", excluded: true, count: excluded },
      { candidate, current: "none", excluded: false, count: none },
      { candidate, current: "configurable", excluded: false, count: configurable },
      { candidate, current: "locked", excluded: false, count: locked },
    );
  }
  // The additions with the most events (ties: oldest address first), without sorting them all.
  const before = (a: number, b: number) => m.events[a]! > m.events[b]! || (m.events[a] === m.events[b] && a < b);
  const top: number[] = [];
  for (const id of added) {
    if (top.length === PREVIEW_SAMPLE_SIZE && !before(id, top[top.length - 1]!)) continue;
    let i = top.length;
    while (i > 0 && before(id, top[i - 1]!)) i--;
    top.splice(i, 0, id);
    if (top.length > PREVIEW_SAMPLE_SIZE) top.pop();
  }
  counts.sampleAdditions = top.map((id) => ({
    email: sql.exec<{ address: string }>("SELECT address FROM ul_addresses WHERE id = ?", id).one().address,
    reason: reasonOfRank(best[id]!),
    events: m.events[id]!,
  }));
  return previewDiff(counts);
}

/**
 * What the OrgLedger exposes for the Undeliverable list, so its RPC methods are one-line delegations.
 * Every Worker call brings the current settings; due re-evaluations run before answering, so a read
 * never shows an address whose window lapsed a moment before the alarm fired.
 */
export class UndeliverableStore {
  private readonly sql: SqlStorage;
  /** The alarm as last set or read (undefined: not read yet), so ingest rarely waits on storage for it. */
  private alarmAt: number | null | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly db: D1Database,
  ) {
    this.sql = storage.sql;
  }

  /**
   * Runs `fn` as one SQLite transaction: all of it or none. On failure the in-memory caches of this
   * storage are dropped too, so they are reloaded from what was actually committed.
   */
  private atomically<T>(fn: () => T): T {
    try {
      return this.storage.transactionSync(fn);
    } catch (err) {
      settingsCache.delete(this.sql);
      mirrors.delete(this.sql);
      throw err;
    }
  }

  private catchUp(settings: LedgerSettings | null): void {
    const now = Date.now();
    this.atomically(() => {
      if (settings) syncSettings(this.sql, settings, now);
      while (processDue(this.sql, now).more);
    });
  }

  /** Points the alarm at the next due re-evaluation unless it already fires earlier. */
  async schedule(): Promise<void> {
    const next = nextDueAt(this.sql);
    if (next === null) return;
    if (this.alarmAt === undefined) this.alarmAt = await this.storage.getAlarm();
    if (this.alarmAt === null || next < this.alarmAt) {
      await this.storage.setAlarm(next);
      this.alarmAt = next;
    }
  }

  async record(rows: readonly QualifyingRow[]): Promise<{ stored: number }> {
    const { stored, relisted } = this.atomically(() => recordEvents(this.sql, rows, Date.now()));
    const orgId = storedOrgId(this.sql);
    if (relisted.length && orgId) await endExclusionsAfterFailure(getDb(this.db), orgId, relisted);
    await this.schedule();
    return { stored };
  }

  events(q: { email?: string; since?: number; limit: number }): QualifyingRow[] {
    return listEvents(this.sql, q, Date.now());
  }

  /** The alarm's share of the work: lapse windows and retention, then re-arm. */
  async alarm(): Promise<void> {
    // The alarm that is running is spent; schedule() sets the next one.
    this.alarmAt = null;
    this.catchUp(null);
    await this.schedule();
  }

  async sync(settings: LedgerSettings): Promise<void> {
    this.catchUp(settings);
    await this.schedule();
  }

  async list(settings: LedgerSettings, q: ListQuery) {
    this.catchUp(settings);
    await this.schedule();
    return listAddresses(this.sql, q);
  }

  async get(settings: LedgerSettings, email: string) {
    this.catchUp(settings);
    await this.schedule();
    return getAddress(this.sql, email);
  }

  async exclude(settings: LedgerSettings, email: string, e: { at: number; note: string | null; by: string }) {
    this.catchUp(settings);
    return this.atomically(() => excludeAddress(this.sql, email, e));
  }

  async relist(settings: LedgerSettings, email: string) {
    this.catchUp(settings);
    const view = this.atomically(() => relistAddress(this.sql, email, Date.now()));
    await this.schedule();
    return view;
  }

  async preview(settings: LedgerSettings, candidate: Rules): Promise<Preview> {
    this.catchUp(settings);
    await this.schedule();
    return previewRules(this.sql, candidate, Date.now());
  }
}
