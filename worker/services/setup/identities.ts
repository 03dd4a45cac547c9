/**
 * The Setup Guide's phase 3, Identities: the identities and configuration sets the account sync found
 * in SES, managed or not (Connect / Disconnect call the Identities page's API), with the sync's state. The
 * stack's base set `sendops-events` is not a channel, so it is not listed.
 */
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { findAwsConnection } from "../../db/aws";
import { listOrgChannels, listOrgIdentities } from "../../db/ingest";
import { NEW_AFTER_DISCOVERY } from "./discovery";
import { accountSyncView } from "./account-sync";
import type { SetupConfigurationSetView, SetupIdentitiesView } from "./views";

export async function getSetupIdentities(env: Env, org: Pick<OrgContext, "orgId" | "isDemo">, at = Date.now()): Promise<SetupIdentitiesView> {
  const db = getDb(env.DB);
  const [identities, channels, connection] = await Promise.all([listOrgIdentities(db, org.orgId), listOrgChannels(db, org.orgId), findAwsConnection(db, org.orgId)]);
  const sync = accountSyncView(connection, at);
  // The channels the Channels page lists (archived ones are hidden there too).
  const configurationSets: SetupConfigurationSetView[] = channels
    .filter((c) => c.archivedAt === null)
    .map((c) => ({
      name: c.configurationSetName,
      channelId: c.id,
      channelName: c.name,
      purpose: c.purpose,
      isDefault: c.isDefault,
      origin: c.origin,
      detached: c.detachedAt !== null,
    }));
  return {
    identities: identities.map((i) => ({
      id: i.id,
      identity: i.identity,
      kind: i.kind,
      verificationStatus: i.verificationStatus,
      sendingEnabled: i.sendingEnabled,
      state: i.detachedAt !== null ? "detached" : i.origin === "ses" && i.createdAt >= at - NEW_AFTER_DISCOVERY ? "new" : "active",
      managed: i.disconnectedAt === null,
      origin: i.origin,
      lastSyncedAt: i.lastSyncedAt,
    })),
    configurationSets,
    sync: org.isDemo ? { ...sync, lastSyncedAt: null, account: { mode: "production", sendingEnabled: true, enforcementStatus: "HEALTHY", reviewStatus: "GRANTED", quota: null } } : sync,
  };
}
