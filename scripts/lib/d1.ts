/**
 * D1 from Node scripts, as the Worker's own drizzle `Db`, so scripts reuse the Worker's queries and
 * services instead of re-implementing them:
 *  - `wranglerDb` runs every query through `wrangler d1 execute` (the operator CLI with --remote; it
 *    works locally too, which is how the tests check it);
 *  - `localDb` keeps one local D1 binding open through wrangler's `getPlatformProxy`: the same local
 *    D1 as `wrangler d1 execute --local`, without starting wrangler for every query, retrying what a
 *    running `wrangler dev` makes fail for a moment (`retryingDb`).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getDb, type Db } from "../../worker/db/client";
import { isTransientStorageError, retryTransient, sleep, type RetryPolicy, type Sleep } from "../../worker/lib/transient";
import { offlineEnv, remoteEnv, ROOT, run, WRANGLER } from "./instance";

/** The deployed database, or the local one in a persist dir (as `wrangler dev --persist-to`). */
export type D1Target = { remote: true } | { remote?: false; persistDir: string };

/** A value as an SQL literal. wrangler binds no parameters, so parameters are inlined. */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "boolean") return value ? "1" : "0";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot store the number ${value} in D1`);
    return String(value);
  }
  if (typeof value === "string") {
    if (value.includes("\0")) throw new Error("cannot inline a string containing a NUL character");
    return `'${value.replace(/'/g, "''")}'`;
  }
  if (value instanceof Uint8Array || value instanceof ArrayBuffer) {
    const bytes = value instanceof Uint8Array ? value : new Uint8Array(value);
    return `X'${Buffer.from(bytes).toString("hex")}'`;
  }
  throw new Error(`cannot inline a parameter of type ${typeof value}`);
}

/** Replaces each `?` placeholder outside quotes, identifiers and comments with its parameter's literal. */
export function inlineParams(sql: string, params: readonly unknown[]): string {
  let out = "";
  let next = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"' || ch === "`") {
      const end = closingQuote(sql, i, ch);
      out += sql.slice(i, end + 1);
      i = end;
    } else if (ch === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (ch === "?") {
      if (next >= params.length) throw new Error(`SQL has more placeholders than the ${params.length} parameters: ${sql}`);
      out += sqlLiteral(params[next++]);
    } else {
      out += ch;
    }
  }
  if (next !== params.length) throw new Error(`SQL has ${next} placeholders but ${params.length} parameters: ${sql}`);
  return out;
}

function closingQuote(sql: string, start: number, quote: string): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] !== quote) continue;
    if (sql[i + 1] === quote) i++; // doubled quote = escaped
    else return i;
  }
  throw new Error(`unterminated ${quote} in SQL: ${sql}`);
}

interface ExecResult {
  results: Record<string, unknown>[];
  success: boolean;
  meta: Record<string, unknown>;
}

/** Linux caps one argv string at 128 KiB; locally longer batches go through a file instead. */
const MAX_COMMAND_BYTES = 100_000;

/** Each `wrangler d1 execute` starts a runtime (about a second), so a few spaced tries wait out a lock. */
const WRANGLER_LOCAL_RETRY: RetryPolicy = { attempts: 8, delayMs: 250 };

/** Runs SQL statements (`;`-separated) in one `wrangler d1 execute` call: one D1 batch, one transaction locally. */
export async function wranglerExecute(target: D1Target, sql: string): Promise<ExecResult[]> {
  const args = ["d1", "execute", "DB", "--json", "--yes"];
  let tmp: string | undefined;
  if (target.remote) {
    // Remote `--file` goes through D1's import API, which makes the database unavailable while it runs.
    if (Buffer.byteLength(sql) > MAX_COMMAND_BYTES) throw new Error("statement batch too large for one remote D1 query");
    args.push("--remote", "--command", sql);
  } else {
    args.push("--local", "--persist-to", target.persistDir);
    if (Buffer.byteLength(sql) > MAX_COMMAND_BYTES) {
      tmp = mkdtempSync(path.join(os.tmpdir(), "sendops-sql-"));
      writeFileSync(path.join(tmp, "batch.sql"), sql);
      args.push("--file", path.join(tmp, "batch.sql"));
    } else {
      args.push("--command", sql);
    }
  }
  const execute = () =>
    run(WRANGLER, args, { env: target.remote ? remoteEnv() : offlineEnv() }).catch((err: Error) => {
      throw new Error(wranglerErrorText(err.message));
    });
  let out: string;
  try {
    // Locally a running `wrangler dev` may hold the file's lock: the batch then failed as a whole (one
    // SQLite transaction, rolled back), so sending it again is safe. Remotely a failure may come after
    // the commit, so it stands.
    out = target.remote ? await execute() : await retryTransient(execute, WRANGLER_LOCAL_RETRY);
  } finally {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }
  const start = out.indexOf("[");
  if (start === -1) throw new Error(`unexpected output from wrangler d1 execute:\n${out}`);
  return JSON.parse(out.slice(start)) as ExecResult[];
}

/** wrangler --json prints `{"error":{"text":...}}`; keep just the text (it carries SQLite's message). */
function wranglerErrorText(output: string): string {
  const m = /"text":\s*("(?:[^"\\]|\\.)*")/.exec(output);
  return m ? (JSON.parse(m[1]!) as string) : output;
}

interface Bound {
  sql: string;
  params: unknown[];
}

/** A result row shaped the way drizzle's D1 driver reads it. */
interface D1Like {
  results: Record<string, unknown>[];
  success: true;
  meta: { changes: number; last_row_id: number; duration: number };
}

/**
 * The part of D1Database that drizzle's D1 driver calls (prepare → bind → all/raw/run/first, batch),
 * backed by `wrangler d1 execute`. After each statement the batch also selects `changes()` and
 * `last_insert_rowid()`, because local `wrangler d1 execute` output carries no row counts.
 */
class WranglerD1Statement {
  constructor(
    private readonly d1: WranglerD1,
    readonly bound: Bound,
  ) {}
  bind(...params: unknown[]) {
    return new WranglerD1Statement(this.d1, { sql: this.bound.sql, params });
  }
  async all() {
    return (await this.d1.runBatch([this.bound]))[0]!;
  }
  async run() {
    return this.all();
  }
  async raw() {
    return (await this.all()).results.map((row) => Object.values(row));
  }
  async first(column?: string) {
    const row = (await this.all()).results[0];
    if (!row) return null;
    return column === undefined ? row : row[column];
  }
}

class WranglerD1 {
  constructor(private readonly target: D1Target) {}
  prepare(sql: string) {
    return new WranglerD1Statement(this, { sql, params: [] });
  }
  async batch(statements: WranglerD1Statement[]) {
    return this.runBatch(statements.map((s) => s.bound));
  }
  async runBatch(statements: Bound[]): Promise<D1Like[]> {
    const probe = "SELECT changes() AS changes, last_insert_rowid() AS last_row_id";
    const sql = statements.map((s) => `${inlineParams(s.sql, s.params)};\n${probe};`).join("\n");
    const results = await wranglerExecute(this.target, sql);
    return statements.map((_, i) => {
      const rows = results[2 * i]!;
      const counts = results[2 * i + 1]!.results[0] ?? {};
      return {
        results: rows.results,
        success: true,
        meta: { changes: Number(counts.changes ?? 0), last_row_id: Number(counts.last_row_id ?? 0), duration: 0 },
      };
    });
  }
}

/** The Worker's `Db` over `wrangler d1 execute` (local persist dir, or the deployed database with `remote`). */
export function wranglerDb(target: D1Target): Db {
  // drizzle's D1 driver uses only prepare/bind/all/raw/run/first/batch, which WranglerD1 provides.
  return getDb(new WranglerD1(target) as unknown as D1Database);
}

/**
 * While `wrangler dev` runs, it and this process open the same local SQLite file, and local D1 allows no
 * busy timeout (PRAGMAs are refused): a statement that finds the file locked is tried again, for up to
 * ~25 s in all (the instance holds the lock for one transaction at a time).
 */
export const LOCAL_RETRY: RetryPolicy = { attempts: 50, delayMs: 20 };

/**
 * Whether the running command's change is stored already. Asked when one of its writes failed
 * transiently: such a write may have committed (the failure can be reported after the commit).
 */
export type AppliedCheck = () => Promise<boolean>;

const isRead = (sql: string) => /^\s*select\b/i.test(sql);

/** What drizzle gets from a write that had committed although it reported a failure (row counts unknown: 0). */
const committed = (): D1Result => ({ results: [], success: true, meta: { changes: 0, last_row_id: 0, duration: 0 } }) as unknown as D1Result;

class RetryingStatement {
  constructor(
    private readonly d1: RetryingD1,
    readonly sql: string,
    readonly inner: D1PreparedStatement,
  ) {}
  bind(...values: unknown[]) {
    return new RetryingStatement(this.d1, this.sql, this.inner.bind(...values));
  }
  all() {
    return this.d1.send(isRead(this.sql), () => this.inner.all(), committed);
  }
  run() {
    return this.d1.send(isRead(this.sql), () => this.inner.run(), committed);
  }
  raw() {
    return this.d1.send(isRead(this.sql), () => this.inner.raw(), () => []);
  }
  first(column?: string) {
    return this.d1.send(isRead(this.sql), () => (column === undefined ? this.inner.first() : this.inner.first(column)), () => null);
  }
}

/**
 * The parts of D1Database drizzle's driver uses. A read that fails transiently is simply tried again. A
 * write is tried again only when the command's `applied` check says its change is not stored; when it
 * is, the write counts as done. Without a check the failure stands: sending again could apply it twice.
 */
class RetryingD1 {
  applied: AppliedCheck | undefined;
  constructor(
    private readonly inner: D1Database,
    private readonly wait: Sleep,
  ) {}
  prepare(sql: string) {
    return new RetryingStatement(this, sql, this.inner.prepare(sql));
  }
  batch(statements: RetryingStatement[]) {
    const send = () => this.inner.batch(statements.map((s) => s.inner));
    return this.send(statements.every((s) => isRead(s.sql)), send, () => statements.map(committed));
  }
  async send<T>(read: boolean, work: () => Promise<T>, done: () => T): Promise<T> {
    if (read) return retryTransient(work, LOCAL_RETRY, this.wait);
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (err) {
        if (attempt >= LOCAL_RETRY.attempts || !isTransientStorageError(err) || !this.applied) throw err;
        if (await this.applied()) return done();
        await this.wait(LOCAL_RETRY.delayMs * attempt);
      }
    }
  }
}

/** The retrying binding under each Db that `retryingDb` made, for `withAppliedCheck`. */
const bindings = new WeakMap<Db, RetryingD1>();

/** The Worker's `Db` over a local D1 binding, retrying as RetryingD1 describes. */
export function retryingDb(d1: D1Database, wait: Sleep = sleep): Db {
  const binding = new RetryingD1(d1, wait);
  // drizzle's D1 driver uses only prepare/bind/all/raw/run/first/batch, which RetryingD1 provides.
  const db = getDb(binding as unknown as D1Database);
  bindings.set(db, binding);
  return db;
}

/**
 * Runs `work` with `applied` judging the writes of `db` that fail transiently (see RetryingD1). Each of
 * the work's writes must be safe to send twice or recognisable by `applied`. A Db that `retryingDb` did
 * not make (wrangler d1 execute) runs `work` as it is.
 */
export async function withAppliedCheck<T>(db: Db, applied: AppliedCheck | undefined, work: () => Promise<T>): Promise<T> {
  const binding = bindings.get(db);
  if (!binding) return work();
  binding.applied = applied;
  try {
    return await work();
  } finally {
    binding.applied = undefined;
  }
}

/**
 * The local D1 runtime (workerd) writes its own log lines to the console, e.g. one for each lock it met
 * while `wrangler dev` runs, which `retryingDb` waits out. Every failure that matters reaches the caller
 * as an error, so for the operator CLI those lines would only alarm: this drops them.
 */
export function quietRuntimeLogs(): void {
  const print = console.error;
  const runtimeLine = /^(?:\x1b\[[\d;]*m)*(?:workerd\/|stack: \S*workerd)/;
  console.error = (...args: unknown[]) => {
    if (typeof args[0] !== "string" || !runtimeLine.test(args[0])) print(...args);
  };
}

export interface LocalDb {
  db: Db;
  /** The binding under `db`, as wrangler gives it (tests wrap it to inject storage failures). */
  d1: D1Database;
  close: () => Promise<void>;
}

/** A local D1 binding on `persistDir` (same files as `wrangler dev --persist-to persistDir`), kept open. */
export async function localDb(persistDir: string): Promise<LocalDb> {
  Object.assign(process.env, offlineEnv());
  // Loaded on demand: wrangler's module takes seconds to load, and most CLI errors come before this.
  const { getPlatformProxy, unstable_readConfig } = await import("wrangler");
  // A config with only the D1 binding of wrangler.toml (same database id, so the same local file): the
  // proxy then starts no Queues or Durable Objects of its own.
  const config = unstable_readConfig({ config: path.join(ROOT, "wrangler.toml") });
  const d1 = config.d1_databases.find((d: { binding: string }) => d.binding === "DB");
  if (!d1?.database_id) throw new Error("wrangler.toml declares no D1 database with binding DB");
  const dir = mkdtempSync(path.join(os.tmpdir(), "sendops-localdb-"));
  const configPath = path.join(dir, "wrangler.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      name: "sendops-local-db",
      compatibility_date: config.compatibility_date,
      d1_databases: [{ binding: "DB", database_name: d1.database_name, database_id: d1.database_id }],
    }),
  );
  const proxy = await getPlatformProxy<{ DB: D1Database }>({
    configPath,
    persist: { path: path.join(persistDir, "v3") },
    remoteBindings: false,
    envFiles: [],
  });
  return {
    db: retryingDb(proxy.env.DB),
    d1: proxy.env.DB,
    close: async () => {
      await proxy.dispose();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
