import { DurableObject } from "cloudflare:workers";
import { ensureSchema } from "./sqlite-schema";
import type { Env } from "../worker/env";
import { outboxIncrements, type RollupIncrements, type ShardOutbox } from "../worker/db/event-shards";
import { DAY } from "../worker/lib/time";

/** A shard's outbox token handed to the buffer (durable-objects/event-shard.ts `PendingToken`). */
export interface BufferedToken {
  token: string;
  outbox: ShardOutbox;
}

/** Increments the buffer moved out of its sum, to be applied to D1 once under `id`. */
export interface RollupFlush {
  id: string;
  orgId: string;
  rollups: RollupIncrements[];
}

/**
 * What the buffer holds after a call. `held`: increments D1 does not have yet (summed, or in a flush not
 * confirmed). While held, `marks` is the registry mark (`rollup_buffers.pending_marks`) known to cover
 * them, null when none is; `epoch` names this held period, so a mark reported after it ended is ignored.
 * `release`: the call found the buffer empty and it had a mark: the registry may be cleared with it.
 */
export interface BufferState {
  held: boolean;
  epoch: number;
  marks: number | null;
  release: number | null;
}

export interface BufferAnswer extends BufferState {
  /** Every flush D1 has not confirmed, oldest first. */
  flushes: RollupFlush[];
}

/** A token seen this long ago can no longer be offered again (docs/scaling.md, Shards: the rollup buffer). */
export const SEEN_TOKEN_DAYS = 7;
/** Row keys the sum may hold before it is flushed whatever its age: a flush stays one D1 transaction of bounded size. */
export const BUFFER_MAX_KEYS = 2_000;
/** Seen tokens forgotten per call at most: pruning stays cheap, and calls outnumber new tokens. */
const SEEN_PRUNE_LIMIT = 100;

/**
 * The buffer's schema, version 1: the tokens it has taken (exactly-once), one row per taken outbox not yet
 * flushed (its increments; summed in memory, so an add writes one row however many rollup rows it moves),
 * the flushes not confirmed, and its registry state (epoch, mark).
 */
const SCHEMA_V1 = [
  "CREATE TABLE seen_tokens (token TEXT PRIMARY KEY, at INTEGER NOT NULL) WITHOUT ROWID",
  "CREATE INDEX seen_tokens_at ON seen_tokens (at)",
  "CREATE TABLE buffered (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, increments TEXT NOT NULL)",
  "CREATE TABLE flushes (seq INTEGER PRIMARY KEY, flush_id TEXT NOT NULL, org_id TEXT NOT NULL, increments TEXT NOT NULL, created_at INTEGER NOT NULL)",
  "CREATE TABLE state (id INTEGER PRIMARY KEY CHECK (id = 1), epoch INTEGER NOT NULL, marks INTEGER)",
  "INSERT INTO state (id, epoch, marks) VALUES (1, 1, NULL)",
];
const SCHEMA_VERSION = 1;

type Dim = string | number;

/** Increments summed per row key, per table. */
class IncrementSum {
  private readonly tables = new Map<string, { keyCols: string[]; valueCols: string[]; rows: Map<string, Dim[]> }>();
  keys = 0;

  add(groups: RollupIncrements[]) {
    for (const g of groups) {
      const table = this.tables.get(g.table) ?? { keyCols: g.keyCols, valueCols: g.valueCols, rows: new Map() };
      this.tables.set(g.table, table);
      for (const row of g.rows) {
        const id = JSON.stringify(row.slice(0, g.keyCols.length));
        const entry = table.rows.get(id);
        if (!entry) {
          table.rows.set(id, [...row]);
          this.keys++;
        } else for (let i = g.keyCols.length; i < row.length; i++) (entry[i] as number) += row[i] as number;
      }
    }
  }

  /** Rows whose increments cancel out (a unique open that moved back to its bucket) are left out. */
  increments(): RollupIncrements[] {
    return [...this.tables].flatMap(([table, t]) => {
      const rows = [...t.rows.values()].filter((r) => r.slice(t.keyCols.length).some((n) => n !== 0));
      return rows.length ? [{ table, keyCols: t.keyCols, valueCols: t.valueCols, rows }] : [];
    });
  }
}

/**
 * One per org, addressed by `env.ROLLUP_BUFFERS.idFromName(orgId)`: sums what the org's shard outbox
 * tokens add to D1 (rollups, counters, lag, registry row counts) and hands the sum to D1 as one flush per
 * interval, so each D1 row is written once per flush however many events moved it (docs/scaling.md,
 * Shards: the rollup buffer). The caller owns time and the interval.
 *
 * RPC API:
 *   add(orgId, tokens, now, intervalMs) → BufferAnswer   in one storage transaction: each token not
 *     taken before is recorded and its increments added to the sum; when the sum's oldest increment is
 *     `intervalMs` old (0: at once) or it holds more than BUFFER_MAX_KEYS rows, it becomes a flush
 *   take(orgId, now) → BufferAnswer   the sum becomes a flush whatever its age (the idle sweep)
 *   confirm(flushIds) → BufferState   D1 holds these flushes: they are dropped
 *   marked(epoch, marks)   the registry was marked with `marks` for the held period `epoch`
 *   destroy()   deletes all of its storage (closing the workspace)
 */
export class RollupBuffer extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private ready = false;
  /** The sum of the `buffered` rows and their oldest time, loaded from storage on first use. */
  private sum: IncrementSum | null = null;
  private oldest: number | null = null;
  /** The epoch was advanced and nothing has been held since (in memory: after a restart one more advance is harmless). */
  private idle = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
  }

  add(orgId: string, tokens: BufferedToken[], now: number, intervalMs: number): BufferAnswer {
    return this.transaction(() => {
      this.sql.exec(
        "DELETE FROM seen_tokens WHERE token IN (SELECT token FROM seen_tokens WHERE at < ?1 ORDER BY at LIMIT ?2)",
        now - SEEN_TOKEN_DAYS * DAY,
        SEEN_PRUNE_LIMIT,
      );
      const sum = this.loaded();
      for (const { token, outbox } of tokens) {
        if (this.sql.exec("SELECT 1 FROM seen_tokens WHERE token = ?1", token).toArray().length) continue;
        this.sql.exec("INSERT INTO seen_tokens (token, at) VALUES (?1, ?2)", token, now);
        const increments = outboxIncrements(outbox);
        if (!increments.length) continue;
        this.sql.exec("INSERT INTO buffered (at, increments) VALUES (?1, ?2)", now, JSON.stringify(increments));
        sum.add(increments);
        this.oldest ??= now;
      }
      if (this.oldest !== null && (now - this.oldest >= intervalMs || sum.keys > BUFFER_MAX_KEYS)) this.flush(orgId, now);
      return { ...this.state(), flushes: this.flushes() };
    });
  }

  take(orgId: string, now: number): BufferAnswer {
    return this.transaction(() => {
      this.loaded();
      if (this.oldest !== null) this.flush(orgId, now);
      return { ...this.state(), flushes: this.flushes() };
    });
  }

  confirm(flushIds: string[]): BufferState {
    return this.transaction(() => {
      this.sql.exec("DELETE FROM flushes WHERE flush_id IN (SELECT value FROM json_each(?1))", JSON.stringify(flushIds));
      return this.state();
    });
  }

  marked(epoch: number, marks: number): void {
    this.transaction(() => {
      this.sql.exec("UPDATE state SET marks = MAX(COALESCE(marks, 0), ?2) WHERE epoch = ?1", epoch, marks);
    });
  }

  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAll();
    this.ready = false;
    this.sum = null;
    this.oldest = null;
  }

  /**
   * Runs `fn` in one storage transaction; the in-memory sum follows storage only when it commits (a
   * failed transaction drops it, and the next call reloads it).
   */
  private transaction<T>(fn: () => T): T {
    this.schema();
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (err) {
      this.sum = null;
      this.oldest = null;
      this.idle = false;
      throw err;
    }
  }

  private schema() {
    if (this.ready) return;
    ensureSchema(this.ctx.storage, SCHEMA_V1, SCHEMA_VERSION);
    this.ready = true;
  }

  private loaded(): IncrementSum {
    if (this.sum) return this.sum;
    const sum = new IncrementSum();
    let oldest: number | null = null;
    for (const row of this.sql.exec<{ at: number; increments: string }>("SELECT at, increments FROM buffered ORDER BY seq")) {
      sum.add(JSON.parse(row.increments) as RollupIncrements[]);
      oldest ??= row.at;
    }
    this.sum = sum;
    this.oldest = oldest;
    return sum;
  }

  /** The sum becomes one flush (none when every increment cancelled out); the buffer starts empty. */
  private flush(orgId: string, now: number) {
    const increments = this.loaded().increments();
    if (increments.length) {
      this.sql.exec(
        "INSERT INTO flushes (flush_id, org_id, increments, created_at) VALUES (?1, ?2, ?3, ?4)",
        `flush:${orgId}:${crypto.randomUUID()}`,
        orgId,
        JSON.stringify(increments),
        now,
      );
    }
    this.sql.exec("DELETE FROM buffered");
    this.sum = new IncrementSum();
    this.oldest = null;
  }

  private flushes(): RollupFlush[] {
    return this.sql
      .exec<{ flush_id: string; org_id: string; increments: string }>("SELECT flush_id, org_id, increments FROM flushes ORDER BY seq")
      .toArray()
      .map((r) => ({ id: r.flush_id, orgId: r.org_id, rollups: JSON.parse(r.increments) as RollupIncrements[] }));
  }

  /**
   * The buffer's state. A call that finds it holding nothing ends the held period: the mark is released
   * (the caller may clear the registry with it) and a new epoch starts, so the next increments need a new
   * mark and a mark reported for the old period is ignored.
   */
  private state(): BufferState {
    const held = this.oldest !== null || this.sql.exec("SELECT 1 FROM flushes LIMIT 1").toArray().length > 0;
    const { epoch, marks } = this.sql.exec<{ epoch: number; marks: number | null }>("SELECT epoch, marks FROM state").one();
    if (held) {
      this.idle = false;
      return { held, epoch, marks, release: null };
    }
    if (this.idle && marks === null) return { held, epoch, marks, release: null };
    this.sql.exec("UPDATE state SET epoch = epoch + 1, marks = NULL");
    this.idle = true;
    return { held, epoch: epoch + 1, marks: null, release: marks };
  }
}
