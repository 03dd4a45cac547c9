import type { Db } from "../db/client";
import { findDemoOrg } from "../db/accounts";
import { orgs } from "../db/schema";

/** The one shared, read-only demo workspace every new user joins; its sample data is seeded by id. */
export const DEMO_ORG_ID = "org_demo";
export const DEMO_SLUG = "demo";
export const DEMO_NAME = "Demo Workspace";

/** Creates the demo workspace unless it exists; returns its id. Safe to call concurrently. */
export async function ensureDemoWorkspace(db: Db, at = Date.now()): Promise<string> {
  const existing = await findDemoOrg(db);
  if (existing) return existing.id;
  await db
    .insert(orgs)
    .values({ id: DEMO_ORG_ID, name: DEMO_NAME, slug: DEMO_SLUG, isDemo: true, plan: "business", createdAt: at, updatedAt: at })
    .onConflictDoNothing();
  return DEMO_ORG_ID;
}

/**
 * The demo workspace's AWS connection, always shown as connected (its events name this account and
 * region, see scripts/lib/demo-world.ts). Locally the AWS stand-in holds this account with the SendOps
 * stack deployed for this External ID, so the demo's live SES reads work there; where the account cannot
 * be reached (a deployed instance) they fall back to what SendOps configured (docs/demo-data.md).
 */
export const DEMO_AWS = {
  accountId: "111122223333",
  region: "us-east-1",
  roleArn: "arn:aws:iam::111122223333:role/SendOpsRole",
  externalId: "sendops-demo-workspace",
} as const;
