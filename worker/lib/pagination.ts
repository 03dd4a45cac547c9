import { z } from "zod";
import { fromBase64, toBase64Url } from "./crypto";
import { validationError } from "./errors";

/**
 * Keyset (cursor) pagination for list endpoints. A cursor is opaque to clients: base64url of the JSON
 * sort key of the last row returned (e.g. `[at, id]`). Queries fetch `limit + 1` rows so `paginate`
 * knows whether another page exists without a count. Cursors need no signature: every query is
 * scoped by the caller's org, so a forged cursor can only reposition within what the caller may see.
 */
export const PAGE_LIMIT_DEFAULT = 50;
export const PAGE_LIMIT_MAX = 100;

/** Query fields of every list endpoint; extend it: `paginationQuery.extend({ channel: ... })`. */
export const paginationQuery = z.object({
  cursor: z.string().max(1024).optional().describe("The `nextCursor` of the previous page; omit for the first page."),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(PAGE_LIMIT_MAX)
    .default(PAGE_LIMIT_DEFAULT)
    .describe(`Page size, 1–${PAGE_LIMIT_MAX} (default ${PAGE_LIMIT_DEFAULT}).`),
});

/** A sort key: the values of the ordering columns of one row, most significant first. */
export type CursorKey = readonly (string | number)[];

export function encodeCursor(key: CursorKey): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(key)));
}

/**
 * The sort key inside `cursor`, checked against `schema` (e.g. `z.tuple([z.number().int(), z.string()])`),
 * or undefined for the first page. Anything else is a 422 naming the `cursor` field.
 */
export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, schema: T): z.output<T> | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(fromBase64(cursor)));
  } catch {
    raw = undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const message = "Invalid cursor: pass the nextCursor of a previous page unchanged.";
    throw validationError(`cursor: ${message}`, { fields: [{ field: "cursor", message }] });
  }
  return parsed.data;
}

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** One page from `limit + 1` fetched rows; `nextCursor` is null on the last page. */
export function paginate<T>(rows: readonly T[], limit: number, keyOf: (row: T) => CursorKey): Page<T> {
  const data = rows.slice(0, limit);
  const last = data[data.length - 1];
  return { data, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** The response schema of a list endpoint whose items follow `item`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().describe("Pass as `cursor` to get the next page; null on the last page."),
  });
}
