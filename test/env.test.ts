import { createExecutionContext, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../worker/app";
import { BASE } from "./helpers";

const app = createApp();

/** One request on the test environment without the vars nothing reads yet, plus `vars`. */
async function answer(vars: Record<string, string> = {}) {
  const { GITHUB_API_URL: _g, STRIPE_API_URL: _s, DNS_RESOLVER_URL: _d, ...rest } = env;
  const res = await app.fetch(new Request(`${BASE}/v1/account`), { ...rest, ...vars }, createExecutionContext());
  return { status: res.status, error: ((await res.json()) as { error: { code: string; message: string } }).error };
}

describe("environment check", () => {
  it("starts without GITHUB_API_URL, STRIPE_API_URL and DNS_RESOLVER_URL", async () => {
    // 401: the request got past the environment check to the route's own API key check.
    expect(await answer()).toMatchObject({ status: 401, error: { code: "API_KEY_MISSING" } });
    const urls = { GITHUB_API_URL: "https://api.github.com", STRIPE_API_URL: "https://api.stripe.com", DNS_RESOLVER_URL: "https://cloudflare-dns.com/dns-query" };
    expect((await answer(urls)).status).toBe(401);
  });

  it("still refuses them when they are set and not absolute URLs", async () => {
    const res = await answer({ GITHUB_API_URL: "api.github.com", DNS_RESOLVER_URL: "" });
    expect(res.status).toBe(500);
    expect(res.error.code).toBe("BAD_ENVIRONMENT");
    expect(res.error.message).toContain("GITHUB_API_URL: var GITHUB_API_URL must be an absolute URL when set");
    expect(res.error.message).toContain("DNS_RESOLVER_URL: var DNS_RESOLVER_URL must be an absolute URL when set");
    expect(res.error.message).not.toContain("STRIPE_API_URL");
  });
});
