/**
 * A channel's settings into its configuration set. A change is saved in D1 first (the channel turns
 * `syncing`, with its audit entry), then pushed to SES with the call that holds it; the outcome is
 * recorded: `synced`, or `error` with AWS's error kept until a later push succeeds. Retry Sync pushes
 * every setting (and re-creates the event destination when it is missing). A push cut off before it
 * recorded its outcome reads as an error after CHANNEL_SYNC_STUCK_AFTER (views.ts).
 */
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import { finishSyncQuery, findChannel, type ChannelRecord } from "../../db/channels";
import { updateChannelQuery } from "../../db/ingest";
import {
  AUTO_VALIDATION_LABELS,
  channelSettingsSchema,
  MAX_DELIVERY_OPTIONS,
  TLS_POLICY_LABELS,
  type ChannelSettings,
} from "../../lib/channels";
import { AppError, conflict, notFound } from "../../lib/errors";
import { readSettingsFromSes, SETTING_PUSHES, type ChannelTarget } from "./ses-settings";
import { channelTarget, failureOf, sesRefused } from "./target";
import { channelView, CHANNEL_SYNC_STUCK_AFTER, parseSettings, type ChannelView } from "./views";
import { raiseAfterChange } from "../alerts/raise";

export const settingsPatchSchema = channelSettingsSchema
  // Without its default: a patch that does not name auto-pause leaves it as it is.
  .extend({ autoPause: z.boolean() })
  .partial()
  .refine((patch) => Object.keys(patch).length > 0, { message: "Name at least one setting to change." });
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

export const SETTING_LABELS: Record<keyof ChannelSettings, string> = {
  sendingEnabled: "sending",
  tlsPolicy: "TLS policy",
  maxDeliverySeconds: "max delivery duration",
  autoValidation: "auto validation",
  suppressedReasons: "suppression override",
  trackingEnabled: "tracking",
  autoPause: "auto-pause",
};

/** A setting's value in words, for the audit summary. */
function worded<K extends keyof ChannelSettings>(key: K, value: ChannelSettings[K]): string {
  switch (key) {
    case "sendingEnabled":
    case "trackingEnabled":
    case "autoPause":
      return value ? "on" : "off";
    case "tlsPolicy":
      return TLS_POLICY_LABELS[value as ChannelSettings["tlsPolicy"]];
    case "maxDeliverySeconds":
      return MAX_DELIVERY_OPTIONS.find((o) => o.seconds === value)?.label ?? `${String(value)} s`;
    case "autoValidation":
      return AUTO_VALIDATION_LABELS[value as ChannelSettings["autoValidation"]];
    default: {
      const reasons = value as ChannelSettings["suppressedReasons"];
      return reasons === null ? "off (account-level list)" : reasons.length ? reasons.map((r) => r.toLowerCase() + "s").join(" and ") : "nothing suppressed";
    }
  }
}

/** The channel, when its configuration set is there to push to (404 unknown, 409 detached or archived). */
export async function liveChannel(db: Db, orgId: string, id: string): Promise<ChannelRecord> {
  const row = await findChannel(db, orgId, id);
  if (!row) throw notFound("Channel");
  if (row.detachedAt !== null || row.archivedAt !== null) {
    throw new AppError(
      "CHANNEL_DETACHED",
      409,
      `The configuration set ${row.configurationSetName} is no longer in your SES account, so this channel cannot change. Archive it, or Sync from AWS if you re-created the set.`,
    );
  }
  return row;
}

/** The channel's settings, read from SES when SendOps does not know them yet (a discovered set). */
export async function settingsOf(env: Env, row: ChannelRecord, target: ChannelTarget): Promise<ChannelSettings> {
  const known = parseSettings(row.settingsJson);
  if (known) return known;
  try {
    return await readSettingsFromSes(target.ses, row.configurationSetName);
  } catch (err) {
    throw sesRefused(err, env, target.region);
  }
}

/** Runs the pushes and records the outcome for the push started at `startedAt`. */
export async function pushSettings(
  env: Env,
  db: Db,
  row: Pick<ChannelRecord, "orgId" | "id" | "configurationSetName">,
  target: ChannelTarget,
  pushes: readonly (typeof SETTING_PUSHES)[number][],
  settings: ChannelSettings,
  startedAt: number,
): Promise<void> {
  try {
    for (const p of pushes) await p.push(target, row.configurationSetName, settings);
  } catch (err) {
    const failure = failureOf(err, env, target.region);
    if (!failure) throw err;
    await finishSyncQuery(db, row.orgId, row.id, startedAt, { syncStatus: "error", syncErrorCode: failure.code, syncError: failure.message, syncErrorAt: startedAt });
    return;
  }
  await finishSyncQuery(db, row.orgId, row.id, startedAt, { syncStatus: "synced", syncErrorCode: null, syncError: null, syncErrorAt: null });
}

async function viewAfter(db: Db, orgId: string, id: string, at: number): Promise<ChannelView> {
  return channelView((await findChannel(db, orgId, id))!, at);
}

/** Saves the changed settings and pushes them to the configuration set at once. */
export async function updateChannelSettings(env: Env, org: OrgContext, id: string, patch: SettingsPatch, at = Date.now()): Promise<ChannelView> {
  const db = getDb(env.DB);
  const row = await liveChannel(db, org.orgId, id);
  const target = await channelTarget(env, org.orgId);
  const before = await settingsOf(env, row, target);
  const after: ChannelSettings = { ...before, ...patch };
  const keys = (Object.keys(patch) as (keyof ChannelSettings)[]).filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  const changes = keys.map((k) => `${SETTING_LABELS[k]} from ${worded(k, before[k])} to ${worded(k, after[k])}`);
  await db.batch([
    updateChannelQuery(db, org.orgId, id, { settingsJson: JSON.stringify(after), syncStatus: "syncing", updatedAt: at }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "channel",
      resourceId: id,
      operation: "updated",
      summary: changes.length
        ? `Changed ${changes.join(", ")} of channel ${row.name} (${row.configurationSetName})`
        : `Pushed the ${(Object.keys(patch) as (keyof ChannelSettings)[]).map((k) => SETTING_LABELS[k]).join(", ")} of channel ${row.name} (${row.configurationSetName}) to SES again`,
      before,
      after,
      at,
    }),
  ]);
  const pushes = SETTING_PUSHES.filter((p) => p.keys.some((k) => k in patch));
  await pushSettings(env, db, row, target, pushes, after, at);
  if (keys.length) {
    await raiseAfterChange(env, {
      orgId: org.orgId,
      type: "channel_events.channel_settings_changed",
      params: { actor: org.actor.name, setting: keys.map((k) => SETTING_LABELS[k]).join(", "), channel: row.name },
      payload: { channelId: id, changes },
      link: `channels/${id}`,
      dedupeKey: `${org.orgId}:channel_settings_changed:${id}:${at}`,
    });
  }
  return viewAfter(db, org.orgId, id, at);
}

/** Retry Sync: every setting pushed again, the event destination re-created if it is gone. */
export async function retryChannelSync(env: Env, org: OrgContext, id: string, at = Date.now()): Promise<ChannelView> {
  const db = getDb(env.DB);
  const row = await liveChannel(db, org.orgId, id);
  if (row.syncStatus === "syncing" && (row.updatedAt ?? row.createdAt) >= at - CHANNEL_SYNC_STUCK_AFTER) {
    throw conflict("A push to SES is running for this channel. Wait for it to finish.");
  }
  const target = await channelTarget(env, org.orgId);
  const settings = await settingsOf(env, row, target);
  await db.batch([
    updateChannelQuery(db, org.orgId, id, { settingsJson: JSON.stringify(settings), syncStatus: "syncing", updatedAt: at }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "channel",
      resourceId: id,
      operation: "synced",
      summary: `Pushed every setting of channel ${row.name} to ${row.configurationSetName} again (Retry Sync)`,
      before: { syncStatus: row.syncStatus, syncError: row.syncErrorCode },
      at,
    }),
  ]);
  await pushSettings(env, db, row, target, SETTING_PUSHES, settings, at);
  return viewAfter(db, org.orgId, id, at);
}

/** Who auto-pause acts as in the audit log. */
export const AUTO_PAUSE_ACTOR = { userId: null, name: "SendOps", email: "system@sendops" } as const;

/**
 * Auto-pause (docs/alerts.md): sending off on the channel's configuration set, through the same save and
 * push as the sending toggle, audited as done by SendOps with the reason. Returns the channel after the
 * push; `syncStatus` "error" when SES refused (the setting is saved, Retry Sync pushes it again).
 */
export async function pauseChannelSending(env: Env, orgId: string, id: string, reason: string, at = Date.now()): Promise<ChannelView> {
  const db = getDb(env.DB);
  const row = await liveChannel(db, orgId, id);
  const target = await channelTarget(env, orgId);
  const before = await settingsOf(env, row, target);
  const after: ChannelSettings = { ...before, sendingEnabled: false };
  await db.batch([
    updateChannelQuery(db, orgId, id, { settingsJson: JSON.stringify(after), syncStatus: "syncing", updatedAt: at }),
    auditInsert(db, {
      orgId,
      actor: AUTO_PAUSE_ACTOR,
      resourceType: "channel",
      resourceId: id,
      operation: "auto_paused",
      summary: `Paused sending on channel ${row.name} (${row.configurationSetName}): ${reason}`,
      before: { sendingEnabled: before.sendingEnabled },
      after: { sendingEnabled: false },
      at,
    }),
  ]);
  await pushSettings(env, db, row, target, SETTING_PUSHES.filter((p) => p.keys.some((k) => k === "sendingEnabled")), after, at);
  return viewAfter(db, orgId, id, at);
}
