import type { Env } from "../env";
import type { Db } from "./client";
import { listShardDays } from "./event-shards";
import {
  findMessage,
  listEventsPage,
  listMessageEvents,
  listMessagesPage,
  type EventFilter,
  type EventLogRowDb,
  type MessageEventRowDb,
  type MessageFilter,
  type MessageRowDb,
} from "./reports";
import { DAY } from "../lib/time";

/*
 * Where event and message rows live (docs/scaling.md, Shards): D1's `events` / `messages`, or one
 * EventShard per workspace and send day. `resolveEventStore` (worker/services/event-store-migration.ts)
 * is the one decision, from EVENT_STORE and the migration of D1's rows: the ingest writer
 * (worker/services/ingest/writer.ts) and `eventReadsOf` (worker/services/event-reads.ts), which picks
 * one of the reads below, both ask it.
 */

export type EventStore = "d1" | "shards";

/** A message for one recipient and every stored event of it, in time order. */
export interface StoredMessage {
  row: MessageRowDb;
  events: MessageEventRowDb[];
}

/** The reads of event and message rows (message search, message detail, event log, CSV export). */
export interface EventReads {
  /** One keyset page of messages, newest first (worker/db/reports.ts `listMessagesPage`). */
  messagesPage(f: MessageFilter): Promise<MessageRowDb[]>;
  message(orgId: string, messageId: string, recipient: string): Promise<StoredMessage | undefined>;
  /** One keyset page of the event log, newest first (worker/db/reports.ts `listEventsPage`). */
  eventsPage(f: EventFilter): Promise<EventLogRowDb[]>;
}

export function d1EventReads(db: Db): EventReads {
  return {
    messagesPage: (f) => listMessagesPage(db, f),
    async message(orgId, messageId, recipient) {
      const row = await findMessage(db, orgId, messageId, recipient);
      return row && { row, events: await listMessageEvents(db, orgId, messageId, recipient) };
    },
    eventsPage: (f) => listEventsPage(db, f),
  };
}

/** Shards the first wave of a read asks at once (retention's deletes go this many at a time too). */
export const SHARD_READ_CONCURRENCY = 6;

/**
 * The largest wave: each wave after the first asks twice as many shards as the one before, up to this.
 * A read asks each shard of its range at most once, so a request makes at most a year's shards plus
 * EVENT_SPAN_DAYS (395) Durable Object calls, under the Workers Paid plan's 1,000 subrequests per
 * request (10,000 on the current limits page, developers.cloudflare.com/workers/platform/limits/);
 * the cap bounds how many answers one wave holds in memory at once.
 */
export const SHARD_READ_MAX_WAVE = 96;

/** `days` cut into waves of 6, 12, 24, 48, 96, 96, … */
export function shardWaves<T>(days: T[]): T[][] {
  const waves: T[][] = [];
  for (let i = 0, size = SHARD_READ_CONCURRENCY; i < days.length; i += size, size = Math.min(size * 2, SHARD_READ_MAX_WAVE)) {
    waves.push(days.slice(i, i + size));
  }
  return waves;
}

/**
 * The longest time from a message's send to an event of it that the event log looks back for: an event
 * lives in the shard of its send day, so a range starting at `from` reads the shards from `from` minus
 * this. An event later than this after its send (a very late open) is still stored and shown in its
 * message's detail, but the event log finds it only in ranges starting within this span of the send.
 */
export const EVENT_SPAN_DAYS = 30;

const dayOf = (t: number) => new Date(Math.max(0, t)).toISOString().slice(0, 10);
const dayEnd = (day: string) => Date.parse(`${day}T00:00:00Z`) + DAY;

/** Compares as SQLite's BINARY collation does (UTF-8 bytes, i.e. code points), not as JS (UTF-16 units). */
function binary(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

const newestMessageFirst = (a: MessageRowDb, b: MessageRowDb) =>
  b.sent_at - a.sent_at || binary(b.message_id, a.message_id) || binary(b.recipient, a.recipient);
const newestEventFirst = (a: EventLogRowDb, b: EventLogRowDb) => b.at - a.at || b.id - a.id;

/**
 * Keyset pages of the shards `days` (newest first) merged into one: the shards are asked in growing
 * waves (`shardWaves`), each for a whole page; after a wave the merge is cut to `limit`, and the older
 * shards are left out once none can hold a row before the page's last one — a shard holds rows dated
 * before its day's end plus `spanMs` (`timeOf`: the row's sort time). A page a wave fills stops there; a
 * selective filter that must read a year of shards takes 8 waves instead of 61.
 */
async function fanOut<T>(
  days: string[],
  limit: number,
  spanMs: number,
  page: (day: string) => Promise<T[]>,
  order: (a: T, b: T) => number,
  timeOf: (row: T) => number,
): Promise<T[]> {
  let merged: T[] = [];
  const waves = shardWaves(days);
  for (const [i, wave] of waves.entries()) {
    const answers = await Promise.all(wave.map(page));
    merged = merged.concat(...answers).sort(order).slice(0, limit);
    const next = waves[i + 1]?.[0];
    if (next !== undefined && merged.length === limit && dayEnd(next) + spanMs <= timeOf(merged[limit - 1]!)) break;
  }
  return merged;
}

/**
 * The send day an SES message id carries: its first 16 hex digits are "01" and the send time in ms
 * (`0100018f7a2b9c3d-…` → 0x018f7a2b9c3d), which SES does not document, so it is only where a lookup
 * starts. Undefined for an id of another shape.
 */
export function sendDayHint(messageId: string): string | undefined {
  const m = /^01([0-9a-f]{14})-/i.exec(messageId);
  if (!m) return undefined;
  const ms = parseInt(m[1]!, 16);
  return ms > 0 && ms < 8.64e15 ? dayOf(ms) : undefined;
}

/** Shards hold no `channels`: the names of the channels of the rows, from D1 (one query). */
async function withChannelNames<T extends { channel_id: string | null; channel_name: string | null }>(d1: D1Database, rows: T[]): Promise<T[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.channel_id === null ? [] : [r.channel_id])))];
  if (!ids.length) return rows;
  const { results } = await d1
    .prepare("SELECT id, name FROM channels WHERE id IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(ids))
    .all<{ id: string; name: string }>();
  const names = new Map(results.map((c) => [c.id, c.name]));
  return rows.map((r) => ({ ...r, channel_name: r.channel_id === null ? null : (names.get(r.channel_id) ?? null) }));
}

/**
 * The shard reads: the registry (`event_shards`) lists the org's shards of the range, each answers the
 * D1 query's keyset page with the same SQL (durable-objects/event-shard.ts), and the pages are merged
 * in the D1 order, so cursors and pages are the same as D1's.
 */
export function shardEventReads(env: Env): EventReads {
  const shard = (orgId: string, day: string) => env.EVENT_SHARDS.get(env.EVENT_SHARDS.idFromName(`${orgId}:${day}`));
  return {
    async messagesPage(f) {
      // A message lives in the shard of its send day: the range's days are the shards to read.
      const days = await listShardDays(env.DB, f.orgId, f.from === undefined ? undefined : dayOf(f.from), f.to === undefined ? undefined : dayOf(f.to - 1));
      const rows = await fanOut(days, f.limit, 0, (day) => shard(f.orgId, day).messagesPage(day, f), newestMessageFirst, (m) => m.sent_at);
      return withChannelNames(env.DB, rows);
    },
    async message(orgId, messageId, recipient) {
      // The opaque id does not carry the send day, but an SES message id hints at it: the hinted day's
      // shard and its neighbours (a clock skew, a send at midnight) first, then the others newest first.
      const days = await listShardDays(env.DB, orgId);
      const hint = sendDayHint(messageId);
      const near = hint ? [hint, dayOf(dayEnd(hint) - 2 * DAY), dayOf(dayEnd(hint))] : [];
      const first = near.filter((d) => days.includes(d));
      const rest = days.filter((d) => !first.includes(d));
      for (const wave of [...(first.length ? [first] : []), ...shardWaves(rest)]) {
        const answers = await Promise.all(wave.map((day) => shard(orgId, day).message(day, orgId, messageId, recipient)));
        const found = answers.find((a) => a !== null);
        if (found) return { row: (await withChannelNames(env.DB, [found.row]))[0]!, events: found.events };
      }
      return undefined;
    },
    async eventsPage(f) {
      const span = EVENT_SPAN_DAYS * DAY;
      const days = await listShardDays(env.DB, f.orgId, f.from === undefined ? undefined : dayOf(f.from - span), f.to === undefined ? undefined : dayOf(f.to - 1));
      const rows = await fanOut(days, f.limit, span, (day) => shard(f.orgId, day).eventsPage(day, f), newestEventFirst, (e) => e.at);
      return withChannelNames(env.DB, rows);
    },
  };
}
