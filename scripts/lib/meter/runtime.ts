/**
 * The benchmark's cost meter, running inside workerd around the Worker. It is never part of what
 * `wrangler deploy` uploads: scripts/serve-bundle.ts `--meter` has wrangler bundle a generated entry that
 * imports the Worker's own entry and wraps its default export and Durable Object classes with this
 * module (`meterWorker`, `meterDurableObject`), so the production code carries no instrumentation and
 * no per-request check.
 *
 * What it counts, as Cloudflare bills it (scripts/lib/cloudflare-prices.ts):
 *  - Worker invocations: fetch, queue (one per delivered batch), scheduled;
 *  - D1: every query the binding sends (prepare/run/all/first/raw/batch/exec alike), with each
 *    statement's `meta.rows_read` / `rows_written` / `changes` as the local D1 answers them — read off
 *    the binding's internal HTTP hop, because `raw()` and `first()` hand their meta to no one;
 *  - Queues: messages sent (and their 64 KB operations), delivered, acknowledged, retried;
 *  - Durable Objects: RPC calls and fetches on stubs with their awaited wall time, alarms, and the SQL
 *    storage's rows read and written (each cursor's counters, read once the statement has run to the
 *    end of its synchronous use; each setAlarm() is a row written);
 *  - Analytics Engine data points; R2 class A and class B operations;
 *  - stored bytes as billed: D1's `meta.size_after`, each object's `sql.databaseSize`, R2 bytes put
 *    and not deleted.
 * The totals are module state: the Worker and its Durable Objects share one isolate in workerd, so
 * `GET /__meter` (answered here, before the Worker sees the request) reads all of them.
 *
 * Two more bench-only routes, answered here too: `POST /__meter/count` (`{ binding, names, table }`)
 * counts the rows of a table in each named object of a Durable Object namespace (the benchmark's
 * stored check reads the event shards themselves, not only D1's registry of them), and
 * `GET /__scheduled?cron=<expression>` runs the Worker's scheduled handler as a cron trigger would
 * (the route `wrangler dev --test-scheduled` answers), so the benchmark can let a cron flush what ingest
 * left buffered. Neither goes through the meter's bindings: reading back is not part of the bill.
 */
import {
  emptyDurableObjectTally,
  emptyCounts,
  emptyQueueTally,
  emptyStatementTally,
  queueOperations,
  statementLabel,
  type MeterCounts,
} from "./counts";

const counts: MeterCounts = emptyCounts();

export const METER_PATH = "/__meter";
export const COUNT_PATH = "/__meter/count";
export const SCHEDULED_PATH = "/__scheduled";

/** What `POST /__meter/count` reads: the rows of `table` in the objects `names` of the namespace `binding`. */
export interface CountRequest {
  binding: string;
  names: string[];
  table: string;
}

/** The method the metered Durable Object classes gain for `POST /__meter/count`. */
const COUNT_METHOD = "__meterCountRows";

/** The bindings the meter must tell apart by name (from wrangler.toml): binding → class or queue name. */
export interface MeterConfig {
  durableObjects: Record<string, string>;
  queues: Record<string, string>;
}

const queueTally = (name: string) => (counts.queues[name] ??= emptyQueueTally());
const objectTally = (name: string) => (counts.durableObjects[name] ??= emptyDurableObjectTally());
const bytesOf = (body: unknown) => new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body) ?? "").length;

interface D1Wire {
  success: boolean;
  meta?: { rows_read?: number; rows_written?: number; changes?: number; size_after?: number };
}

/** One query's statements and D1's answer (an array of results, or one failure). */
function recordD1(body: string, answer: unknown) {
  counts.d1.queries++;
  const parsed = JSON.parse(body) as { sql: string } | { sql: string }[];
  const statements = Array.isArray(parsed) ? parsed : [parsed];
  if (!Array.isArray(answer)) {
    counts.d1.failedQueries++;
    return;
  }
  (answer as D1Wire[]).forEach((result, i) => {
    const label = statementLabel(statements[i]?.sql ?? "");
    const t = (counts.d1.byStatement[label] ??= emptyStatementTally());
    t.statements++;
    t.rowsRead += result.meta?.rows_read ?? 0;
    t.rowsWritten += result.meta?.rows_written ?? 0;
    t.changes += result.meta?.changes ?? 0;
    if (typeof result.meta?.size_after === "number") counts.d1.sizeBytes = result.meta.size_after;
  });
}

interface D1Internals {
  fetcher: Fetcher;
  alwaysPrimarySession?: { fetcher: Fetcher };
}

const meteredD1 = new WeakSet<object>();

/**
 * Puts the meter on the D1 binding's HTTP hop to its database (workerd's d1-api keeps it as `fetcher`
 * on the binding and on its primary session); the binding itself stays the runtime's own object.
 */
function meterD1(db: D1Database): void {
  if (meteredD1.has(db)) return;
  const internals = db as unknown as D1Internals;
  const session = internals.alwaysPrimarySession;
  if (!session || typeof internals.fetcher?.fetch !== "function" || typeof session.fetcher?.fetch !== "function") {
    throw new Error("the cost meter cannot reach the D1 binding's fetcher: workerd's d1-api changed (scripts/lib/meter/runtime.ts)");
  }
  const inner = internals.fetcher;
  const metered = {
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await inner.fetch(input as RequestInfo, init);
      if (typeof init?.body === "string") recordD1(init.body, await res.clone().json().catch(() => null));
      return res;
    },
  } as unknown as Fetcher;
  internals.fetcher = metered;
  session.fetcher = metered;
  meteredD1.add(db);
}

function meterQueue(queueName: string, queue: Queue): Queue {
  const t = queueTally(queueName);
  return {
    send: (body: unknown, options?: QueueSendOptions) => {
      t.sent++;
      t.writeOps += queueOperations(bytesOf(body));
      return queue.send(body, options);
    },
    sendBatch: (messages: Iterable<MessageSendRequest>, options?: QueueSendBatchOptions) => {
      const list = [...messages];
      for (const m of list) {
        t.sent++;
        t.writeOps += queueOperations(bytesOf(m.body));
      }
      return queue.sendBatch(list, options);
    },
  } as Queue;
}

/**
 * Each RPC call or fetch on the stub is one billed Durable Object request. Calls go through
 * `Reflect.apply`: on an RPC stub every property is a remote name, `method.apply` included.
 */
function meterStub(className: string, stub: DurableObjectStub): DurableObjectStub {
  return new Proxy(stub, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const t = objectTally(className);
        t.requests++;
        const start = Date.now();
        try {
          return await (Reflect.apply(value, target, args) as Promise<unknown>);
        } finally {
          t.wallMs += Date.now() - start;
        }
      };
    },
  });
}

function meterNamespace(className: string, ns: DurableObjectNamespace): DurableObjectNamespace {
  return new Proxy(ns, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getByName")
        return (...args: unknown[]) => meterStub(className, Reflect.apply(value, target, args) as DurableObjectStub);
      return (...args: unknown[]) => Reflect.apply(value, target, args) as unknown;
    },
  });
}

/** Bytes of each object the Worker put, so a delete can take them off again. */
const r2Sizes = new Map<string, number>();

function r2Put(key: string, value: unknown) {
  const bytes = typeof value === "string" ? new TextEncoder().encode(value).length : value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? value.byteLength : 0;
  counts.r2.storedBytes += bytes - (r2Sizes.get(key) ?? 0);
  r2Sizes.set(key, bytes);
}

function r2Delete(keys: string | string[]) {
  for (const key of Array.isArray(keys) ? keys : [keys]) {
    counts.r2.storedBytes -= r2Sizes.get(key) ?? 0;
    r2Sizes.delete(key);
  }
}

function meterR2(bucket: R2Bucket): R2Bucket {
  const classA = new Set(["put", "delete", "list", "createMultipartUpload", "resumeMultipartUpload"]);
  const classB = new Set(["get", "head"]);
  return new Proxy(bucket, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        // A multi-key delete is one class A operation per key.
        if (prop === "delete" && Array.isArray(args[0])) counts.r2.classA += args[0].length;
        else if (classA.has(String(prop))) counts.r2.classA++;
        if (prop === "put") r2Put(String(args[0]), args[1]);
        if (prop === "delete") r2Delete(args[0] as string | string[]);
        else if (classB.has(String(prop))) counts.r2.classB++;
        return Reflect.apply(value, target, args) as unknown;
      };
    },
  });
}

function meterAnalytics(dataset: AnalyticsEngineDataset): AnalyticsEngineDataset {
  return {
    writeDataPoint: (point?: AnalyticsEngineDataPoint) => {
      counts.analyticsEngine.dataPoints++;
      dataset.writeDataPoint(point);
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const has = (v: unknown, method: string) => isObject(v) && typeof v[method] === "function";

/** The env with each binding metered, by its kind (the binding names stay as they are). */
function meterEnv<E extends object>(env: E, config: MeterConfig): E {
  const out: Record<string, unknown> = { ...(env as Record<string, unknown>) };
  for (const [name, binding] of Object.entries(env)) {
    if (name in config.durableObjects) out[name] = meterNamespace(config.durableObjects[name]!, binding as DurableObjectNamespace);
    else if (name in config.queues) out[name] = meterQueue(config.queues[name]!, binding as Queue);
    else if (has(binding, "prepare") && has(binding, "batch")) meterD1(binding as D1Database);
    else if (has(binding, "writeDataPoint")) out[name] = meterAnalytics(binding as AnalyticsEngineDataset);
    else if (has(binding, "put") && has(binding, "head") && has(binding, "createMultipartUpload")) out[name] = meterR2(binding as R2Bucket);
  }
  return out as E;
}

const envs = new WeakMap<object, object>();
function meteredEnvOf<E extends object>(env: E, config: MeterConfig): E {
  let m = envs.get(env);
  if (!m) envs.set(env, (m = meterEnv(env, config)));
  return m as E;
}

/**
 * Counts the queue handler's deliveries, acknowledgements and retries. A message neither acked nor
 * retried is acknowledged when the handler returns and retried when it throws (Queues' implicit rule).
 */
async function meterQueueBatch(batch: MessageBatch<unknown>, run: (batch: MessageBatch<unknown>) => Promise<void>) {
  const t = queueTally(batch.queue);
  t.batches++;
  const settled = new Map<string, "ack" | "retry">();
  const ops = new Map<string, number>();
  for (const m of batch.messages) {
    t.delivered++;
    const n = queueOperations(bytesOf(m.body));
    ops.set(m.id, n);
    t.readOps += n;
  }
  const settle = (m: Message<unknown>, how: "ack" | "retry") => {
    if (!settled.has(m.id)) settled.set(m.id, how);
  };
  const messages = batch.messages.map((m) => ({
    id: m.id,
    timestamp: m.timestamp,
    body: m.body,
    attempts: m.attempts,
    ack: () => (settle(m, "ack"), m.ack()),
    retry: (options?: QueueRetryOptions) => (settle(m, "retry"), m.retry(options)),
  })) as Message<unknown>[];
  const wrapped: MessageBatch<unknown> = {
    queue: batch.queue,
    metadata: batch.metadata,
    messages,
    ackAll: () => (batch.messages.forEach((m) => settle(m, "ack")), batch.ackAll()),
    retryAll: (options?: QueueRetryOptions) => (batch.messages.forEach((m) => settle(m, "retry")), batch.retryAll(options)),
  };
  let failed = false;
  try {
    await run(wrapped);
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    for (const m of batch.messages) {
      const how = settled.get(m.id) ?? (failed ? "retry" : "ack");
      if (how === "ack") {
        t.acked++;
        t.deleteOps += ops.get(m.id)!;
      } else t.retried++;
    }
  }
}

type Handler = ExportedHandler<object>;

/** The Worker's default export with every binding metered, plus `GET /__meter` (the totals as JSON). */
export function meterWorker(worker: Handler, config: MeterConfig): Handler {
  return {
    fetch: async (request, env, ctx) => {
      const url = new URL(request.url);
      if (url.pathname === METER_PATH) return Response.json(counts);
      if (url.pathname === COUNT_PATH && request.method === "POST") return Response.json(await countRows(env, (await request.json()) as CountRequest));
      if (url.pathname === SCHEDULED_PATH) {
        const cron = url.searchParams.get("cron") ?? "";
        counts.workerInvocations.scheduled++;
        await worker.scheduled!({ cron, scheduledTime: Date.now(), noRetry: () => undefined } as ScheduledController, meteredEnvOf(env, config), ctx);
        return new Response(`Ran scheduled event for cron "${cron}"`);
      }
      counts.workerInvocations.fetch++;
      return worker.fetch!(request, meteredEnvOf(env, config), ctx);
    },
    queue: (batch, env, ctx) => {
      counts.workerInvocations.queue++;
      return meterQueueBatch(batch, (b) => worker.queue!(b, meteredEnvOf(env, config), ctx) as Promise<void>);
    },
    scheduled: (controller, env, ctx) => {
      counts.workerInvocations.scheduled++;
      return worker.scheduled!(controller, meteredEnvOf(env, config), ctx);
    },
  };
}

/** Rows of a table in each named object, summed; objects are asked in parallel. */
async function countRows(env: object, q: CountRequest): Promise<{ rows: number; objects: number }> {
  const ns = (env as Record<string, unknown>)[q.binding] as DurableObjectNamespace | undefined;
  if (!ns || typeof ns.idFromName !== "function") throw new Error(`no Durable Object namespace bound as ${q.binding}`);
  const each = await Promise.all(
    q.names.map((name) => (ns.get(ns.idFromName(name)) as unknown as Record<string, (table: string) => Promise<number>>)[COUNT_METHOD]!(q.table)),
  );
  return { rows: each.reduce((a, b) => a + b, 0), objects: each.length };
}

/** SqlStorage → the object whose storage it is; the SQL prototype is patched once for all of them. */
const sqlOwners = new WeakMap<object, { className: string; id: string }>();
/** Each object's `sql.databaseSize` as last seen, by object id. */
const objectSizes = new Map<string, number>();
const storageOwners = new WeakMap<object, string>();
let storagePatched = false;

function patchStorage(storage: DurableObjectStorage): void {
  if (storagePatched) return;
  storagePatched = true;
  const sqlProto = Object.getPrototypeOf(storage.sql) as { exec: (this: SqlStorage, query: string, ...b: unknown[]) => SqlStorageCursor<Record<string, SqlStorageValue>> };
  const exec = sqlProto.exec;
  sqlProto.exec = function (this: SqlStorage, query: string, ...bindings: unknown[]) {
    const cursor = Reflect.apply(exec, this, [query, ...bindings]) as SqlStorageCursor<Record<string, SqlStorageValue>>;
    const owner = sqlOwners.get(this);
    // The counters grow as the cursor is consumed, which storage code does synchronously.
    if (owner) queueMicrotask(() => {
      const t = objectTally(owner.className);
      t.rowsRead += cursor.rowsRead;
      t.rowsWritten += cursor.rowsWritten;
      const size = this.databaseSize;
      t.storageBytes += size - (objectSizes.get(owner.id) ?? 0);
      objectSizes.set(owner.id, size);
    });
    return cursor;
  };
  const storageProto = Object.getPrototypeOf(storage) as { setAlarm: (this: DurableObjectStorage, ...a: unknown[]) => Promise<void> };
  const setAlarm = storageProto.setAlarm;
  storageProto.setAlarm = function (this: DurableObjectStorage, ...args: unknown[]) {
    const owner = storageOwners.get(this);
    if (owner) objectTally(owner).rowsWritten++;
    return Reflect.apply(setAlarm, this, args) as Promise<void>;
  };
}

type DurableObjectClass = new (ctx: DurableObjectState, env: object) => object;

/**
 * A subclass of the Worker's Durable Object class that meters its storage, its alarms and its env's
 * bindings. workerd accepts only its own DurableObjectState, so the storage is metered by patching the
 * SQL and storage prototypes and telling objects apart by their storage.
 */
export function meterDurableObject<C extends DurableObjectClass>(Base: C, className: string, config: MeterConfig): C {
  const Metered = class extends (Base as DurableObjectClass) {
    readonly #sql: SqlStorage;
    constructor(ctx: DurableObjectState, env: object) {
      patchStorage(ctx.storage);
      sqlOwners.set(ctx.storage.sql, { className, id: ctx.id.toString() });
      storageOwners.set(ctx.storage, className);
      super(ctx, meteredEnvOf(env, config));
      this.#sql = ctx.storage.sql;
    }

    /** `POST /__meter/count`: the rows of one of this object's tables (0 when it has no such table). */
    [COUNT_METHOD](table: string): number {
      const exists = this.#sql.exec("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?", table).toArray().length > 0;
      return exists ? this.#sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM "${table.replace(/"/g, '""')}"`).one().n : 0;
    }
  };
  const alarm = (Base.prototype as { alarm?: (...a: unknown[]) => unknown }).alarm;
  if (alarm) {
    Object.defineProperty(Metered.prototype, "alarm", {
      value: function (this: object, ...args: unknown[]) {
        const t = objectTally(className);
        t.alarms++;
        t.requests++;
        return Reflect.apply(alarm, this, args) as unknown;
      },
    });
  }
  Object.defineProperty(Metered, "name", { value: className });
  return Metered as unknown as C;
}
