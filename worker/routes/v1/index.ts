import { Hono } from "hono";
import type { V1Env } from "./context";
import { registerV1Routes, type AnyV1Route } from "./define";
import { noStore, refuseBrowsers } from "./middleware";
import { openApiDocument } from "./openapi";
import { getAccount } from "./account";
import { getUndeliverableRulesV1, listUndeliverableV1 } from "./undeliverable";
import { getMessageV1, listMessagesV1 } from "./messages";
import { listEventsV1 } from "./events";
import { getDeliverabilityV1, getEngagementV1, getLatencyV1, getProvidersV1 } from "./reports";
import { listChannelsV1 } from "./channels";
import { listIdentitiesV1 } from "./identities";
import { listSuppressionsV1 } from "./suppressions";
import { getIngestCountersV1 } from "./ingest";
import { listNotificationsV1 } from "./notifications";

/** Every /v1 endpoint. Add a route: define it in its own file with `defineV1Route`, list it here. */
export const V1_ROUTES: readonly AnyV1Route[] = [
  getAccount,
  listMessagesV1,
  getMessageV1,
  listEventsV1,
  getDeliverabilityV1,
  getProvidersV1,
  getLatencyV1,
  getEngagementV1,
  listChannelsV1,
  listIdentitiesV1,
  listUndeliverableV1,
  getUndeliverableRulesV1,
  listSuppressionsV1,
  getIngestCountersV1,
  listNotificationsV1,
];

/** The public API, mounted at /v1. */
export const v1Routes = new Hono<V1Env>();
v1Routes.use("*", noStore);
// The document holds no data: it needs no key, and browsers may open it (the dashboard renders it).
// Registered before `refuseBrowsers`, which therefore never runs for it (the handler does not call next).
v1Routes.get("/openapi.json", (c) => c.json(openApiDocument(V1_ROUTES, `${new URL(c.env.APP_URL).origin}/v1`)));
v1Routes.use("*", refuseBrowsers);
registerV1Routes(v1Routes, V1_ROUTES);
