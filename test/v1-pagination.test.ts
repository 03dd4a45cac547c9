import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../worker/lib/errors";
import { decodeCursor, encodeCursor, pageSchema, paginate, paginationQuery } from "../worker/lib/pagination";

const key = z.tuple([z.number().int(), z.string()]);

interface Row {
  at: number;
  id: string;
}

/** An in-memory keyset query, newest first, as a list endpoint runs it in SQL: `(at, id) < cursor`, limit + 1. */
function query(rows: Row[], cursor: string | undefined, limit: number): Row[] {
  const after = decodeCursor(cursor, key);
  return rows
    .filter((r) => !after || r.at < after[0] || (r.at === after[0] && r.id < after[1]))
    .slice(0, limit + 1);
}

describe("cursor pagination", () => {
  it("walks every row exactly once, ties on the first key broken by the second", () => {
    const rows: Row[] = Array.from({ length: 23 }, (_, i) => ({ at: 1000 - Math.floor(i / 3), id: `msg_${String(99 - i).padStart(2, "0")}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = paginate(query(rows, cursor, 5), 5, (r) => [r.at, r.id]);
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(seen).toEqual(rows.map((r) => r.id));
    expect(pages).toBe(5);
  });

  it("has no next cursor when the last page is exactly full", () => {
    const rows = [1, 2, 3, 4].map((n) => ({ at: n, id: `r${n}` }));
    expect(paginate(rows, 4, (r) => [r.at, r.id]).nextCursor).toBeNull();
    expect(paginate(rows, 3, (r) => [r.at, r.id]).nextCursor).not.toBeNull();
    expect(paginate([], 3, (r: Row) => [r.at, r.id])).toEqual({ data: [], nextCursor: null });
  });

  it("makes opaque, URL-safe cursors that survive any characters", () => {
    const c = encodeCursor([1700000000000, "ünïcødé+/=?&"]);
    expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(c, key)).toEqual([1700000000000, "ünïcødé+/=?&"]);
    expect(decodeCursor(undefined, key)).toBeUndefined();
    expect(decodeCursor("", key)).toBeUndefined();
  });

  it("refuses a tampered or foreign cursor with 422 naming the cursor field", () => {
    for (const bad of ["not base64!", encodeCursor(["x", 1]), encodeCursor([1]), "e30", btoa("{").replace(/=/g, "")]) {
      let err: unknown;
      try {
        decodeCursor(bad, key);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(422);
      expect((err as AppError).details).toEqual({ fields: [{ field: "cursor", message: expect.any(String) }] });
    }
  });

  it("takes limit 1–100 from the query string, default 50", () => {
    expect(paginationQuery.parse({})).toEqual({ limit: 50 });
    expect(paginationQuery.parse({ limit: "100", cursor: "abc" })).toEqual({ limit: 100, cursor: "abc" });
    for (const limit of ["0", "101", "1.5", "ten"]) expect(paginationQuery.safeParse({ limit }).success, limit).toBe(false);
    const extended = paginationQuery.extend({ channel: z.string().optional() });
    expect(extended.parse({ channel: "ch_1" })).toEqual({ limit: 50, channel: "ch_1" });
  });

  it("describes a page as { data, nextCursor }", () => {
    const schema = pageSchema(z.object({ id: z.string() }));
    expect(schema.parse({ data: [{ id: "a", extra: 1 }], nextCursor: null })).toEqual({ data: [{ id: "a" }], nextCursor: null });
    expect(schema.safeParse({ data: [] }).success).toBe(false);
  });
});
