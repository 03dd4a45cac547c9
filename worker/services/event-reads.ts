import type { Env } from "../env";
import { getDb } from "../db/client";
import { d1EventReads, shardEventReads, type EventReads } from "../db/event-store";
import { resolveEventStore } from "./event-store-migration";

/** The reads of event and message rows from where they live now (docs/scaling.md, Shards). */
export async function eventReadsOf(env: Env, now = Date.now()): Promise<EventReads> {
  return (await resolveEventStore(env, now, "read")) === "shards" ? shardEventReads(env) : d1EventReads(getDb(env.DB));
}
