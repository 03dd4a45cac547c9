import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { getDb } from "../db/client";
import { paginationQuery } from "../lib/pagination";
import { validate } from "../lib/validate";
import { getIngestOverview, listRejectedPayloads } from "../services/ingest/admin";
import { listDeadLetters, replayDeadLetter } from "../services/ingest/dead-letters";
import { createIngestKey } from "../services/ingest/keys";

/** Settings → Ingest: webhook URL, keys and counters; rejected payloads; dead letters. AWS permissions. */
export const ingestAdminRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/ingest", orgRoute("aws.view"), async (c) =>
    c.json(await getIngestOverview(getDb(c.env.DB), c.env.APP_URL, c.get("org").orgId)),
  )
  .post("/orgs/:orgId/ingest/keys", orgRoute("aws.manage"), async (c) => {
    const org = c.get("org");
    const created = await createIngestKey(getDb(c.env.DB), org.orgId, org.actor, Date.now(), c.env.ENCRYPTION_KEY);
    return c.json(created, 201);
  })
  .get("/orgs/:orgId/rejected-payloads", orgRoute("aws.view"), validate("query", paginationQuery), async (c) =>
    c.json(await listRejectedPayloads(getDb(c.env.DB), c.get("org").orgId, c.req.valid("query"))),
  )
  .get("/orgs/:orgId/dead-letters", orgRoute("aws.view"), validate("query", paginationQuery), async (c) =>
    c.json(await listDeadLetters(getDb(c.env.DB), c.get("org").orgId, c.req.valid("query"))),
  )
  .post(
    "/orgs/:orgId/dead-letters/:id/replay",
    orgRoute("aws.manage"),
    validate("param", z.object({ orgId: z.string(), id: z.string().max(64) })),
    async (c) => {
      const org = c.get("org");
      return c.json(await replayDeadLetter(getDb(c.env.DB), c.env, org.orgId, org.actor, c.req.valid("param").id));
    },
  );
