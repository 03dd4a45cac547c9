import { Hono } from "hono";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { orgRoute, userRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { getDemoSeedStatus } from "../services/demo-seed";
import {
  createWorkspace,
  createWorkspaceSchema,
  deleteWorkspace,
  deleteWorkspaceSchema,
  getLogo,
  getSettings,
  leaveDemo,
  removeLogo,
  resolveSlug,
  setLogo,
  settingsSchema,
  updateSettings,
} from "../services/workspaces";

export const workspaceRoutes = new Hono<AppEnv>()
  .post("/workspaces", userRoute(), validate("json", createWorkspaceSchema), async (c) =>
    c.json({ workspace: await createWorkspace(getDb(c.env.DB), c.get("session")!.user, c.req.valid("json")) }, 201),
  )
  .get("/slugs/:slug", userRoute(), async (c) =>
    c.json(await resolveSlug(getDb(c.env.DB), c.get("session")!.user.id, c.req.param("slug"))),
  )
  .get("/orgs/:orgId/demo-seed", orgRoute("workspace.view"), async (c) => c.json(await getDemoSeedStatus(getDb(c.env.DB), c.get("org").orgId)))
  .get("/orgs/:orgId/settings", orgRoute("org_settings.view"), async (c) =>
    c.json(await getSettings(getDb(c.env.DB), c.get("org").orgId)),
  )
  .patch("/orgs/:orgId/settings", orgRoute("org_settings.manage"), validate("json", settingsSchema), async (c) =>
    c.json(await updateSettings(getDb(c.env.DB), c.get("org"), c.req.valid("json"))),
  )
  // Raw image body; app.ts lets this one route through the /api body limit up to LOGO_MAX_BYTES.
  .put("/orgs/:orgId/logo", orgRoute("org_settings.manage"), async (c) => {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    return c.json(
      await setLogo(getDb(c.env.DB), c.env.FILES, c.get("org"), { contentType: c.req.header("content-type") ?? null, bytes }),
    );
  })
  .get("/orgs/:orgId/logo", orgRoute("workspace.view"), async (c) => {
    const logo = await getLogo(getDb(c.env.DB), c.env.FILES, c.get("org").orgId);
    // A URL carrying the current version (settings' logoUrl) never changes content; others revalidate.
    const cacheControl = c.req.query("v") === logo.version ? "private, max-age=31536000, immutable" : "private, no-cache";
    const headers = { "Content-Type": logo.contentType, "Cache-Control": cacheControl, ETag: logo.etag };
    if (c.req.header("if-none-match") === logo.etag) {
      await logo.body.cancel();
      return c.body(null, 304, headers);
    }
    return c.body(logo.body, 200, headers);
  })
  .delete("/orgs/:orgId/logo", orgRoute("org_settings.manage"), async (c) =>
    c.json(await removeLogo(getDb(c.env.DB), c.env.FILES, c.get("org"))),
  )
  .delete("/orgs/:orgId", orgRoute("workspace.delete"), validate("json", deleteWorkspaceSchema), async (c) => {
    await deleteWorkspace(getDb(c.env.DB), c.env, c.env.FILES, c.get("org"), c.get("session")!.id, c.req.valid("json"));
    return c.json({ ok: true });
  })
  .post("/orgs/:orgId/leave", orgRoute("workspace.view", { allowInDemo: true }), async (c) => {
    await leaveDemo(getDb(c.env.DB), c.get("org"));
    return c.json({ ok: true });
  });
