import type { Env } from "../worker/env";
import { ingestEvents, type QueuedEvent } from "../worker/services/ingest/writer";
import type { EventsQueueMessage } from "../worker/services/ingest/receive";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { queueAlertEvaluations } from "../worker/services/alerts/evaluate";

/** Retry delay after a failed batch: 10 s, 20 s, 40 s, … capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 10 * 2 ** Math.max(0, attempts - 1));
}

function isEventsMessage(body: unknown): body is EventsQueueMessage {
  if (typeof body !== "object" || body === null) return false;
  const b = body as Record<string, unknown>;
  if (b.kind === "noop") return true;
  if (typeof b.orgId !== "string" || typeof b.receivedAt !== "number") return false;
  if (b.kind === "event") return typeof b.event === "object" && b.event !== null;
  return b.kind === "event_ref" && typeof b.r2Key === "string";
}

/**
 * Consumer of `sendops-events`. The batch is written in D1 transactions of at most 50 rows
 * (`WRITE_CHUNK_ROWS` in worker/services/ingest/writer.ts), each exactly-once on its own; on any failure
 * every event of the batch is retried with backoff (rows an earlier transaction committed then count as
 * duplicates), and after `max_retries` the queue moves them to `sendops-dead-letters`. A body this
 * consumer does not understand is retried alone, so it dead-letters without holding back the rest.
 */
export async function consumeEvents(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  const items: QueuedEvent[] = [];
  const handled: Message<unknown>[] = [];
  const overflowKeys: string[] = [];
  for (const msg of batch.messages) {
    const body = msg.body;
    if (!isEventsMessage(body)) {
      console.error("events: unrecognised message body", msg.id);
      msg.retry();
      continue;
    }
    handled.push(msg);
    if (body.kind === "noop") continue;
    if (body.kind === "event") {
      items.push({ orgId: body.orgId, receivedAt: body.receivedAt, event: body.event });
      continue;
    }
    const object = await env.FILES.get(body.r2Key);
    // The object is deleted only after its event was committed: a missing one means it is already stored.
    if (!object) continue;
    items.push({ orgId: body.orgId, receivedAt: body.receivedAt, event: (await object.json()) as SesEventBridgeEvent });
    overflowKeys.push(body.r2Key);
  }

  if (items.length) {
    try {
      await ingestEvents(env, items);
    } catch (err) {
      console.error("events: batch failed, retrying", err);
      const attempts = Math.max(...handled.map((m) => m.attempts));
      for (const msg of handled) msg.retry({ delaySeconds: retryDelaySeconds(attempts) });
      return;
    }
  }
  if (overflowKeys.length) await env.FILES.delete(overflowKeys);
  for (const msg of handled) msg.ack();
  if (items.length) {
    // The events are stored: a failure to queue their evaluation must not retry them (the cron sweep catches up).
    await queueAlertEvaluations(env, items.map((i) => i.orgId), Date.now()).catch((err) => console.error("events: alert evaluation not queued", err));
  }
}
