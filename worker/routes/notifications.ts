import { Hono } from "hono";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { getDb } from "../db/client";
import { validate } from "../lib/validate";
import { inboxQuery, listInbox, markAllRead, markNotifications, markSchema, unreadCount } from "../services/notifications/inbox";
import {
  applyPresetSchema,
  applyPresetToMe,
  applyPresetToMember,
  createPreset,
  createPresetSchema,
  deletePreset,
  getMyPreferences,
  listPresets,
  listTeamPreferences,
  preferenceChangesSchema,
  updateMemberPreferences,
  updateMyPreferences,
} from "../services/notifications/preferences";

/**
 * Notifications → Inbox, Preferences, Presets, Team. Marking read changes only the member's own inbox,
 * so it also works in the read-only demo workspace. A member's own preferences (toggles, a preset applied
 * to themselves) need only `notifications.view`: every role sets its own (team__members-and-roles.md).
 * The workspace's presets need `notifications.manage`, other members' preferences `team.manage`.
 */
export const notificationRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/notifications/inbox", orgRoute("notifications.view"), validate("query", inboxQuery), async (c) =>
    c.json(await listInbox(getDb(c.env.DB), c.get("org"), c.req.valid("query"))),
  )
  .get("/orgs/:orgId/notifications/unread-count", orgRoute("notifications.view"), async (c) => c.json(await unreadCount(getDb(c.env.DB), c.get("org"))))
  .post("/orgs/:orgId/notifications/inbox/mark", orgRoute("notifications.view", { allowInDemo: true }), validate("json", markSchema), async (c) =>
    c.json(await markNotifications(getDb(c.env.DB), c.get("org"), c.req.valid("json"))),
  )
  .post("/orgs/:orgId/notifications/inbox/mark-all-read", orgRoute("notifications.view", { allowInDemo: true }), async (c) =>
    c.json(await markAllRead(getDb(c.env.DB), c.get("org"))),
  )
  .get("/orgs/:orgId/notifications/preferences", orgRoute("notifications.view"), async (c) => c.json(await getMyPreferences(getDb(c.env.DB), c.get("org"))))
  .patch("/orgs/:orgId/notifications/preferences", orgRoute("notifications.view"), validate("json", preferenceChangesSchema), async (c) =>
    c.json(await updateMyPreferences(getDb(c.env.DB), c.get("org"), c.req.valid("json"))),
  )
  .get("/orgs/:orgId/notifications/presets", orgRoute("notifications.view"), async (c) => c.json({ presets: await listPresets(getDb(c.env.DB), c.get("org")) }))
  .post("/orgs/:orgId/notifications/presets", orgRoute("notifications.manage"), validate("json", createPresetSchema), async (c) =>
    c.json(await createPreset(getDb(c.env.DB), c.get("org"), c.req.valid("json")), 201),
  )
  .post("/orgs/:orgId/notifications/presets/apply", orgRoute("notifications.view"), validate("json", applyPresetSchema), async (c) =>
    c.json(await applyPresetToMe(getDb(c.env.DB), c.get("org"), c.req.valid("json"))),
  )
  .delete("/orgs/:orgId/notifications/presets/:presetId", orgRoute("notifications.manage"), async (c) => {
    await deletePreset(getDb(c.env.DB), c.get("org"), c.req.param("presetId"));
    return c.body(null, 204);
  })
  .get("/orgs/:orgId/notifications/team", orgRoute("team.view"), async (c) => c.json({ members: await listTeamPreferences(getDb(c.env.DB), c.get("org")) }))
  .patch("/orgs/:orgId/notifications/team/:userId", orgRoute("team.manage"), validate("json", preferenceChangesSchema), async (c) =>
    c.json(await updateMemberPreferences(getDb(c.env.DB), c.get("org"), c.req.param("userId"), c.req.valid("json"))),
  )
  .post("/orgs/:orgId/notifications/team/:userId/apply-preset", orgRoute("team.manage"), validate("json", applyPresetSchema), async (c) =>
    c.json(await applyPresetToMember(getDb(c.env.DB), c.get("org"), c.req.param("userId"), c.req.valid("json"))),
  );
