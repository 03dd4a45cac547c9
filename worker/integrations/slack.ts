/**
 * Slack incoming webhooks (https://api.slack.com/messaging/webhooks): one POST of a JSON message to the
 * workspace's stored webhook URL, which is the whole base URL (locally and in tests: sim/slack).
 * Slack answers 200 with the text body `ok`, and errors as plain-text codes with a status, e.g. 404
 * `no_service` (the webhook was removed), 400 `invalid_payload`, 410 `channel_is_archived`.
 */

/** A Slack message: fallback `text` (notifications, old clients) and Block Kit `blocks`. */
export interface SlackMessage {
  text: string;
  blocks: Record<string, unknown>[];
}

export class SlackError extends Error {
  constructor(
    /** HTTP status, or 0 when Slack could not be reached. */
    readonly status: number,
    /** Slack's error code (`no_service`, …) or the network error. */
    readonly code: string,
  ) {
    super(status ? `Slack answered ${status} ${code}` : `Slack could not be reached: ${code}`);
  }

  /** Worth trying again later: unreachable, rate limited, or a Slack-side failure. Other errors stay until the URL changes. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

const TIMEOUT_MS = 10_000;

export async function postSlackMessage(webhookUrl: string, message: SlackMessage): Promise<void> {
  let res: Response;
  try {
    res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    throw new SlackError(0, err instanceof Error ? err.message : String(err));
  }
  const body = (await res.text()).trim();
  if (res.status !== 200 || body !== "ok") throw new SlackError(res.status, body.slice(0, 200) || `HTTP ${res.status}`);
}
