import { Hono } from "hono";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import {
  createTrackingDomain,
  createTrackingDomainSchema,
  deleteTrackingDomain,
  getTrackingDomain,
  listTrackingDomains,
  trackingDomainParam,
  updateTrackingDomainCdn,
  updateTrackingDomainSchema,
} from "../services/tracking-domains/manage";
import { verifyTrackingDomainNow } from "../services/tracking-domains/checks";

export const trackingDomainRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/tracking-domains", orgRoute("domains.view"), async (c) => c.json(await listTrackingDomains(c.env, c.get("org").orgId)))
  .post("/orgs/:orgId/tracking-domains", orgRoute("domains.manage"), validate("json", createTrackingDomainSchema), async (c) =>
    c.json(await createTrackingDomain(c.env, c.get("org"), c.req.valid("json")), 201),
  )
  .get("/orgs/:orgId/tracking-domains/:id", orgRoute("domains.view"), validate("param", trackingDomainParam), async (c) =>
    c.json(await getTrackingDomain(c.env, c.get("org").orgId, c.req.valid("param").id)),
  )
  .patch("/orgs/:orgId/tracking-domains/:id", orgRoute("domains.manage"), validate("param", trackingDomainParam), validate("json", updateTrackingDomainSchema), async (c) =>
    c.json(await updateTrackingDomainCdn(c.env, c.get("org"), c.req.valid("param").id, c.req.valid("json").cdnDomain)),
  )
  .post("/orgs/:orgId/tracking-domains/:id/verify", orgRoute("domains.manage"), validate("param", trackingDomainParam), async (c) =>
    c.json(await verifyTrackingDomainNow(c.env, c.get("org"), c.req.valid("param").id)),
  )
  .delete("/orgs/:orgId/tracking-domains/:id", orgRoute("domains.manage"), validate("param", trackingDomainParam), async (c) =>
    c.json(await deleteTrackingDomain(c.env, c.get("org"), c.req.valid("param").id)),
  );
