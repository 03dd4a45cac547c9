import { z } from "zod";
import type { Db } from "../../db/client";
import { listChannelsOfOrg, listIdentitiesOfOrg } from "../../db/reports";
import { IDENTITY_KINDS, IDENTITY_ORIGINS, VERIFICATION_STATUSES, type VerificationStatus } from "../../db/schema";
import { identityHealth, identityMarker, identityStatus } from "../identities/views";
import { decodeCursor, paginate, type Page } from "../../lib/pagination";

/** The org's channels and identities: the report filters in the dashboard; identities in /v1 (channels: services/channels). */

export const channelSchema = z.object({
  id: z.string(),
  name: z.string(),
  configurationSetName: z.string().describe("The SES configuration set whose events belong to this channel."),
  createdAt: z.number().int(),
});
export type ChannelEntry = z.output<typeof channelSchema>;

export const channelListSchema = z.object({ channels: z.array(channelSchema) });
export type ChannelList = z.output<typeof channelListSchema>;

export const identitySchema = z.object({
  id: z.string(),
  identity: z.string().describe("A domain or an email address (lowercase)."),
  kind: z.enum(IDENTITY_KINDS),
  status: z.enum(["pending", "verified", "failed"]).describe("Verified once SES verified it (a domain: once its DKIM status is SUCCESS)."),
  verificationStatus: z.enum(VERIFICATION_STATUSES).describe("SES's VerificationStatus as last read."),
  dkimStatus: z.enum(VERIFICATION_STATUSES).nullable().describe("SES's DKIM status (domains; null for email addresses and before SES reported it)."),
  health: z.enum(["healthy", "critical", "pending"]).nullable().describe("Domains: healthy = DKIM verified, critical = DKIM failed, else pending. Null for email addresses."),
  configurationSetName: z.string().nullable().describe("The configuration set SES applies to this identity's mail (null: none)."),
  channelId: z.string().nullable().describe("The channel of that configuration set (null: none, or a set that is not a channel)."),
  lifecycle: z
    .enum(["new", "active", "detached", "archived"])
    .describe("new: found in SES by an account sync in the last 7 days; detached: no longer in SES (still counted until archived); archived: hidden and not counted."),
  managed: z.boolean().describe("Whether its events are ingested (false when disconnected or archived)."),
  origin: z.enum(IDENTITY_ORIGINS).describe("sendops: added in SendOps; ses: found in the SES account."),
  createdAt: z.number().int(),
});
export type IdentityEntry = z.output<typeof identitySchema>;

/** Channels of one org are few (one per configuration set); the filter shows them all. */
const CHANNEL_FILTER_MAX = 1000;

const channelOf = (r: Awaited<ReturnType<typeof listChannelsOfOrg>>[number]): ChannelEntry => ({
  id: r.id,
  name: r.name,
  configurationSetName: r.configuration_set_name,
  createdAt: r.created_at,
});

/** Every channel of the org, by name (the channel filter). */
export async function listChannelFilter(db: Db, orgId: string): Promise<ChannelList> {
  const rows = await listChannelsOfOrg(db, orgId, undefined, CHANNEL_FILTER_MAX);
  return { channels: rows.map(channelOf).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)) };
}

const idCursor = z.tuple([z.string()]);

/** Identities, one keyset page (by id). */
export async function listIdentitiesPage(db: Db, orgId: string, q: { cursor?: string; limit: number }, at = Date.now()): Promise<Page<IdentityEntry>> {
  const rows = await listIdentitiesOfOrg(db, orgId, decodeCursor(q.cursor, idCursor)?.[0], q.limit + 1);
  return paginate(
    rows.map((r) => {
      const status = { kind: r.kind, verificationStatus: r.verification_status as VerificationStatus, dkimStatus: r.dkim_status as VerificationStatus | null };
      return {
        id: r.id,
        identity: r.identity,
        kind: r.kind,
        status: identityStatus(status),
        verificationStatus: status.verificationStatus,
        dkimStatus: r.kind === "domain" ? status.dkimStatus : null,
        health: identityHealth(status),
        configurationSetName: r.configuration_set_name,
        channelId: r.channel_id,
        lifecycle: identityMarker({ origin: r.origin, createdAt: r.created_at, detachedAt: r.detached_at, archivedAt: r.archived_at }, at) ?? "active",
        managed: r.disconnected_at === null && r.archived_at === null,
        origin: r.origin,
        createdAt: r.created_at,
      };
    }),
    q.limit,
    (r) => [r.id],
  );
}
