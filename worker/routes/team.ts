import { Hono } from "hono";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { changeRole, changeRoleSchema, listMembers, removeMember } from "../services/team";

export const teamRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/members", orgRoute("team.view"), async (c) => c.json(await listMembers(getDb(c.env.DB), c.get("org"))))
  .patch("/orgs/:orgId/members/:userId", orgRoute("team.manage"), validate("json", changeRoleSchema), async (c) =>
    c.json({ member: await changeRole(getDb(c.env.DB), c.get("org"), c.req.param("userId"), c.req.valid("json")) }),
  )
  .delete("/orgs/:orgId/members/:userId", orgRoute("team.manage"), async (c) => {
    await removeMember(getDb(c.env.DB), c.get("org"), c.req.param("userId"));
    return c.json({ ok: true });
  });
