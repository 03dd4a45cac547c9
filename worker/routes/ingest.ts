import { Hono } from "hono";
import type { AppEnv } from "../context";
import { notFound } from "../lib/errors";
import { declaredLength, discardUnreadBody } from "../lib/request-body";
import { INGEST_DISCARD_MAX_BYTES } from "../services/ingest/limits";
import { receiveEventBridgeEvent, receiveNoop } from "../services/ingest/receive";

/**
 * What an EventBridge API destination calls (docs/ingest.md). Not under /api: no session, no CSRF
 * check; the `x-api-key` header is the credential. 202 only after the event is on the queue.
 */
export const ingestRoutes = new Hono<AppEnv>()
  .post("/eventbridge", async (c) => {
    const req = c.req.raw;
    try {
      const { id } = await receiveEventBridgeEvent(c.env, { apiKey: c.req.header("x-api-key"), declaredBytes: declaredLength(req), body: req.body });
      return c.json({ ok: true, id }, 202);
    } finally {
      // Whatever the answer (401, 413, 429, …), the client gets it whole, not a reset.
      await discardUnreadBody(req, INGEST_DISCARD_MAX_BYTES);
    }
  })
  .post("/noop", async (c) => {
    if (c.env.BENCH_BASELINE !== "true") throw notFound("Route");
    await receiveNoop(c.env, c.req.raw.body);
    return c.json({ ok: true }, 202);
  });
