import { paginationQuery, pageSchema } from "../../lib/pagination";
import { listChannelsPage } from "../../services/channels/manage";
import { channelViewSchema } from "../../services/channels/views";
import { defineV1Route, v1Schema } from "./define";

export const listChannelsV1 = defineV1Route({
  method: "get",
  path: "/channels",
  operationId: "listChannels",
  tag: "Channels",
  summary: "Channels (SES configuration sets)",
  description:
    "Every channel of the workspace, archived ones included: purpose, status (from the sending setting), sync status with SES, the default channel, the configuration set and its settings. Use a channel's `id` as the `channel` filter of the reports, messages and events.",
  query: paginationQuery,
  response: v1Schema("ChannelPage", pageSchema(v1Schema("Channel", channelViewSchema))),
  handler: ({ v1, db, query }) => listChannelsPage(db, v1.orgId, query),
});
