import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../context";
import { orgRoute, publicRoute } from "../auth/middleware";
import { validate } from "../lib/validate";
import { getAccountSyncState, requestAccountSync } from "../services/setup/account-sync";
import {
  delegateAwsIntegration,
  delegateSchema,
  downloadTemplate,
  genericTemplate,
  getAwsIntegration,
  integrationQuery,
  TEMPLATE_CONTENT_TYPES,
  templateQuery,
} from "../services/setup/integration";
import { getSetupIdentities } from "../services/setup/identities";
import { getSetupProgress, updateProgressSchema, updateSetupProgress } from "../services/setup/progress";
import { getAwsStatus } from "../services/setup/status";
import { getTestSend, getTestSendOptions, sendTestEmail, testSendSchema } from "../services/setup/test-send";
import { getLatestValidation, startValidation } from "../services/setup/validation";
import { TEMPLATE_VERSION } from "../aws/stack/permissions";
import { getDb } from "../db/client";

const testSendParam = z.object({ orgId: z.string(), id: z.string().min(1).max(64) });

/** The Setup Guide (docs/aws.md): progress, the four phases, the AWS status badge. */
export const setupRoutes = new Hono<AppEnv>()
  .get("/orgs/:orgId/setup", orgRoute("setup.view"), async (c) => c.json(await getSetupProgress(getDb(c.env.DB), c.get("org"))))
  .put("/orgs/:orgId/setup/progress", orgRoute("setup.manage"), validate("json", updateProgressSchema), async (c) =>
    c.json(await updateSetupProgress(getDb(c.env.DB), c.get("org"), c.req.valid("json"))),
  )
  .get("/orgs/:orgId/aws-connection/status", orgRoute("aws.view"), async (c) => c.json(await getAwsStatus(c.env, c.get("org"))))
  .get("/orgs/:orgId/setup/aws-integration", orgRoute("aws.view"), validate("query", integrationQuery), async (c) =>
    c.json(await getAwsIntegration(c.env, c.get("org"), c.req.valid("query").region)),
  )
  .get("/orgs/:orgId/setup/cloudformation-template", orgRoute("aws.view"), validate("query", templateQuery), async (c) => {
    const file = await downloadTemplate(c.env, c.get("org"), c.req.valid("query"));
    return c.body(file.body, 200, {
      "Content-Type": TEMPLATE_CONTENT_TYPES[file.format],
      "Content-Disposition": `attachment; filename="${file.filename}"`,
      "Cache-Control": "no-store",
    });
  })
  .post("/orgs/:orgId/setup/delegate", orgRoute("aws.manage"), validate("json", delegateSchema), async (c) =>
    c.json(await delegateAwsIntegration(c.env, c.get("org"), c.req.valid("json"))),
  )
  .get("/orgs/:orgId/aws-connection/validation", orgRoute("aws.view"), async (c) => c.json({ run: await getLatestValidation(c.env, c.get("org")) }))
  .post("/orgs/:orgId/aws-connection/validation", orgRoute("aws.manage"), async (c) => c.json(await startValidation(c.env, c.get("org")), 202))
  .get("/orgs/:orgId/aws-connection/sync", orgRoute("aws.view"), async (c) => c.json(await getAccountSyncState(c.env, c.get("org"))))
  .post("/orgs/:orgId/aws-connection/sync", orgRoute("aws.manage"), async (c) => c.json(await requestAccountSync(c.env, c.get("org")), 202))
  .get("/orgs/:orgId/setup/identities", orgRoute("setup.view"), async (c) => c.json(await getSetupIdentities(c.env, c.get("org"))))
  .get("/orgs/:orgId/setup/test-send", orgRoute("setup.view"), async (c) => c.json(await getTestSendOptions(c.env, c.get("org"))))
  .post("/orgs/:orgId/setup/test-send", orgRoute("aws.manage"), validate("json", testSendSchema), async (c) =>
    c.json(await sendTestEmail(c.env, c.get("org"), c.req.valid("json")), 201),
  )
  .get("/orgs/:orgId/setup/test-send/:id", orgRoute("setup.view"), validate("param", testSendParam), async (c) =>
    c.json(await getTestSend(c.env, c.get("org"), c.req.valid("param").id)),
  );

/**
 * The generic template (no workspace values) the AWS console's launch link fetches when the operator
 * has not published a copy of their own (CLOUDFORMATION_TEMPLATE_URL).
 */
const serveGeneric = (format: "yaml" | "json") => (c: Context<AppEnv>) =>
  c.body(genericTemplate(format), 200, { "Content-Type": TEMPLATE_CONTENT_TYPES[format], "Cache-Control": "public, max-age=300" });

export const cloudFormationRoutes = new Hono<AppEnv>()
  .get(`/sendops-v${TEMPLATE_VERSION}.yaml`, publicRoute(), serveGeneric("yaml"))
  .get(`/sendops-v${TEMPLATE_VERSION}.json`, publicRoute(), serveGeneric("json"));
