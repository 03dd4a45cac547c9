import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("creates an API key in Settings → API Keys, uses it server-to-server, revokes it, and reads the API reference", async () => {
  const base = inject("baseUrl");
  const context = await browser.newContext();
  const page = await context.newPage();
  const email = `keys.${Date.now()}@example.test`;
  const headers = { origin: base };
  expect((await context.request.post(`${base}/api/auth/sign-up`, { headers, data: { name: "Kim Keys", email, password: "correct horse battery", acceptTerms: true } })).status()).toBe(201);
  expect((await context.request.post(`${base}/api/auth/sign-in`, { headers, data: { email, password: "correct horse battery" } })).status()).toBe(200);
  const created = await context.request.post(`${base}/api/workspaces`, { headers, data: { name: "Keys E2E" } });
  const { workspace } = (await created.json()) as { workspace: { id: string; slug: string } };

  await page.goto(`${base}/w/${workspace.slug}/api-keys`);
  await page.getByRole("heading", { name: "API Keys", level: 1 }).waitFor();
  await page.getByText("No API keys yet").waitFor();

  await page.getByRole("button", { name: "Create API key" }).click();
  await page.getByLabel("Name").fill("E2E backend");
  await page.getByRole("button", { name: "Create key" }).click();
  const secretBox = page.getByLabel("Secret of E2E backend");
  await secretBox.waitFor();
  const secret = await secretBox.inputValue();
  expect(secret).toMatch(/^sk_live_[A-Za-z0-9_-]{43}$/);
  await page.getByRole("button", { name: "Done" }).click();

  const row = page.getByRole("row", { name: /E2E backend/ });
  await row.getByText(`${secret.slice(0, 12)}…`).waitFor();
  await row.getByText("Active").waitFor();
  // The secret is not shown again anywhere on the page.
  expect(await page.content()).not.toContain(secret);

  // A backend (Node's fetch: no Origin, no Sec-Fetch-*) may use it...
  const account = await fetch(`${base}/v1/account`, { headers: { authorization: `Bearer ${secret}` } });
  expect(account.status).toBe(200);
  expect(await account.json()).toMatchObject({ id: workspace.id, name: "Keys E2E", apiKey: { name: "E2E backend" } });
  // ...a browser may not, not even from the dashboard's own origin.
  const fromBrowser = await page.evaluate(
    async (key) => (await fetch("/v1/account", { headers: { authorization: `Bearer ${key}` } })).status,
    secret,
  );
  expect(fromBrowser).toBe(403);

  await row.getByRole("button", { name: "Revoke E2E backend" }).click();
  await page.getByRole("button", { name: "Revoke key" }).click();
  await row.getByText("Revoked").waitFor();
  expect((await fetch(`${base}/v1/account`, { headers: { authorization: `Bearer ${secret}` } })).status).toBe(401);

  await page.getByRole("link", { name: "API Reference", exact: true }).click();
  await page.getByRole("heading", { name: "API reference", level: 1 }).waitFor();
  await page.getByRole("heading", { name: "GET /v1/account" }).waitFor();
  await page.getByRole("cell", { name: "plan", exact: true }).waitFor();
  await context.close();
});
