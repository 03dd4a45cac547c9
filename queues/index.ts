import type { Env } from "../worker/env";
import { consumeDeadLetters } from "./dead-letters";
import { consumeEvents } from "./events";
import { consumeJobs } from "./jobs";
import { consumeWebhooks } from "./webhooks";

/**
 * Queue name (wrangler.toml) → consumer. Each consumer lives in its own file in this folder; a test holds
 * wrangler.toml's `[[queues.consumers]]` to exactly these queues.
 */
export const CONSUMERS: Record<string, (batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext) => Promise<void>> = {
  "sendops-events": consumeEvents,
  "sendops-jobs": consumeJobs,
  "sendops-dead-letters": consumeDeadLetters,
  "sendops-webhooks": consumeWebhooks,
};

export async function dispatchQueue(batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext): Promise<void> {
  const consumer = CONSUMERS[batch.queue];
  if (!consumer) {
    // Unknown queue: let the messages retry and eventually dead-letter instead of dropping them.
    console.error(`no consumer for queue "${batch.queue}"`);
    batch.retryAll();
    return;
  }
  await consumer(batch, env, ctx);
}
