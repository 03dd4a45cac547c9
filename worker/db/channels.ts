import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "./client";
import { channels, identities, setupProgress } from "./schema";

/*
 * Channel management (worker/services/channels): the channels of a workspace, the identities that use a
 * channel's configuration set, and the once-per-workspace provisioning mark. The account sync's channel
 * writes (insertChannelQuery / updateChannelQuery) live with the ingest queries in ingest.ts.
 */

export type ChannelRecord = typeof channels.$inferSelect;

/** The workspace's channels by name; archived ones only when asked for. */
export function listChannels(db: Db, orgId: string, includeArchived: boolean) {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.orgId, orgId), includeArchived ? undefined : isNull(channels.archivedAt)))
    .orderBy(sql`${channels.name} COLLATE NOCASE`, asc(channels.id))
    .all();
}

/** One keyset page of the workspace's channels (archived ones too), by id. */
export function listChannelsAfter(db: Db, orgId: string, afterId: string | undefined, limit: number) {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.orgId, orgId), afterId === undefined ? undefined : gt(channels.id, afterId)))
    .orderBy(asc(channels.id))
    .limit(limit)
    .all();
}

export function findChannel(db: Db, orgId: string, id: string) {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.orgId, orgId), eq(channels.id, id)))
    .get();
}

export function findChannelBySet(db: Db, orgId: string, configurationSetName: string) {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.orgId, orgId), eq(channels.configurationSetName, configurationSetName)))
    .get();
}

export function findDefaultChannel(db: Db, orgId: string) {
  return db
    .select()
    .from(channels)
    .where(and(eq(channels.orgId, orgId), eq(channels.isDefault, true)))
    .get();
}

export function deleteChannelQuery(db: Db, orgId: string, id: string) {
  return db.delete(channels).where(and(eq(channels.orgId, orgId), eq(channels.id, id)));
}

/** Clears the workspace's default mark (before another channel takes it: the partial unique index allows one). */
export function clearDefaultChannelQuery(db: Db, orgId: string, at: number) {
  return db
    .update(channels)
    .set({ isDefault: false, updatedAt: at })
    .where(and(eq(channels.orgId, orgId), eq(channels.isDefault, true)));
}

// ---- identities using a channel's configuration set

/** The workspace's identities whose SES default configuration set is `configurationSetName`. */
export function listIdentitiesOnSet(db: Db, orgId: string, configurationSetName: string) {
  return db
    .select({ id: identities.id, identity: identities.identity })
    .from(identities)
    .where(and(eq(identities.orgId, orgId), eq(identities.configurationSetName, configurationSetName)))
    .orderBy(asc(identities.identity))
    .all();
}

/** Managed identities (not disconnected, archived or detached) SES applies no configuration set to, at most `limit`. */
export function listIdentitiesWithoutSet(db: Db, orgId: string, limit: number) {
  return db
    .select({ id: identities.id, identity: identities.identity })
    .from(identities)
    .where(
      and(
        eq(identities.orgId, orgId),
        isNull(identities.configurationSetName),
        isNull(identities.disconnectedAt),
        isNull(identities.archivedAt),
        isNull(identities.detachedAt),
      ),
    )
    .orderBy(asc(identities.identity))
    .limit(limit)
    .all();
}

export function moveIdentitiesToSetQuery(db: Db, orgId: string, from: string, to: string | null) {
  return db
    .update(identities)
    .set({ configurationSetName: to })
    .where(and(eq(identities.orgId, orgId), eq(identities.configurationSetName, from)));
}

export function setIdentityConfigurationSetQuery(db: Db, orgId: string, identityId: string, set: string | null) {
  return db
    .update(identities)
    .set({ configurationSetName: set })
    .where(and(eq(identities.orgId, orgId), eq(identities.id, identityId)));
}

/** Whether the workspace has a domain identity that SES verified (what triggers default-channel provisioning). */
export async function hasVerifiedDomain(db: Db, orgId: string): Promise<boolean> {
  const row = await db
    .select({ id: identities.id })
    .from(identities)
    .where(and(eq(identities.orgId, orgId), eq(identities.kind, "domain"), eq(identities.verificationStatus, "SUCCESS"), isNull(identities.archivedAt)))
    .limit(1)
    .get();
  return row !== undefined;
}

// ---- default-channel provisioning, once per workspace

export async function defaultChannelsProvisionedAt(db: Db, orgId: string): Promise<number | null> {
  const row = await db.select({ at: setupProgress.defaultChannelsProvisionedAt }).from(setupProgress).where(eq(setupProgress.orgId, orgId)).get();
  return row?.at ?? null;
}

/**
 * Marks the workspace's default channels as provisioned at `at` unless they already are; true when this
 * call set the mark. One statement (upsert with a guarded update), so of concurrent callers exactly one wins.
 */
export async function claimDefaultChannelsProvisioning(db: Db, orgId: string, at: number): Promise<boolean> {
  const res = await db.run(sql`INSERT INTO setup_progress (org_id, default_channels_provisioned_at, updated_at) VALUES (${orgId}, ${at}, ${at})
    ON CONFLICT (org_id) DO UPDATE SET default_channels_provisioned_at = excluded.default_channels_provisioned_at, updated_at = excluded.updated_at
    WHERE setup_progress.default_channels_provisioned_at IS NULL`);
  return (res.meta.changes ?? 0) > 0;
}

/** Gives the mark back (a provisioning run failed before it finished), so the job's retry can run again. */
export function releaseDefaultChannelsProvisioning(db: Db, orgId: string, at: number) {
  return db
    .update(setupProgress)
    .set({ defaultChannelsProvisionedAt: null })
    .where(and(eq(setupProgress.orgId, orgId), eq(setupProgress.defaultChannelsProvisionedAt, at)));
}

/**
 * Records how the push started at `startedAt` ended, unless a later change started another push since
 * (that one's outcome is the one that counts).
 */
export function finishSyncQuery(
  db: Db,
  orgId: string,
  id: string,
  startedAt: number,
  set: Pick<ChannelRecord, "syncStatus" | "syncErrorCode" | "syncError" | "syncErrorAt">,
) {
  return db
    .update(channels)
    .set(set)
    .where(and(eq(channels.orgId, orgId), eq(channels.id, id), eq(channels.syncStatus, "syncing"), eq(channels.updatedAt, startedAt)));
}
