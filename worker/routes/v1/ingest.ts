import { getIngestCounters, ingestCountersQuerySchema, ingestCountersSchema, resolveCounterRange } from "../../services/ingest/counters";
import { defineV1Route, v1Schema } from "./define";

export const getIngestCountersV1 = defineV1Route({
  method: "get",
  path: "/ingest/counters",
  operationId: "getIngestCounters",
  tag: "Ingest",
  summary: "What ingest did with the events it received: accepted, duplicates, dropped by reason, rejected",
  description:
    "Counters are kept per hour in which the queue consumer processed the events (rejections: the hour the webhook refused " +
    "them), so the range is widened to whole hours. Counts are per event and recipient; each event is accepted or dropped " +
    "once, and every later delivery of it counts as a duplicate. The Settings → Ingest page shows the same counters.",
  query: ingestCountersQuerySchema,
  response: v1Schema("IngestCounters", ingestCountersSchema),
  handler: ({ v1, db, query }) => getIngestCounters(db, v1.orgId, resolveCounterRange(query, Date.now())),
});
