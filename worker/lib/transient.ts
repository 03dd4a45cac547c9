/**
 * Storage failures that are worth retrying: D1's writer busy or its database locked (locally workerd
 * reports SQLITE_BUSY as "internal error; reference = …", which D1 may wrap as "Failed to parse body as
 * JSON, got: Error: internal error; …"), a dropped connection to D1 or a Durable Object, an overloaded
 * or resetting object. The app answers these 503 with Retry-After, never 500.
 */
const TRANSIENT = [
  /SQLITE_BUSY/,
  /database is locked/,
  /D1_ERROR: internal error/i,
  /internal error; reference\s*=/i,
  /Network connection lost/i,
  /storage operation exceeded timeout/i,
  /D1 DB is overloaded/i,
  /Durable Object is overloaded/i,
  /Durable Object reset because its code was updated/i,
];

/** Seconds a client should wait before retrying after a transient storage failure. */
export const TRANSIENT_RETRY_AFTER_S = 2;

/** True when `err` (or a cause it wraps, as drizzle wraps D1 errors) is a transient storage failure. */
export function isTransientStorageError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (TRANSIENT.some((re) => re.test(e.message))) return true;
  }
  return false;
}

export type Sleep = (ms: number) => Promise<void>;

export const sleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** The wait after the n-th failed try is n × this. */
  delayMs: number;
}

/**
 * Reads on the request path (ingest key, session, API key, undeliverable rules): waiting 25 then 50 ms
 * for a lock to clear is cheaper than a 503 the client must retry after 2 s.
 */
export const READ_RETRY: RetryPolicy = { attempts: 3, delayMs: 25 };

/**
 * Runs `work` again after a transient storage failure, `policy.attempts` times at most; the last
 * failure is thrown. Only for work that is safe to repeat, such as a read: a write that failed this way
 * may have committed.
 */
export async function retryTransient<T>(work: () => Promise<T>, policy: RetryPolicy = READ_RETRY, wait: Sleep = sleep): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (attempt >= policy.attempts || !isTransientStorageError(err)) throw err;
      await wait(policy.delayMs * attempt);
    }
  }
}
