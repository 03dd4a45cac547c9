import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "./browser";
import { api, eventually, newMessageId, ownWorkspace, postEvents, sesEvent, signInAs, type OwnWorkspace } from "./ses-history";

/**
 * Issue 13, item 7: one time format. The Messages list, the message detail and the Audit Log show
 * times alike, in the profile's timezone and the viewer's locale: 12-hour for en-US, 24-hour for en-GB.
 */

const DAY = 86_400_000;
let browser: Browser;
let ws: OwnWorkspace;
/** Yesterday 14:03:09 UTC: an afternoon time, which reads differently in the two clocks. */
const sentAt = Math.floor(Date.now() / DAY) * DAY - DAY + (14 * 3600 + 3 * 60 + 9) * 1000;

beforeAll(async () => {
  const base = inject("baseUrl");
  [browser, ws] = await Promise.all([launchBrowser(), ownWorkspace(base, inject("persistDir"), "Clockwork")]);
  const messageId = newMessageId();
  const recipient = "time.reader@example.net";
  await postEvents(base, ws.ingestKey, [
    sesEvent("send", { recipient, messageId, sentAt }),
    sesEvent("delivery", { recipient, messageId, sentAt, at: sentAt + 1800 }),
  ]);
  await eventually(async () => {
    const res = await api(base, `/api/orgs/${ws.orgId}/messages?from=${sentAt - DAY}&to=${sentAt + DAY}`, { cookie: ws.cookie });
    return ((await res.json()) as { messages: { deliveredAt: number | null }[] }).messages.some((m) => m.deliveredAt !== null);
  }, "the delivered message");
});
afterAll(async () => {
  await browser?.close();
});

/** Every time shown on the list, in the drawer and on the Audit Log. */
async function shownTimes(page: Page): Promise<string[]> {
  await page.goto(`/w/${ws.slug}/reports`);
  const row = page.getByRole("button", { name: "time.reader@example.net" });
  await row.waitFor();
  const listed = await page.locator("table time").allTextContents();
  await row.click();
  const drawer = page.getByRole("dialog");
  await drawer.getByRole("heading", { name: "time.reader@example.net" }).waitFor();
  const sent = await drawer.locator("dt", { hasText: /^Sent$/ }).locator("xpath=following-sibling::dd").textContent();
  const timeline = await drawer.locator(".timeline time").allTextContents();
  await page.goto(`/w/${ws.slug}/audit-log`);
  await page.getByRole("heading", { name: "Audit Log", level: 1 }).waitFor();
  await page.locator("table time").first().waitFor();
  const audited = await page.locator("table time").allTextContents();
  return [...listed, sent ?? "", ...timeline, ...audited];
}

it("follows the viewer's locale everywhere: 12-hour clock for en-US", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), locale: "en-US", viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signInAs(page, ws.email);
  const times = await shownTimes(page);
  expect(times.length).toBeGreaterThanOrEqual(4);
  for (const t of times) expect(t).toMatch(/\d{1,2}:\d{2}:\d{2}\s?[AP]M/);
  // The profile's timezone (UTC): the send reads 2:03:09 PM in the list and the drawer alike.
  expect(times.filter((t) => t.includes("2:03:09 PM")).length).toBeGreaterThanOrEqual(3);
  await context.close();
});

it("follows the viewer's locale everywhere: 24-hour clock for en-GB", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), locale: "en-GB", viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signInAs(page, ws.email);
  const times = await shownTimes(page);
  for (const t of times) {
    expect(t).toMatch(/\d{2}:\d{2}:\d{2}/);
    expect(t).not.toMatch(/[AP]M/i);
  }
  expect(times.filter((t) => t.includes("14:03:09")).length).toBeGreaterThanOrEqual(3);
  await context.close();
});
