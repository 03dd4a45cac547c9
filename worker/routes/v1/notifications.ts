import { pageSchema } from "../../lib/pagination";
import { listNotifications, listNotificationsQuery, notificationSchema } from "../../services/notifications/public";
import { defineV1Route, v1Schema } from "./define";

export const listNotificationsV1 = defineV1Route({
  method: "get",
  path: "/notifications",
  operationId: "listNotifications",
  tag: "Notifications",
  summary: "Recent notifications of the workspace",
  description:
    "Every notification SendOps raised for the workspace (whoever receives it in-app, by email or in Slack), newest first. Filters compose: `type` (repeatable), `category`, `severity`, `since`.",
  query: listNotificationsQuery,
  response: pageSchema(v1Schema("Notification", notificationSchema)),
  handler: ({ v1, query, c }) => listNotifications(c.env, v1, query),
});
