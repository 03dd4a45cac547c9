import { describe, expect, it } from "vitest";
import { call, json, newUser, sessionCookie, uniqueEmail } from "./helpers";

describe("sign-up", () => {
  it("rejects a short password, a bad email, a missing name and unchecked terms, naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "A", email: uniqueEmail(), password: "short", acceptTerms: true }, "password"],
      [{ name: "A", email: "not-an-email", password: "long enough", acceptTerms: true }, "email"],
      [{ name: "", email: uniqueEmail(), password: "long enough", acceptTerms: true }, "name"],
      [{ name: "A", email: uniqueEmail(), password: "long enough", acceptTerms: false }, "acceptTerms"],
    ];
    for (const [body, field] of cases) {
      const res = await call("/api/auth/sign-up", { method: "POST", body });
      expect(res.status).toBe(422);
      const err = await json(res);
      expect(err.error.code).toBe("VALIDATION_FAILED");
      expect(err.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
  });

  it("answers a duplicate email exactly like a new one", async () => {
    const email = uniqueEmail();
    const body = { name: "A", email, password: "long enough", acceptTerms: true };
    const first = await call("/api/auth/sign-up", { method: "POST", body });
    const second = await call("/api/auth/sign-up", { method: "POST", body: { ...body, password: "another pass" } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(await second.json()).toEqual(await first.json());
    // The original password still works: the duplicate did not overwrite the account.
    const signIn = await call("/api/auth/sign-in", { method: "POST", body: { email, password: "long enough" } });
    expect(signIn.status).toBe(200);
  });
});

describe("sign-in and sessions", () => {
  it("sets an HttpOnly SameSite=Lax cookie and /api/me works with it", async () => {
    const email = uniqueEmail();
    await call("/api/auth/sign-up", { method: "POST", body: { name: "Ada", email, password: "long enough", acceptTerms: true } });
    const res = await call("/api/auth/sign-in", { method: "POST", body: { email: email.toUpperCase(), password: "long enough" } });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);
    const me = await json(await call("/api/me", { cookie: sessionCookie(res) }));
    expect(me.user).toMatchObject({ email, name: "Ada" });
  });

  it("gives the same error for an unknown email and a wrong password", async () => {
    const u = await newUser();
    const wrong = await call("/api/auth/sign-in", { method: "POST", body: { email: u.email, password: "wrong password" } });
    const unknown = await call("/api/auth/sign-in", { method: "POST", body: { email: uniqueEmail("nobody"), password: "wrong password" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await wrong.json()).toEqual(await unknown.json());
  });

  it("GET /api/session answers 200 either way: the user's profile when signed in, { user: null } otherwise", async () => {
    const u = await newUser();
    const signedIn = await call("/api/session", { cookie: u.cookie });
    expect(signedIn.status).toBe(200);
    expect(await json(signedIn)).toEqual(await json(await call("/api/me", { cookie: u.cookie })));

    const visitor = await call("/api/session");
    expect(visitor.status).toBe(200);
    expect(await json(visitor)).toEqual({ user: null });

    await call("/api/auth/sign-out", { method: "POST", cookie: u.cookie });
    const signedOut = await call("/api/session", { cookie: u.cookie });
    expect(signedOut.status).toBe(200);
    expect(await json(signedOut)).toEqual({ user: null });
  });

  it("signs out: the cookie no longer works", async () => {
    const u = await newUser();
    expect((await call("/api/me", { cookie: u.cookie })).status).toBe(200);
    expect((await call("/api/auth/sign-out", { method: "POST", cookie: u.cookie })).status).toBe(200);
    const after = await call("/api/me", { cookie: u.cookie });
    expect(after.status).toBe(401);
    expect((await json(after)).error.code).toBe("UNAUTHORIZED");
  });
});

describe("throttling", () => {
  it("blocks an email after 10 failures in 15 minutes with 429 and Retry-After", async () => {
    const u = await newUser();
    for (let i = 0; i < 10; i++) {
      const r = await call("/api/auth/sign-in", {
        method: "POST",
        body: { email: u.email, password: "nope nope" },
        headers: { "cf-connecting-ip": `192.0.2.${i}` },
      });
      expect(r.status).toBe(401);
    }
    const blocked = await call("/api/auth/sign-in", {
      method: "POST",
      body: { email: u.email, password: u.password },
      headers: { "cf-connecting-ip": "192.0.2.200" },
    });
    expect(blocked.status).toBe(429);
    const retry = Number(blocked.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    expect((await json(blocked)).error.code).toBe("RATE_LIMITED");
  });

  it("blocks an IP after 10 failures across different emails", async () => {
    const ip = "198.51.100.77";
    for (let i = 0; i < 10; i++) {
      await call("/api/auth/sign-in", { method: "POST", body: { email: uniqueEmail("x"), password: "nope nope" }, headers: { "cf-connecting-ip": ip } });
    }
    const u = await newUser();
    const blocked = await call("/api/auth/sign-in", { method: "POST", body: { email: u.email, password: u.password }, headers: { "cf-connecting-ip": ip } });
    expect(blocked.status).toBe(429);
  });
});

describe("change password", () => {
  it("needs the current password and ends other sessions", async () => {
    const u = await newUser();
    const other = sessionCookie(await call("/api/auth/sign-in", { method: "POST", body: { email: u.email, password: u.password } }));
    const bad = await call("/api/auth/password", { method: "POST", cookie: u.cookie, body: { currentPassword: "wrong one!", newPassword: "brand new pass" } });
    expect(bad.status).toBe(422);
    expect((await json(bad)).error.details.fields[0].field).toBe("currentPassword");
    const ok = await call("/api/auth/password", { method: "POST", cookie: u.cookie, body: { currentPassword: u.password, newPassword: "brand new pass" } });
    expect(ok.status).toBe(200);
    expect((await call("/api/me", { cookie: u.cookie })).status).toBe(200);
    expect((await call("/api/me", { cookie: other })).status).toBe(401);
    const old = await call("/api/auth/sign-in", { method: "POST", body: { email: u.email, password: u.password } });
    expect(old.status).toBe(401);
    const fresh = await call("/api/auth/sign-in", { method: "POST", body: { email: u.email, password: "brand new pass" } });
    expect(fresh.status).toBe(200);
  });
});

describe("CSRF and error contract", () => {
  it("refuses a state-changing request from another origin or without an origin", async () => {
    const u = await newUser();
    const cross = await call("/api/auth/sign-out", { method: "POST", cookie: u.cookie, origin: "https://evil.example" });
    expect(cross.status).toBe(403);
    expect((await json(cross)).error.code).toBe("CSRF_REJECTED");
    const none = await call("/api/auth/sign-out", { method: "POST", cookie: u.cookie, origin: null });
    expect(none.status).toBe(403);
    expect((await call("/api/me", { cookie: u.cookie })).status).toBe(200);
  });

  it("answers unknown routes with a JSON 404 and oversized bodies with 413", async () => {
    const nf = await call("/api/does-not-exist");
    expect(nf.status).toBe(404);
    expect((await json(nf)).error).toMatchObject({ code: "NOT_FOUND" });
    const big = await call("/api/auth/sign-in", { method: "POST", body: "x".repeat(1024 * 1024 + 10), headers: { "content-type": "application/json" } });
    expect(big.status).toBe(413);
    expect((await json(big)).error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("sets security headers on API responses", async () => {
    const res = await call("/api/me");
    const csp = res.headers.get("content-security-policy")!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline'; script");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });
});
