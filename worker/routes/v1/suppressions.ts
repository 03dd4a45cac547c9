import { pageSchema } from "../../lib/pagination";
import { listSuppressions, listSuppressionsQuery, suppressionSchema } from "../../services/suppressions";
import { defineV1Route, v1Schema } from "./define";

export const listSuppressionsV1 = defineV1Route({
  method: "get",
  path: "/suppressions",
  operationId: "listSuppressions",
  tag: "Suppressions",
  summary: "Addresses on the SES account-level suppression list",
  description:
    "SendOps' copy of the connected SES account's suppression list, refreshed from SES at least hourly. Newest update first by default. Filters compose: `q` (case-insensitive substring of the address) and `reason`.",
  query: listSuppressionsQuery,
  response: pageSchema(v1Schema("SuppressedAddress", suppressionSchema)),
  handler: ({ v1, query, c }) => listSuppressions(c.env, v1.orgId, query),
});
