import { paginationQuery, pageSchema } from "../../lib/pagination";
import { identitySchema, listIdentitiesPage } from "../../services/reports/catalog";
import { defineV1Route, v1Schema } from "./define";

export const listIdentitiesV1 = defineV1Route({
  method: "get",
  path: "/identities",
  operationId: "listIdentities",
  tag: "Identities",
  summary: "Managed sending identities (domains and addresses)",
  description: "Events from other identities are not ingested.",
  query: paginationQuery,
  response: v1Schema("IdentityPage", pageSchema(v1Schema("Identity", identitySchema))),
  handler: ({ v1, db, query }) => listIdentitiesPage(db, v1.orgId, query),
});
