import { and, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { signInFailures } from "../db/schema";
import { tooManyRequests } from "../lib/errors";
import { MINUTE } from "../lib/time";

/** Sign-in throttling: 10 failures within 15 minutes per email or per IP → 429 with Retry-After. */
export const MAX_FAILURES = 10;
export const FAILURE_WINDOW_MS = 15 * MINUTE;

export const throttleKeys = (email: string, ip: string | null) => [`email:${email}`, ...(ip ? [`ip:${ip}`] : [])];

export async function assertNotThrottled(db: Db, keys: string[], at = Date.now()): Promise<void> {
  const since = at - FAILURE_WINDOW_MS;
  const rows = await db
    .select({ key: signInFailures.key, count: sql<number>`count(*)`, oldest: sql<number>`min(${signInFailures.at})` })
    .from(signInFailures)
    .where(and(inArray(signInFailures.key, keys), gte(signInFailures.at, since)))
    .groupBy(signInFailures.key)
    .all();
  const blocked = rows.filter((r) => r.count >= MAX_FAILURES);
  if (blocked.length) {
    const retryAt = Math.max(...blocked.map((r) => r.oldest + FAILURE_WINDOW_MS));
    throw tooManyRequests(Math.max(1, Math.ceil((retryAt - at) / 1000)), "Too many failed sign-in attempts. Try again later.");
  }
}

export async function recordFailure(db: Db, keys: string[], at = Date.now()): Promise<void> {
  await db.batch([
    db.insert(signInFailures).values(keys.map((key) => ({ key, at }))),
    // Keep the table small: anything outside the window is irrelevant.
    db.delete(signInFailures).where(lt(signInFailures.at, at - FAILURE_WINDOW_MS)),
  ]);
}

export async function clearFailures(db: Db, emailKey: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.key, emailKey));
}
