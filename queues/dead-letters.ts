import type { Env } from "../worker/env";
import { getDb } from "../worker/db/client";
import { recordDeadLetters } from "../worker/services/ingest/dead-letters";

/**
 * Consumer of `sendops-dead-letters`, the DLQ of every queue: records each message in `dead_letters`
 * (idempotent by queue message id) so nothing is lost silently; an admin re-enqueues it after a fix.
 * A failed write throws, and the queue retries the batch.
 */
export async function consumeDeadLetters(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  await recordDeadLetters(
    getDb(env.DB),
    batch.messages.map((m) => ({ queueMessageId: m.id, body: m.body, attempts: m.attempts })),
  );
  batch.ackAll();
}
