import { eventReadsOf } from "../../services/event-reads";
import { pageSchema } from "../../lib/pagination";
import { eventListQuerySchema, eventLogEntrySchema, listEvents } from "../../services/reports/events";
import { scopeOfApiKey } from "../../services/reports/scope";
import { defineV1Route, v1Schema } from "./define";

export const listEventsV1 = defineV1Route({
  method: "get",
  path: "/events",
  operationId: "listEvents",
  tag: "Events",
  summary: "The event log",
  description: "Every SES event, one row per event and recipient, newest first. Filter by time, type, channel and recipient.",
  query: eventListQuerySchema,
  response: v1Schema("EventPage", pageSchema(v1Schema("Event", eventLogEntrySchema))),
  handler: async ({ v1, c, query }) => {
    const page = await listEvents(await eventReadsOf(c.env), scopeOfApiKey(v1.orgId), query);
    return { data: page.events, nextCursor: page.nextCursor };
  },
});
