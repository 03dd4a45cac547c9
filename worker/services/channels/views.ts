import { z } from "zod";
import type { ChannelRecord } from "../../db/channels";
import { CHANNEL_ORIGINS, CHANNEL_PURPOSES, CHANNEL_SYNC_STATUSES } from "../../db/schema";
import { channelSettingsSchema, type ChannelSettings } from "../../lib/channels";
import { MINUTE } from "../../lib/time";
import { NEW_AFTER_DISCOVERY } from "../setup/discovery";

/**
 * A push that has not recorded its outcome after this long was cut off (the request died between SES and
 * D1): the channel reads as a sync error, and Retry Sync pushes every setting again. Generous: a push is a
 * handful of SES calls, each retried a few times when throttled.
 */
export const CHANNEL_SYNC_STUCK_AFTER = 2 * MINUTE;
/** The code of that error. */
export const SYNC_INTERRUPTED = "SYNC_INTERRUPTED";

export const channelViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  purpose: z.enum(CHANNEL_PURPOSES),
  configurationSetName: z.string().describe("The SES configuration set (`sesmail-<slug>` for channels SendOps created)."),
  isDefault: z.boolean().describe("The workspace's default channel: new identities use its configuration set."),
  origin: z.enum(CHANNEL_ORIGINS).describe("`discovered`: a configuration set found in SES by the account sync."),
  isNew: z.boolean().describe("Discovered within the last 7 days."),
  status: z.enum(["enabled", "disabled"]).nullable().describe("From the sending-enabled setting; null until the settings are known."),
  syncStatus: z.enum(CHANNEL_SYNC_STATUSES),
  syncError: z
    .object({ code: z.string(), message: z.string(), at: z.number().int() })
    .nullable()
    .describe("Why the last push of the settings to SES failed (AWS's error name and what to do)."),
  settings: channelSettingsSchema.nullable(),
  detachedAt: z.number().int().nullable().describe("When the account sync found the configuration set gone from SES."),
  archivedAt: z.number().int().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int().nullable(),
});
export type ChannelView = z.output<typeof channelViewSchema>;

export function parseSettings(json: string | null): ChannelSettings | null {
  if (!json) return null;
  const parsed = channelSettingsSchema.safeParse(JSON.parse(json));
  return parsed.success ? parsed.data : null;
}

/** The sync state as shown: a push stuck past the bound reads as an error. */
function syncOf(row: ChannelRecord, at: number): Pick<ChannelView, "syncStatus" | "syncError"> {
  const since = row.updatedAt ?? row.createdAt;
  if (row.syncStatus === "syncing" && since < at - CHANNEL_SYNC_STUCK_AFTER) {
    return {
      syncStatus: "error",
      syncError: {
        code: SYNC_INTERRUPTED,
        message: "SES did not confirm the last change: the push stopped before it finished. Retry Sync pushes every setting again.",
        at: since + CHANNEL_SYNC_STUCK_AFTER,
      },
    };
  }
  const error = row.syncStatus === "error" && row.syncErrorCode ? { code: row.syncErrorCode, message: row.syncError ?? "", at: row.syncErrorAt ?? since } : null;
  return { syncStatus: row.syncStatus, syncError: error };
}

export function channelView(row: ChannelRecord, at: number): ChannelView {
  const settings = parseSettings(row.settingsJson);
  return {
    id: row.id,
    name: row.name,
    purpose: row.purpose,
    configurationSetName: row.configurationSetName,
    isDefault: row.isDefault,
    origin: row.origin,
    isNew: row.origin === "discovered" && row.createdAt >= at - NEW_AFTER_DISCOVERY,
    status: settings ? (settings.sendingEnabled ? "enabled" : "disabled") : null,
    ...syncOf(row, at),
    settings,
    detachedAt: row.detachedAt,
    archivedAt: row.archivedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export interface EventDestinationView {
  name: string;
  enabled: boolean;
  matchingEventTypes: string[];
  /** The EventBridge bus; null for destinations of other kinds (SNS, Firehose, …). */
  eventBridgeBusArn: string | null;
  /** The destination SendOps manages (its events reach SendOps). */
  managed: boolean;
}
