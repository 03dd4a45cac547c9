import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { eventReadsOf } from "../services/event-reads";
import { validate } from "../lib/validate";
import { eventListQuerySchema, listEvents } from "../services/reports/events";
import { getMessage, listMessages, messageListQuerySchema } from "../services/reports/messages";
import { scopeOfMember } from "../services/reports/scope";

/** Reports → Messages: message search, message detail, event log (docs/api-dashboard-reports.md). */
export const messageRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/messages", orgRoute("reports.view"), validate("query", messageListQuerySchema), async (c) =>
    c.json(await listMessages(await eventReadsOf(c.env), scopeOfMember(c.get("org")), c.req.valid("query"))),
  )
  .get(
    "/orgs/:orgId/messages/:id",
    orgRoute("reports.view"),
    validate("param", z.object({ orgId: z.string(), id: z.string().min(1).max(2048) })),
    async (c) => c.json(await getMessage(await eventReadsOf(c.env), scopeOfMember(c.get("org")), c.req.valid("param").id)),
  )
  .get("/orgs/:orgId/events", orgRoute("reports.view"), validate("query", eventListQuerySchema), async (c) =>
    c.json(await listEvents(await eventReadsOf(c.env), scopeOfMember(c.get("org")), c.req.valid("query"))),
  );
