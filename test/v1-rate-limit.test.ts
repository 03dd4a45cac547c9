import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { V1_RATE_LIMIT } from "../worker/routes/v1/middleware";
import { insertOrgWithMember, json, newUser } from "./helpers";
import { newApiKey, v1 } from "./v1-helpers";

const limiterOf = (name: string) => {
  const ns = env.RATE_LIMITER;
  return ns.get(ns.idFromName(name));
};

async function newKey() {
  const u = await newUser();
  return newApiKey(await insertOrgWithMember(u.id, "owner"));
}

describe("RateLimiter (sliding window log)", () => {
  it("allows `limit` requests per window, refuses the next with the wait until the oldest expires", async () => {
    const rl = limiterOf(`unit-${crypto.randomUUID()}`);
    expect(await rl.hit(3, 1000, 10_000)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
    expect(await rl.hit(3, 1000, 10_100)).toEqual({ allowed: true, remaining: 1, retryAfterMs: 0 });
    expect(await rl.hit(3, 1000, 10_500)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 500 });
    expect(await rl.hit(3, 1000, 10_600)).toEqual({ allowed: false, remaining: 0, retryAfterMs: 400 });
    // Refused requests do not count: the window slides as soon as the first request is a second old.
    expect(await rl.hit(3, 1000, 11_000)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 100 });
    expect((await rl.hit(3, 1000, 11_050)).allowed).toBe(false);
    expect(await rl.hit(3, 1000, 11_100)).toEqual({ allowed: true, remaining: 0, retryAfterMs: 400 });
    // After a quiet window everything is available again.
    expect(await rl.hit(3, 1000, 20_000)).toEqual({ allowed: true, remaining: 2, retryAfterMs: 0 });
  });

  it("keeps a separate window per key", async () => {
    const a = limiterOf(`unit-${crypto.randomUUID()}`);
    const b = limiterOf(`unit-${crypto.randomUUID()}`);
    await a.hit(1, 1000, 1000);
    expect((await a.hit(1, 1000, 1001)).allowed).toBe(false);
    expect((await b.hit(1, 1000, 1001)).allowed).toBe(true);
  });
});

describe("/v1 rate limit", () => {
  it(`answers request ${V1_RATE_LIMIT.limit + 1} within a minute with 429 and Retry-After, per key`, async () => {
    const key = await newKey();
    const other = await newKey();
    // Use up the key's window through its limiter (600 HTTP round trips would dominate the suite's
    // run time), leaving exactly one request, then spend that one over HTTP.
    const limiter = limiterOf(key.id);
    for (let i = 0; i < V1_RATE_LIMIT.limit - 1; i++) await limiter.hit(V1_RATE_LIMIT.limit, V1_RATE_LIMIT.windowMs);
    const last = await v1("/account", { key: key.secret });
    expect(last.status).toBe(200);
    expect(last.headers.get("ratelimit-remaining")).toBe("0");

    const limited = await v1("/account", { key: key.secret });
    expect(limited.status).toBe(429);
    const retryAfter = Number(limited.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get("ratelimit-remaining")).toBe("0");
    const body = await json(limited);
    expect(body.error.code).toBe("RATE_LIMITED");
    expect(body.error.details).toEqual({ retry_after_seconds: retryAfter });

    expect((await v1("/account", { key: other.secret })).status).toBe(200);
  }, 30_000);

  it("checks the key before counting: bad keys never reach a limiter", async () => {
    const key = await newKey();
    const wrong = `${key.secret.slice(0, -1)}${key.secret.endsWith("A") ? "B" : "A"}`;
    for (let i = 0; i < 5; i++) expect((await v1("/account", { key: wrong })).status).toBe(401);
    const res = await v1("/account", { key: key.secret });
    expect(res.headers.get("ratelimit-remaining")).toBe(String(V1_RATE_LIMIT.limit - 1));
  });
});
