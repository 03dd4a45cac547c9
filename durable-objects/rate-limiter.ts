import { DurableObject } from "cloudflare:workers";
import type { Env } from "../worker/env";

export interface RateLimitResult {
  allowed: boolean;
  /** Requests still allowed in the current window (after this one, when allowed). */
  remaining: number;
  /** Milliseconds until one more request would be allowed (0 when `remaining` > 0). */
  retryAfterMs: number;
}

/**
 * One per rate-limited subject (a /v1 API key, addressed by key id; an ingest key's rejected requests,
 * by `ingest-rejections:<key id>`): an exact sliding-window log of the last `limit` accepted requests,
 * kept in a ring buffer so each check is O(1) and nothing is written to storage. If the object is
 * evicted its window starts empty again, which only happens after it sat idle, i.e. when the window
 * was (nearly) empty anyway.
 */
export class RateLimiter extends DurableObject<Env> {
  private ring: number[] = [];
  private head = 0;

  /**
   * Counts one request against `limit` per `windowMs`; refused requests do not count. `at` defaults to
   * this object's clock, which keeps the log in time order whichever Worker isolate calls.
   */
  hit(limit: number, windowMs: number, at = Date.now()): RateLimitResult {
    if (this.ring.length !== limit) this.reset(limit);
    // The slot at `head` holds the oldest of the last `limit` accepted requests.
    const oldest = this.ring[this.head]!;
    if (at - oldest < windowMs) {
      return { allowed: false, remaining: 0, retryAfterMs: oldest + windowMs - at };
    }
    this.ring[this.head] = at;
    this.head = (this.head + 1) % limit;
    const inWindow = this.countSince(at - windowMs);
    const remaining = limit - inWindow;
    return { allowed: true, remaining, retryAfterMs: remaining > 0 ? 0 : this.ring[this.head]! + windowMs - at };
  }

  private reset(limit: number) {
    this.ring = new Array<number>(limit).fill(Number.NEGATIVE_INFINITY);
    this.head = 0;
  }

  /** Entries newer than `since`. The ring read from `head` is in time order, so binary search it. */
  private countSince(since: number): number {
    const n = this.ring.length;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[(this.head + mid) % n]! > since) hi = mid;
      else lo = mid + 1;
    }
    return n - lo;
  }
}
