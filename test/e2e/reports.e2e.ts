import { readFileSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser } from "./browser";
import { STAR_RECIPIENT, STAR_SUBJECT } from "./reports-events";
import { addMember, seedReportsWorkspace, type SeededWorkspace } from "./reports-seed";

let browser: Browser;
let context: BrowserContext;
let seeded: SeededWorkspace;
const base = () => inject("baseUrl");
/** The machine may be busy (2 cores shared): wait generously for the UI to settle. */
const WAIT_MS = 30_000;
const poll = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: WAIT_MS });

beforeAll(async () => {
  [browser, seeded] = await Promise.all([launchBrowser(), seedReportsWorkspace(inject("baseUrl"), inject("persistDir"))]);
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true, timezoneId: "UTC" });
  const [name, value] = seeded.cookie.split("=") as [string, string];
  await context.addCookies([{ name, value, url: base() }]);
  context.setDefaultTimeout(WAIT_MS);
});
afterAll(async () => {
  await browser?.close();
});

const messageRows = (page: Page) => page.locator("section[aria-label='Messages'] tbody tr");
const eventRows = (page: Page) => page.locator("section[aria-label='Event log'] tbody tr");
const metric = (page: Page, label: string) =>
  page.locator(".metric", { has: page.locator(".metric-label", { hasText: label }) }).locator(".metric-value");

it("shows the Reports page first, with every message of the last 7 days", async () => {
  const page = await context.newPage();
  await page.goto(`${base()}/w/${seeded.slug}`);
  await page.waitForURL(/\/reports/);
  // The page's code loads on first visit; the Messages tab is the default.
  await page.getByRole("tab", { name: "Messages", selected: true }).waitFor();
  await page.getByRole("button", { name: STAR_RECIPIENT }).waitFor();
  await expect(messageRows(page).count()).resolves.toBe(seeded.recent.messages);
  await page.close();
});

it("filters by channel and by recipient, opens a message's timeline and exports the view as CSV", async () => {
  const page = await context.newPage();
  await page.goto(`${base()}/w/${seeded.slug}/reports`);
  await page.getByRole("button", { name: STAR_RECIPIENT }).waitFor();

  // Channel: the list narrows to Marketing mail and the choice lands in the URL.
  const marketing = seeded.channels.find((c) => c.name === "Marketing")!;
  await page.getByLabel("Channel").selectOption(marketing.id);
  await page.waitForURL((u) => u.searchParams.get("channel") === marketing.id);
  await poll(() => messageRows(page).count()).toBe(seeded.recent.byChannel.Marketing);
  const channels = await messageRows(page).locator(".cell-secondary").first().textContent();
  expect(channels).toContain("Marketing");

  // Export CSV of this view: the streamed file holds the same rows.
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.csv$/);
  const [header, ...rows] = parse(readFileSync((await file.path())!, "utf8")) as string[][];
  expect(header!.slice(0, 3)).toEqual(["Sent At", "Status", "Recipient"]);
  expect(rows).toHaveLength(seeded.recent.byChannel.Marketing!);
  expect(new Set(rows.map((r) => r[header!.indexOf("Channel")]))).toEqual(new Set(["Marketing"]));
  await page.getByText(/Exported \d+ rows/).waitFor();

  // Back to all channels, then search one recipient (Owners hold Recipient Search).
  await page.getByLabel("Channel").selectOption("");
  await page.getByLabel("Recipient").fill(STAR_RECIPIENT.toUpperCase());
  await page.waitForURL((u) => u.searchParams.get("recipient") === STAR_RECIPIENT.toUpperCase());
  await poll(() => messageRows(page).count()).toBe(1);

  // The message detail: every event in time order, raw SES JSON on demand, headers, delivery info.
  await page.getByRole("button", { name: STAR_RECIPIENT }).click();
  const drawer = page.getByRole("dialog");
  await drawer.getByText("4 events").waitFor();
  expect(new URL(page.url()).searchParams.get("message")).toBeTruthy();
  await expect(drawer.locator(".timeline .event-badge").allTextContents()).resolves.toEqual(["Send", "Delivery", "Open", "Click"]);
  await expect(drawer.getByRole("heading", { name: STAR_RECIPIENT }).isVisible()).resolves.toBe(true);
  await expect(drawer.getByText(STAR_SUBJECT).first().isVisible()).resolves.toBe(true);
  await expect(drawer.getByText("198.51.100.27").first().isVisible()).resolves.toBe(true);
  await drawer.getByRole("button", { name: "Raw SES JSON" }).nth(3).click();
  await expect(drawer.locator("pre.raw-json").textContent()).resolves.toContain('"eventType": "Click"');
  await expect(drawer.getByRole("rowheader", { name: "X-Acme-Message-Ref" }).isVisible()).resolves.toBe(true);

  // A shared link opens the same view with the panel open.
  const shared = page.url();
  const other = await context.newPage();
  await other.goto(shared);
  await other.getByRole("dialog").getByText("4 events").waitFor();
  await other.close();

  await page.keyboard.press("Escape");
  await page.waitForURL((u) => !u.searchParams.has("message"));
  await page.close();
});

it("filters the event log by event type", async () => {
  const page = await context.newPage();
  await page.goto(`${base()}/w/${seeded.slug}/reports?view=events`);
  await eventRows(page).first().waitFor();
  await page.getByRole("button", { name: "Bounce", exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get("types") === "Bounce");
  await poll(() => eventRows(page).count()).toBe(3);
  await expect(eventRows(page).locator(".event-badge").allTextContents()).resolves.toEqual(["Bounce", "Bounce", "Bounce"]);
  await page.close();
});

it("shows deliverability for the range, and recomputes it when the range changes", async () => {
  const page = await context.newPage();
  await page.goto(`${base()}/w/${seeded.slug}/reports?tab=deliverability`);
  // Last 7 days: 2 hard + 1 soft bounce over 22 sends; 1 complaint over 19 deliveries.
  await poll(() => metric(page, "Total Bounce %").textContent()).toBe("13.64%");
  await expect(metric(page, "Hard Bounce %").textContent()).resolves.toBe("9.09%");
  await expect(metric(page, "Complaint Rate").textContent()).resolves.toBe("5.26%");
  await expect(page.getByRole("heading", { name: "Deliverability by provider" }).isVisible()).resolves.toBe(true);
  await poll(() => page.getByRole("table", { name: /Deliverability by provider/ }).locator("tbody tr").count()).toBeGreaterThan(3);
  // Providers first seen this week carry no delta.
  await expect(page.locator(".delta-new").count()).resolves.toBeGreaterThan(0);

  // The Reputation Score explains its formula on keyboard focus too.
  await page.locator(".metric", { hasText: "Reputation Score" }).focus();
  await expect(page.getByRole("tooltip").filter({ hasText: "score = 100" }).isVisible()).resolves.toBe(true);

  // Every chart has a table view.
  const bounceCard = page.locator("section.chart-card", { has: page.getByRole("heading", { name: "Bounce rate" }) });
  await bounceCard.getByRole("button", { name: "Table" }).click();
  await expect(bounceCard.locator("tbody tr").count()).resolves.toBe(7);

  // Last 30 days adds the week before: 4 bounces over 32 sends.
  await page.getByRole("button", { name: /Last 7 days/ }).click();
  await page.getByRole("button", { name: /^Last 30 days/ }).click();
  await page.waitForURL((u) => u.searchParams.get("range") === "30d");
  await poll(() => metric(page, "Total Bounce %").textContent()).toBe("12.50%");

  // Auto-refresh is part of the view too, and says when the figures were fetched (in the locale's clock).
  await page.getByRole("switch", { name: "Auto-refresh" }).check();
  await page.waitForURL((u) => u.searchParams.get("live") === "true");
  await page.getByText(/^Updated \d\d:\d\d:\d\d( [AP]M)?$/).waitFor();

  // Sorting the provider table is part of the URL too.
  await page.getByRole("button", { name: /Bounce %/ }).click();
  await page.waitForURL((u) => u.searchParams.get("sort") === "bouncePct");
  await page.close();
});

it("shows engagement with the note on open tracking", async () => {
  const page = await context.newPage();
  await page.goto(`${base()}/w/${seeded.slug}/reports?tab=engagement`);
  await page.getByText("Opens are directional").waitFor();
  // 11 of 19 delivered messages were opened, 4 clicked (the seeded history).
  await poll(() => metric(page, "Open rate").textContent()).toBe("57.89%");
  await expect(metric(page, "Click rate").textContent()).resolves.toBe("21.05%");
  const templates = page.getByRole("table", { name: "Template performance" });
  await expect(templates.locator("tbody tr").count()).resolves.toBe(3);
  await expect(templates.locator("thead th").allTextContents()).resolves.toEqual(["Template", "Sent", "Open %", "Click %", "Bounce %", "Complaint %"]);
  await page.close();
});

it("gives a Viewer the reports without export or recipient search", async () => {
  const viewer = await addMember(base(), inject("persistDir"), seeded.slug, "viewer");
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  const [name, value] = viewer.cookie.split("=") as [string, string];
  await ctx.addCookies([{ name, value, url: base() }]);
  ctx.setDefaultTimeout(WAIT_MS);
  const page = await ctx.newPage();
  await page.goto(`${base()}/w/${seeded.slug}/reports`);
  await page.getByRole("button", { name: STAR_RECIPIENT }).waitFor();
  await expect(messageRows(page).count()).resolves.toBe(seeded.recent.messages);
  await expect(page.getByLabel("Recipient").count()).resolves.toBe(0);
  await expect(page.getByRole("button", { name: /Export CSV/ }).count()).resolves.toBe(0);
  await page.getByRole("radio", { name: "Event Log" }).check();
  await eventRows(page).first().waitFor();
  await expect(page.getByLabel("Recipient").count()).resolves.toBe(0);
  await ctx.close();
});
