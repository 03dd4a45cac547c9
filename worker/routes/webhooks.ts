import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import {
  createEndpoint,
  createEndpointSchema,
  deleteEndpoint,
  getEndpoint,
  listEndpoints,
  rotateSecret,
  setEnabledSchema,
  setEndpointEnabled,
  updateEndpoint,
  updateEndpointSchema,
} from "../services/webhooks/endpoints";
import { deliveryDeps, resendDelivery, sendTestEvent } from "../services/webhooks/delivery";

const idParam = z.object({ orgId: z.string(), id: z.string().max(64) });

// Connections → Webhooks (docs/webhooks.md): Owner and Org Admin manage ("configure notification rules
// and webhooks"); Infra Admin, Developer and Viewer see the endpoints and their delivery log.
export const webhookRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/webhooks", orgRoute("webhooks.view"), async (c) => c.json(await listEndpoints(getDb(c.env.DB), c.get("org").orgId)))
  .post("/orgs/:orgId/webhooks", orgRoute("webhooks.manage"), validate("json", createEndpointSchema), async (c) =>
    c.json(await createEndpoint(getDb(c.env.DB), c.env, c.get("org"), c.req.valid("json")), 201),
  )
  .get(
    "/orgs/:orgId/webhooks/:id",
    orgRoute("webhooks.view"),
    validate("param", idParam),
    validate("query", z.object({ cursor: z.string().max(100).optional() })),
    async (c) => c.json(await getEndpoint(getDb(c.env.DB), c.get("org").orgId, c.req.valid("param").id, c.req.valid("query").cursor)),
  )
  .patch("/orgs/:orgId/webhooks/:id", orgRoute("webhooks.manage"), validate("param", idParam), validate("json", updateEndpointSchema), async (c) =>
    c.json(await updateEndpoint(getDb(c.env.DB), c.get("org"), c.req.valid("param").id, c.req.valid("json"))),
  )
  .put("/orgs/:orgId/webhooks/:id/enabled", orgRoute("webhooks.manage"), validate("param", idParam), validate("json", setEnabledSchema), async (c) =>
    c.json(await setEndpointEnabled(getDb(c.env.DB), c.get("org"), c.req.valid("param").id, c.req.valid("json").enabled)),
  )
  .delete("/orgs/:orgId/webhooks/:id", orgRoute("webhooks.manage"), validate("param", idParam), async (c) =>
    c.json(await deleteEndpoint(getDb(c.env.DB), c.get("org"), c.req.valid("param").id)),
  )
  .post("/orgs/:orgId/webhooks/:id/rotate-secret", orgRoute("webhooks.manage"), validate("param", idParam), async (c) =>
    c.json(await rotateSecret(getDb(c.env.DB), c.env, c.get("org"), c.req.valid("param").id)),
  )
  .post("/orgs/:orgId/webhooks/:id/test", orgRoute("webhooks.manage"), validate("param", idParam), async (c) =>
    c.json(await sendTestEvent(deliveryDeps(c.env), c.get("org"), c.req.valid("param").id)),
  )
  .post(
    "/orgs/:orgId/webhooks/:id/deliveries/:deliveryId/resend",
    orgRoute("webhooks.manage"),
    validate("param", idParam.extend({ deliveryId: z.string().max(64) })),
    async (c) => {
      const p = c.req.valid("param");
      return c.json(await resendDelivery(deliveryDeps(c.env), c.get("org"), p.id, p.deliveryId));
    },
  );
