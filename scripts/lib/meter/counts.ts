/**
 * What the benchmark's cost meter counts (scripts/lib/meter/runtime.ts inside workerd), and the pure
 * arithmetic on those counts: snapshots are subtracted to get one phase's usage, SQL statements are
 * labelled by what they write or read, queue messages are sized in Cloudflare's 64 KB operations.
 */

/** D1 (or Durable Object SQL) usage of one kind of statement, as the storage reports it per statement. */
export interface StatementTally {
  statements: number;
  rowsRead: number;
  rowsWritten: number;
  /** Rows the statement changed, triggers included (D1's `meta.changes`); index entries are not in it. */
  changes: number;
}

export interface QueueTally {
  /** Messages written by `send`/`sendBatch`, and the 64 KB write operations they cost. */
  sent: number;
  writeOps: number;
  /** Deliveries to the consumer (a retried message is delivered again), and their read operations. */
  delivered: number;
  readOps: number;
  /** Messages acknowledged (explicitly, or implicitly by a consumer that returned), and their delete operations. */
  acked: number;
  deleteOps: number;
  /** Messages the consumer asked to retry (explicitly, or implicitly by throwing). */
  retried: number;
  /** Consumer invocations (one per delivered batch). */
  batches: number;
}

export interface DurableObjectTally {
  /** Billed requests: each RPC method call or fetch on a stub, and each alarm invocation. */
  requests: number;
  alarms: number;
  /** Wall time of the requests as the caller awaited them (an upper bound of the billed duration). */
  wallMs: number;
  /** SQL storage, from each cursor's `rowsRead`/`rowsWritten`; each `setAlarm()` is one row written. */
  rowsRead: number;
  rowsWritten: number;
  /** Sum of the objects' `sql.databaseSize` (the billed stored bytes), as last seen. */
  storageBytes: number;
}

export interface MeterCounts {
  workerInvocations: { fetch: number; queue: number; scheduled: number };
  /** `sizeBytes`: the database's size as D1 last reported it (`meta.size_after`, the billed storage). */
  d1: { queries: number; failedQueries: number; sizeBytes: number; byStatement: Record<string, StatementTally> };
  queues: Record<string, QueueTally>;
  durableObjects: Record<string, DurableObjectTally>;
  analyticsEngine: { dataPoints: number };
  /** `storedBytes`: bytes of the objects put and not deleted since the meter started. */
  r2: { classA: number; classB: number; storedBytes: number };
}

export function emptyCounts(): MeterCounts {
  return {
    workerInvocations: { fetch: 0, queue: 0, scheduled: 0 },
    d1: { queries: 0, failedQueries: 0, sizeBytes: 0, byStatement: {} },
    queues: {},
    durableObjects: {},
    analyticsEngine: { dataPoints: 0 },
    r2: { classA: 0, classB: 0, storedBytes: 0 },
  };
}

export const emptyStatementTally = (): StatementTally => ({ statements: 0, rowsRead: 0, rowsWritten: 0, changes: 0 });
export const emptyQueueTally = (): QueueTally => ({ sent: 0, writeOps: 0, delivered: 0, readOps: 0, acked: 0, deleteOps: 0, retried: 0, batches: 0 });
export const emptyDurableObjectTally = (): DurableObjectTally => ({ requests: 0, alarms: 0, wallMs: 0, rowsRead: 0, rowsWritten: 0, storageBytes: 0 });

/** Cloudflare Queues bill one operation per 64 KB (64,000 bytes) of each message, ~100 bytes of metadata included. */
export const QUEUE_OPERATION_BYTES = 64_000;
export const QUEUE_MESSAGE_OVERHEAD_BYTES = 100;

export function queueOperations(bodyBytes: number): number {
  return Math.max(1, Math.ceil((bodyBytes + QUEUE_MESSAGE_OVERHEAD_BYTES) / QUEUE_OPERATION_BYTES));
}

/**
 * A statement's label: its verb and the table it writes (or first reads), e.g. `insert events`,
 * `upsert rollup_hour_totals`, `select identities`. Statements of one kind share a label whatever their
 * parameters, so the meter's table stays short and names where the rows go.
 */
export function statementLabel(sql: string): string {
  const s = sql.replace(/\s+/g, " ").trim();
  const name = String.raw`["\`\[]?(\w+)["\`\]]?`;
  const insert = new RegExp(String.raw`^(?:with .*?\) )?(?:insert|replace)(?: or \w+)? into ${name}`, "i").exec(s);
  if (insert) return `${/ on conflict .* do update /i.test(s) ? "upsert" : "insert"} ${insert[1]}`;
  const update = new RegExp(String.raw`^(?:with .*?\) )?update(?: or \w+)? ${name}`, "i").exec(s);
  if (update) return `update ${update[1]}`;
  const del = new RegExp(String.raw`^(?:with .*?\) )?delete from ${name}`, "i").exec(s);
  if (del) return `delete ${del[1]}`;
  const select = new RegExp(String.raw`^(?:with .*?\) )?select .*? from ${name}`, "i").exec(s);
  if (select) return `select ${select[1]}`;
  return s.split(" ", 1)[0]!.toLowerCase();
}

export interface D1Totals {
  queries: number;
  statements: number;
  rowsRead: number;
  rowsWritten: number;
}

export function d1Totals(c: MeterCounts): D1Totals {
  const t = { queries: c.d1.queries, statements: 0, rowsRead: 0, rowsWritten: 0 };
  for (const s of Object.values(c.d1.byStatement)) {
    t.statements += s.statements;
    t.rowsRead += s.rowsRead;
    t.rowsWritten += s.rowsWritten;
  }
  return t;
}

/** Sums every number of `b` into `a`'s shape, with `sign` −1 to subtract (a phase = after − before). */
function combine<T>(a: T, b: T, sign: 1 | -1): T {
  if (typeof a === "number") return (a + sign * ((b as number) ?? 0)) as T;
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(a as object), ...Object.keys((b ?? {}) as object)]);
  for (const k of keys) {
    const av = (a as Record<string, unknown>)[k];
    const bv = ((b ?? {}) as Record<string, unknown>)[k];
    const base = av ?? (typeof bv === "number" ? 0 : zeroLike(bv));
    out[k] = combine(base, bv, sign);
  }
  return out as T;
}

function zeroLike(v: unknown): unknown {
  if (typeof v === "number") return 0;
  return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, zeroLike(x)]));
}

/** The usage between two snapshots of the meter. */
export function countsBetween(before: MeterCounts, after: MeterCounts): MeterCounts {
  return combine(after, before, -1);
}
