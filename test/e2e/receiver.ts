import { afterAll, beforeAll } from "vitest";
import type { Browser } from "playwright-core";
import { WebhookReceiver, type ReceivedRequest } from "../webhook-receiver";
import { launchBrowser } from "./browser";

/**
 * The setup of an e2e file that follows outbound webhooks: Chromium and a local receiver
 * (test/webhook-receiver.ts, on 127.0.0.1), started before the file's tests and closed after them. Read
 * `browser` and `base` inside tests (they are set once beforeAll ran).
 */
export function browserWithReceiver() {
  let receiver: WebhookReceiver | undefined;
  const setup = {
    browser: undefined as unknown as Browser,
    /** The receiver's origin: an endpoint URL is `${base}/<name>`. */
    base: "",
    /** Makes the receiver verify what reaches `/<name>` with `secret` (a wrong signature gets 401). */
    verifyWith: (name: string, secret: string) => fetch(`${setup.base}/__control/${name}`, { method: "PUT", body: JSON.stringify({ secret }) }),
    /** The requests `/<name>` received, oldest first, each with its verification result. */
    received: async (name: string) => ((await (await fetch(`${setup.base}/__control/${name}`)).json()) as { requests: ReceivedRequest[] }).requests,
  };
  beforeAll(async () => {
    setup.browser = await launchBrowser();
    receiver = new WebhookReceiver();
    setup.base = await receiver.listen();
  });
  afterAll(async () => {
    await setup.browser?.close();
    await receiver?.close();
  });
  return setup;
}
