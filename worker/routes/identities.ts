import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { addIdentity, assignChannel, deleteIdentity, refreshIdentity } from "../services/identities/actions";
import { archiveIdentity, connectIdentity, disconnectIdentity, restoreIdentity } from "../services/identities/lifecycle";
import { listIdentities } from "../services/identities/list";
import { domainNameSchema, emailAddressSchema } from "../services/identities/names";

const idParam = z.object({ orgId: z.string(), id: z.string().min(1).max(64) });
const listQuery = z.object({ archived: z.enum(["true", "false"]).optional() });
const assignSchema = z.object({ channelId: z.string().min(1).max(64).nullable() });

/** The Identities page (docs/identities.md): domain and email identities, their DNS checks and lifecycle. */
export const identityRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/identities", orgRoute("domains.view"), validate("query", listQuery), async (c) =>
    c.json(await listIdentities(c.env, c.get("org"), { archived: c.req.valid("query").archived === "true" })),
  )
  .post("/orgs/:orgId/identities/domains", orgRoute("domains.manage"), validate("json", z.object({ domain: domainNameSchema })), async (c) =>
    c.json(await addIdentity(c.env, c.get("org"), "domain", c.req.valid("json").domain), 201),
  )
  .post("/orgs/:orgId/identities/emails", orgRoute("domains.manage"), validate("json", z.object({ email: emailAddressSchema })), async (c) =>
    c.json(await addIdentity(c.env, c.get("org"), "email", c.req.valid("json").email), 201),
  )
  .post("/orgs/:orgId/identities/:id/refresh", orgRoute("domains.manage"), validate("param", idParam), async (c) =>
    c.json(await refreshIdentity(c.env, c.get("org"), c.req.valid("param").id)),
  )
  .post("/orgs/:orgId/identities/:id/archive", orgRoute("domains.manage"), validate("param", idParam), async (c) =>
    c.json(await archiveIdentity(c.env, c.get("org"), c.req.valid("param").id)),
  )
  .post("/orgs/:orgId/identities/:id/restore", orgRoute("domains.manage"), validate("param", idParam), async (c) =>
    c.json(await restoreIdentity(c.env, c.get("org"), c.req.valid("param").id)),
  )
  .post("/orgs/:orgId/identities/:id/connect", orgRoute("domains.manage"), validate("param", idParam), async (c) =>
    c.json(await connectIdentity(c.env, c.get("org"), c.req.valid("param").id)),
  )
  .post("/orgs/:orgId/identities/:id/disconnect", orgRoute("domains.manage"), validate("param", idParam), async (c) =>
    c.json(await disconnectIdentity(c.env, c.get("org"), c.req.valid("param").id)),
  )
  .put("/orgs/:orgId/identities/:id/channel", orgRoute("domains.manage"), validate("param", idParam), validate("json", assignSchema), async (c) =>
    c.json(await assignChannel(c.env, c.get("org"), c.req.valid("param").id, c.req.valid("json").channelId)),
  )
  .delete("/orgs/:orgId/identities/:id", orgRoute("domains.manage"), validate("param", idParam), async (c) =>
    c.json(await deleteIdentity(c.env, c.get("org"), c.req.valid("param").id)),
  );
