import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { deleteSuppression, getSuppressionSync, listSuppressions, listSuppressionsQuery, requestSuppressionSync } from "../services/suppressions";

const emailParam = z.object({
  orgId: z.string(),
  email: z.string().min(3, "Give the suppressed email address.").max(254, "An email address is at most 254 characters.").includes("@", { message: "Give the suppressed email address." }),
});

export const suppressionRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/suppressions", orgRoute("suppressions.view"), validate("query", listSuppressionsQuery), async (c) =>
    c.json(await listSuppressions(c.env, c.get("org").orgId, c.req.valid("query"))),
  )
  .get("/orgs/:orgId/suppressions/sync", orgRoute("suppressions.view"), async (c) => c.json(await getSuppressionSync(c.env, c.get("org"))))
  // Refresh reads SES and rewrites only the copy of what SES holds: a viewer's (and the demo's) action.
  .post("/orgs/:orgId/suppressions/sync", orgRoute("suppressions.view", { allowInDemo: true }), async (c) =>
    c.json(await requestSuppressionSync(c.env, c.get("org")), 202),
  )
  .delete("/orgs/:orgId/suppressions/:email", orgRoute("suppressions.manage"), validate("param", emailParam), async (c) =>
    c.json(await deleteSuppression(c.env, c.get("org"), c.req.valid("param").email)),
  );
