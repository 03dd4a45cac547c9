/**
 * POSTs events to an ingest endpoint the way an EventBridge API destination does: one event per
 * request, its headers, bounded concurrency (or a steady rate), and EventBridge's retry rule — 409,
 * 429, 5xx and connection errors are retried with exponential backoff and jitter (honouring
 * Retry-After); other 4xx are final. A 401 stops everything: the key is wrong, retrying cannot help.
 */

export interface PostOptions {
  /** Full URL, e.g. http://127.0.0.1:8787/ingest/eventbridge. */
  endpoint: string;
  apiKey: string;
  concurrency: number;
  /** Start requests at this steady rate (open loop; `concurrency` then caps requests in flight). */
  ratePerSecond?: number;
  /** Attempts per event before it counts as failed. */
  maxAttempts?: number;
  /**
   * After each settled event: how many settled, how many from the start settled without a gap, the
   * event's own position in `events` and how it ended (a resumable caller records exactly which ones
   * are done).
   */
  onSettled?: (settled: number, contiguous: number, index: number, outcome: Settled) => void;
  signal?: AbortSignal;
}

export interface PostResult {
  events: number;
  accepted: number;
  /** Final 4xx answers (EventBridge does not retry them). */
  rejected: number;
  /** Gave up after maxAttempts. */
  failed: number;
  retries: number;
  /** Milliseconds of each accepted request's final attempt. */
  latenciesMs: number[];
  statuses: Record<string, number>;
  rejections: string[];
  elapsedMs: number;
}

/** accepted: 2xx; rejected: a final 4xx; failed: still a retried answer (or none) after maxAttempts. */
export type Settled = "accepted" | "rejected" | "failed";

export class IngestKeyRefused extends Error {
  override name = "IngestKeyRefused";
}

const RETRIED = (status: number) => status === 409 || status === 429 || status >= 500;

function backoffMs(attempt: number, retryAfter: string | null): number {
  const exp = Math.min(30_000, 500 * 2 ** (attempt - 1)) * (0.5 + Math.random());
  const hinted = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
  return Math.max(exp, hinted);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** Latency percentile (nearest rank) of a list of milliseconds. */
export function percentile(values: readonly number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Events to post: objects (serialised here) or JSON strings already serialised, sent as they are. */
export type PostItem = object | string;

export async function postEvents(events: Iterable<PostItem>, opts: PostOptions): Promise<PostResult> {
  const maxAttempts = opts.maxAttempts ?? 10;
  const headers = {
    "content-type": "application/json; charset=utf-8",
    "user-agent": "Amazon/EventBridge/ApiDestinations",
    "x-api-key": opts.apiKey,
  };
  const result: PostResult = { events: 0, accepted: 0, rejected: 0, failed: 0, retries: 0, latenciesMs: [], statuses: {}, rejections: [], elapsedMs: 0 };
  const iterator = events[Symbol.iterator]();
  const serialise = (item: PostItem) => (typeof item === "string" ? item : JSON.stringify(item));
  const settled = new Set<number>();
  let contiguous = 0;
  let settledCount = 0;
  let next = 0;
  let fatal: Error | null = null;
  const started = performance.now();

  const settle = (index: number, outcome: Settled) => {
    settledCount++;
    settled.add(index);
    while (settled.delete(contiguous)) contiguous++;
    opts.onSettled?.(settledCount, contiguous, index, outcome);
  };

  const sendOne = async (index: number, body: string) => {
    for (let attempt = 1; ; attempt++) {
      if (fatal || opts.signal?.aborted) return;
      let status = 0;
      let retryAfter: string | null = null;
      const t0 = performance.now();
      try {
        // No abort signal on the request itself: after an abort, requests in flight just complete.
        const res = await fetch(opts.endpoint, { method: "POST", headers, body });
        status = res.status;
        retryAfter = res.headers.get("retry-after");
        const text = await res.text();
        result.statuses[status] = (result.statuses[status] ?? 0) + 1;
        if (res.ok) {
          result.accepted++;
          result.latenciesMs.push(performance.now() - t0);
          return settle(index, "accepted");
        }
        if (status === 401) {
          fatal = new IngestKeyRefused(`the ingest endpoint refused the key (401): ${text.slice(0, 200)}`);
          return;
        }
        if (!RETRIED(status)) {
          result.rejected++;
          if (result.rejections.length < 5) result.rejections.push(`${status} ${text.slice(0, 300)}`);
          return settle(index, "rejected");
        }
      } catch (err) {
        result.statuses.network = (result.statuses.network ?? 0) + 1;
        if (attempt === maxAttempts && result.rejections.length < 5) result.rejections.push(`network: ${(err as Error).message}`);
      }
      if (attempt >= maxAttempts) {
        result.failed++;
        return settle(index, "failed");
      }
      result.retries++;
      await sleep(backoffMs(attempt, retryAfter), opts.signal);
    }
  };

  const worker = async () => {
    for (;;) {
      if (fatal || opts.signal?.aborted) return;
      const item = iterator.next();
      if (item.done) return;
      const index = next++;
      result.events++;
      await sendOne(index, serialise(item.value));
    }
  };

  /** Open loop: each request starts on its schedule, whatever the earlier ones are doing (up to `concurrency` in flight). */
  const paced = async (rate: number) => {
    const inFlight = new Set<Promise<void>>();
    for (let index = 0; !fatal && !opts.signal?.aborted; index++) {
      const item = iterator.next();
      if (item.done) break;
      result.events++;
      await sleep(started + (index * 1000) / rate - performance.now(), opts.signal);
      const request: Promise<void> = sendOne(index, serialise(item.value)).finally(() => inFlight.delete(request));
      inFlight.add(request);
      if (inFlight.size >= opts.concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  };

  if (opts.ratePerSecond) await paced(opts.ratePerSecond);
  else await Promise.all(Array.from({ length: Math.max(1, opts.concurrency) }, worker));
  result.elapsedMs = performance.now() - started;
  if (fatal) throw fatal;
  return result;
}
