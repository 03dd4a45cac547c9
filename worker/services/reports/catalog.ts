import { z } from "zod";
import type { Db } from "../../db/client";
import { listChannelsOfOrg, listIdentitiesOfOrg } from "../../db/reports";
import { IDENTITY_KINDS, VERIFICATION_STATUSES } from "../../db/schema";
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
  verificationStatus: z.enum(VERIFICATION_STATUSES),
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

/** Managed identities, one keyset page (by id). */
export async function listIdentitiesPage(db: Db, orgId: string, q: { cursor?: string; limit: number }): Promise<Page<IdentityEntry>> {
  const rows = await listIdentitiesOfOrg(db, orgId, decodeCursor(q.cursor, idCursor)?.[0], q.limit + 1);
  return paginate(
    rows.map((r) => ({
      id: r.id,
      identity: r.identity,
      kind: r.kind as IdentityEntry["kind"],
      verificationStatus: r.verification_status as IdentityEntry["verificationStatus"],
      createdAt: r.created_at,
    })),
    q.limit,
    (r) => [r.id],
  );
}
