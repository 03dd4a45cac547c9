import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inlineParams, localDb, sqlLiteral, wranglerDb, type LocalDb } from "../../scripts/lib/d1";
import { applyMigrations, processTreeRssBytes } from "../../scripts/lib/instance";
import { orgs, users } from "../../worker/db/schema";
import { isUniqueViolation } from "../../worker/db/workspaces";

describe("SQL literals for wrangler d1 execute", () => {
  it("quotes every parameter type", () => {
    expect(sqlLiteral(null)).toBe("NULL");
    expect(sqlLiteral(undefined)).toBe("NULL");
    expect(sqlLiteral(true)).toBe("1");
    expect(sqlLiteral(42)).toBe("42");
    expect(sqlLiteral(1.5)).toBe("1.5");
    expect(sqlLiteral(12n)).toBe("12");
    expect(sqlLiteral("O'Brien")).toBe("'O''Brien'");
    expect(sqlLiteral(new Uint8Array([0, 255]))).toBe("X'00ff'");
    expect(() => sqlLiteral(Number.NaN)).toThrow();
    expect(() => sqlLiteral("a\0b")).toThrow();
    expect(() => sqlLiteral({})).toThrow();
  });

  it("replaces placeholders only outside quotes and comments, and checks the count", () => {
    expect(inlineParams(`select "a?" , 'b?''?', ? -- what?\n, ?`, ["x", 2])).toBe(`select "a?" , 'b?''?', 'x' -- what?\n, 2`);
    expect(() => inlineParams("select ?", [])).toThrow(/more placeholders/);
    expect(() => inlineParams("select 1", [1])).toThrow(/0 placeholders but 1/);
    expect(() => inlineParams("select 'open", [])).toThrow(/unterminated/);
  });
});

describe("wranglerDb (the operator CLI's --remote path, run against a local database)", () => {
  let dir: string;
  let local: LocalDb;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "sendops-d1-test-"));
    await applyMigrations(dir);
    local = await localDb(dir);
  });
  afterAll(async () => {
    await local?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes and reads rows through drizzle with awkward values intact", async () => {
    const db = wranglerDb({ persistDir: dir });
    const name = `Zoë O'Brien; DROP TABLE users; -- ? "quoted"\nnew line`;
    const [inserted] = await db.batch([db.insert(users).values({ id: "usr_d1_1", email: "zoe@example.com", name, createdAt: 1_700_000_000_123 })]);
    expect(inserted.meta.changes).toBe(1);
    const row = await db.select().from(users).where(eq(users.email, "zoe@example.com")).get();
    expect(row).toMatchObject({ id: "usr_d1_1", name, createdAt: 1_700_000_000_123, timezone: null, weekStart: "monday" });
    // The same row seen through the local binding: nothing was mangled on the way in.
    expect((await local.db.select().from(users).where(eq(users.id, "usr_d1_1")).get())?.name).toBe(name);
  });

  it("runs a batch as one transaction and reports SQLite's error", async () => {
    const db = wranglerDb({ persistDir: dir });
    const at = Date.now();
    const org = (id: string, slug: string) => db.insert(orgs).values({ id, name: id, slug, createdAt: at, updatedAt: at });
    await db.batch([org("org_d1_a", "d1-a")]);
    const failure = await db.batch([org("org_d1_b", "d1-b"), org("org_d1_c", "d1-a")]).catch((e: unknown) => e);
    expect(isUniqueViolation(failure, "orgs.slug")).toBe(true);
    const slugs = (await local.db.select({ slug: orgs.slug }).from(orgs).all()).map((r) => r.slug);
    expect(slugs).toContain("d1-a");
    expect(slugs).not.toContain("d1-b");
    const [updated] = await db.batch([db.update(orgs).set({ plan: "team" }).where(eq(orgs.id, "org_d1_a"))]);
    expect(updated.meta.changes).toBe(1);
  });
});

describe("processTreeRssBytes", () => {
  it("sums the resident memory of a process and its children", () => {
    const own = processTreeRssBytes(process.pid);
    expect(own).toBeGreaterThan(10 * 1024 * 1024);
    expect(processTreeRssBytes(process.ppid)).toBeGreaterThanOrEqual(own);
  });
});
