/**
 * The default channels (Default, Transactional, Marketing, Onboarding), provisioned once per workspace
 * after its first domain verifies: the `channels.provision` job, queued by the identity refresh and by the
 * account sync. Once: the job first claims setup_progress.default_channels_provisioned_at in one guarded
 * statement, so of two jobs (even concurrent ones) only one provisions. A set that already exists in SES
 * is adopted with the settings it has; a channel already in D1 (e.g. discovered) gets its purpose. The
 * first becomes the default unless the workspace has one. Then the managed identities SES applies no
 * configuration set to are put on the default channel's set (PutEmailIdentityConfigurationSetAttributes),
 * so their mail publishes events — "identities not assigned to a channel use the Default channel".
 */
import type { Actor } from "../../context";
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { auditInsert } from "../../db/audit";
import {
  claimDefaultChannelsProvisioning,
  findChannelBySet,
  findDefaultChannel,
  listIdentitiesWithoutSet,
  releaseDefaultChannelsProvisioning,
  setIdentityConfigurationSetQuery,
} from "../../db/channels";
import { insertChannelQuery, updateChannelQuery } from "../../db/ingest";
import { AwsError } from "../../aws/common";
import {
  CHANNEL_PURPOSE_LABELS,
  configurationSetNameFor,
  DEFAULT_CHANNELS,
  PURPOSE_PRESETS,
  type ChannelSettings,
  type ProvisionDefaultChannelsJob,
} from "../../lib/channels";
import { AppError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { createConfigurationSet, DESTINATION_PUSH, readSettingsFromSes, type ChannelTarget } from "./ses-settings";
import { pushSettings } from "./sync";
import { channelTarget } from "./target";
import { parseSettings } from "./views";

/**
 * Identities put on the default channel per provisioning (a few SES calls each must fit the job's
 * subrequest budget); more are rare at a workspace's first verified domain and keep no channel until assigned.
 */
export const PROVISION_ASSIGN_MAX = 50;

/** Who provisioning is recorded as in the audit log. */
export const PROVISIONING_ACTOR: Actor = { userId: null, name: "SendOps", email: "system@sendops" };

/** The set of a default channel as it is after this: created with its preset, or the existing one's settings. */
async function createOrAdopt(t: ChannelTarget, set: string, preset: ChannelSettings): Promise<{ settings: ChannelSettings; adopted: boolean }> {
  try {
    await createConfigurationSet(t, set, preset);
    return { settings: preset, adopted: false };
  } catch (err) {
    if (!(err instanceof AwsError && err.code === "AlreadyExistsException")) throw err;
    return { settings: await readSettingsFromSes(t.ses, set), adopted: true };
  }
}

async function provisionOne(env: Env, db: Db, t: ChannelTarget, orgId: string, spec: (typeof DEFAULT_CHANNELS)[number], first: boolean, at: number) {
  const set = configurationSetNameFor(spec.name);
  const isDefault = first && !(await findDefaultChannel(db, orgId));
  const known = await findChannelBySet(db, orgId, set);
  const label = CHANNEL_PURPOSE_LABELS[spec.purpose];
  let id: string;
  let settings: ChannelSettings;
  if (known) {
    id = known.id;
    settings = parseSettings(known.settingsJson) ?? (await readSettingsFromSes(t.ses, set));
    await db.batch([
      updateChannelQuery(db, orgId, id, { purpose: spec.purpose, ...(isDefault ? { isDefault } : {}), settingsJson: JSON.stringify(settings), syncStatus: "syncing", updatedAt: at }),
      auditInsert(db, {
        orgId,
        actor: PROVISIONING_ACTOR,
        resourceType: "channel",
        resourceId: id,
        operation: "provisioned",
        summary: `Default channels: ${known.name} (${set}) kept as the ${label} channel${isDefault ? ", the default" : ""}`,
        at,
      }),
    ]);
  } else {
    const outcome = await createOrAdopt(t, set, PURPOSE_PRESETS[spec.purpose]);
    settings = outcome.settings;
    id = newId("chn", at);
    await db.batch([
      insertChannelQuery(db, {
        id,
        orgId,
        name: spec.name,
        configurationSetName: set,
        createdAt: at,
        origin: "sendops",
        purpose: spec.purpose,
        isDefault,
        settingsJson: JSON.stringify(settings),
        syncStatus: "syncing",
        updatedAt: at,
      }),
      auditInsert(db, {
        orgId,
        actor: PROVISIONING_ACTOR,
        resourceType: "channel",
        resourceId: id,
        operation: "provisioned",
        summary: `Default channels: ${outcome.adopted ? `adopted the existing configuration set ${set} as` : `created`} channel ${spec.name}${isDefault ? ", the default" : ""}`,
        after: { name: spec.name, purpose: spec.purpose, configurationSetName: set, isDefault, settings },
        at,
      }),
    ]);
  }
  await pushSettings(env, db, { orgId, id, configurationSetName: set }, t, [DESTINATION_PUSH], settings, at);
}

/** Puts managed identities without a configuration set on the default channel's, in SES and then in D1, audited. */
async function assignIdentitiesToDefault(db: Db, t: ChannelTarget, orgId: string, at: number) {
  const target = await findDefaultChannel(db, orgId);
  // A default SES no longer has (detached) or one hidden (archived) cannot take identities.
  if (!target || target.detachedAt !== null || target.archivedAt !== null) return;
  const unassigned = await listIdentitiesWithoutSet(db, orgId, PROVISION_ASSIGN_MAX);
  for (const i of unassigned) {
    await t.ses.putEmailIdentityConfigurationSet(i.identity, target.configurationSetName);
    await db.batch([
      setIdentityConfigurationSetQuery(db, orgId, i.id, target.configurationSetName),
      auditInsert(db, {
        orgId,
        actor: PROVISIONING_ACTOR,
        resourceType: "identity",
        resourceId: i.id,
        operation: "channel_assigned",
        summary: `Default channels: ${i.identity} had no channel and now uses ${target.name} (${target.configurationSetName})`,
        after: { configurationSetName: target.configurationSetName },
        at,
      }),
    ]);
  }
}

/**
 * The job. Returns whether this run provisioned. When SES cannot be reached or refuses, the claim is given
 * back so a later job can run: throttling is thrown for the queue to retry; anything else ends the job, and
 * the next account sync queues provisioning again.
 */
export async function runProvisionDefaultChannels(env: Env, job: ProvisionDefaultChannelsJob, at = Date.now()): Promise<boolean> {
  const db = getDb(env.DB);
  if (!(await claimDefaultChannelsProvisioning(db, job.orgId, at))) return false;
  try {
    const t = await channelTarget(env, job.orgId);
    for (const [i, spec] of DEFAULT_CHANNELS.entries()) await provisionOne(env, db, t, job.orgId, spec, i === 0, at);
    await assignIdentitiesToDefault(db, t, job.orgId, at);
    return true;
  } catch (err) {
    await releaseDefaultChannelsProvisioning(db, job.orgId, at).run();
    if (err instanceof AwsError && err.throttled) throw err;
    if (err instanceof AwsError || (err instanceof AppError && (err.code === "AWS_ERROR" || err.code === "AWS_NOT_CONNECTED"))) {
      console.warn(`default channels of ${job.orgId} not provisioned: ${err.message}`);
      return false;
    }
    throw err;
  }
}
