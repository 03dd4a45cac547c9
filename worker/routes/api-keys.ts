import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { createApiKey, createApiKeySchema, listApiKeys, revokeApiKey } from "../services/api-keys";

// A key reads everything the workspace holds through /v1, so seeing and managing keys is part of
// administering the workspace: Organization Settings (Owner, Org Admin).
export const apiKeyRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/api-keys", orgRoute("org_settings.view"), async (c) =>
    c.json(await listApiKeys(getDb(c.env.DB), c.get("org").orgId)),
  )
  .post("/orgs/:orgId/api-keys", orgRoute("org_settings.manage"), validate("json", createApiKeySchema), async (c) =>
    c.json(await createApiKey(getDb(c.env.DB), c.get("org"), c.req.valid("json")), 201),
  )
  .delete(
    "/orgs/:orgId/api-keys/:id",
    orgRoute("org_settings.manage"),
    validate("param", z.object({ orgId: z.string(), id: z.string().max(64) })),
    async (c) => c.json({ apiKey: await revokeApiKey(getDb(c.env.DB), c.get("org"), c.req.valid("param").id) }),
  );
