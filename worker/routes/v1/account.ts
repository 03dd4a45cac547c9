import { z } from "zod";
import { PLANS } from "../../db/schema";
import { defineV1Route, v1Schema } from "./define";

export const accountSchema = v1Schema(
  "Account",
  z.object({
    id: z.string().describe("Workspace id."),
    name: z.string(),
    slug: z.string().describe("The workspace's URL slug in the dashboard."),
    plan: z.enum(PLANS),
    apiKey: z
      .object({
        id: z.string(),
        name: z.string(),
        prefix: z.string().describe("The first characters of the key, as shown in Settings → API Keys."),
      })
      .describe("The key that made this request."),
  }),
);

export const getAccount = defineV1Route({
  method: "get",
  path: "/account",
  operationId: "getAccount",
  tag: "Account",
  summary: "The workspace the API key belongs to",
  description: "Use it to check a key: every other endpoint answers for this workspace only.",
  response: accountSchema,
  handler: ({ v1 }) => ({
    id: v1.orgId,
    name: v1.name,
    slug: v1.slug,
    plan: v1.plan,
    apiKey: { id: v1.keyId, name: v1.keyName, prefix: v1.keyPrefix },
  }),
});
