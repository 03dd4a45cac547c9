import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { IngestKeyRefused, percentile, postEvents } from "../../scripts/lib/post-events";

interface Seen {
  headers: http.IncomingHttpHeaders;
  body: unknown;
}

let server: http.Server | undefined;

/** A stand-in ingest endpoint: `answer` decides each response from the parsed body and attempt number. */
async function endpoint(answer: (body: { n: number }, attempt: number) => { status: number; headers?: Record<string, string> }, delayMs = 5) {
  const seen: Seen[] = [];
  const attempts = new Map<number, number>();
  let inFlight = 0;
  let maxInFlight = 0;
  server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let raw = "";
    req.on("data", (d) => (raw += d));
    req.on("end", () => {
      const body = JSON.parse(raw) as { n: number };
      seen.push({ headers: req.headers, body });
      const attempt = (attempts.get(body.n) ?? 0) + 1;
      attempts.set(body.n, attempt);
      const { status, headers } = answer(body, attempt);
      // Answer a little later so concurrent requests overlap.
      setTimeout(() => {
        inFlight--;
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify({ status }));
      }, delayMs);
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest/eventbridge`;
  return { url, seen, attempts, maxInFlight: () => maxInFlight };
}

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const items = (n: number) => Array.from({ length: n }, (_, i) => ({ n: i }));

describe("postEvents", () => {
  it("posts every event once with EventBridge's headers and never exceeds the concurrency", async () => {
    const ep = await endpoint(() => ({ status: 202 }));
    const settled: number[] = [];
    const result = await postEvents(items(60), { endpoint: ep.url, apiKey: "sik_test", concurrency: 4, onSettled: (n) => settled.push(n) });
    expect(result).toMatchObject({ events: 60, accepted: 60, rejected: 0, failed: 0, retries: 0 });
    expect(result.latenciesMs).toHaveLength(60);
    expect(ep.seen.map((s) => (s.body as { n: number }).n).sort((a, b) => a - b)).toEqual(items(60).map((i) => i.n));
    expect(ep.maxInFlight()).toBeLessThanOrEqual(4);
    expect(ep.maxInFlight()).toBeGreaterThan(1);
    expect(ep.seen[0]!.headers).toMatchObject({
      "x-api-key": "sik_test",
      "user-agent": "Amazon/EventBridge/ApiDestinations",
      "content-type": "application/json; charset=utf-8",
    });
    expect(settled.at(-1)).toBe(60);
  });

  it("retries 429 and 5xx like EventBridge, honouring Retry-After, but not other 4xx", async () => {
    const ep = await endpoint((body, attempt) => {
      if (body.n === 1 && attempt === 1) return { status: 503, headers: { "retry-after": "1" } };
      if (body.n === 2 && attempt <= 2) return { status: 429 };
      if (body.n === 3) return { status: 400 };
      if (body.n === 4) return { status: 413 };
      return { status: 202 };
    });
    const started = Date.now();
    const result = await postEvents(items(6), { endpoint: ep.url, apiKey: "k", concurrency: 3 });
    expect(result).toMatchObject({ events: 6, accepted: 4, rejected: 2, failed: 0, retries: 3 });
    expect(ep.attempts.get(1)).toBe(2);
    expect(ep.attempts.get(2)).toBe(3);
    expect(ep.attempts.get(3)).toBe(1);
    expect(ep.attempts.get(4)).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.rejections.map((r) => r.slice(0, 3)).sort()).toEqual(["400", "413"]);
  });

  it("gives up on an event after maxAttempts and reports it as failed", async () => {
    const ep = await endpoint((body) => ({ status: [500, 202, 400][body.n]! }));
    const outcomes: [number, string][] = [];
    const result = await postEvents(items(3), { endpoint: ep.url, apiKey: "k", concurrency: 3, maxAttempts: 2, onSettled: (_s, _c, i, o) => outcomes.push([i, o]) });
    expect(result).toMatchObject({ accepted: 1, rejected: 1, failed: 1, retries: 1 });
    expect(ep.attempts.get(0)).toBe(2);
    expect(outcomes.sort()).toEqual([[0, "failed"], [1, "accepted"], [2, "rejected"]]);
  });

  it("stops at once when the key is refused (401)", async () => {
    const ep = await endpoint(() => ({ status: 401 }));
    await expect(postEvents(items(50), { endpoint: ep.url, apiKey: "wrong", concurrency: 2 })).rejects.toBeInstanceOf(IngestKeyRefused);
    expect(ep.seen.length).toBeLessThanOrEqual(2);
  });

  it("paces requests at a steady rate", async () => {
    const ep = await endpoint(() => ({ status: 202 }));
    const result = await postEvents(items(20), { endpoint: ep.url, apiKey: "k", concurrency: 8, ratePerSecond: 40 });
    expect(result.accepted).toBe(20);
    // 20 requests at 40/s: the last starts ~475 ms after the first.
    expect(result.elapsedMs).toBeGreaterThanOrEqual(450);
    expect(result.elapsedMs).toBeLessThan(3000);
  });

  it("keeps the pace when answers are slow (open loop), up to the in-flight cap", async () => {
    const ep = await endpoint(() => ({ status: 202 }), 400);
    const result = await postEvents(items(10), { endpoint: ep.url, apiKey: "k", concurrency: 100, ratePerSecond: 50 });
    expect(result.accepted).toBe(10);
    // The last request starts ~180 ms in and takes ~400 ms; waiting for answers would take 4 s.
    expect(result.elapsedMs).toBeLessThan(1500);
    expect(ep.maxInFlight()).toBeGreaterThan(5);
  });

  it("reports contiguous progress so an interrupted run can resume without gaps", async () => {
    const ep = await endpoint((body, attempt) => ({ status: body.n === 0 && attempt === 1 ? 503 : 202 }));
    const progress: [number, number][] = [];
    await postEvents(items(5), { endpoint: ep.url, apiKey: "k", concurrency: 5, onSettled: (s, c) => progress.push([s, c]) });
    // Event 0 is retried, so nothing is contiguous until it settles; then all five are.
    expect(progress.slice(0, -1).every(([, c]) => c === 0)).toBe(true);
    expect(progress.at(-1)).toEqual([5, 5]);
  });

  it("computes nearest-rank percentiles", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });
});
