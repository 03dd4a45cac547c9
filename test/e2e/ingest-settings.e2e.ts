import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { wranglerDb } from "../../scripts/lib/d1";
import { recordDeadLetters } from "../../worker/services/ingest/dead-letters";
import { launchBrowser, signUpAndIn, switchToOwnWorkspace } from "./browser";

/**
 * Settings → Ingest in a real browser: the demo's rotation is disabled; in their own
 * workspace the Owner creates and rotates the ingest key, the shown keys (new and rotated) authenticate
 * real EventBridge posts from a server, a malformed event shows up under Rejected payloads with its
 * reason, the counters show the accepted events dropped for want of a managed identity (each once,
 * however often EventBridge delivers it) and the rejected request, and a dead letter is replayed.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const PASSWORD = "correct horse battery staple";
const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, "..", "fixtures", "ses-events", name), "utf8");

/** EventBridge's request: a server-to-server POST (no Origin) with the key in `x-api-key`. */
const postEvent = (base: string, key: string, body: string) =>
  fetch(`${base}/ingest/eventbridge`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": key }, body });

/**
 * Reloads the counters until `locator` shows up: the queue consumer writes after the webhook has
 * answered. Each look waits for the counters card itself, which renders after the page's heading once
 * its queries answer (on a busy machine, well after a second).
 */
async function reloadUntil(page: Page, locator: Locator, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.getByRole("heading", { name: /^Last \d+ hours$/ }).waitFor();
    if (await locator.isVisible()) return;
    if (Date.now() > deadline) throw new Error(`not visible after ${timeoutMs} ms: ${locator}`);
    await page.waitForTimeout(1_000);
    await page.reload();
  }
}

/** One counter of the Counters card, by its label. */
const stat = (page: Page, label: string) =>
  page.locator(".ingest-stat").filter({ has: page.getByRole("term").getByText(label, { exact: true }) });

/** Opens the rotate/create confirmation, confirms, and returns the key shown once. */
async function rotate(page: Page, action: "Rotate key"): Promise<string> {
  await page.getByRole("button", { name: action }).first().click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: action }).click();
  const box = page.getByRole("textbox", { name: "New ingest key" });
  await box.waitFor();
  const key = await box.inputValue();
  await page.getByText("This is the only time it is shown.").waitFor();
  await page.getByRole("button", { name: "I have copied the key" }).click();
  await box.waitFor({ state: "detached" });
  return key;
}

it("creates and rotates the ingest key, ingests with it, lists a malformed event under Rejected payloads, and replays a dead letter", async () => {
  const base = inject("baseUrl");
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signUpAndIn(page, "Ines Ingest", "ingest", PASSWORD);

  // The demo is read-only: rotating is disabled up front, with the API's reason (demo-read-only.e2e.ts walks every such action).
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Ingest", exact: true }).click();
  await page.getByRole("heading", { name: "Ingest", level: 1 }).waitFor();
  await page.getByText("The demo workspace is read-only", { exact: true }).waitFor();
  expect(await page.getByRole("button", { name: /^(Create|Rotate) key$/ }).first().isDisabled()).toBe(true);

  const slug = await switchToOwnWorkspace(page);

  // The new workspace lands on the Setup Guide, whose AWS Integration phase creates the ingest key its
  // CloudFormation template carries (WebhookApiKey).
  const launch = page.getByRole("link", { name: /Launch CloudFormation Stack/ });
  await launch.waitFor();
  const templateKey = new URLSearchParams(new URL((await launch.getAttribute("href"))!).hash.split("?")[1]).get("param_WebhookApiKey")!;
  expect(templateKey).toMatch(/^sik_[A-Za-z0-9_-]{43}$/);

  // Settings → Ingest of the new workspace: the webhook URL and that key, active.
  await nav.getByRole("link", { name: "Ingest", exact: true }).click();
  await page.waitForURL((u) => u.pathname === `/w/${slug}/ingest`);
  expect(await page.getByRole("textbox", { name: "Webhook URL" }).inputValue()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/ingest\/eventbridge$/);
  const keys = page.getByRole("region", { name: "Ingest keys" });
  await keys.getByRole("row", { name: `${templateKey.slice(0, 12)}…` }).getByText("Active").waitFor();

  const first = await rotate(page, "Rotate key");
  expect(first).toMatch(/^sik_[A-Za-z0-9_-]{43}$/);
  await keys.getByRole("row", { name: `${first.slice(0, 12)}…` }).getByText("Active").waitFor();

  // Rotating: a new active key; the old one keeps working for 24 h. Neither is shown again.
  const key = await rotate(page, "Rotate key");
  expect(key).toMatch(/^sik_[A-Za-z0-9_-]{43}$/);
  expect(key).not.toBe(first);
  await keys.getByRole("row", { name: `${key.slice(0, 12)}…` }).getByText("Active").waitFor();
  await keys.getByRole("row", { name: `${first.slice(0, 12)}…` }).getByText(/^Expires in 23 h 5\d min$/).waitFor();
  const html = await page.content();
  expect(html).not.toContain(key);
  expect(html).not.toContain(first);

  // EventBridge's side, from Node: a real SES event with the new key and another with the rotated one...
  const accepted = await postEvent(base, key, fixture("send.json"));
  expect(accepted.status).toBe(202);
  expect(await accepted.json()).toMatchObject({ ok: true });
  expect((await postEvent(base, first, fixture("delivery.json"))).status).toBe(202);
  expect((await postEvent(base, "sik_not-a-key", fixture("send.json"))).status).toBe(401);
  // ...and a malformed one: a Delivery without mail.messageId.
  const malformed = JSON.parse(fixture("delivery.json")) as { id: string; detail: { mail: Record<string, unknown> } };
  malformed.id = "e2e-malformed-delivery";
  delete malformed.detail.mail.messageId;
  const rejected = await postEvent(base, key, JSON.stringify(malformed));
  expect(rejected.status).toBe(400);
  const error = ((await rejected.json()) as { error: { code: string; message: string } }).error;
  expect(error.code).toBe("INVALID_EVENT");
  expect(error.message).toContain("detail.mail.messageId");

  // The workspace manages no identity yet, so both accepted events are counted as dropped.
  const unmanaged = page.getByRole("list", { name: "Dropped events by reason" }).getByRole("listitem").filter({ hasText: "Unmanaged identity" });
  await reloadUntil(page, unmanaged.getByText("2", { exact: true }));

  // Rejected payloads: the malformed event with its reason, its body pretty-printed on demand.
  await page.getByRole("navigation", { name: "Ingest" }).getByRole("link", { name: "Rejected payloads" }).click();
  await page.getByRole("heading", { name: "Rejected payloads", level: 1 }).waitFor();
  const row = page.getByRole("row").filter({ hasText: "detail.mail.messageId" });
  await row.getByText("400", { exact: true }).waitFor();
  await row.getByText(/e2e-malformed-delivery/).waitFor();
  await row.getByRole("button", { name: "Body" }).click();
  const details = page.locator(".details-row");
  await details.getByText(error.message, { exact: true }).waitFor();
  const body = await details.getByLabel("Body (JSON, pretty-printed)").textContent();
  expect(body).toContain('\n  "id": "e2e-malformed-delivery",');
  expect(body).toContain('"eventType": "Delivery"');
  // mail.messageId is gone (the one left is commonHeaders', indented deeper).
  expect(body).not.toContain('\n      "messageId"');
  expect(body).toContain('\n        "messageId"');

  // Dead letters: an events-queue message that exhausted its retries, replayed after confirming.
  const orgId = ((await (await context.request.get(`${base}/api/me`)).json()) as { workspaces: { id: string; slug: string }[] }).workspaces.find((w) => w.slug === slug)!.id;
  const event = JSON.parse(fixture("open.json")) as unknown;
  await recordDeadLetters(wranglerDb({ persistDir: inject("persistDir") }), [
    { queueMessageId: `e2e-dlq-${Date.now()}`, body: { kind: "event", orgId, receivedAt: Date.now(), event }, attempts: 6 },
  ]);
  await page.getByRole("navigation", { name: "Ingest" }).getByRole("link", { name: "Dead letters" }).click();
  await page.getByRole("heading", { name: "Dead letters", level: 1 }).waitFor();
  const letter = page.getByRole("row").filter({ hasText: "SES Open" });
  await letter.getByText("Pending").waitFor();
  await letter.getByRole("button", { name: /^Replay SES Open/ }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Replay" }).click();
  await page.getByText("Sent back to sendops-events.").waitFor();
  await letter.getByText("Replayed").waitFor();
  expect(await letter.getByRole("button", { name: /^Replay/ }).count()).toBe(0);
  // The replayed event went through the consumer again: a third unmanaged-identity drop.
  await page.getByRole("navigation", { name: "Ingest" }).getByRole("link", { name: "Webhook & keys" }).click();
  await reloadUntil(page, unmanaged.getByText("3", { exact: true }));

  // EventBridge delivers the Send again: a duplicate, not a fourth drop. The malformed post is counted as rejected.
  expect((await postEvent(base, key, fixture("send.json"))).status).toBe(202);
  await reloadUntil(page, stat(page, "Duplicates").getByText("1", { exact: true }));
  await unmanaged.getByText("3", { exact: true }).waitFor();
  await stat(page, "Dropped").getByText("3", { exact: true }).waitFor();
  await stat(page, "Rejected").getByText("1", { exact: true }).waitFor();
  await context.close();
});
