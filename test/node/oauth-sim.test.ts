/**
 * The OAuth stand-in (sim/oauth.ts) on its own: what GitHub's and Google's token endpoints refuse (client
 * credentials, redirect_uri, replayed or expired codes, PKCE) and the wire formats the Worker reads.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODE_TTL_MS, OAuthSim } from "../../sim/oauth/server";
import { SIM_GITHUB_CLIENT_ID, SIM_GITHUB_CLIENT_SECRET, SIM_GOOGLE_CLIENT_ID, SIM_GOOGLE_CLIENT_SECRET } from "../../sim/oauth/credentials";

let now = Date.UTC(2026, 0, 1);
let sim: OAuthSim;
let base: string;
const REDIRECT = "http://127.0.0.1:8787/api/auth/oauth/github/callback";

beforeAll(async () => {
  sim = new OAuthSim({ now: () => now });
  base = await sim.listen(0);
});
afterAll(async () => {
  await sim?.close();
});

const verifier = "a-code-verifier-of-enough-length-0123456789abcdef";
const challenge = crypto.createHash("sha256").update(verifier).digest("base64url");

/** An authorization code for the default GitHub persona (or Google's), via the `next` control. */
async function code(provider: "github" | "google", params: Record<string, string> = {}) {
  const userId = provider === "github" ? "583231" : "110000000000000000001";
  await fetch(`${base}/__sim/oauth/next`, { method: "POST", body: JSON.stringify({ provider, userId }) });
  const path = provider === "github" ? "/login/oauth/authorize" : "/o/oauth2/v2/auth";
  const q = new URLSearchParams({
    client_id: provider === "github" ? SIM_GITHUB_CLIENT_ID : SIM_GOOGLE_CLIENT_ID,
    redirect_uri: REDIRECT,
    state: "st",
    response_type: "code",
    scope: provider === "github" ? "read:user user:email" : "openid email",
    code_challenge: challenge,
    code_challenge_method: "S256",
    nonce: "n1",
    ...params,
  });
  const res = await fetch(`${base}${path}?${q}`, { redirect: "manual" });
  expect(res.status).toBe(302);
  const loc = new URL(res.headers.get("location")!);
  expect(loc.searchParams.get("state")).toBe("st");
  return loc.searchParams.get("code")!;
}

const githubToken = (body: Record<string, string>, accept = "application/json") =>
  fetch(`${base}/login/oauth/access_token`, { method: "POST", headers: { accept, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body) });
const githubBody = (c: string, extra: Record<string, string> = {}) => ({
  client_id: SIM_GITHUB_CLIENT_ID,
  client_secret: SIM_GITHUB_CLIENT_SECRET,
  code: c,
  redirect_uri: REDIRECT,
  code_verifier: verifier,
  ...extra,
});

describe("GitHub", () => {
  it("answers the token as JSON or form-encoded per Accept; the token reads /user and /user/emails", async () => {
    const json = (await (await githubToken(githubBody(await code("github")))).json()) as any;
    expect(json).toMatchObject({ token_type: "bearer", scope: "read:user,user:email" });
    const form = new URLSearchParams(await (await githubToken(githubBody(await code("github")), "*/*")).text());
    expect(form.get("access_token")).toMatch(/^gho_/);
    const auth = { authorization: `Bearer ${json.access_token}` };
    expect(await (await fetch(`${base}/user`, { headers: auth })).json()).toMatchObject({ login: "octocat", id: 583231, email: null });
    expect(await (await fetch(`${base}/user/emails`, { headers: auth })).json()).toEqual([{ email: "octocat@users.github.test", primary: true, verified: true, visibility: "private" }]);
    expect((await fetch(`${base}/user`, { headers: { authorization: "Bearer nope" } })).status).toBe(401);
  });

  it("refuses wrong client credentials, another redirect_uri, a replayed or expired code and a wrong verifier (200 with error, as GitHub)", async () => {
    const errorOf = async (res: Response) => {
      expect(res.status).toBe(200);
      return ((await res.json()) as any).error;
    };
    expect(await errorOf(await githubToken(githubBody(await code("github"), { client_secret: "wrong" })))).toBe("incorrect_client_credentials");
    expect(await errorOf(await githubToken(githubBody(await code("github"), { redirect_uri: "http://127.0.0.1:1/x" })))).toBe("redirect_uri_mismatch");
    const c = await code("github");
    expect((await (await githubToken(githubBody(c))).json()) as any).toHaveProperty("access_token");
    expect(await errorOf(await githubToken(githubBody(c)))).toBe("bad_verification_code");
    const late = await code("github");
    now += CODE_TTL_MS;
    expect(await errorOf(await githubToken(githubBody(late)))).toBe("bad_verification_code");
    expect(await errorOf(await githubToken(githubBody(await code("github"), { code_verifier: "another-verifier-of-enough-length-0123456789" })))).toBe("bad_verification_code");
  });

  it("refuses an unknown client or an unregistered redirect_uri at the authorize page", async () => {
    expect((await fetch(`${base}/login/oauth/authorize?client_id=nope&redirect_uri=${encodeURIComponent(REDIRECT)}`)).status).toBe(400);
    expect((await fetch(`${base}/login/oauth/authorize?client_id=${SIM_GITHUB_CLIENT_ID}&redirect_uri=${encodeURIComponent("https://evil.example/cb")}`)).status).toBe(400);
  });
});

describe("Google", () => {
  const token = (body: Record<string, string>, basic = true) =>
    fetch(`${base}/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(basic ? { authorization: `Basic ${Buffer.from(`${SIM_GOOGLE_CLIENT_ID}:${SIM_GOOGLE_CLIENT_SECRET}`).toString("base64")}` } : {}),
      },
      body: new URLSearchParams({ grant_type: "authorization_code", redirect_uri: REDIRECT, code_verifier: verifier, ...body }),
    });

  it("requires PKCE at the authorize endpoint", async () => {
    const q = new URLSearchParams({ client_id: SIM_GOOGLE_CLIENT_ID, redirect_uri: REDIRECT, response_type: "code", scope: "openid" });
    expect((await fetch(`${base}/o/oauth2/v2/auth?${q}`)).status).toBe(400);
  });

  it("issues an RS256 id_token its JWKS verifies, with the nonce, audience and email_verified", async () => {
    const res = await token({ code: await code("google") });
    expect(res.status).toBe(200);
    const { id_token } = (await res.json()) as { id_token: string };
    const [h, p, s] = id_token.split(".") as [string, string, string];
    const header = JSON.parse(Buffer.from(h, "base64url").toString());
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    expect(claims).toMatchObject({ iss: base, aud: SIM_GOOGLE_CLIENT_ID, sub: "110000000000000000001", email: "ada@gmail.test", email_verified: true, nonce: "n1" });
    const { keys } = (await (await fetch(`${base}/oauth2/v3/certs`)).json()) as { keys: (crypto.JsonWebKey & { kid: string })[] };
    const key = crypto.createPublicKey({ key: keys.find((k) => k.kid === header.kid)!, format: "jwk" });
    expect(crypto.verify("RSA-SHA256", Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"))).toBe(true);
    const discovery = (await (await fetch(`${base}/.well-known/openid-configuration`)).json()) as any;
    expect(discovery).toMatchObject({ issuer: base, token_endpoint: `${base}/token`, jwks_uri: `${base}/oauth2/v3/certs` });
  });

  it("refuses a wrong secret (401 invalid_client), a wrong verifier and a replayed code (400 invalid_grant); client_secret_post works", async () => {
    expect((await token({ code: await code("google"), client_id: SIM_GOOGLE_CLIENT_ID, client_secret: "wrong" }, false)).status).toBe(401);
    const bad = await token({ code: await code("google"), code_verifier: "another-verifier-of-enough-length-0123456789" });
    expect([bad.status, ((await bad.json()) as any).error]).toEqual([400, "invalid_grant"]);
    const c = await code("google");
    expect((await token({ code: c, client_id: SIM_GOOGLE_CLIENT_ID, client_secret: SIM_GOOGLE_CLIENT_SECRET }, false)).status).toBe(200);
    expect((await token({ code: c })).status).toBe(400);
  });
});
