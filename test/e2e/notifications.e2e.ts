import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { wranglerDb } from "../../scripts/lib/d1";
import { raiseNotification } from "../../worker/services/notifications/raise";
import { launchBrowser } from "./browser";
import { addMember } from "./reports-seed";

/**
 * Notifications at 390 px: notifications raised for a workspace (through the real service, writing the
 * instance's local D1 as an evaluator would) show as the sidebar's unread counter; the inbox lists them;
 * clicking one marks it read and opens its page; a preference toggle is saved as it changes and is still
 * set after a reload. A Customer Support member changes their own preferences and applies presets to
 * themselves, while creating a workspace preset is refused up front with the reason; a Viewer changes
 * nothing (team__members-and-roles.md), each toggle disabled with the reason.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("shows the unread counter, opens a notification's page marking it read, and keeps a changed preference", async () => {
  const base = inject("baseUrl");
  const context = await browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 }, timezoneId: "UTC" });
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const email = `inbox.${Date.now().toString(36)}@example.test`;
  const headers = { origin: base };
  expect((await context.request.post("/api/auth/sign-up", { headers, data: { name: "Ines Inbox", email, password: "correct horse battery", acceptTerms: true } })).status()).toBe(201);
  expect((await context.request.post("/api/auth/sign-in", { headers, data: { email, password: "correct horse battery" } })).status()).toBe(200);
  const { workspace } = (await (await context.request.post("/api/workspaces", { headers, data: { name: "Inbox E2E" } })).json()) as { workspace: { id: string; slug: string } };

  // Seeded as an evaluator raises them (no delivery job: the local D1 is written from here).
  const deps = { db: wranglerDb({ persistDir: inject("persistDir") }), jobs: null };
  const now = Date.now();
  await raiseNotification(deps, { orgId: workspace.id, type: "channel_events.channel_created", params: { channel: "Newsletters", actor: "Ines Inbox", configurationSet: "sesmail-newsletters" }, link: "channels" }, now - 3 * 60_000);
  await raiseNotification(deps, { orgId: workspace.id, type: "billing.plan_limit_approaching", params: { limit: "Seats", used: 4, max: 5, plan: "Team" } }, now - 2 * 60_000);
  await raiseNotification(deps, { orgId: workspace.id, type: "channel_events.tracking_domain_verified", params: { domain: "track.inbox.test" }, link: "tracking-domains" }, now - 60_000);

  await page.goto(`/w/${workspace.slug}/api-keys`);
  await page.getByRole("button", { name: "Menu" }).click();
  const navLink = page.getByRole("link", { name: "Notifications" });
  await navLink.locator(".nav-counter", { hasText: "3" }).waitFor();
  await navLink.click();
  await page.getByRole("heading", { name: "Notifications", level: 1 }).waitFor();

  const list = page.getByRole("list", { name: "Notifications" });
  const items = list.getByRole("listitem");
  await items.first().waitFor();
  expect(await items.locator(".inbox-title").allInnerTexts()).toEqual(["Tracking domain track.inbox.test verified", "Seats at 4 of 5", "Channel Newsletters created"]);
  expect(await list.getByText("Unread:").count()).toBe(3);
  expect(await list.locator(".inbox-dot").first().isVisible()).toBe(true);

  await list.getByRole("button", { name: /Tracking domain track\.inbox\.test verified/ }).click();
  await page.waitForURL((u) => u.pathname === `/w/${workspace.slug}/tracking-domains`);
  await page.getByRole("heading", { name: "Tracking Domains", level: 1 }).waitFor();
  await expect.poll(async () => ((await (await context.request.get(`/api/orgs/${workspace.id}/notifications/unread-count`)).json()) as { unread: number }).unread).toBe(2);

  await page.goto(`/w/${workspace.slug}/notifications`);
  await items.first().waitFor();
  await expect.poll(() => page.locator("li.inbox-item.unread .inbox-title").allInnerTexts()).toEqual(["Seats at 4 of 5", "Channel Newsletters created"]);

  // Preferences: saved on change, still set after a reload. Billing is locked on for the Owner.
  await page.getByRole("tab", { name: "Preferences" }).click();
  const toggle = page.getByRole("checkbox", { name: "Channel created: Email", exact: true });
  expect(await toggle.isChecked()).toBe(false);
  // The grid shows the saved state, which changes once the save answers, not on the click itself.
  await toggle.click();
  await page.getByText("Saved.").waitFor();
  await expect.poll(() => toggle.isChecked()).toBe(true);
  const locked = page.getByRole("checkbox", { name: "Payment failed: Email", exact: true });
  expect([await locked.isChecked(), await locked.isDisabled()]).toEqual([true, true]);
  await page.reload();
  await page.getByRole("tab", { name: "Preferences", selected: true }).waitFor();
  expect(await page.getByRole("checkbox", { name: "Channel created: Email", exact: true }).isChecked()).toBe(true);
  expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await context.close();
});

it("lets Customer Support change their own preferences and apply a preset; saving a workspace preset, or a Viewer's toggle, shows why not", async () => {
  const base = inject("baseUrl");
  const owner = await browser.newContext({ baseURL: base });
  const headers = { origin: base };
  const email = `viewer-owner.${Date.now().toString(36)}@example.test`;
  expect((await owner.request.post("/api/auth/sign-up", { headers, data: { name: "Olga Owner", email, password: "correct horse battery", acceptTerms: true } })).status()).toBe(201);
  expect((await owner.request.post("/api/auth/sign-in", { headers, data: { email, password: "correct horse battery" } })).status()).toBe(200);
  const { workspace } = (await (await owner.request.post("/api/workspaces", { headers, data: { name: "Viewer Prefs E2E" } })).json()) as { workspace: { id: string; slug: string } };
  await owner.close();
  const support = await addMember(base, inject("persistDir"), workspace.slug, "support");

  const context = await browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 }, timezoneId: "UTC" });
  context.setDefaultTimeout(30_000);
  const [name, value] = support.cookie.split("=") as [string, string];
  await context.addCookies([{ name, value, url: base }]);
  const page = await context.newPage();
  await page.goto(`/w/${workspace.slug}/notifications?tab=preferences`);
  const toggle = page.getByRole("checkbox", { name: "Channel created: Email", exact: true });
  expect([await toggle.isChecked(), await toggle.isDisabled()]).toEqual([false, false]);
  // The grid shows the saved state, which changes once the save answers, not on the click itself.
  await toggle.click();
  await page.getByText("Saved.").waitFor();
  await expect.poll(() => toggle.isChecked()).toBe(true);
  await expect.poll(async () => ((await (await context.request.get(`/api/orgs/${workspace.id}/notifications/preferences`)).json()) as { preferences: Record<string, string[]> }).preferences["channel_events.channel_created"]).toEqual(["in_app", "email"]);

  await page.getByRole("tab", { name: "Presets" }).click();
  const apply = page.getByRole("button", { name: "Apply Critical only" });
  expect(await apply.isDisabled()).toBe(false);
  await apply.click();
  await page.getByText("Applied Critical only to your preferences.").waitFor();
  const save = page.getByRole("button", { name: "Save preset" });
  expect(await save.isDisabled()).toBe(true);
  const tip = page.locator(`[id="${await save.getAttribute("aria-describedby")}"]`);
  expect(await tip.textContent()).toMatch(/^Only Owners, .* can create or delete presets; your role is Customer Support\.$/);
  await context.close();

  const viewer = await addMember(base, inject("persistDir"), workspace.slug, "viewer");
  const viewerContext = await browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 }, timezoneId: "UTC" });
  viewerContext.setDefaultTimeout(30_000);
  const [viewerName, viewerValue] = viewer.cookie.split("=") as [string, string];
  await viewerContext.addCookies([{ name: viewerName, value: viewerValue, url: base }]);
  const viewerPage = await viewerContext.newPage();
  await viewerPage.goto(`/w/${workspace.slug}/notifications?tab=preferences`);
  const viewerToggle = viewerPage.getByRole("checkbox", { name: "Channel created: Email", exact: true });
  await viewerToggle.waitFor();
  expect(await viewerToggle.isDisabled()).toBe(true);
  await viewerPage.getByText("Your role is read-only", { exact: true }).waitFor();
  await viewerPage.getByText(/Only Owners, .* can change their notification preferences; your role is Viewer\. You can read your inbox/).waitFor();
  await viewerContext.close();
});
