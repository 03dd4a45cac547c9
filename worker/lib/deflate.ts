import { Buffer } from "node:buffer";
import { deflateRawSync, inflateRawSync } from "node:zlib";

/*
 * The stored form of an SES event's raw `detail` (events.detail): its JSON as raw DEFLATE. A real detail
 * (~1.6 KB of JSON) deflates to less than half, and it is the bulk of an event row (docs/scaling.md).
 * Synchronous zlib (nodejs_compat): a detail is small, and a stream per row would cost more than the work.
 */

export function deflateJson(value: unknown): Uint8Array {
  return deflateRawSync(JSON.stringify(value));
}

/** What D1 hands back for the column: a BLOB (as bytes or an array of byte values), or text. */
export type StoredJson = string | ArrayBuffer | ArrayBufferView | number[];

/** A stored detail: deflated bytes, or the JSON text itself (rows stored before migration 0017). */
export function inflateJson(stored: StoredJson): unknown {
  if (typeof stored === "string") return JSON.parse(stored);
  const bytes = Array.isArray(stored)
    ? Uint8Array.from(stored)
    : ArrayBuffer.isView(stored)
      ? new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength)
      : new Uint8Array(stored);
  return JSON.parse(inflateRawSync(bytes).toString("utf8"));
}

/** Hex of bytes: how a BLOB travels inside a JSON statement parameter (SQL `unhex()` turns it back). */
export const hexOf = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
