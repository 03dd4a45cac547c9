import type { RateLimitResult } from "../../../durable-objects/rate-limiter";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { insertRejectedPayload } from "../../db/ingest";
import { AppError, tooManyRequests, unauthorized } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { bucketStart } from "../../lib/time";
import { authenticateIngestKey } from "./keys";
import { INGEST_MAX_BODY_BYTES, REJECTED_PAYLOADS_KEPT, REJECTED_POSTS_RATE_LIMIT } from "./limits";
import { parseEventBridgeEvent, type SesEventBridgeEvent } from "./schemas";

/**
 * POST /ingest/eventbridge (docs/ingest.md). Status codes follow EventBridge's retry rules: it retries
 * 401, 429 and 5xx and drops other 4xx, so a 400/413 body is stored in `rejected_payloads` first
 * (within the workspace's cap and the key's rate limit of rejections: limits.ts).
 */
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

/**
 * Reads at most `limit` + 1 bytes and leaves the rest unread for the caller to discard (workerd needs a
 * body read to its end to answer on a healthy connection: limits.ts). A body without Content-Length is
 * measured here.
 */
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
      break;
    }
  }
  reader.releaseLock();
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    bytes.set(p, offset);
    offset += p.length;
  }
  return { bytes, overLimit };
}

interface Rejection {
  status: 400 | 413;
  reason: string;
  /** What is kept of the body (at most the first 256 KB). */
  body: Uint8Array;
  /** Bytes received or, when only Content-Length told, declared. */
  bodyBytes: number;
  truncated: boolean;
}

/**
 * The error to answer for a refused body, kept first in `rejected_payloads` (EventBridge does not retry
 * 400/413) within the workspace's cap; past the key's rate limit of rejections, a 429 and nothing kept.
 */
async function reject(env: Env, key: { orgId: string; keyId: string }, r: Rejection, details: Record<string, unknown>, now: number): Promise<AppError> {
  const limited = await countRejection(env, key.keyId);
  if (limited && !limited.allowed) {
    const { limit, windowMs } = REJECTED_POSTS_RATE_LIMIT;
    return tooManyRequests(
      Math.max(1, Math.ceil(limited.retryAfterMs / 1000)),
      `Too many rejected requests with this ingest key (more than ${limit} in ${windowMs / 1000} s): nothing was stored. Fix what sends invalid bodies; valid events are not limited.`,
    );
  }
  const id = newId("rjp", now);
  const row = { id, orgId: key.orgId, receivedAt: now, status: r.status, reason: r.reason, body: new TextDecoder().decode(r.body), bodyBytes: r.bodyBytes, truncated: r.truncated };
  await insertRejectedPayload(env.DB, row, REJECTED_PAYLOADS_KEPT, bucketStart(now, "hour"));
  return new AppError(r.status === 413 ? "PAYLOAD_TOO_LARGE" : "INVALID_EVENT", r.status, r.reason, { rejectedPayloadId: id, ...details });
}

/** One rejection against the key's window. Fails open (null): a limiter out of reach must not turn a 400 into a 500. */
async function countRejection(env: Env, keyId: string): Promise<RateLimitResult | null> {
  try {
    const ns = env.RATE_LIMITER;
    return await ns.get(ns.idFromName(`ingest-rejections:${keyId}`)).hit(REJECTED_POSTS_RATE_LIMIT.limit, REJECTED_POSTS_RATE_LIMIT.windowMs);
  } catch (err) {
    console.error("ingest: rate limiter unavailable; rejection counted nowhere", keyId, err);
    return null;
  }
}

export interface IngestRequest {
  apiKey: string | undefined;
  /** Content-Length, when the request has one. */
  declaredBytes: number | null;
  body: ReadableStream<Uint8Array> | null;
}

/**
 * Authenticates, bounds, parses and validates one EventBridge event, then enqueues it. Resolves only
 * once the queue accepted the message; throws AppError (401 / 400 / 413 / 429 / 503) otherwise.
 */
export async function receiveEventBridgeEvent(env: Env, req: IngestRequest, now = Date.now()): Promise<{ id: string }> {
  const db = getDb(env.DB);
  const key = req.apiKey ? await authenticateIngestKey(db, req.apiKey, now) : null;
  if (!key) throw unauthorized("Missing or invalid x-api-key header.");
  const { orgId } = key;

  const tooLarge = `Body exceeds ${INGEST_MAX_BODY_BYTES} bytes.`;
  if (req.declaredBytes !== null && req.declaredBytes > INGEST_MAX_BODY_BYTES) {
    // Decided before reading: nothing of the body is read or kept.
    throw await reject(env, key, { status: 413, reason: tooLarge, body: new Uint8Array(0), bodyBytes: req.declaredBytes, truncated: true }, {}, now);
  }
  const { bytes, overLimit } = await readBounded(req.body, INGEST_MAX_BODY_BYTES);
  if (overLimit) {
    const kept = bytes.subarray(0, INGEST_MAX_BODY_BYTES);
    throw await reject(env, key, { status: 413, reason: tooLarge, body: kept, bodyBytes: bytes.length, truncated: true }, {}, now);
  }

  const rejection = (reason: string) => ({ status: 400 as const, reason, body: bytes, bodyBytes: bytes.length, truncated: false });
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw await reject(env, key, rejection("Body is not valid JSON."), { fields: [] }, now);
  }
  const result = parseEventBridgeEvent(parsed);
  if (!result.ok) {
    const first = result.issues[0]!;
    throw await reject(env, key, rejection(`${first.field}: ${first.message}`), { fields: result.issues }, now);
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
