import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { createApp } from "../worker/app";
import type { Env } from "../worker/env";
import { isTransientStorageError, READ_RETRY, retryTransient, TRANSIENT_RETRY_AFTER_S } from "../worker/lib/transient";
import { createIngestKey } from "../worker/services/ingest/keys";
import { BASE, db, json, newUser } from "./helpers";
import { fixture, newIngestOrg } from "./ingest-helpers";

/** The Worker's env with a D1 whose every statement fails with `message` (as D1 does when it is busy). */
function failingEnv(message: string): Env {
  const fail = () => {
    throw new Error(message);
  };
  const DB = { prepare: fail, batch: () => Promise.reject(new Error(message)), exec: () => Promise.reject(new Error(message)), dump: fail, withSession: fail };
  return { ...(env as unknown as Env), DB: DB as unknown as D1Database };
}

async function fetchWith(e: Env, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`${BASE}${path}`, init), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("transient storage errors", () => {
  it.each([
    "D1_ERROR: internal error; reference = 7k2m9x",
    "D1_ERROR: database is locked: SQLITE_BUSY",
    "internal error; reference = 1ab2c3",
    "D1_ERROR: Network connection lost.",
  ])("answer 503 with Retry-After on the session lookup and the ingest key lookup (%s)", async (message) => {
    const user = await newUser("transient");
    const e = failingEnv(message);
    const me = await fetchWith(e, "/api/me", { headers: { cookie: user.cookie, origin: BASE } });
    expect(me.status).toBe(503);
    expect(me.headers.get("retry-after")).toBe("2");
    expect((await json(me)).error.code).toBe("STORAGE_UNAVAILABLE");
    const ingest = await fetchWith(e, "/ingest/eventbridge", { method: "POST", headers: { "x-api-key": `sik_${crypto.randomUUID()}`, "content-type": "application/json" }, body: "{}" });
    expect(ingest.status).toBe(503);
    expect(ingest.headers.get("retry-after")).not.toBeNull();
  });

  it("keeps real failures a 500 (a constraint violation is not worth retrying)", async () => {
    const user = await newUser("transient-real");
    const res = await fetchWith(failingEnv("D1_ERROR: NOT NULL constraint failed: users.id: SQLITE_CONSTRAINT"), "/api/me", { headers: { cookie: user.cookie, origin: BASE } });
    expect(res.status).toBe(500);
    expect((await json(res)).error.code).toBe("INTERNAL");
  });

  it("recognises the failure through drizzle's wrapping (the cause chain)", () => {
    expect(isTransientStorageError(new Error("Failed query: select 1", { cause: new Error("D1_ERROR: database is locked") }))).toBe(true);
    expect(isTransientStorageError(new Error("Failed query", { cause: new Error("UNIQUE constraint failed: orgs.slug") }))).toBe(false);
    expect(isTransientStorageError("database is locked")).toBe(false);
    // What local D1 answers while another process holds the file's lock.
    expect(isTransientStorageError(new Error("D1_ERROR: Failed to parse body as JSON, got: Error: internal error; reference = nrhr277q"))).toBe(true);
  });
});

/**
 * The Worker's env whose D1 fails the statements matching `target` (with `message`) `times` times, then
 * runs them: a lock that clears. Every other statement runs on the real database.
 */
function flakyEnv(target: RegExp, times: number, message = "D1_ERROR: internal error; reference = 7k2m9x") {
  const failures = { count: 0 };
  const real = env.DB;
  type Wrapped = D1PreparedStatement & { inner: D1PreparedStatement };
  const wrap = (sql: string, stmt: D1PreparedStatement): Wrapped => {
    const attempt = <T>(run: () => Promise<T>): Promise<T> => {
      if (!target.test(sql) || failures.count >= times) return run();
      failures.count++;
      return Promise.reject(new Error(message));
    };
    return {
      inner: stmt,
      bind: (...values: unknown[]) => wrap(sql, stmt.bind(...values)),
      all: () => attempt(() => stmt.all()),
      raw: (options?: { columnNames?: boolean }) => attempt(() => stmt.raw(options as never)),
      first: (column?: string) => attempt(() => (column === undefined ? stmt.first() : stmt.first(column))),
      run: () => attempt(() => stmt.run()),
    } as unknown as Wrapped;
  };
  const DB = {
    prepare: (sql: string) => wrap(sql, real.prepare(sql)),
    batch: (statements: Wrapped[]) => real.batch(statements.map((s) => s.inner)),
  };
  return { env: { ...(env as unknown as Env), DB: DB as unknown as D1Database }, failures };
}

describe("bounded retry of the hot reads (ingest key, session, undeliverable rules)", () => {
  const operator = { userId: null, name: "Test operator", email: "" };
  const ingest = (e: Env, key: string) =>
    fetchWith(e, "/ingest/eventbridge", { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify(fixture("send")) });

  it("answers normally when a read fails once transiently and then succeeds", async () => {
    const user = await newUser("flaky-once");
    const orgId = await newIngestOrg({ member: { userId: user.id, role: "viewer" } });
    const { key } = await createIngestKey(db(), orgId, operator);
    const headers = { cookie: user.cookie, origin: BASE };

    const session = flakyEnv(/from "sessions"/, 1);
    expect((await fetchWith(session.env, "/api/me", { headers })).status).toBe(200);
    expect(session.failures.count).toBe(1);

    const keyLookup = flakyEnv(/from "ingest_keys"/, 1, "D1_ERROR: Failed to parse body as JSON, got: Error: internal error; reference = 9zz");
    expect((await ingest(keyLookup.env, key)).status).toBe(202);
    expect(keyLookup.failures.count).toBe(1);

    const rules = flakyEnv(/from "undeliverable_rules"/, 2, "D1_ERROR: database is locked: SQLITE_BUSY");
    expect((await fetchWith(rules.env, `/api/orgs/${orgId}/undeliverable/rules`, { headers })).status).toBe(200);
    expect(rules.failures.count).toBe(2);
  });

  it("answers 503 with Retry-After when the read keeps failing, after three tries", async () => {
    const user = await newUser("flaky-always");
    const orgId = await newIngestOrg({ member: { userId: user.id, role: "viewer" } });
    const { key } = await createIngestKey(db(), orgId, operator);
    const cases: [RegExp, (e: Env) => Promise<Response>][] = [
      [/from "sessions"/, (e) => fetchWith(e, "/api/me", { headers: { cookie: user.cookie, origin: BASE } })],
      [/from "ingest_keys"/, (e) => ingest(e, key)],
      [/from "undeliverable_rules"/, (e) => fetchWith(e, `/api/orgs/${orgId}/undeliverable/rules`, { headers: { cookie: user.cookie, origin: BASE } })],
    ];
    for (const [target, request] of cases) {
      const flaky = flakyEnv(target, Infinity);
      const res = await request(flaky.env);
      expect(res.status, String(target)).toBe(503);
      expect(res.headers.get("retry-after")).toBe(String(TRANSIENT_RETRY_AFTER_S));
      expect(flaky.failures.count, String(target)).toBe(READ_RETRY.attempts);
    }
  });
});

describe("retryTransient", () => {
  const busy = () => new Error("Failed query: select 1", { cause: new Error("D1_ERROR: database is locked: SQLITE_BUSY") });

  it("tries again after a transient failure, waiting longer each time, and gives up after the last attempt", async () => {
    const waits: number[] = [];
    const wait = async (ms: number) => void waits.push(ms);
    let calls = 0;
    const flaky = async () => {
      if (++calls < 3) throw busy();
      return "row";
    };
    expect(await retryTransient(flaky, { attempts: 3, delayMs: 25 }, wait)).toBe("row");
    expect(waits).toEqual([25, 50]);

    calls = -10;
    waits.length = 0;
    await expect(retryTransient(flaky, { attempts: 3, delayMs: 25 }, wait)).rejects.toThrow("Failed query");
    expect(waits).toEqual([25, 50]);
  });

  it("never retries a failure that is not transient", async () => {
    const wait = vi.fn(async () => undefined);
    let calls = 0;
    const failing = async () => {
      calls++;
      throw new Error("Failed query", { cause: new Error("UNIQUE constraint failed: orgs.slug") });
    };
    await expect(retryTransient(failing, READ_RETRY, wait)).rejects.toThrow("Failed query");
    expect(calls).toBe(1);
    expect(wait).not.toHaveBeenCalled();
  });
});
