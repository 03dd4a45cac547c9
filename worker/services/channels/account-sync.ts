/**
 * The channels' part of the account sync (worker/services/setup/account-sync.ts): the settings of the
 * configuration sets it discovers, and queueing the default channels once a verified domain exists.
 */
import type { Env } from "../../env";
import type { Db } from "../../db/client";
import { defaultChannelsProvisionedAt, hasVerifiedDomain } from "../../db/channels";
import type { SesClient } from "../../aws/ses";
import type { ProvisionDefaultChannelsJob } from "../../lib/channels";
import { readSettingsFromSes } from "./ses-settings";

/**
 * Each set's settings as `settings_json`, read from SES (GetConfigurationSet and its event destinations).
 * A set SES will not describe stays unknown (null): the sync goes on, the detail page reads it later.
 */
export async function readDiscoveredSettings(ses: SesClient, names: readonly string[]): Promise<Map<string, string | null>> {
  const out = new Map<string, string | null>();
  for (const name of names) {
    out.set(
      name,
      await readSettingsFromSes(ses, name).then(
        (s) => JSON.stringify(s),
        () => null,
      ),
    );
  }
  return out;
}

export async function queueDefaultChannelsProvisioning(env: Env, orgId: string): Promise<void> {
  const job: ProvisionDefaultChannelsJob = { kind: "channels.provision", orgId };
  await env.JOBS_QUEUE.send(job, { contentType: "json" });
}

/** Queues provisioning when the workspace has a verified domain and it never ran; true when queued. */
export async function queueProvisioningIfDue(env: Env, db: Db, orgId: string): Promise<boolean> {
  if ((await defaultChannelsProvisionedAt(db, orgId)) !== null || !(await hasVerifiedDomain(db, orgId))) return false;
  await queueDefaultChannelsProvisioning(env, orgId);
  return true;
}
