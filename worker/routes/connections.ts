import { Hono } from "hono";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { connectAws, connectSchema, disconnectAws, getAwsConnection, revalidateAws } from "../services/aws-connection";

export const connectionRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/aws-connection", orgRoute("aws.view"), async (c) => c.json(await getAwsConnection(c.env, c.get("org"))))
  .put("/orgs/:orgId/aws-connection", orgRoute("aws.manage"), validate("json", connectSchema), async (c) =>
    c.json(await connectAws(c.env, c.get("org"), c.req.valid("json"))),
  )
  .post("/orgs/:orgId/aws-connection/validate", orgRoute("aws.manage"), async (c) => c.json(await revalidateAws(c.env, c.get("org"))))
  .delete("/orgs/:orgId/aws-connection", orgRoute("aws.manage"), async (c) => c.json(await disconnectAws(c.env, c.get("org"))));
