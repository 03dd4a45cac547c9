import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../worker/app";
import { BASE } from "./helpers";

const app = createApp();

interface ErrorJson {
  error: { code: string; message: string; details: { fields: { field: string; message: string }[] } | null };
}

/** One request on the test environment without the vars nothing reads yet, plus `vars` (undefined removes one). */
async function answer(vars: Record<string, unknown> = {}) {
  const { GITHUB_API_URL: _g, STRIPE_API_URL: _s, ...rest } = env;
  const res = await app.fetch(new Request(`${BASE}/v1/account`), { ...rest, ...vars }, createExecutionContext());
  const body = (await res.json()) as ErrorJson;
  return { status: res.status, body, error: body.error };
}

describe("environment check", () => {
  it("starts without GITHUB_API_URL and STRIPE_API_URL", async () => {
    // 401: the request got past the environment check to the route's own API key check.
    expect(await answer()).toMatchObject({ status: 401, error: { code: "API_KEY_MISSING" } });
    const urls = { GITHUB_API_URL: "https://api.github.com", STRIPE_API_URL: "https://api.stripe.com" };
    expect((await answer(urls)).status).toBe(401);
  });

  it("still refuses them when they are set and not absolute URLs", async () => {
    const res = await answer({ GITHUB_API_URL: "api.github.com", DNS_RESOLVER_URL: "" });
    expect(res.status).toBe(500);
    expect(res.error.code).toBe("BAD_ENVIRONMENT");
    expect(res.error.message).toContain("GITHUB_API_URL: var GITHUB_API_URL must be an absolute URL when set");
    expect(res.error.message).toContain("DNS_RESOLVER_URL: var DNS_RESOLVER_URL must be the absolute URL of a DNS-over-HTTPS JSON endpoint");
    expect(res.error.message).not.toContain("STRIPE_API_URL");
  });

  it("answers a bad environment with the standard error JSON, its details naming each bad variable", async () => {
    const res = await answer({ ENCRYPTION_KEY: undefined, APP_URL: "not a url", ORG_LEDGER: "not a binding" });
    expect(res.status).toBe(500);
    expect(Object.keys(res.body)).toEqual(["error"]);
    expect(res.error.code).toBe("BAD_ENVIRONMENT");
    expect(res.error.details?.fields).toEqual([
      { field: "ORG_LEDGER", message: "binding ORG_LEDGER is missing or is not the right kind (check wrangler.toml)" },
      { field: "APP_URL", message: "var APP_URL must be an absolute URL" },
      { field: "ENCRYPTION_KEY", message: "secret ENCRYPTION_KEY is missing (wrangler secret put ENCRYPTION_KEY)" },
    ]);
  });

  it("checks every binding, var and secret the Worker is given", async () => {
    // A value of the wrong kind for each: a string where a binding belongs, an object where a var or secret does.
    // Not the tests' own bindings (`TEST_…`: migrations, stand-ins' addresses) nor the pool's internal ones (`__VITEST_POOL_WORKERS_…`).
    const given = Object.entries(env).filter(([name]) => !name.startsWith("TEST_") && !name.startsWith("__"));
    expect(given.map(([name]) => name)).toEqual(expect.arrayContaining(["DB", "ORG_LEDGER", "RATE_LIMITER", "APP_URL", "ENCRYPTION_KEY"]));
    const unchecked: string[] = [];
    for (const [name, value] of given) {
      const res = await answer({ [name]: typeof value === "string" ? {} : "wrong" });
      if (res.status !== 500 || !res.error.details?.fields.some((f) => f.field === name)) unchecked.push(name);
    }
    expect(unchecked).toEqual([]);
  });
});
