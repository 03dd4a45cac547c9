import { z } from "zod";
import type { Db } from "../../db/client";
import { REJECTED_COUNTER, REJECTED_DISCARDED_COUNTER, sumIngestCounters } from "../../db/ingest";
import { HOUR, type TimeRange } from "../../lib/time";
import { fieldError } from "../reports/range";
import { DROP_REASONS, type DropReason } from "./normalise";

/** Without `from`, counters cover this many hours up to `to`. */
export const DEFAULT_COUNTER_HOURS = 24;

const epochMs = z.coerce.number().int().min(0).max(8.64e15);

export const ingestCountersQuerySchema = z.object({
  from: epochMs.optional().describe(`Start of the range, epoch ms, inclusive; widened to the start of its hour. Default: \`to\` − ${DEFAULT_COUNTER_HOURS} hours.`),
  to: epochMs.optional().describe("End of the range, epoch ms, exclusive; widened to the end of its hour. Default: now."),
});
export type IngestCountersQuery = z.output<typeof ingestCountersQuerySchema>;

const count = z.number().int();

export const ingestCountersSchema = z.object({
  from: z.number().int().describe("Start of the (widened) range, epoch ms."),
  to: z.number().int().describe("End of the (widened) range, epoch ms, exclusive."),
  accepted: count.describe("Event rows (one per event and recipient) stored for the first time."),
  duplicates: count.describe("Event rows seen before — stored or dropped — and delivered again (EventBridge and queues deliver at least once). They change nothing."),
  dropped: z
    .object(Object.fromEntries(DROP_REASONS.map((r) => [r, count])) as Record<DropReason, typeof count>)
    .describe("Valid event rows not stored, by reason, each counted once however often it is delivered. unmanaged_identity: sent from an identity the workspace does not manage."),
  rejected: count.describe("Requests the ingest webhook refused with 400 (invalid event) or 413 (too large); each is kept as a rejected payload."),
  rejectedDiscarded: count.describe("Rejected payloads deleted to keep the workspace within its cap (the newest 100, 2 MiB)."),
});
export type IngestCounters = z.output<typeof ingestCountersSchema>;

const floorHour = (t: number) => Math.floor(t / HOUR) * HOUR;
const ceilHour = (t: number) => Math.ceil(t / HOUR) * HOUR;

/**
 * The range of a counters query: counters are kept per hour of processing, so it is widened to whole
 * hours; the default is the last 24 hours up to now (the current hour included).
 */
export function resolveCounterRange(q: IngestCountersQuery, now: number): TimeRange {
  const to = q.to ?? now;
  const from = q.from ?? to - DEFAULT_COUNTER_HOURS * HOUR;
  if (from >= to) throw fieldError("from", "Must be before `to`.");
  return { from: floorHour(from), to: ceilHour(to) };
}

/** The workspace's ingest counters over the hour buckets of `range` (counting rules: docs/ingest.md). */
export async function getIngestCounters(db: Db, orgId: string, range: TimeRange): Promise<IngestCounters> {
  const rows = await sumIngestCounters(db, orgId, range);
  const out: IngestCounters = {
    ...range,
    accepted: 0,
    duplicates: 0,
    dropped: Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>,
    rejected: 0,
    rejectedDiscarded: 0,
  };
  for (const c of rows) {
    const value = Number(c.value);
    if (c.counter === "accepted") out.accepted = value;
    else if (c.counter === "duplicates") out.duplicates = value;
    else if (c.counter === REJECTED_COUNTER) out.rejected = value;
    else if (c.counter === REJECTED_DISCARDED_COUNTER) out.rejectedDiscarded = value;
    else if (c.counter.startsWith("dropped.")) out.dropped[c.counter.slice("dropped.".length) as DropReason] = value;
  }
  return out;
}
