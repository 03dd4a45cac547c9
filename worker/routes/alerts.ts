import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { getDb } from "../db/client";
import { alertThresholdsSchema, channelAlertOverridesSchema } from "../lib/alert-thresholds";
import { validate } from "../lib/validate";
import { getThresholdsView, saveChannelThresholds, saveIdentityThresholds, saveWorkspaceThresholds } from "../services/alerts/thresholds";

/** The channel or identity an override belongs to. */
const scopeParam = z.object({ orgId: z.string(), id: z.string().max(64) });

/** Alert thresholds (docs/alerts.md): everyone who sees notifications reads them; Owners and Org Admins change them. */
export const alertRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/alert-thresholds", orgRoute("notifications.view"), async (c) => c.json(await getThresholdsView(getDb(c.env.DB), c.get("org").orgId)))
  .put("/orgs/:orgId/alert-thresholds", orgRoute("alerts.configure"), validate("json", alertThresholdsSchema), async (c) =>
    c.json(await saveWorkspaceThresholds(getDb(c.env.DB), c.get("org"), c.req.valid("json"))),
  )
  .put("/orgs/:orgId/channels/:id/alert-thresholds", orgRoute("alerts.configure"), validate("param", scopeParam), validate("json", channelAlertOverridesSchema), async (c) =>
    c.json(await saveChannelThresholds(getDb(c.env.DB), c.get("org"), c.req.valid("param").id, c.req.valid("json"))),
  )
  .put("/orgs/:orgId/identities/:id/alert-thresholds", orgRoute("alerts.configure"), validate("param", scopeParam), validate("json", channelAlertOverridesSchema), async (c) =>
    c.json(await saveIdentityThresholds(getDb(c.env.DB), c.get("org"), c.req.valid("param").id, c.req.valid("json"))),
  );
