import { Hono } from "hono";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { getSlackIntegration, removeSlackIntegration, saveSlackIntegration, sendSlackTest, slackUrlSchema } from "../services/notifications/slack";

/** Connections → Integrations: Slack's incoming webhook (Owners and Org Admins). */
export const integrationRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/integrations/slack", orgRoute("org_settings.view"), async (c) => c.json(await getSlackIntegration(c.env, c.get("org"))))
  .put("/orgs/:orgId/integrations/slack", orgRoute("org_settings.manage"), validate("json", slackUrlSchema), async (c) =>
    c.json(await saveSlackIntegration(c.env, c.get("org"), c.req.valid("json"))),
  )
  .post("/orgs/:orgId/integrations/slack/test", orgRoute("org_settings.manage"), async (c) => c.json(await sendSlackTest(c.env, c.get("org"))))
  .delete("/orgs/:orgId/integrations/slack", orgRoute("org_settings.manage"), async (c) => c.json(await removeSlackIntegration(c.env, c.get("org"))));
