import { Hono } from "hono";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { auditQuerySchema, listAudit, listAuditFacets } from "../services/audit";

export const auditRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/audit", orgRoute("audit.view"), validate("query", auditQuerySchema), async (c) =>
    c.json(await listAudit(getDb(c.env.DB), c.get("org"), c.req.valid("query"))),
  )
  .get("/orgs/:orgId/audit/facets", orgRoute("audit.view"), async (c) =>
    c.json(await listAuditFacets(getDb(c.env.DB), c.get("org"))),
  );
