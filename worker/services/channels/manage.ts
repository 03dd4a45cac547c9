/**
 * Channels (product docs channels__*.md): list, create, rename, delete, default, archive/restore. Each
 * channel is an SES configuration set; the SES side is changed first and D1 follows with its audit entry,
 * so D1 never claims what SES does not hold.
 *
 * Creating: CreateConfigurationSet with every option block, then the EventBridge destination. A set SES
 * refuses leaves nothing behind; when the destination fails after the set exists, the channel is kept
 * with a sync error (Retry Sync creates the destination), so the set is never orphaned.
 *
 * The default channel: its set is what identities without a channel get in SES (new identities are
 * created with it, a deleted channel's identities move to it). SES itself has no account-level default set.
 */
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import {
  clearDefaultChannelQuery,
  deleteChannelQuery,
  findChannel,
  findChannelBySet,
  findDefaultChannel,
  listChannels,
  listChannelsAfter,
  listIdentitiesOnSet,
  moveIdentitiesToSetQuery,
  setIdentityConfigurationSetQuery,
  type ChannelRecord,
} from "../../db/channels";
import { insertChannelQuery, updateChannelQuery } from "../../db/ingest";
import { CHANNEL_PURPOSES } from "../../db/schema";
import { AwsError } from "../../aws/common";
import {
  CHANNEL_CONFIGURATION_SET_PREFIX,
  CHANNEL_NAME_MAX,
  CHANNEL_PURPOSE_LABELS,
  channelSettingsSchema,
  configurationSetNameFor,
  PURPOSE_PRESETS,
  type ChannelSettings,
} from "../../lib/channels";
import { AppError, conflict, notFound, validationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { decodeCursor, paginate, type Page } from "../../lib/pagination";
import { DEMO_AWS } from "../demo";
import { createConfigurationSet, CHANNEL_EVENT_DESTINATION, defaultBusArn, DESTINATION_PUSH, eventTypesFor, type ChannelTarget } from "./ses-settings";
import { liveChannel, pushSettings, settingsOf } from "./sync";
import { channelTarget, failureOf, sesRefused } from "./target";
import { channelView, parseSettings, type ChannelView, type EventDestinationView } from "./views";
import { raiseAfterChange } from "../alerts/raise";

const nameSchema = z.string().trim().min(1, "Enter a name.").max(CHANNEL_NAME_MAX);

export const createChannelSchema = z.object({
  name: nameSchema,
  purpose: z.enum(CHANNEL_PURPOSES),
  /** The wizard's reviewed settings; absent: the purpose's preset. */
  settings: channelSettingsSchema.optional(),
});
export const renameChannelSchema = z.object({ name: nameSchema });

/** `sesmail-<slug>` for a name, or 422 naming the field when the name has no letter or digit. */
function setNameFor(name: string): string {
  const set = configurationSetNameFor(name);
  if (set === CHANNEL_CONFIGURATION_SET_PREFIX) {
    throw validationError("name: Use at least one letter or digit: the configuration set is named after it.", {
      fields: [{ field: "name", message: "Use at least one letter or digit: the configuration set is named after it." }],
    });
  }
  return set;
}

async function ensureSetFree(db: Db, orgId: string, set: string) {
  const taken = await findChannelBySet(db, orgId, set);
  if (taken) throw new AppError("CHANNEL_EXISTS", 409, `The channel ${taken.name} already uses the configuration set ${set}. Pick another name.`, { configurationSetName: set });
}

/** CreateConfigurationSet, its AlreadyExistsException as a 409 that says what to do. */
async function createSet(env: Env, t: ChannelTarget, set: string, settings: ChannelSettings) {
  try {
    await createConfigurationSet(t, set, settings);
  } catch (err) {
    if (err instanceof AwsError && err.code === "AlreadyExistsException") {
      throw new AppError(
        "CONFIGURATION_SET_EXISTS",
        409,
        `Your SES account already has a configuration set named ${set}. Pick another name, or Sync from AWS to see it as a discovered channel.`,
        { configurationSetName: set },
      );
    }
    throw sesRefused(err, env, t.region);
  }
}

const isNotFound = (err: unknown) => err instanceof AwsError && err.code === "NotFoundException";

export async function listChannelViews(env: Env, orgId: string, includeArchived: boolean, at = Date.now()): Promise<{ channels: ChannelView[] }> {
  const rows = await listChannels(getDb(env.DB), orgId, includeArchived);
  return { channels: rows.map((r) => channelView(r, at)) };
}

const idCursor = z.tuple([z.string()]);

/** /v1: every channel (archived ones too), one keyset page by id. */
export async function listChannelsPage(db: Db, orgId: string, q: { cursor?: string; limit: number }, at = Date.now()): Promise<Page<ChannelView>> {
  const rows = await listChannelsAfter(db, orgId, decodeCursor(q.cursor, idCursor)?.[0], q.limit + 1);
  return paginate(
    rows.map((r) => channelView(r, at)),
    q.limit,
    (r) => [r.id],
  );
}

export async function getChannelView(env: Env, orgId: string, id: string, at = Date.now()): Promise<ChannelView> {
  const row = await findChannel(getDb(env.DB), orgId, id);
  if (!row) throw notFound("Channel");
  return channelView(row, at);
}

export interface EventDestinationsView {
  eventDestinations: EventDestinationView[];
  /**
   * `ses`: read from SES now. `sendops`: the demo's SES account cannot be reached from this instance (it
   * exists only in the local AWS stand-in), so this is the destination SendOps configured for the channel.
   */
  source: "ses" | "sendops";
}

/** The demo's SES is out of reach: no AWS here, its account unknown to this AWS, or its set missing. */
const demoSesUnreachable = (err: unknown, env: Env) =>
  (err instanceof AppError && err.code === "AWS_NOT_CONFIGURED") || failureOf(err, env, DEMO_AWS.region) !== null;

/** The set's event destinations as SES holds them now (read-only in the dashboard). */
export async function channelEventDestinations(env: Env, org: Pick<OrgContext, "orgId" | "isDemo">, id: string): Promise<EventDestinationsView> {
  const row = await liveChannel(getDb(env.DB), org.orgId, id);
  try {
    const t = await channelTarget(env, org.orgId);
    try {
      const all = await t.ses.getConfigurationSetEventDestinations(row.configurationSetName);
      return { eventDestinations: all.map((d) => ({ ...d, managed: d.name === CHANNEL_EVENT_DESTINATION })), source: "ses" };
    } catch (err) {
      throw sesRefused(err, env, t.region);
    }
  } catch (err) {
    if (!org.isDemo || !demoSesUnreachable(err, env)) throw err;
    const settings = parseSettings(row.settingsJson);
    // SendOps configured a destination only for the sets it created.
    const configured = settings && row.origin === "sendops" && {
      name: CHANNEL_EVENT_DESTINATION,
      enabled: true,
      matchingEventTypes: [...eventTypesFor(settings.trackingEnabled)],
      eventBridgeBusArn: defaultBusArn(DEMO_AWS.region, DEMO_AWS.accountId),
      managed: true,
    };
    return { eventDestinations: configured ? [configured] : [], source: "sendops" };
  }
}

/**
 * The configuration set identities without a channel get: the default channel's, or null when there is
 * none — or when its set is gone from SES (detached, or archived since), which SES would refuse to apply.
 */
export async function defaultConfigurationSetName(db: Db, orgId: string): Promise<string | null> {
  const row = await findDefaultChannel(db, orgId);
  return row && row.detachedAt === null && row.archivedAt === null ? row.configurationSetName : null;
}

export async function createChannel(env: Env, org: OrgContext, input: z.infer<typeof createChannelSchema>, at = Date.now()): Promise<ChannelView> {
  const db = getDb(env.DB);
  const set = setNameFor(input.name);
  await ensureSetFree(db, org.orgId, set);
  const settings = input.settings ?? PURPOSE_PRESETS[input.purpose];
  const t = await channelTarget(env, org.orgId);
  await createSet(env, t, set, settings);
  const id = newId("chn", at);
  await db.batch([
    insertChannelQuery(db, {
      id,
      orgId: org.orgId,
      name: input.name,
      configurationSetName: set,
      createdAt: at,
      origin: "sendops",
      purpose: input.purpose,
      settingsJson: JSON.stringify(settings),
      syncStatus: "syncing",
      updatedAt: at,
    }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "channel",
      resourceId: id,
      operation: "created",
      summary: `Created channel ${input.name} (${CHANNEL_PURPOSE_LABELS[input.purpose]}) with configuration set ${set}`,
      after: { name: input.name, purpose: input.purpose, configurationSetName: set, settings },
      at,
    }),
  ]);
  await pushSettings(env, db, { orgId: org.orgId, id, configurationSetName: set }, t, [DESTINATION_PUSH], settings, at);
  await raiseAfterChange(env, {
    orgId: org.orgId,
    type: "channel_events.channel_created",
    params: { channel: input.name, actor: org.actor.name, configurationSet: set },
    payload: { channelId: id, purpose: input.purpose },
    link: `channels/${id}`,
    dedupeKey: `${org.orgId}:channel_created:${id}`,
  });
  return getChannelView(env, org.orgId, id, at);
}

function nonDefault(row: ChannelRecord, action: string) {
  if (row.isDefault) {
    throw new AppError("DEFAULT_CHANNEL", 409, `The default channel cannot be ${action}. Set another channel as default first.`);
  }
}

/**
 * A name with the same slug only renames. A new slug means a new set: created with the same settings and
 * destination, every identity on the old set moved to it, the old set deleted. A failure on the way undoes
 * what it did in SES, as far as SES lets it.
 */
export async function renameChannel(env: Env, org: OrgContext, id: string, input: z.infer<typeof renameChannelSchema>, at = Date.now()): Promise<ChannelView> {
  const db = getDb(env.DB);
  const row = await liveChannel(db, org.orgId, id);
  nonDefault(row, "renamed");
  const set = setNameFor(input.name);
  const audit = (after: object) =>
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "channel",
      resourceId: id,
      operation: "renamed",
      summary:
        set === row.configurationSetName
          ? `Renamed channel ${row.name} to ${input.name}`
          : `Renamed channel ${row.name} to ${input.name}: configuration set ${row.configurationSetName} replaced by ${set}`,
      before: { name: row.name, configurationSetName: row.configurationSetName },
      after,
      at,
    });
  if (set === row.configurationSetName) {
    await db.batch([updateChannelQuery(db, org.orgId, id, { name: input.name, updatedAt: at }), audit({ name: input.name, configurationSetName: set })]);
    return getChannelView(env, org.orgId, id, at);
  }
  await ensureSetFree(db, org.orgId, set);
  const t = await channelTarget(env, org.orgId);
  const settings = await settingsOf(env, row, t);
  await createSet(env, t, set, settings);
  const identities = await listIdentitiesOnSet(db, org.orgId, row.configurationSetName);
  const moved: string[] = [];
  try {
    await DESTINATION_PUSH.push(t, set, settings);
    for (const i of identities) {
      await t.ses.putEmailIdentityConfigurationSet(i.identity, set);
      moved.push(i.identity);
    }
    await t.ses.deleteConfigurationSet(row.configurationSetName).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  } catch (err) {
    await undoRename(t, row.configurationSetName, set, moved);
    throw sesRefused(err, env, t.region);
  }
  await db.batch([
    updateChannelQuery(db, org.orgId, id, {
      name: input.name,
      configurationSetName: set,
      settingsJson: JSON.stringify(settings),
      syncStatus: "synced",
      syncErrorCode: null,
      syncError: null,
      syncErrorAt: null,
      updatedAt: at,
    }),
    moveIdentitiesToSetQuery(db, org.orgId, row.configurationSetName, set),
    audit({ name: input.name, configurationSetName: set, identitiesMoved: identities.map((i) => i.identity) }),
  ]);
  return getChannelView(env, org.orgId, id, at);
}

/**
 * Best effort: the rename already failed and that error is what the user sees; a failure here leaves at
 * worst an extra set that the account sync shows as a discovered channel.
 */
async function undoRename(t: ChannelTarget, oldSet: string, newSet: string, moved: string[]) {
  for (const identity of moved) await t.ses.putEmailIdentityConfigurationSet(identity, oldSet).catch(() => undefined);
  await t.ses.deleteConfigurationSet(newSet).catch(() => undefined);
}

/** Moves the channel's identities to the default channel's set (none without a default), deletes the set and the channel. */
export async function deleteChannel(env: Env, org: OrgContext, id: string, at = Date.now()): Promise<{ deleted: true; identitiesMoved: string[] }> {
  const db = getDb(env.DB);
  const row = await findChannel(db, org.orgId, id);
  if (!row) throw notFound("Channel");
  nonDefault(row, "deleted");
  const fallback = await defaultConfigurationSetName(db, org.orgId);
  const identities = await listIdentitiesOnSet(db, org.orgId, row.configurationSetName);
  const t = await channelTarget(env, org.orgId);
  const moved: string[] = [];
  try {
    for (const i of identities) {
      await t.ses.putEmailIdentityConfigurationSet(i.identity, fallback).catch((err: unknown) => {
        // An identity deleted in SES meanwhile has nothing left to move.
        if (!isNotFound(err)) throw err;
      });
      moved.push(i.id);
    }
    await t.ses.deleteConfigurationSet(row.configurationSetName).catch((err: unknown) => {
      if (!isNotFound(err)) throw err;
    });
  } catch (err) {
    // Identities already moved in SES are recorded as moved, so D1 keeps telling the truth.
    const [first, ...rest] = moved.map((identityId) => setIdentityConfigurationSetQuery(db, org.orgId, identityId, fallback));
    if (first) await db.batch([first, ...rest]);
    throw sesRefused(err, env, t.region);
  }
  await db.batch([
    moveIdentitiesToSetQuery(db, org.orgId, row.configurationSetName, fallback),
    deleteChannelQuery(db, org.orgId, id),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "channel",
      resourceId: id,
      operation: "deleted",
      summary: `Deleted channel ${row.name} and its configuration set ${row.configurationSetName}${
        identities.length ? `; ${identities.length} identit${identities.length === 1 ? "y" : "ies"} moved to ${fallback ?? "no configuration set"}` : ""
      }`,
      before: { name: row.name, configurationSetName: row.configurationSetName, purpose: row.purpose },
      after: { identitiesMovedTo: fallback, identities: identities.map((i) => i.identity) },
      at,
    }),
  ]);
  return { deleted: true, identitiesMoved: identities.map((i) => i.identity) };
}

export async function setDefaultChannel(env: Env, org: OrgContext, id: string, at = Date.now()): Promise<ChannelView> {
  const db = getDb(env.DB);
  const row = await liveChannel(db, org.orgId, id);
  if (row.isDefault) return channelView(row, at);
  const previous = await findDefaultChannel(db, org.orgId);
  await db.batch([
    clearDefaultChannelQuery(db, org.orgId, at),
    updateChannelQuery(db, org.orgId, id, { isDefault: true, updatedAt: at }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "channel",
      resourceId: id,
      operation: "made_default",
      summary: `Made ${row.name} the default channel${previous ? ` (was ${previous.name})` : ""}`,
      before: { defaultChannelId: previous?.id ?? null },
      after: { defaultChannelId: id },
      at,
    }),
  ]);
  return getChannelView(env, org.orgId, id, at);
}

/** Archive hides a detached channel; Restore shows it again. Nothing in SES changes. */
export async function setChannelArchived(env: Env, org: OrgContext, id: string, archived: boolean, at = Date.now()): Promise<ChannelView> {
  const db = getDb(env.DB);
  const row = await findChannel(db, org.orgId, id);
  if (!row) throw notFound("Channel");
  if (archived && row.detachedAt === null) throw conflict("Only detached channels (their configuration set is gone from SES) can be archived.");
  if (archived === (row.archivedAt !== null)) return channelView(row, at);
  await db.batch([
    updateChannelQuery(db, org.orgId, id, { archivedAt: archived ? at : null, updatedAt: at }),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: "channel",
      resourceId: id,
      operation: archived ? "archived" : "restored",
      summary: `${archived ? "Archived" : "Restored"} channel ${row.name} (${row.configurationSetName})`,
      at,
    }),
  ]);
  return getChannelView(env, org.orgId, id, at);
}
