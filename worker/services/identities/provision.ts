/**
 * The default channels are provisioned once, after the workspace's first domain verifies
 * (channels__understanding-channels.md). This module decides when a refresh or an account sync has just
 * seen that happen and queues the `channels.provision` job (its handler lives with the channels); the
 * job itself is idempotent, guarded by `setup_progress.default_channels_provisioned_at`.
 */
import type { Env } from "../../env";
import type { Db } from "../../db/client";
import type { IdentityRow } from "../../db/ingest";
import { findSetupProgress } from "../../db/setup";
import type { ProvisionDefaultChannelsJob } from "../../lib/channels";

type StatusOf = Pick<IdentityRow, "identity" | "kind" | "verificationStatus">;

const verifiedDomain = (r: StatusOf) => r.kind === "domain" && r.verificationStatus === "SUCCESS";

/**
 * True when, comparing the workspace's identities before and after a change, a domain has reached
 * SUCCESS and none had before: the workspace's first verified domain.
 */
function firstDomainVerified(before: readonly StatusOf[], after: readonly StatusOf[]): boolean {
  return !before.some(verifiedDomain) && after.some(verifiedDomain);
}

/** Queues the provisioning job unless the workspace's default channels were already provisioned. */
export async function queueDefaultChannelsIfFirst(env: Pick<Env, "JOBS_QUEUE">, db: Db, orgId: string, before: readonly StatusOf[], after: readonly StatusOf[]): Promise<void> {
  if (!firstDomainVerified(before, after)) return;
  if ((await findSetupProgress(db, orgId))?.defaultChannelsProvisionedAt != null) return;
  const job: ProvisionDefaultChannelsJob = { kind: "channels.provision", orgId };
  await env.JOBS_QUEUE.send(job, { contentType: "json" });
}
