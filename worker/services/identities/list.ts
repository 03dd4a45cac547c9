import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { findAwsConnection } from "../../db/aws";
import { findIdentityById, listAllIdentities } from "../../db/identities";
import { listOrgChannels, type IdentityRow } from "../../db/ingest";
import { notFound } from "../../lib/errors";
import { DEMO_AWS } from "../demo";
import { assignableChannels, identityView, type IdentitiesView, type IdentityView } from "./views";

/** Both tables of the Identities page; archived identities only when asked for. The demo is connected to its sample account. */
export async function listIdentities(env: Env, org: Pick<OrgContext, "orgId" | "isDemo">, opts: { archived: boolean }, at = Date.now()): Promise<IdentitiesView> {
  const db = getDb(env.DB);
  const [rows, channels, found] = await Promise.all([listAllIdentities(db, org.orgId), listOrgChannels(db, org.orgId), findAwsConnection(db, org.orgId)]);
  const connection = org.isDemo ? { status: "connected", region: DEMO_AWS.region } : found;
  const shown = rows.filter((r) => opts.archived || r.archivedAt === null).map((r) => identityView(r, channels, at));
  return {
    domains: shown.filter((v) => v.kind === "domain"),
    emails: shown.filter((v) => v.kind === "email"),
    channels: assignableChannels(channels),
    archivedCount: rows.filter((r) => r.archivedAt !== null).length,
    awsConnected: connection?.status === "connected",
    region: connection?.region ?? null,
  };
}

export async function identityOr404(db: Db, orgId: string, id: string): Promise<IdentityRow> {
  const row = await findIdentityById(db, orgId, id);
  if (!row) throw notFound("Identity");
  return row;
}

/** One identity as the page shows it (after a change). */
export async function viewOf(db: Db, orgId: string, row: IdentityRow, at: number): Promise<IdentityView> {
  return identityView(row, await listOrgChannels(db, orgId), at);
}
