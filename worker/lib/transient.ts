/**
 * Storage failures that are worth retrying: D1's writer busy or its database locked (locally workerd
 * reports SQLITE_BUSY as "internal error; reference = …"), a dropped connection to D1 or a Durable
 * Object, an overloaded or resetting object. The app answers these 503 with Retry-After, never 500.
 */
const TRANSIENT = [
  /SQLITE_BUSY/,
  /database is locked/,
  /D1_ERROR: internal error/i,
  /^internal error; reference\s*=/i,
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
