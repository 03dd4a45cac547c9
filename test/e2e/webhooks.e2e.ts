import { expect, inject, it } from "vitest";
import type { Page } from "playwright-core";
import { browserWithReceiver } from "./receiver";

/**
 * Connections → Webhooks at 390 px in dark mode: add an endpoint on a local receiver, copy the secret the
 * dialog shows once, Send test event — the receiver verifies the signature with the copied secret (as
 * docs/webhooks.md says) — and the delivery log shows HTTP 200 with its latency; then disable and enable.
 */

const hooks = browserWithReceiver();

const overflows = (page: Page) => page.evaluate(() => {
  const g = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
  return g.document.documentElement.scrollWidth > g.innerWidth;
});

it("adds an endpoint, sends a signed test event the receiver verifies, shows it in the log, disables and enables", async () => {
  const base = inject("baseUrl");
  const context = await hooks.browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 }, colorScheme: "dark", timezoneId: "UTC" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const email = `hooks.${Date.now()}@example.test`;
  const headers = { origin: base };
  expect((await context.request.post(`${base}/api/auth/sign-up`, { headers, data: { name: "Hana Hooks", email, password: "correct horse battery", acceptTerms: true } })).status()).toBe(201);
  expect((await context.request.post(`${base}/api/auth/sign-in`, { headers, data: { email, password: "correct horse battery" } })).status()).toBe(200);
  const { workspace } = (await (await context.request.post(`${base}/api/workspaces`, { headers, data: { name: "Hooks E2E" } })).json()) as { workspace: { slug: string } };

  await page.goto(`/w/${workspace.slug}/webhooks`);
  await page.getByRole("heading", { name: "Webhooks", level: 1 }).waitFor();
  await page.getByText("No webhook endpoints yet").waitFor();
  expect(await overflows(page)).toBe(false);

  await page.getByRole("button", { name: "Add Endpoint" }).click();
  const add = page.getByRole("dialog", { name: "Add Endpoint" });
  await add.getByLabel("Endpoint URL").fill(`${hooks.base}/e2e`);
  await add.getByLabel("Description").fill("E2E receiver");
  await add.getByText("Deliverability", { exact: true }).click();
  await add.getByLabel("All Deliverability notifications").check();
  await expect(add.getByRole("checkbox", { name: /Bounce rate threshold/ }).isDisabled()).resolves.toBe(true);
  expect(await overflows(page)).toBe(false);
  await add.getByRole("button", { name: "Add Endpoint" }).click();

  const reveal = page.getByRole("dialog", { name: "Endpoint created" });
  await reveal.getByRole("button", { name: "Copy the signing secret" }).click();
  const secret = await page.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText());
  expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
  expect(await reveal.getByLabel("Signing secret", { exact: true }).inputValue()).toBe(secret);
  await hooks.verifyWith("e2e", secret);
  await reveal.getByRole("button", { name: "Done" }).click();

  await page.waitForURL((u) => /\/webhooks\/whe_/.test(u.pathname));
  await page.getByText("No deliveries yet").waitFor();
  expect(await page.content()).not.toContain(secret);
  await page.getByRole("button", { name: "Send test event" }).click();
  await page.getByText("Test event delivered (HTTP 200).").waitFor();

  const requests = await hooks.received("e2e");
  expect(requests).toHaveLength(1);
  expect(requests[0]!.verified).toBe(true);

  const log = page.getByRole("table", { name: "Delivery log" });
  const row = log.getByRole("row", { name: /Bounce rate threshold/ });
  await row.getByText("Delivered").waitFor();
  await row.getByRole("cell", { name: "200", exact: true }).waitFor();
  await row.getByText(/^\d+ ms$/).waitFor();
  await row.getByRole("button", { name: "Details" }).click();
  const payload = page.getByLabel("Payload sent");
  await expect(payload.textContent()).resolves.toContain(JSON.parse(requests[0]!.body).id);
  expect(await overflows(page)).toBe(false);

  await page.getByRole("button", { name: "Disable" }).click();
  await page.getByText("Endpoint disabled.").waitFor();
  await page.getByRole("region", { name: "Endpoint" }).getByText("Disabled", { exact: true }).waitFor();
  await expect(page.getByRole("button", { name: "Send test event" }).isDisabled()).resolves.toBe(true);
  await page.getByRole("button", { name: "Enable" }).click();
  await page.getByRole("region", { name: "Endpoint" }).getByText("Enabled", { exact: true }).waitFor();

  await page.getByRole("link", { name: "All endpoints" }).click();
  const listRow = page.getByRole("row", { name: /E2E receiver/ });
  await listRow.getByText("Enabled").waitFor();
  await listRow.getByText("Delivered").waitFor();
  expect(await overflows(page)).toBe(false);
  await context.close();
});

it("the demo workspace shows one endpoint with its delivery log, read-only", async () => {
  const base = inject("baseUrl");
  const context = await hooks.browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 }, timezoneId: "UTC" });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const email = `hooks.demo.${Date.now()}@example.test`;
  const headers = { origin: base };
  expect((await context.request.post(`${base}/api/auth/sign-up`, { headers, data: { name: "Dana Demo", email, password: "correct horse battery", acceptTerms: true } })).status()).toBe(201);
  expect((await context.request.post(`${base}/api/auth/sign-in`, { headers, data: { email, password: "correct horse battery" } })).status()).toBe(200);

  await page.goto("/w/demo/webhooks");
  const row = page.getByRole("row", { name: /hooks\.example\.com/ });
  await row.getByText("Enabled").waitFor();
  await row.getByText("Delivered").waitFor();
  await row.getByRole("link").click();
  const log = page.getByRole("table", { name: "Delivery log" });
  const failed = log.getByRole("row", { name: /Bounce rate trend/ });
  await failed.getByText("Failed").waitFor();
  // The header and the seven seeded deliveries.
  await expect(log.getByRole("row").count()).resolves.toBe(8);
  await failed.getByRole("button", { name: "Details" }).click();
  await page.getByRole("list", { name: "Attempts" }).getByText(/Attempt 3 .* HTTP 502/).waitFor();
  const retried = log.getByRole("row", { name: /Complaint rate threshold/ });
  await retried.getByText("Delivered").waitFor();
  await retried.getByRole("cell", { name: "3", exact: true }).waitFor();
  await expect(page.getByRole("button", { name: "Send test event" }).isDisabled()).resolves.toBe(true);
  expect(await overflows(page)).toBe(false);
  await context.close();
});
