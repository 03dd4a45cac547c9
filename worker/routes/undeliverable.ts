import { Hono } from "hono";
import type { AppEnv } from "../context";
import { getDb } from "../db/client";
import { orgRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import {
  allowAddress,
  allowSchema,
  exportUndeliverableCsv,
  getRules,
  listFiltersSchema,
  listQuerySchema,
  listUndeliverable,
  previewRules,
  relistAddress,
  relistSchema,
  rulesSchema,
  RULES_VERSION_HEADER,
  saveRules,
} from "../services/undeliverable";

export const undeliverableRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/undeliverable", orgRoute("undeliverable.view"), validate("query", listQuerySchema), async (c) => {
    const page = await listUndeliverable(c.env, c.get("org"), c.req.valid("query"));
    c.header(RULES_VERSION_HEADER, page.version);
    return c.json(page);
  })
  .get("/orgs/:orgId/undeliverable/export.csv", orgRoute("undeliverable.view"), validate("query", listFiltersSchema), async (c) => {
    const { stream, version } = await exportUndeliverableCsv(c.env, c.get("org"), c.req.valid("query"));
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="undeliverable-${c.get("org").slug}.csv"`,
      [RULES_VERSION_HEADER]: version,
    });
  })
  .post("/orgs/:orgId/undeliverable/allow", orgRoute("undeliverable.manage"), validate("json", allowSchema), async (c) =>
    c.json(await allowAddress(c.env, c.get("org"), c.req.valid("json"))),
  )
  .post("/orgs/:orgId/undeliverable/relist", orgRoute("undeliverable.manage"), validate("json", relistSchema), async (c) =>
    c.json(await relistAddress(c.env, c.get("org"), c.req.valid("json"))),
  )
  .get("/orgs/:orgId/undeliverable/rules", orgRoute("undeliverable.view"), async (c) =>
    c.json(await getRules(getDb(c.env.DB), c.get("org").orgId)),
  )
  .put("/orgs/:orgId/undeliverable/rules", orgRoute("undeliverable.configure"), validate("json", rulesSchema), async (c) =>
    c.json(await saveRules(c.env, c.get("org"), c.req.valid("json"))),
  )
  .post("/orgs/:orgId/undeliverable/rules/preview", orgRoute("undeliverable.view", { allowInDemo: true }), validate("json", rulesSchema), async (c) =>
    c.json(await previewRules(c.env, c.get("org"), c.req.valid("json"))),
  );
