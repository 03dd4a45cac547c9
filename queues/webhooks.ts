import type { Env } from "../worker/env";
import { raiseDepsOf, raiseNotification } from "../worker/services/notifications/raise";
import { deliveryDeps, runDeliveryAttempt, type OnEndpointDisabled, type WebhookMessage } from "../worker/services/webhooks/delivery";

/** Seconds before a message whose processing threw (e.g. D1 busy) is tried again; not a delivery retry. */
const RETRY_DELAY_SECONDS = 30;

/**
 * Consumer of `sendops-webhooks`: one delivery attempt per message (docs/webhooks.md). Delivery retries
 * are new messages with `delaySeconds`, sent by the attempt itself; `message.retry` only covers a failure
 * of our own storage, and the attempt's claim keeps a replayed message from posting twice.
 * `onEndpointDisabled` is told when an endpoint is auto-disabled (wired to raise an in-app notification).
 */
export function createWebhooksConsumer(onEndpointDisabled?: (env: Env) => OnEndpointDisabled) {
  return async function consumeWebhooks(batch: MessageBatch<unknown>, env: Env, _ctx: ExecutionContext): Promise<void> {
    const deps = deliveryDeps(env, { onEndpointDisabled: onEndpointDisabled?.(env) });
    for (const message of batch.messages) {
      const msg = message.body as WebhookMessage;
      try {
        if (msg.kind !== "webhook.deliver") throw new Error(`unknown webhook message kind ${String((msg as { kind?: unknown }).kind)}`);
        await runDeliveryAttempt(deps, msg);
        message.ack();
      } catch (err) {
        console.error("webhook delivery failed", err);
        message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
      }
    }
  };
}

/** An auto-disabled endpoint is announced to the workspace (docs/webhooks.md). */
export const consumeWebhooks = createWebhooksConsumer((env) => (endpoint) =>
  raiseNotification(
    raiseDepsOf(env),
    {
      orgId: endpoint.orgId,
      type: "system_infrastructure.webhook_endpoint_disabled",
      params: { url: endpoint.url, reason: endpoint.reason },
      link: `webhooks/${endpoint.endpointId}`,
      dedupeKey: `webhook-disabled:${endpoint.endpointId}:${endpoint.at}`,
    },
    endpoint.at,
  ),
);
