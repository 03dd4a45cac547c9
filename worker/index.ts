import { createApp } from "./app";
import type { Env } from "./env";
import { runScheduled } from "./cron";
import { dispatchQueue } from "../queues";

export { OrgLedger } from "../durable-objects/org-ledger";
export { RateLimiter } from "../durable-objects/rate-limiter";
export { EventShard } from "../durable-objects/event-shard";
export { RollupBuffer } from "../durable-objects/rollup-buffer";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env, ctx) => dispatchQueue(batch, env, ctx),
  scheduled: (controller, env, ctx) => {
    ctx.waitUntil(runScheduled(controller.cron, env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Env>;
