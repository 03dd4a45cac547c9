import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "./browser";

/**
 * Issue 13 item 4 (second half) in a real browser: the first load shows a loading shell, not a blank
 * page; a signed-out visit logs no failed request.
 */

let browser: Browser;
const base = () => inject("baseUrl");
const WAIT_MS = 30_000;

beforeAll(async () => {
  browser = await launchBrowser();
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
