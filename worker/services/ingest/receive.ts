import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { rejectedPayloads } from "../../db/schema";
import { AppError, unauthorized } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { authenticateIngestKey } from "./keys";
import { parseEventBridgeEvent, type SesEventBridgeEvent } from "./schemas";

/**
 * POST /ingest/eventbridge (docs/ingest.md). Status codes follow EventBridge's retry rules: it retries
 * 401, 429 and 5xx and drops other 4xx, so a 400/413 body is stored in `rejected_payloads` first.
 */

/** EventBridge's historical PutEvents entry limit. */
export const INGEST_MAX_BODY_BYTES = 256 * 1024;
/** Queue messages are limited to 128 KB: bodies above this travel through R2 (`event_ref`). */
export const QUEUE_INLINE_MAX_BYTES = 96 * 1024;
/** Seconds EventBridge should wait before retrying when the queue is unavailable. */
export const QUEUE_UNAVAILABLE_RETRY_AFTER_S = 10;
export const OVERFLOW_PREFIX = "ingest-overflow/";

/** What the ingest endpoint puts on the `sendops-events` queue. */
export type EventsQueueMessage =
  | { kind: "event"; orgId: string; receivedAt: number; event: SesEventBridgeEvent }
  | { kind: "event_ref"; orgId: string; receivedAt: number; r2Key: string }
  /** The benchmark's do-nothing message: the request body as received, never looked at. */
  | { kind: "noop"; body: string };

/** Reads at most `limit` + 1 bytes: a body's size is never taken from Content-Length alone. */
export async function readBounded(body: ReadableStream<Uint8Array> | null, limit: number): Promise<{ bytes: Uint8Array; overLimit: boolean }> {
  if (!body) return { bytes: new Uint8Array(0), overLimit: false };
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  let overLimit = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = limit + 1 - size;
    parts.push(value.length > room ? value.subarray(0, room) : value);
    size += Math.min(value.length, room);
    if (size > limit) {
      overLimit = true;
      await reader.cancel();
      break;
    }
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return { bytes, overLimit };
}

async function reject(env: Env, orgId: string, status: 400 | 413, reason: string, bytes: Uint8Array, truncated: boolean, now: number) {
  const id = newId("rjp", now);
  await getDb(env.DB)
    .insert(rejectedPayloads)
    .values({
      id,
      orgId,
      receivedAt: now,
      status,
      reason,
      body: new TextDecoder().decode(truncated ? bytes.subarray(0, INGEST_MAX_BODY_BYTES) : bytes),
      bodyBytes: bytes.length,
      truncated,
    });
  return id;
}

export interface IngestRequest {
  apiKey: string | undefined;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * Authenticates, bounds, parses and validates one EventBridge event, then enqueues it. Resolves only
 * once the queue accepted the message; throws AppError (401 / 400 / 413 / 503) otherwise.
 */
export async function receiveEventBridgeEvent(env: Env, req: IngestRequest, now = Date.now()): Promise<{ id: string }> {
  const db = getDb(env.DB);
  const orgId = req.apiKey ? await authenticateIngestKey(db, req.apiKey, now) : null;
  if (!orgId) throw unauthorized("Missing or invalid x-api-key header.");

  const { bytes, overLimit } = await readBounded(req.body, INGEST_MAX_BODY_BYTES);
  if (overLimit) {
    const reason = `Body exceeds ${INGEST_MAX_BODY_BYTES} bytes.`;
    const rejectedPayloadId = await reject(env, orgId, 413, reason, bytes, true, now);
    throw new AppError("PAYLOAD_TOO_LARGE", 413, reason, { rejectedPayloadId });
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    const reason = "Body is not valid JSON.";
    const rejectedPayloadId = await reject(env, orgId, 400, reason, bytes, false, now);
    throw new AppError("INVALID_EVENT", 400, reason, { rejectedPayloadId, fields: [] });
  }
  const result = parseEventBridgeEvent(parsed);
  if (!result.ok) {
    const first = result.issues[0]!;
    const reason = `${first.field}: ${first.message}`;
    const rejectedPayloadId = await reject(env, orgId, 400, reason, bytes, false, now);
    throw new AppError("INVALID_EVENT", 400, reason, { rejectedPayloadId, fields: result.issues });
  }

  let message: EventsQueueMessage;
  if (bytes.length > QUEUE_INLINE_MAX_BYTES) {
    const r2Key = `${OVERFLOW_PREFIX}${orgId}/${newId("evt", now)}.json`;
    try {
      await env.FILES.put(r2Key, bytes, { httpMetadata: { contentType: "application/json" } });
    } catch (err) {
      throw queueUnavailable(err);
    }
    message = { kind: "event_ref", orgId, receivedAt: now, r2Key };
  } else {
    // The parsed body, not zod's output: the stored `detail` keeps every field SES sent.
    message = { kind: "event", orgId, receivedAt: now, event: parsed as SesEventBridgeEvent };
  }
  await enqueue(env, message);
  return { id: result.event.id };
}

function queueUnavailable(err: unknown) {
  console.error("ingest: enqueue failed", err);
  return new AppError(
    "QUEUE_UNAVAILABLE",
    503,
    "The event could not be queued. Retry later.",
    { retry_after_seconds: QUEUE_UNAVAILABLE_RETRY_AFTER_S },
    { "Retry-After": String(QUEUE_UNAVAILABLE_RETRY_AFTER_S) },
  );
}

async function enqueue(env: Env, message: EventsQueueMessage) {
  try {
    // The default "v8" content type (structured clone): producer and consumer are both this Worker, and
    // nothing has to re-encode the event as JSON text on its way through the queue.
    await env.EVENTS_QUEUE.send(message);
  } catch (err) {
    throw queueUnavailable(err);
  }
}

/**
 * POST /ingest/noop (only with BENCH_BASELINE=true): the benchmark's do-nothing baseline. It carries the
 * same payload through the same queue as the real path, so the benchmark's ratio prices exactly what
 * ingest adds: authentication, validation and the consumer's work.
 */
export async function receiveNoop(env: Env, body: ReadableStream<Uint8Array> | null): Promise<void> {
  const { bytes } = await readBounded(body, INGEST_MAX_BODY_BYTES);
  await enqueue(env, { kind: "noop", body: new TextDecoder().decode(bytes) });
}
