import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../worker/app";
import type { Env } from "../worker/env";
import { isTransientStorageError } from "../worker/lib/transient";
import { BASE, json, newUser } from "./helpers";

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
  });
});
