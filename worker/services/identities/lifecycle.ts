/**
 * Lifecycle changes that leave SES alone (domains__adding-a-domain.md, "AWS Account Sync"): Archive hides
 * a detached identity and stops counting its events, Restore brings it back; Disconnect stops managing an
 * identity (its events are dropped as unmanaged) and Connect manages it again. Ingest reads identities
 * per batch (loadOrgIngestConfigs), so each change applies to the next events consumed. A change that
 * is already in place answers the identity as it is, without an audit entry.
 */
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { updateIdentityQuery, type IdentityRow } from "../../db/ingest";
import { AppError } from "../../lib/errors";
import { identityAudit, kindLabel } from "./audit";
import { identityOr404, viewOf } from "./list";
import type { IdentityView } from "./views";

type Change = Partial<Pick<IdentityRow, "archivedAt" | "disconnectedAt">>;

async function apply(
  env: Env,
  org: Pick<OrgContext, "orgId" | "actor">,
  id: string,
  at: number,
  plan: (row: IdentityRow) => { set: Change; operation: string; summary: string } | null,
): Promise<IdentityView> {
  const db = getDb(env.DB);
  const row = await identityOr404(db, org.orgId, id);
  const change = plan(row);
  if (!change) return viewOf(db, org.orgId, row, at);
  const after = { ...row, ...change.set };
  await db.batch([
    updateIdentityQuery(db, org.orgId, row.id, change.set),
    identityAudit(db, { orgId: org.orgId, actor: org.actor, row, operation: change.operation, summary: change.summary, before: row, after, at }),
  ]);
  return viewOf(db, org.orgId, after, at);
}

export const archiveIdentity = (env: Env, org: Pick<OrgContext, "orgId" | "actor">, id: string, at = Date.now()) =>
  apply(env, org, id, at, (row) => {
    if (row.archivedAt !== null) return null;
    if (row.detachedAt === null) {
      throw new AppError(
        "IDENTITY_NOT_DETACHED",
        409,
        `Only detached identities can be archived: ${row.identity} is still in SES. Disconnect it to stop managing it, or delete it to remove it from SES.`,
      );
    }
    return { set: { archivedAt: at }, operation: "archived", summary: `Archived ${kindLabel(row)} ${row.identity}` };
  });

export const restoreIdentity = (env: Env, org: Pick<OrgContext, "orgId" | "actor">, id: string, at = Date.now()) =>
  apply(env, org, id, at, (row) =>
    row.archivedAt === null ? null : { set: { archivedAt: null }, operation: "restored", summary: `Restored ${kindLabel(row)} ${row.identity}` },
  );

export const connectIdentity = (env: Env, org: Pick<OrgContext, "orgId" | "actor">, id: string, at = Date.now()) =>
  apply(env, org, id, at, (row) =>
    row.disconnectedAt === null
      ? null
      : { set: { disconnectedAt: null }, operation: "connected", summary: `Connected ${kindLabel(row)} ${row.identity}: its events are ingested again` },
  );

export const disconnectIdentity = (env: Env, org: Pick<OrgContext, "orgId" | "actor">, id: string, at = Date.now()) =>
  apply(env, org, id, at, (row) =>
    row.disconnectedAt !== null
      ? null
      : { set: { disconnectedAt: at }, operation: "disconnected", summary: `Disconnected ${kindLabel(row)} ${row.identity}: its events are no longer ingested (SES unchanged)` },
  );
