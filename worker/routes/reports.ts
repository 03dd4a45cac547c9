import { Hono } from "hono";
import type { AppEnv } from "../context";
import { orgRoute } from "../auth/middleware";
import { getDb } from "../db/client";
import { validate } from "../lib/validate";
import { listChannelFilter } from "../services/reports/catalog";
import { exportCsv, exportQuerySchema } from "../services/reports/csv";
import { eventReadsOf } from "../services/event-reads";
import { getDeliverabilityReport } from "../services/reports/deliverability";
import { getEngagementReport } from "../services/reports/engagement";
import { getLatencyReport } from "../services/reports/latency";
import { getProviderReport, providerQuerySchema } from "../services/reports/providers";
import { reportQuerySchema } from "../services/reports/range";
import { scopeOfMember } from "../services/reports/scope";

/** Reports → Deliverability and Engagement, the channel filter and CSV export (docs/api-dashboard-reports.md). */
export const reportRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/reports/deliverability", orgRoute("reports.view"), validate("query", reportQuerySchema), async (c) =>
    c.json(await getDeliverabilityReport(getDb(c.env.DB), c.get("org").orgId, c.req.valid("query"))),
  )
  .get("/orgs/:orgId/reports/providers", orgRoute("reports.view"), validate("query", providerQuerySchema), async (c) =>
    c.json(await getProviderReport(getDb(c.env.DB), c.get("org").orgId, c.req.valid("query"))),
  )
  .get("/orgs/:orgId/reports/latency", orgRoute("reports.view"), validate("query", reportQuerySchema), async (c) =>
    c.json(await getLatencyReport(getDb(c.env.DB), c.get("org").orgId, c.req.valid("query"))),
  )
  .get("/orgs/:orgId/reports/engagement", orgRoute("reports.view"), validate("query", reportQuerySchema), async (c) =>
    c.json(await getEngagementReport(getDb(c.env.DB), c.get("org").orgId, c.req.valid("query"))),
  )
  .get("/orgs/:orgId/reports/export.csv", orgRoute("reports.manage"), validate("query", exportQuerySchema), async (c) => {
    const csv = await exportCsv(getDb(c.env.DB), await eventReadsOf(c.env), scopeOfMember(c.get("org")), c.req.valid("query"));
    return new Response(csv.body, {
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${csv.filename}"`,
        "Cache-Control": "no-store",
      },
    });
  })
  // The report filter's channels (Reports access); managing channels is /channels (routes/channels.ts).
  .get("/orgs/:orgId/reports/channels", orgRoute("reports.view"), async (c) => c.json(await listChannelFilter(getDb(c.env.DB), c.get("org").orgId)));
