import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, signUpAndIn } from "./browser";
import { buildHistory } from "./reports-events";
import { seedHistoryWorkspace } from "./reports-seed";

/**
 * Issue 13, "Done when": every dashboard page at 390×844 and 1440×900 is no wider than the viewport, and
 * at 390 px the navigation is a drawer behind a menu button. The pages are the router's own routes (read
 * from the running app), so a new page is covered without touching this file; each page's tabs and steps,
 * and the detail views below, are visited too. Screenshots of every page at both widths, light and dark,
 * go to test-results/screenshots/ for a reviewer (not committed).
 */

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1440, height: 900 };
const SHOTS = path.resolve(import.meta.dirname, "..", "..", "test-results", "screenshots");
const PASSWORD = "correct horse battery";
const WAIT_MS = 30_000;
const LONG_ADDRESS = "firstname.middlename.lastname.department@subsidiary.example-enterprise.co.uk";
/** Gmail's real answer for an unknown mailbox: long, with an unbreakable URL. */
const LONG_DIAGNOSTIC =
  "smtp; 550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces. For more information, go to https://support.google.com/mail/?p=NoSuchUser d75a77b69052e-4a9e7b2c1f3si1234567qtb.123 - gsmtp";

type Json = Record<string, any>;

/** What page.evaluate callbacks use of the browser's globals (the tests' tsconfig declares no DOM globals). */
interface BrowserGlobals {
  innerWidth: number;
  document: { documentElement: { scrollWidth: number }; body: BrowserElement; querySelectorAll(selector: string): ArrayLike<BrowserElement> };
  __TSR_ROUTER__: { routesByPath: Record<string, unknown> };
}
interface BrowserElement {
  tagName: string;
  className: unknown;
  children: ArrayLike<BrowserElement>;
  style: { display: string };
  scrollWidth: number;
  clientWidth: number;
}

let browser: Browser;
let signedIn: BrowserContext;
let signedOut: BrowserContext;
let workspaces: string[];
let own: string;
const base = () => inject("baseUrl");

/** One hard bounce of the history, re-addressed to a long address with a long diagnostic. */
function longBounce(now: number): Json {
  const hard = buildHistory(now).events.find((e: Json) => e["detail-type"] === "Email Bounced" && e.detail.bounce.bounceType === "Permanent");
  const e = structuredClone(hard) as Json;
  e.id = `viewports-long-bounce-${now}`;
  e.detail.mail.messageId = `viewports-long-${now}`;
  e.detail.mail.destination = [LONG_ADDRESS];
  e.detail.bounce.bouncedRecipients = [{ emailAddress: LONG_ADDRESS, action: "failed", status: "5.1.1", diagnosticCode: LONG_DIAGNOSTIC }];
  return e;
}

beforeAll(async () => {
  browser = await launchBrowser();
  signedIn = await browser.newContext({ baseURL: base(), viewport: DESKTOP, timezoneId: "UTC" });
  signedIn.setDefaultTimeout(WAIT_MS);
  signedOut = await browser.newContext({ baseURL: base(), viewport: DESKTOP, timezoneId: "UTC" });
  signedOut.setDefaultTimeout(WAIT_MS);
  const page = await signedIn.newPage();
  await signUpAndIn(page, "Vera Viewport", "viewports", PASSWORD);
  const demo = new URL(page.url()).pathname.split("/")[2]!;
  await page.close();
  const session = (await signedIn.cookies()).find((c) => c.name === "sendops_session")!;
  // The demo workspace a new user lands in, and one of their own (every page open to its Owner) with data.
  const now = Date.now();
  own = (await seedHistoryWorkspace(base(), inject("persistDir"), `${session.name}=${session.value}`, now, [longBounce(now)])).slug;
  workspaces = [demo, own];
  rmSync(SHOTS, { recursive: true, force: true });
});
afterAll(async () => {
  await browser?.close();
});

/** The router's paths, e.g. "/sign-in", "/w/$slug/reports", read from the app itself. */
async function routePaths(page: Page): Promise<string[]> {
  return page.evaluate(() => Object.keys((globalThis as unknown as BrowserGlobals).__TSR_ROUTER__.routesByPath));
}

/**
 * The page's width against the viewport's, and when it is wider, the chain of elements that makes it so
 * (found by hiding one child at a time).
 */
function measure(): { scrollWidth: number; innerWidth: number; culprit: string } {
  const g = globalThis as unknown as BrowserGlobals;
  const doc = g.document;
  const scrollWidth = doc.documentElement.scrollWidth;
  const chain: string[] = [];
  let el = doc.body;
  while (scrollWidth > g.innerWidth && chain.length < 30) {
    let next: BrowserElement | null = null;
    for (const child of Array.from(el.children)) {
      const before = child.style.display;
      child.style.display = "none";
      const narrower = doc.documentElement.scrollWidth <= g.innerWidth;
      child.style.display = before;
      if (narrower) {
        next = child;
        break;
      }
    }
    if (!next) break;
    chain.push(`${next.tagName.toLowerCase()}${typeof next.className === "string" && next.className ? `.${next.className.trim().split(/\s+/).join(".")}` : ""}`);
    el = next;
  }
  // An open dialog (message details, a confirmation) must not scroll sideways either.
  for (const dialog of Array.from(doc.querySelectorAll("dialog[open]"))) {
    if (dialog.scrollWidth > dialog.clientWidth) chain.push(`dialog ${dialog.scrollWidth}px in ${dialog.clientWidth}px`);
  }
  return { scrollWidth, innerWidth: g.innerWidth, culprit: chain.join(" > ") };
}

/** Waits for the page's requests and rendering to settle. */
async function settle(page: Page) {
  await page.waitForLoadState("networkidle");
  // Some pages poll (a running validation); a spinner still there after a while is part of the page.
  await page.locator("main .spinner, main .skeleton").first().waitFor({ state: "detached", timeout: 5_000 }).catch(() => undefined);
}

/** Checks the current view's width and writes its screenshots (light, then dark). */
async function record(page: Page, width: number, name: string, problems: string[]) {
  await settle(page);
  const m = await page.evaluate(measure);
  if (m.scrollWidth > m.innerWidth || m.culprit) problems.push(`${name}: ${m.scrollWidth}px wide in ${m.innerWidth}px (${m.culprit})`);
  // Finished transitions: the switch to dark fades colours in.
  await page.screenshot({ path: path.join(SHOTS, `${width}`, `${name}.png`), fullPage: true, animations: "disabled" });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: path.join(SHOTS, `${width}`, `${name}.dark.png`), fullPage: true, animations: "disabled" });
  await page.emulateMedia({ colorScheme: "light" });
}

/** Views inside a page that only a click reaches: detail panels, expanded rows. */
const DETAIL_VIEWS: Record<string, { name: string; open: (page: Page) => Promise<boolean> }[]> = {
  "/w/$slug/reports": [
    {
      name: "event-log",
      open: async (page) => {
        await page.getByRole("radio", { name: "Event Log" }).check();
        return true;
      },
    },
    {
      name: "message",
      open: async (page) => {
        const first = page.locator("section[aria-label='Messages'] tbody tr .row-link").first();
        if (!(await first.count())) return false;
        await first.click();
        await page.locator("dialog.drawer[open] h2").first().waitFor();
        return true;
      },
    },
  ],
  "/w/$slug/audit-log": [
    {
      name: "entry",
      open: async (page) => {
        const expand = page.locator("main .expand-btn").first();
        if (!(await expand.count())) return false;
        await expand.click();
        return true;
      },
    },
  ],
  "/w/$slug/identities": [
    {
      name: "dns-records",
      open: async (page) => {
        const records = page.getByRole("button", { name: "DNS records", exact: true }).first();
        if (!(await records.count())) return false;
        await records.click();
        await page.locator("main .identity-detail").waitFor();
        return true;
      },
    },
  ],
  "/w/$slug/undeliverable": [
    {
      name: "allow",
      open: async (page) => {
        const allow = page.getByRole("button", { name: "Allow", exact: true }).first();
        if (!(await allow.count()) || (await allow.isDisabled())) return false;
        await allow.click();
        await page.locator("dialog[open]").waitFor();
        return true;
      },
    },
  ],
};

/** A page's own views: its tabs and the Setup Guide's phases. */
const VIEW_SWITCHES = "main [role='tab'], main ol[aria-label='Setup phases'] button";

/**
 * Visits every page (and its views) of every route at one viewport; returns what is too wide, and what
 * `check` finds wrong on each workspace page.
 */
async function walk(width: number, height: number, check: (page: Page) => Promise<string | null>): Promise<string[]> {
  const problems: string[] = [];
  const seen = new Set<string>();
  mkdirSync(path.join(SHOTS, `${width}`), { recursive: true });
  const inApp = await signedIn.newPage();
  const outside = await signedOut.newPage();
  await inApp.setViewportSize({ width, height });
  await outside.setViewportSize({ width, height });
  await inApp.goto(`/w/${own}`);
  await settle(inApp);
  const routes = await routePaths(inApp);
  expect(routes).toContain("/w/$slug/reports");

  for (const route of routes) {
    const targets = route.includes("$slug") ? workspaces.map((ws) => ({ page: inApp, ws })) : [{ page: outside, ws: "" }];
    for (const { page, ws } of targets) {
      await page.goto(route.replace("$slug", ws));
      await settle(page);
      // Routes that only redirect (/, /w/<slug>) land on another route's page: it is that route's visit.
      const landed = new URL(page.url());
      if (seen.has(landed.pathname)) continue;
      seen.add(landed.pathname);
      const slug = landed.pathname.split("/")[2]!;
      const inWorkspace = landed.pathname.startsWith("/w/");
      const landedRoute = inWorkspace ? landed.pathname.replace(`/w/${slug}`, "/w/$slug") : landed.pathname;
      const name = inWorkspace ? `${slug === own ? "own" : "demo"}${landedRoute.slice("/w/$slug".length).replace(/\//g, "_")}` : landed.pathname.slice(1) || "home";
      await record(page, width, name, problems);
      const wrong = inWorkspace ? await check(page) : null;
      if (wrong) problems.push(`${name}: ${wrong}`);

      // Each view starts from the page as it landed, so the n-th switch is always the same one.
      const switches = await page
        .locator(VIEW_SWITCHES)
        .evaluateAll((els) =>
          els.map((el) => ({
            label: (el.querySelector("strong") ?? el).textContent ?? "",
            current: el.getAttribute("aria-selected") === "true" || el.hasAttribute("aria-current"),
          })),
        );
      for (const [i, view] of switches.entries()) {
        if (view.current) continue;
        await page.goto(landed.href);
        await settle(page);
        await page.locator(VIEW_SWITCHES).nth(i).click();
        await record(page, width, `${name}--${view.label.trim().toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40)}`, problems);
      }
      for (const view of DETAIL_VIEWS[landedRoute] ?? []) {
        await page.goto(landed.href);
        await settle(page);
        if (await view.open(page)) await record(page, width, `${name}--${view.name}`, problems);
      }
    }
  }
  await inApp.close();
  await outside.close();
  return problems;
}

it("shows every page at 1440×900 no wider than the window, with the sidebar always open", async () => {
  const problems = await walk(DESKTOP.width, DESKTOP.height, async (page) => {
    if (!(await page.getByRole("navigation", { name: "Main" }).isVisible())) return "the sidebar is hidden";
    if (await page.getByRole("button", { name: "Menu" }).isVisible()) return "a menu button shows beside the sidebar";
    return null;
  });
  expect(problems).toEqual([]);
}, 900_000);

it("shows every page at 390×844 no wider than the window, with the navigation behind a menu button", async () => {
  const problems = await walk(PHONE.width, PHONE.height, async (page) => {
    if (await page.getByRole("navigation", { name: "Main" }).isVisible()) return "the navigation is open on arrival";
    const menu = page.getByRole("button", { name: "Menu" });
    if (!(await menu.isVisible()) || (await menu.getAttribute("aria-expanded")) !== "false") return "no closed menu button";
    return null;
  });
  expect(problems).toEqual([]);
}, 900_000);

it("at 390 px opens the navigation from the menu button and closes it on Escape, outside click and navigation", async () => {
  const page = await signedIn.newPage();
  await page.setViewportSize(PHONE);
  await page.goto(`/w/${own}/reports`);
  await settle(page);
  const menu = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  const focusedInNav = () => nav.evaluate((el) => el.contains(el.ownerDocument.activeElement));

  await menu.click();
  await nav.waitFor({ state: "visible" });
  expect(await menu.getAttribute("aria-expanded")).toBe("true");
  expect(await focusedInNav()).toBe(true);
  // The page behind the drawer is out of reach while it is open.
  expect(await page.locator(".main").getAttribute("inert")).not.toBeNull();

  await page.keyboard.press("Escape");
  await nav.waitFor({ state: "hidden" });
  expect(await menu.getAttribute("aria-expanded")).toBe("false");
  expect(await menu.evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);

  // The keyboard opens it too; a tap beside the drawer closes it.
  await page.keyboard.press("Enter");
  await nav.waitFor({ state: "visible" });
  await page.mouse.click(PHONE.width - 10, PHONE.height / 2);
  await nav.waitFor({ state: "hidden" });

  await menu.click();
  await nav.getByRole("link", { name: "Team" }).click();
  await page.waitForURL((u) => u.pathname === `/w/${own}/team`);
  await nav.waitFor({ state: "hidden" });
  expect(await menu.getAttribute("aria-expanded")).toBe("false");
  expect(await page.locator(".main").getAttribute("inert")).toBeNull();
  await page.close();
});

it("at 1440 px shows the whole Undeliverable table, dates on one line, however long an address or diagnostic", async () => {
  const page = await signedIn.newPage();
  await page.goto(`/w/${own}/undeliverable`);
  const row = page.locator(`tr[data-email='${LONG_ADDRESS}']`);
  await row.waitFor();
  const wrap = page.locator("main .table-wrap");
  const fits = await wrap.evaluate((el) => el.scrollWidth <= el.clientWidth);
  expect(fits).toBe(true);
  const card = (await wrap.boundingBox())!;
  for (const allow of await page.getByRole("button", { name: "Allow", exact: true }).all()) {
    const box = (await allow.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(card.x + card.width);
  }
  const lines = await page.locator("main tbody time").evaluateAll((els) => els.map((el) => el.getClientRects().length));
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.every((n) => n === 1)).toBe(true);
  // The whole diagnostic stays one hover away.
  expect(await row.getByTitle(LONG_DIAGNOSTIC).count()).toBe(1);
  await page.close();
});
