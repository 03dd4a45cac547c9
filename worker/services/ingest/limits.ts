/**
 * The ingest webhook's limits, in one place: the endpoint, the rejected-payload store, docs/ingest.md and
 * the dashboard all read them from here. Import-free, so the web bundle can import it too.
 */

/** EventBridge's historical PutEvents entry limit: a larger body is a 413. */
export const INGEST_MAX_BODY_BYTES = 256 * 1024;

/**
 * workerd closes a connection whose request body was left unread (beyond a 64 KiB grace), and the client
 * sees a reset instead of the answer; it also refuses reads once the answer is out. So before answering
 * early (401, 413, …) the endpoint reads and discards what the client still sends, up to this many bytes.
 */
export const INGEST_DISCARD_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Rejected payloads kept per workspace: the newest, up to this many and this many stored bytes in all
 * (the newest one always stays). Older ones are deleted as new ones arrive and counted.
 */
export const REJECTED_PAYLOADS_KEPT = { count: 100, bytes: 2 * 1024 * 1024 } as const;

/**
 * Rejected requests (400/413) per ingest key per sliding window; beyond it, 429 with Retry-After and
 * nothing stored (EventBridge retries 429). Accepted events never count.
 */
export const REJECTED_POSTS_RATE_LIMIT = { limit: 60, windowMs: 60_000 } as const;
