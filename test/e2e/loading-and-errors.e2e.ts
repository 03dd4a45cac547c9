import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import { launchBrowser } from "./browser";
import { STAR_RECIPIENT, STAR_SUBJECT } from "./reports-events";
import { seedReportsWorkspace, type SeededWorkspace } from "./reports-seed";

/**
 * Issue 13 items 4 (second half) and 5 in a real browser: the first load shows a loading shell, not a
 * blank page; a signed-out visit logs no failed request; every failing query shows its error with a
 * Retry that recovers — lists, a filter's options, a detail panel — instead of stale rows or an empty
 * control. Failures are made by intercepting the dashboard's requests (503, as a busy D1 answers).
 */

let browser: Browser;
let context: BrowserContext;
let seeded: SeededWorkspace;
const base = () => inject("baseUrl");
const WAIT_MS = 30_000;

const UNAVAILABLE = { error: { code: "STORAGE_UNAVAILABLE", message: "Storage is busy. Try again in a moment." } };
const refuse = (route: Route) => route.fulfill({ status: 503, contentType: "application/json", body: JSON.stringify(UNAVAILABLE) });

beforeAll(async () => {
  [browser, seeded] = await Promise.all([launchBrowser(), seedReportsWorkspace(inject("baseUrl"), inject("persistDir"))]);
  context = await browser.newContext({ baseURL: base(), viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  const [name, value] = seeded.cookie.split("=") as [string, string];
  await context.addCookies([{ name, value, url: base() }]);
  context.setDefaultTimeout(WAIT_MS);
});
afterAll(async () => {
  await browser?.close();
});

/** A context of nobody signed in. */
async function visitor(colorScheme: "light" | "dark" = "light"): Promise<Page> {
  const ctx = await browser.newContext({ baseURL: base(), colorScheme });
  ctx.setDefaultTimeout(WAIT_MS);
  return ctx.newPage();
}

const messageRows = (page: Page) => page.locator("section[aria-label='Messages'] tbody tr");

it("shows the loading shell, in the system's colour scheme, until the first page is ready", async () => {
  const page = await visitor("dark");
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked!: () => void;
  const sessionAsked = new Promise<void>((r) => (asked = r));
  await page.route("**/api/session", async (route) => {
    asked();
    await held;
    await route.continue();
  });
  await page.goto("/w/acme/reports", { waitUntil: "domcontentloaded" });
  const shell = page.locator("#root .boot");
  await shell.waitFor();
  // The app's script has run and is waiting for the session: the shell stays instead of a blank page.
  await sessionAsked;
  expect(await shell.isVisible()).toBe(true);
  expect(await shell.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor)).toBe("rgb(14, 16, 21)");
  release();
  await page.getByRole("heading", { name: "Sign in to SendOps" }).waitFor();
  expect(await shell.count()).toBe(0);
  await page.context().close();
});

it("logs no console error on a signed-out visit", async () => {
  const page = await visitor();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.goto("/");
  await page.waitForURL((u) => u.pathname === "/sign-in");
  await page.goto("/w/demo/reports");
  await page.waitForURL((u) => u.pathname === "/sign-in" && u.searchParams.get("redirect") === "/w/demo/reports");
  await page.getByRole("heading", { name: "Sign in to SendOps" }).waitFor();
  expect(errors).toEqual([]);
  await page.context().close();
});

it("shows a failing list's error, not the previous filter's rows, while it retries; Retry recovers", async () => {
  const page = await context.newPage();
  let mode: "pass" | "fail-then-hold" = "pass";
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let failures = 0;
  await page.route(/\/api\/orgs\/[^/]+\/messages\?/, async (route) => {
    if (mode === "pass") return route.continue();
    // The first attempt fails at once; the automatic retries hang until released, then fail too.
    if (failures++ > 0) await held;
    return refuse(route);
  });
  await page.goto(`/w/${seeded.slug}/reports`);
  await page.getByRole("button", { name: STAR_RECIPIENT }).waitFor();
  expect(await messageRows(page).count()).toBe(seeded.recent.messages);

  mode = "fail-then-hold";
  await page.getByLabel("Status").selectOption("bounced");
  const alert = page.getByRole("alert").filter({ hasText: "Could not load this list" });
  await alert.waitFor();
  expect(await alert.textContent()).toContain(UNAVAILABLE.error.message);
  // While SendOps retries, the all-statuses rows are gone and the button says so.
  expect(await messageRows(page).count()).toBe(0);
  const retrying = alert.getByRole("button", { name: "Retrying…" });
  expect(await retrying.isDisabled()).toBe(true);

  release();
  const retry = alert.getByRole("button", { name: "Retry", exact: true });
  await retry.waitFor();
  mode = "pass";
  await retry.click();
  await alert.waitFor({ state: "detached" });
  await expect.poll(() => messageRows(page).count(), { timeout: WAIT_MS }).toBeGreaterThan(0);
  expect(await messageRows(page).locator(".status-badge").allTextContents()).toEqual(
    expect.arrayContaining([expect.stringContaining("Bounced")]),
  );
  await page.close();
});

it("shows a failing channel list beside the channel filter, with Retry", async () => {
  const page = await context.newPage();
  let failing = true;
  await page.route(/\/api\/orgs\/[^/]+\/reports\/channels$/, (route) => (failing ? refuse(route) : route.continue()));
  await page.goto(`/w/${seeded.slug}/reports`);
  const alert = page.getByRole("alert").filter({ hasText: "Could not load the channels." });
  const retry = alert.getByRole("button", { name: "Retry", exact: true });
  await retry.waitFor();
  expect(await page.getByLabel("Channel").locator("option").allTextContents()).toEqual(["All channels"]);

  failing = false;
  await retry.click();
  const options = async () => (await page.getByLabel("Channel").locator("option").allTextContents()).sort();
  await expect.poll(options, { timeout: WAIT_MS }).toEqual(["All channels", ...seeded.channels.map((c) => c.name)].sort());
  expect(await alert.count()).toBe(0);
  await page.close();
});

it("shows a failing message detail in its panel, with Retry", async () => {
  const page = await context.newPage();
  let failing = true;
  await page.route(/\/api\/orgs\/[^/]+\/messages\/[^/?]+$/, (route) => (failing ? refuse(route) : route.continue()));
  await page.goto(`/w/${seeded.slug}/reports`);
  await page.getByRole("button", { name: STAR_RECIPIENT }).click();
  const drawer = page.locator("dialog.drawer[open]");
  const retry = drawer.getByRole("alert").filter({ hasText: "Could not load the message" }).getByRole("button", { name: "Retry", exact: true });
  await retry.waitFor();

  failing = false;
  await retry.click();
  await drawer.getByRole("heading", { name: STAR_RECIPIENT }).waitFor();
  expect(await drawer.getByText(STAR_SUBJECT).first().isVisible()).toBe(true);
  await page.close();
});

it("offers no Retry when what a page shows is gone (404): the page keeps its way back", async () => {
  const page = await context.newPage();
  await page.goto(`/w/${seeded.slug}/channels/chn_gone`);
  const alert = page.getByRole("alert").filter({ hasText: "Could not load the channel" });
  await alert.getByText("Channel not found.").waitFor();
  expect(await alert.getByRole("button").count()).toBe(0);
  await page.getByRole("link", { name: "← Channels" }).click();
  await page.getByRole("heading", { name: "Channels", level: 1 }).waitFor();

  await page.goto(`/w/${seeded.slug}/tracking-domains/trk_gone`);
  const gone = page.getByRole("alert").filter({ hasText: "Could not load the tracking domain" });
  await gone.getByText("Tracking domain not found.").waitFor();
  expect(await gone.getByRole("button").count()).toBe(0);
  expect(await page.getByRole("link", { name: "All tracking domains" }).isVisible()).toBe(true);
  await page.close();
});
