import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../worker/app";
import type { Env } from "../worker/env";
import { HOUR } from "../worker/lib/time";
import { evaluateOrg } from "../worker/services/alerts/evaluate";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { BASE, insertOrgWithMember, newUser } from "./helpers";
import { newIngestOrg } from "./ingest-helpers";
import { newApiKey } from "./v1-helpers";

const T = Date.UTC(2026, 4, 20, 14, 30);
const hour = (at: number) => Math.floor(at / HOUR) * HOUR;
const TYPE = "system_infrastructure.api_error_rate_spike";

async function counter(orgId: string, at: number, name: string, value: number) {
  await env.DB.prepare("INSERT INTO ingest_counters (org_id, bucket_start, counter, value) VALUES (?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = value + excluded.value")
    .bind(orgId, hour(at), name, value)
    .run();
}

async function apiCounters(orgId: string): Promise<Record<string, number>> {
  const { results } = await env.DB.prepare("SELECT counter, SUM(value) AS n FROM ingest_counters WHERE org_id = ? AND counter LIKE 'api.%' GROUP BY counter")
    .bind(orgId)
    .all<{ counter: string; n: number }>();
  return Object.fromEntries(results.map((r) => [r.counter, Number(r.n)]));
}

function capture() {
  const raised: RaiseRequest[] = [];
  return { raised, raise: async (r: RaiseRequest) => void raised.push(r), of: (type: string) => raised.filter((r) => r.type === type) };
}
const noPause = async () => ({});

/** The Worker's env whose D1 fails every statement matching `pattern` with a transient error (D1 busy). */
function envFailing(pattern: RegExp): Env {
  const real = env.DB;
  const DB = {
    prepare: (query: string) => {
      if (pattern.test(query)) throw new Error("D1_ERROR: database is locked: SQLITE_BUSY");
      return real.prepare(query);
    },
    batch: (statements: D1PreparedStatement[]) => real.batch(statements),
    exec: (query: string) => real.exec(query),
    dump: () => real.dump(),
    withSession: () => real.withSession(),
  };
  return { ...(env as unknown as Env), DB: DB as unknown as D1Database };
}

async function fetchWith(e: Env, path: string, headers: Record<string, string>) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`${BASE}${path}`, { headers }), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("API error-rate spike", () => {
  it("raises at a 5 % share of 5xx over at least 50 responses in the last hour, once per breach", async () => {
    const orgId = await newIngestOrg();
    const c = capture();
    // 10 of 49: far above 5 %, but under the 50-response guard.
    await counter(orgId, T - HOUR, "api.requests", 49);
    await counter(orgId, T - HOUR, "api.errors_5xx", 10);
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(c.of(TYPE)).toEqual([]);

    // An older hour is outside the window: it never counts.
    const org2 = await newIngestOrg();
    await counter(org2, T - 2 * HOUR, "api.requests", 100);
    await counter(org2, T - 2 * HOUR, "api.errors_5xx", 50);
    await evaluateOrg(env, org2, c.raise, T, noPause);
    expect(c.of(TYPE)).toEqual([]);

    // 9 of 200: 4.5 %, under the threshold; a 10th error makes it exactly 5 %, raised once however often it is evaluated.
    await counter(orgId, T, "api.requests", 151);
    await env.DB.prepare("UPDATE ingest_counters SET value = 9 WHERE org_id = ? AND counter = 'api.errors_5xx'").bind(orgId).run();
    await evaluateOrg(env, orgId, c.raise, T + 1000, noPause);
    expect(c.of(TYPE)).toEqual([]);
    await counter(orgId, T, "api.errors_5xx", 1);
    await evaluateOrg(env, orgId, c.raise, T + 2000, noPause);
    await evaluateOrg(env, orgId, c.raise, T + 3000, noPause);
    expect(c.of(TYPE).map((r) => r.params)).toEqual([{ rate: "5%", errors: 10, requests: 200, window: "hour" }]);
  });

  it("counts every response of the workspace and each 5xx — a transient 503 included — on /api/orgs and /v1", async () => {
    const user = await newUser("api-errors");
    const orgId = await insertOrgWithMember(user.id, "owner");
    const { secret } = await newApiKey(orgId);
    const ok = await fetchWith(env as unknown as Env, `/api/orgs/${orgId}/channels`, { cookie: user.cookie, origin: BASE });
    expect(ok.status).toBe(200);
    expect(await apiCounters(orgId)).toEqual({ "api.requests": 1 });

    const busy = envFailing(/from "channels"/i);
    const dashboard = await fetchWith(busy, `/api/orgs/${orgId}/channels`, { cookie: user.cookie, origin: BASE });
    expect(dashboard.status).toBe(503);
    const api = await fetchWith(busy, "/v1/channels", { authorization: `Bearer ${secret}` });
    expect(api.status).toBe(503);
    expect(await apiCounters(orgId)).toEqual({ "api.requests": 3, "api.errors_5xx": 2 });

    // A request whose org never resolved (no key) is nobody's to count.
    expect((await fetchWith(env as unknown as Env, "/v1/channels", {})).status).toBe(401);
    expect(await apiCounters(orgId)).toEqual({ "api.requests": 3, "api.errors_5xx": 2 });
  });

  it("never fails a request when the counter cannot be written", async () => {
    const user = await newUser("api-errors-best-effort");
    const orgId = await insertOrgWithMember(user.id, "owner");
    const res = await fetchWith(envFailing(/ingest_counters/), `/api/orgs/${orgId}/channels`, { cookie: user.cookie, origin: BASE });
    expect(res.status).toBe(200);
    expect(await apiCounters(orgId)).toEqual({});
  });
});
