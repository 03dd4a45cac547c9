import { z } from "zod";
import { eventReadsOf } from "../../services/event-reads";
import { pageSchema } from "../../lib/pagination";
import { getMessage, listMessages, messageDetailSchema, messageEventSchema, messageListQuerySchema, messageSchema } from "../../services/reports/messages";
import { scopeOfApiKey } from "../../services/reports/scope";
import { defineV1Route, v1Schema } from "./define";

v1Schema("Message", messageSchema);
v1Schema("MessageEvent", messageEventSchema);

export const listMessagesV1 = defineV1Route({
  method: "get",
  path: "/messages",
  operationId: "listMessages",
  tag: "Messages",
  summary: "Search messages",
  description:
    "One row per message and recipient, newest first (by send time). Filter by send time, channel, status and exact " +
    "recipient address; follow `nextCursor` for more.",
  query: messageListQuerySchema,
  response: v1Schema("MessagePage", pageSchema(messageSchema)),
  handler: async ({ v1, c, query }) => {
    const page = await listMessages(await eventReadsOf(c.env), scopeOfApiKey(v1.orgId), query);
    return { data: page.messages, nextCursor: page.nextCursor };
  },
});

export const getMessageV1 = defineV1Route({
  method: "get",
  path: "/messages/{id}",
  operationId: "getMessage",
  tag: "Messages",
  summary: "One message with its event timeline",
  description: "Every SES event of the message for this recipient, in time order, each with the raw SES record.",
  params: z.object({ id: z.string().min(1).max(2048).describe("The `id` of a message from the list.") }),
  response: v1Schema("MessageDetail", messageDetailSchema),
  handler: async ({ v1, c, params }) => getMessage(await eventReadsOf(c.env), scopeOfApiKey(v1.orgId), params.id),
});
