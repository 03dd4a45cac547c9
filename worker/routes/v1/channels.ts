import { paginationQuery, pageSchema } from "../../lib/pagination";
import { channelSchema, listChannelsPage } from "../../services/reports/catalog";
import { defineV1Route, v1Schema } from "./define";

export const listChannelsV1 = defineV1Route({
  method: "get",
  path: "/channels",
  operationId: "listChannels",
  tag: "Channels",
  summary: "Channels (SES configuration sets)",
  description: "Use a channel's `id` as the `channel` filter of the reports, messages and events.",
  query: paginationQuery,
  response: v1Schema("ChannelPage", pageSchema(v1Schema("Channel", channelSchema))),
  handler: ({ v1, db, query }) => listChannelsPage(db, v1.orgId, query),
});
