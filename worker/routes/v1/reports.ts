import { deliverabilityReportSchema, getDeliverabilityReport } from "../../services/reports/deliverability";
import { engagementReportSchema, getEngagementReport } from "../../services/reports/engagement";
import { getLatencyReport, latencyReportSchema } from "../../services/reports/latency";
import { getProviderReport, providerQuerySchema, providerReportSchema, providerRowSchema } from "../../services/reports/providers";
import { reportQuerySchema } from "../../services/reports/range";
import { rateDescription } from "../../lib/rates";
import { defineV1Route, v1Schema } from "./define";

v1Schema("ProviderRow", providerRowSchema);

const RANGE_NOTE =
  "The range is widened to whole hours; counts are per recipient, each event in the bucket of its own timestamp. " +
  `Rates: ${(["bounce", "complaint", "reject", "open", "click"] as const).map(rateDescription).join(" ")}`;

export const getDeliverabilityV1 = defineV1Route({
  method: "get",
  path: "/reports/deliverability",
  operationId: "getDeliverabilityReport",
  tag: "Reports",
  summary: "Bounce, complaint and reject rates, reputation score, series and reasons",
  description: RANGE_NOTE,
  query: reportQuerySchema,
  response: v1Schema("DeliverabilityReport", deliverabilityReportSchema),
  handler: ({ v1, db, query }) => getDeliverabilityReport(db, v1.orgId, query),
});

export const getProvidersV1 = defineV1Route({
  method: "get",
  path: "/reports/providers",
  operationId: "getProviderReport",
  tag: "Reports",
  summary: "Deliverability by mailbox provider, with deltas versus the prior period",
  description: `The top 8 providers by sends, then "Other" (always last). ${RANGE_NOTE}`,
  query: providerQuerySchema,
  response: v1Schema("ProviderReport", providerReportSchema),
  handler: ({ v1, db, query }) => getProviderReport(db, v1.orgId, query),
});

export const getLatencyV1 = defineV1Route({
  method: "get",
  path: "/reports/latency",
  operationId: "getLatencyReport",
  tag: "Reports",
  summary: "Delivery latency percentiles (P50/P95/P99) and histogram",
  description: `Percentiles come from log-scale histogram buckets and are within one bucket (< 19 %) of the exact value. ${RANGE_NOTE}`,
  query: reportQuerySchema,
  response: v1Schema("LatencyReport", latencyReportSchema),
  handler: ({ v1, db, query }) => getLatencyReport(db, v1.orgId, query),
});

export const getEngagementV1 = defineV1Route({
  method: "get",
  path: "/reports/engagement",
  operationId: "getEngagementReport",
  tag: "Reports",
  summary: "Open and click rates over time, by recipient domain and by template",
  description: `Opens are directional: privacy proxies open mail automatically. ${RANGE_NOTE}`,
  query: reportQuerySchema,
  response: v1Schema("EngagementReport", engagementReportSchema),
  handler: ({ v1, db, query }) => getEngagementReport(db, v1.orgId, query),
});
