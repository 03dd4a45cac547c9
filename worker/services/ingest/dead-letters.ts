import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Actor } from "../../context";
import type { Env } from "../../env";
import { auditInsert } from "../../db/audit";
import type { Db } from "../../db/client";
import { findDeadLetter, listDeadLettersPage } from "../../db/ingest";
import { deadLetters } from "../../db/schema";
import { conflict, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { decodeCursor, paginate } from "../../lib/pagination";

/** Queues whose dead letters can be re-enqueued, and their producer bindings. */
const QUEUE_BINDINGS = {
  "sendops-events": "EVENTS_QUEUE",
  "sendops-jobs": "JOBS_QUEUE",
  "sendops-webhooks": "WEBHOOKS_QUEUE",
} as const satisfies Record<string, keyof Env>;
type ReplayableQueue = keyof typeof QUEUE_BINDINGS;

export const UNKNOWN_QUEUE = "unknown";
const EVENTS_KINDS = new Set(["event", "event_ref", "noop"]);

/**
 * The queue a dead-lettered body came from: every queue shares one DLQ, so the body says. Events-queue
 * bodies are recognised by their `kind`; other producers put their queue name in a string `queue` field.
 */
export function originalQueueOf(body: unknown): string {
  if (typeof body !== "object" || body === null) return UNKNOWN_QUEUE;
  const b = body as Record<string, unknown>;
  if (typeof b.kind === "string" && EVENTS_KINDS.has(b.kind)) return "sendops-events";
  if (typeof b.queue === "string" && b.queue in QUEUE_BINDINGS) return b.queue;
  return UNKNOWN_QUEUE;
}

const orgIdOf = (body: unknown): string | null =>
  typeof body === "object" && body !== null && typeof (body as Record<string, unknown>).orgId === "string"
    ? ((body as Record<string, unknown>).orgId as string)
    : null;

export interface DeadLetterInput {
  queueMessageId: string;
  body: unknown;
  attempts: number;
}

/** Records dead-lettered messages; a message delivered to the DLQ consumer twice is stored once. */
export async function recordDeadLetters(db: Db, items: DeadLetterInput[], now = Date.now()): Promise<void> {
  if (!items.length) return;
  const inserts = items.map((m) =>
    db
      .insert(deadLetters)
      .values({
        id: newId("dlq", now),
        queueMessageId: m.queueMessageId,
        queue: originalQueueOf(m.body),
        orgId: orgIdOf(m.body),
        bodyJson: JSON.stringify(m.body ?? null),
        attempts: m.attempts,
        receivedAt: now,
        status: "pending",
      })
      .onConflictDoNothing({ target: deadLetters.queueMessageId }),
  );
  await db.batch(inserts as [(typeof inserts)[number], ...(typeof inserts)[number][]]);
}

/** The org's dead letters, newest first, one page. */
export async function listDeadLetters(db: Db, orgId: string, q: { cursor?: string; limit: number }) {
  const after = decodeCursor(q.cursor, z.tuple([z.string()]));
  const rows = await listDeadLettersPage(db, orgId, after?.[0], q.limit + 1);
  return paginate(
    rows.map((r) => ({
      id: r.id,
      queue: r.queue,
      status: r.status,
      attempts: r.attempts,
      receivedAt: r.receivedAt,
      replayedAt: r.replayedAt,
      body: JSON.parse(r.bodyJson) as unknown,
    })),
    q.limit,
    (r) => [r.id],
  );
}

/** Re-enqueues a pending dead letter to its original queue, then marks it replayed (one audit entry). */
export async function replayDeadLetter(db: Db, env: Env, orgId: string, actor: Actor, id: string, now = Date.now()) {
  const row = await findDeadLetter(db, orgId, id);
  if (!row) throw notFound("Dead letter");
  if (row.status !== "pending") throw conflict("This dead letter was already replayed.", { replayedAt: row.replayedAt });
  if (!(row.queue in QUEUE_BINDINGS)) throw conflict("The original queue of this dead letter is unknown; it cannot be replayed.");
  const queue = env[QUEUE_BINDINGS[row.queue as ReplayableQueue]];
  await queue.send(JSON.parse(row.bodyJson), { contentType: "json" });
  await db.batch([
    db
      .update(deadLetters)
      .set({ status: "replayed", replayedAt: now, replayedByUserId: actor.userId })
      .where(and(eq(deadLetters.id, id), eq(deadLetters.orgId, orgId))),
    auditInsert(db, {
      orgId,
      actor,
      at: now,
      resourceType: "dead_letter",
      resourceId: id,
      operation: "replay",
      summary: `Re-enqueued a dead letter to ${row.queue}`,
      after: { queue: row.queue, queueMessageId: row.queueMessageId },
    }),
  ]);
  return { id, queue: row.queue, status: "replayed" as const, replayedAt: now };
}
