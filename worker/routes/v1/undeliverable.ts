import { z } from "zod";
import { pageSchema } from "../../lib/pagination";
import { LOCKED_REASONS, PRESETS, REASONS, rulesSchema } from "../../classification/rules";
import { getRules, listQuerySchema, listUndeliverable, RULES_VERSION_HEADER } from "../../services/undeliverable";
import { defineV1Route, v1Schema } from "./define";

const versionField = z.string().describe("6-character hash of the rules that produced this answer; it changes whenever the rules change.");

export const undeliverableAddressSchema = v1Schema(
  "UndeliverableAddress",
  z.object({
    email: z.string().describe("The recipient address, lower-cased."),
    status: z.enum(["listed", "excluded"]).describe("`excluded`: an operator allowed delivery to it again."),
    reason: z
      .enum(REASONS)
      .nullable()
      .describe("The highest-priority rule that matches: permanent_bounce > complaint > rejected > repeated_transient > undetermined > soft_bounce_accumulation."),
    subType: z.string().nullable().describe("Bounce sub-type for permanent_bounce (e.g. NoEmail), feedback type for complaint (e.g. abuse)."),
    events: z.number().int().describe("Qualifying events (bounces, complaints, rejects) in the plan's retention window."),
    lastChange: z.number().int().describe("Epoch ms: the latest failure for listed rows, the time of the Allow for excluded rows."),
    lastDiagnostic: z.string().nullable().describe("SMTP response of the most recent event that had one."),
    note: z.string().nullable().describe("The operator's note of an exclusion."),
  }),
);

export const listUndeliverableV1 = defineV1Route({
  method: "get",
  path: "/undeliverable",
  operationId: "listUndeliverable",
  tag: "Undeliverable",
  summary: "Addresses on the Undeliverable list",
  description:
    `Newest change first. Filters compose: \`search\` (case-insensitive substring of the address), \`status\` (listed by default, excluded, all) and \`reason\`. The \`${RULES_VERSION_HEADER}\` response header carries the rules version: when it changes, re-sync your local suppression list.`,
  query: listQuerySchema,
  response: pageSchema(undeliverableAddressSchema).extend({ version: versionField }),
  handler: async ({ v1, query, c }) => {
    const page = await listUndeliverable(c.env, v1, query);
    c.header(RULES_VERSION_HEADER, page.version);
    return { data: page.rows, nextCursor: page.nextCursor, version: page.version };
  },
});

export const getUndeliverableRulesV1 = defineV1Route({
  method: "get",
  path: "/undeliverable/rules",
  operationId: "getUndeliverableRules",
  tag: "Undeliverable",
  summary: "The classification rules and their version",
  description: "Read-only. The locked rules are always on; each configurable rule has `enabled`, `events` (1–100) and `windowDays` (1–365).",
  response: v1Schema(
    "UndeliverableRules",
    z.object({
      version: versionField,
      preset: z.enum([...PRESETS, "custom"]).describe("The profile the rules match, or custom."),
      locked: z.array(z.enum(LOCKED_REASONS)).describe("Rules that cannot be disabled."),
      rules: rulesSchema,
      updatedAt: z.number().int().nullable().describe("Epoch ms of the last save; null while the defaults (Standard) apply."),
    }),
  ),
  handler: async ({ v1, db }) => {
    const r = await getRules(db, v1.orgId);
    return { version: r.version, preset: r.preset, locked: [...LOCKED_REASONS], rules: r.rules, updatedAt: r.updatedAt };
  },
});
