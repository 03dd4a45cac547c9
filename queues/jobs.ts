import type { Env } from "../worker/env";
import { runSuppressionSyncStep, type SuppressionSyncJob } from "../worker/services/suppressions";
import { runAccountSync, type AccountSyncJob } from "../worker/services/setup/account-sync";
import { runValidation, type ValidationJob } from "../worker/services/setup/validation";
import { runProvisionDefaultChannels } from "../worker/services/channels/provision";
import type { ProvisionDefaultChannelsJob } from "../worker/lib/channels";
import { runTrackingCheck, type TrackingCheckJob } from "../worker/services/tracking-domains/checks";
import { evaluateOrg, type AlertsEvaluateJob } from "../worker/services/alerts/evaluate";
import { productionRaise } from "../worker/services/alerts/raise";
import { checkBlocklists, type BlocklistsJob } from "../worker/services/alerts/blocklists";
import { runDigests, type DigestsJob } from "../worker/services/alerts/digests";
import { runNotificationDelivery } from "../worker/services/notifications/deliver";
import type { NotificationDeliverJob } from "../worker/services/notifications/raise";
import type { ShardSettleJob } from "../worker/services/event-shards";
import { settleShard } from "../worker/services/ingest/shard-writer";
import { runDriftCheck, type DriftJob } from "../worker/services/alerts/drift";
import type { RollupFlushJob } from "../worker/services/rollup-buffers";
import { flushRollupBuffer } from "../worker/services/ingest/shard-writer";
import { runEventStoreMigration, type EventStoreMigrateJob } from "../worker/services/event-store-migration";

/** Every kind of background job on `sendops-jobs`. */
export type JobMessage =
  | SuppressionSyncJob
  | AccountSyncJob
  | ValidationJob
  | TrackingCheckJob
  | ProvisionDefaultChannelsJob
  | AlertsEvaluateJob
  | BlocklistsJob
  | DigestsJob
  | NotificationDeliverJob
  | ShardSettleJob
  | DriftJob
  | RollupFlushJob
  | EventStoreMigrateJob;

/** Seconds before a failed job is tried again (e.g. AWS still throttling after the client's own retries). */
const RETRY_DELAY_SECONDS = 30;

/**
 * Consumer of `sendops-jobs`. A long job runs as a chain: each message does a bounded amount of work
 * and enqueues its continuation. A message that throws is retried later, then dead-lettered.
 */
export async function consumeJobs(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
  for (const message of batch.messages) {
    const job = message.body as JobMessage;
    try {
      switch (job.kind) {
        case "suppressions.sync": {
          const next = await runSuppressionSyncStep(env, job);
          if (next) await env.JOBS_QUEUE.send(next, { contentType: "json" });
          break;
        }
        case "aws.sync":
          await runAccountSync(env, job);
          break;
        case "aws.validate":
          await runValidation(env, job);
          break;
        case "tracking.check":
          await runTrackingCheck(env, job);
          break;
        case "channels.provision":
          await runProvisionDefaultChannels(env, job);
          break;
        case "alerts.evaluate":
          await evaluateOrg(env, job.orgId, productionRaise(env), Date.now());
          break;
        case "alerts.blocklists":
          await checkBlocklists(env, job.orgId, productionRaise(env), Date.now());
          break;
        case "alerts.digests":
          await runDigests(env, job.orgId, job.at, productionRaise(env));
          break;
        case "notification.deliver":
          await runNotificationDelivery(env, job);
          break;
        case "shards.settle":
          await settleShard(env, job, Date.now());
          break;
        case "alerts.drift": {
          const next = await runDriftCheck(env, job, productionRaise(env), Date.now());
          if (next) await env.JOBS_QUEUE.send(next.next, { contentType: "json", delaySeconds: next.delaySeconds });
          break;
        }
        case "rollups.flush":
          await flushRollupBuffer(env, job.orgId, Date.now());
          break;
        case "events.migrate": {
          const next = await runEventStoreMigration(env, Date.now);
          if (next) await env.JOBS_QUEUE.send(next, { contentType: "json" });
          break;
        }
        default:
          // Retried, then dead-lettered and recorded: a job this consumer does not know is never dropped.
          console.error(`unknown job kind ${(job as { kind?: unknown }).kind}`);
          message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
          continue;
      }
      message.ack();
    } catch (err) {
      console.error(`job ${job.kind} failed`, err);
      message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
    }
  }
}
