import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import {
  channelEventDestinations,
  createChannel,
  createChannelSchema,
  deleteChannel,
  getChannelView,
  listChannelViews,
  renameChannel,
  renameChannelSchema,
  setChannelArchived,
  setDefaultChannel,
} from "../services/channels/manage";
import { retryChannelSync, settingsPatchSchema, updateChannelSettings } from "../services/channels/sync";

const idParam = z.object({ orgId: z.string(), id: z.string().max(64) });
const listQuery = z.object({ archived: z.enum(["0", "1"]).optional() });

export const channelRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/channels", orgRoute("channels.view"), validate("query", listQuery), async (c) =>
    c.json(await listChannelViews(c.env, c.get("org").orgId, c.req.valid("query").archived === "1")),
  )
  .post("/orgs/:orgId/channels", orgRoute("channels.manage"), validate("json", createChannelSchema), async (c) =>
    c.json({ channel: await createChannel(c.env, c.get("org"), c.req.valid("json")) }, 201),
  )
  .get("/orgs/:orgId/channels/:id", orgRoute("channels.view"), validate("param", idParam), async (c) =>
    c.json({ channel: await getChannelView(c.env, c.get("org").orgId, c.req.valid("param").id) }),
  )
  .get("/orgs/:orgId/channels/:id/event-destinations", orgRoute("channels.view"), validate("param", idParam), async (c) =>
    c.json(await channelEventDestinations(c.env, c.get("org"), c.req.valid("param").id)),
  )
  .patch("/orgs/:orgId/channels/:id", orgRoute("channels.manage"), validate("param", idParam), validate("json", renameChannelSchema), async (c) =>
    c.json({ channel: await renameChannel(c.env, c.get("org"), c.req.valid("param").id, c.req.valid("json")) }),
  )
  .delete("/orgs/:orgId/channels/:id", orgRoute("channels.manage"), validate("param", idParam), async (c) =>
    c.json(await deleteChannel(c.env, c.get("org"), c.req.valid("param").id)),
  )
  .patch("/orgs/:orgId/channels/:id/settings", orgRoute("channels.manage"), validate("param", idParam), validate("json", settingsPatchSchema), async (c) =>
    c.json({ channel: await updateChannelSettings(c.env, c.get("org"), c.req.valid("param").id, c.req.valid("json")) }),
  )
  .post("/orgs/:orgId/channels/:id/retry-sync", orgRoute("channels.manage"), validate("param", idParam), async (c) =>
    c.json({ channel: await retryChannelSync(c.env, c.get("org"), c.req.valid("param").id) }),
  )
  .post("/orgs/:orgId/channels/:id/default", orgRoute("channels.manage"), validate("param", idParam), async (c) =>
    c.json({ channel: await setDefaultChannel(c.env, c.get("org"), c.req.valid("param").id) }),
  )
  .post("/orgs/:orgId/channels/:id/archive", orgRoute("channels.manage"), validate("param", idParam), async (c) =>
    c.json({ channel: await setChannelArchived(c.env, c.get("org"), c.req.valid("param").id, true) }),
  )
  .post("/orgs/:orgId/channels/:id/restore", orgRoute("channels.manage"), validate("param", idParam), async (c) =>
    c.json({ channel: await setChannelArchived(c.env, c.get("org"), c.req.valid("param").id, false) }),
  );
