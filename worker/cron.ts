import type { Env } from "./env";
import { getDb } from "./db/client";
import { pruneExpired, pruneExpiredShards } from "./services/retention";
import { syncStaleSuppressionLists } from "./services/suppressions";
import { syncStaleAccounts } from "./services/setup/account-sync";
import { queueDueTrackingChecks } from "./services/tracking-domains/checks";
import { sweepAlertEvaluations } from "./services/alerts/evaluate";
import { queueBlocklistChecks } from "./services/alerts/blocklists";
import { queueDigests } from "./services/alerts/digests";
import { expireInvitations } from "./services/invitations";
import { expireTransfers } from "./services/ownership-transfer";
import { queueShardSweeps } from "./services/event-shards";
import { queueDriftChecks } from "./services/alerts/drift";
import { queueRollupFlushes } from "./services/rollup-buffers";
import { queueStalledMigration } from "./services/event-store-migration";

/** Cron expressions from wrangler.toml → what runs. */
export const CRONS = {
  frequent: "*/5 * * * *",
  // The tracking-domain decay schedule checks every 2 minutes during a domain's first hour.
  trackingChecks: "*/2 * * * *",
  daily: "17 3 * * *",
} as const;

export async function runScheduled(cron: string, env: Env, at: number): Promise<void> {
  switch (cron) {
    case CRONS.daily:
      await pruneExpired(getDb(env.DB), at);
      await pruneExpiredShards(env, at);
      await queueBlocklistChecks(env);
      await queueDigests(env, at);
      await queueDriftChecks(env);
      return;
    case CRONS.frequent:
      await syncStaleSuppressionLists(env, at);
      await syncStaleAccounts(env, at);
      await sweepAlertEvaluations(env, at);
      await expireInvitations(getDb(env.DB), at);
      await expireTransfers(getDb(env.DB), env, at);
      await queueShardSweeps(env, at);
      await queueStalledMigration(env, at);
      return;
    case CRONS.trackingChecks:
      await queueDueTrackingChecks(env, at);
      // The most frequent cron: an idle workspace's buffered rollups reach D1 within its period.
      await queueRollupFlushes(env, at);
      return;
    default:
      console.warn(`no job for cron "${cron}"`);
  }
}
