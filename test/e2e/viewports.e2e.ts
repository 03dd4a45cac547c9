import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { SIM_SENDOPS_ACCOUNT } from "../../sim/aws";
import { launchBrowser, signUpAndIn } from "./browser";
import { seedInfrastructure } from "./infrastructure-seed";
import { buildHistory } from "./reports-events";
import { seedHistoryWorkspace } from "./reports-seed";

/**
 * Issue 13, "Done when": every dashboard page at 390×844 and 1440×900 is no wider than the viewport, and
 * at 390 px the navigation is a drawer behind a menu button. The pages are the router's own routes (read
 * from the running app), so a new page is covered without touching this file; each page's tabs and steps,
 * and the detail views below, are visited too. A route with an id opens a real entity: the first one its
 * list returns in the demo, the one seeded for the own workspace. Screenshots of every page at both
 * widths, light and dark, go to test-results/screenshots/ for a reviewer (not committed).
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
  document: {
    documentElement: { scrollWidth: number; dataset: Record<string, string | undefined> };
    body: BrowserElement;
    querySelectorAll(selector: string): ArrayLike<BrowserElement>;
    getAnimations(): { transitionProperty?: string; finished: Promise<unknown> }[];
  };
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
/** Per workspace slug, the id each id parameter of a route ($channelId, $id) opens; absent: none to open. */
const entityIds = new Map<string, Record<string, string>>();
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
  const seeded = await seedHistoryWorkspace(base(), inject("persistDir"), `${session.name}=${session.value}`, now, [longBounce(now)]);
  own = seeded.slug;
  workspaces = [demo, own];
  const infra = await seedInfrastructure(inject("persistDir"), inject("dnsUrl"), seeded.orgId, now);
  entityIds.set(own, { channels: infra.channelId, "tracking-domains": infra.trackingDomainId });
  entityIds.set(demo, await firstEntities(demo));
  rmSync(SHOTS, { recursive: true, force: true });
});
afterAll(async () => {
  await browser?.close();
});

/** The demo's first channel, tracking domain, webhook endpoint and domain identity, as its lists return them (whatever the demo holds). */
async function firstEntities(slug: string): Promise<Record<string, string>> {
  const get = async (path: string) => {
    const res = await signedIn.request.get(`${base()}${path}`);
    expect(res.ok(), `${path}: ${res.status()}`).toBe(true);
    return res.json();
  };
  const orgId = ((await get("/api/me")).workspaces as { id: string; slug: string }[]).find((w) => w.slug === slug)!.id;
  const channel = ((await get(`/api/orgs/${orgId}/channels`)).channels as { id: string }[])[0];
  const tracking = ((await get(`/api/orgs/${orgId}/tracking-domains`)).data as { id: string }[])[0];
  const webhook = ((await get(`/api/orgs/${orgId}/webhooks`)).endpoints as { id: string }[])[0];
  const identity = ((await get(`/api/orgs/${orgId}/identities`)).domains as { id: string }[])[0];
  return {
    ...(channel && { channels: channel.id }),
    ...(tracking && { "tracking-domains": tracking.id }),
    ...(webhook && { webhooks: webhook.id }),
    ...(identity && { identities: identity.id }),
  };
}

/**
 * Where a route opens in a workspace: "/w/$slug/channels/$channelId" → the path of that workspace's
 * entity (the id parameter follows its list's segment). A workspace without one opens the own
 * workspace's instead, so the page is still seen once.
 */
function pathOf(route: string, ws: string): string {
  const param = /\/([^/]+)\/\$[A-Za-z]+$/.exec(route);
  if (!param || !ws) return route.replace("$slug", ws);
  const segment = param[1]!;
  const id = entityIds.get(ws)?.[segment];
  if (!id) return ws === own ? route.replace("$slug", ws) : pathOf(route, own);
  return route.replace("$slug", ws).replace(/\$[A-Za-z]+$/, id);
}

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
  // The app repaints on the media change (web/src/lib/theme.ts); the colour transitions it starts end first.
  await page.waitForFunction(() => (globalThis as unknown as BrowserGlobals).document.documentElement.dataset.theme === "dark");
  await page.evaluate(() =>
    Promise.all(
      (globalThis as unknown as BrowserGlobals).document
        .getAnimations()
        .filter((a) => a.transitionProperty !== undefined)
        .map((a) => a.finished.catch(() => undefined)),
    ),
  );
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
    {
      name: "row-menu",
      open: async (page) => {
        const more = page.getByRole("button", { name: /^More actions for / }).first();
        if (!(await more.count())) return false;
        await more.click();
        await page.getByRole("menu").waitFor();
        return true;
      },
    },
  ],
  "/w/$slug/channels": [
    { name: "new-channel", open: (page) => newChannelWizard(page, 0) },
    { name: "new-channel-settings", open: (page) => newChannelWizard(page, 1) },
    { name: "new-channel-review", open: (page) => newChannelWizard(page, 2) },
  ],
  "/w/$slug/tracking-domains": [
    { name: "add", open: (page) => addTrackingDomainWizard(page, false) },
    { name: "add-https", open: (page) => addTrackingDomainWizard(page, true) },
  ],
  "/w/$slug/tracking-domains/$id": [
    {
      name: "dns-records",
      open: async (page) => {
        await page.locator("main details.disclosure summary").click();
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

/** The New Channel wizard at its `step`-th step (Details, Settings, Review), where the workspace may create one. */
async function newChannelWizard(page: Page, step: number): Promise<boolean> {
  const open = page.getByRole("button", { name: "New Channel" });
  if (await open.isDisabled()) return false;
  await open.click();
  const wizard = page.getByRole("dialog");
  await wizard.getByLabel("Name").fill("Password Reset Notifications");
  await wizard.getByRole("radio", { name: /Marketing/ }).check();
  for (let i = 0; i < step; i++) await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByRole("heading", { name: /^New Channel · / }).waitFor();
  return true;
}

/** The Add Tracking Domain wizard at its subdomain step, or at its protocol step with HTTPS chosen. */
async function addTrackingDomainWizard(page: Page, https: boolean): Promise<boolean> {
  const open = page.getByRole("button", { name: "Add Tracking Domain" });
  if (await open.isDisabled()) return false;
  await open.click();
  const wizard = page.getByRole("dialog");
  await wizard.getByLabel("Subdomain").fill("links.notifications.example-enterprise.co.uk");
  if (https) {
    await wizard.getByRole("button", { name: "Continue" }).click();
    await wizard.getByRole("radio", { name: /HTTPS/ }).check();
    await wizard.getByLabel("CDN Domain").fill("d1a2b3c4d5e6f7g8h9.cloudfront.net");
  }
  return true;
}

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
      const target = pathOf(route, ws);
      await page.goto(target);
      await settle(page);
      // Routes that only redirect (/, /w/<slug>) land on another route's page: it is that route's visit.
      const landed = new URL(page.url());
      if (seen.has(landed.pathname)) continue;
      seen.add(landed.pathname);
      const slug = landed.pathname.split("/")[2]!;
      const inWorkspace = landed.pathname.startsWith("/w/");
      const landedRoute = landed.pathname === target ? route : inWorkspace ? landed.pathname.replace(`/w/${slug}`, "/w/$slug") : landed.pathname;
      const name = inWorkspace ? `${slug === own ? "own" : "demo"}${landedRoute.slice("/w/$slug".length).replace(/\//g, "_").replace(/\$/g, "")}` : landed.pathname.slice(1) || "home";
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

/** The page's own session calls the API (same origin), as the dashboard does. */
async function apiCall(page: Page, path: string, method = "GET", body?: unknown): Promise<Json> {
  const res = await page.evaluate(
    async ([p, m, b]) => {
      const r = await fetch(p as string, { method: m as string, headers: b === undefined ? {} : { "content-type": "application/json" }, body: b === undefined ? undefined : JSON.stringify(b) });
      return { status: r.status, body: (await r.json()) as Record<string, any> };
    },
    [path, method, body] as const,
  );
  expect(res.status, `${method} ${path}: ${JSON.stringify(res.body)}`).toBeLessThan(300);
  return res.body;
}

/** A new workspace of the signed-in user, connected to a fresh account in the AWS stand-in. Returns its slug. */
async function connectedWorkspace(page: Page): Promise<string> {
  const { workspace } = (await apiCall(page, "/api/workspaces", "POST", { name: "Viewport AWS" })) as { workspace: { id: string; slug: string } };
  const { externalId } = (await apiCall(page, `/api/orgs/${workspace.id}/aws-connection`)) as { externalId: string };
  const roleArn = `arn:aws:iam::${String(300_000_000_000 + Math.floor(Math.random() * 600_000_000_000))}:role/SendOpsRole`;
  const role = await fetch(`${inject("awsUrl")}/__sim/roles`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ arn: roleArn, trustedAccount: SIM_SENDOPS_ACCOUNT, externalId }),
  });
  expect(role.ok).toBe(true);
  expect(((await apiCall(page, `/api/orgs/${workspace.id}/aws-connection`, "PUT", { roleArn, region: "eu-west-1" })) as { status: string }).status).toBe("connected");
  return workspace.slug;
}

it("fits the Add Domain dialog and the Add Tracking Domain wizard, up to their DNS records, at 1440 and 390 px", async () => {
  // Both call SES, so they open only in a workspace with an AWS connection.
  const page = await signedIn.newPage();
  await page.goto(`/w/${own}/identities`);
  const slug = await connectedWorkspace(page);
  const problems: string[] = [];
  for (const { width, height } of [DESKTOP, PHONE]) {
    mkdirSync(path.join(SHOTS, `${width}`), { recursive: true });
    await page.setViewportSize({ width, height });
    const run = `${width}-${Date.now().toString(36)}`;

    await page.goto(`/w/${slug}/identities`);
    await settle(page);
    await page.getByRole("button", { name: "Add Domain" }).first().click();
    const dialog = page.getByRole("dialog");
    await dialog.getByRole("textbox", { name: "Domain" }).fill(`mail-${run}.subsidiary.example-enterprise.co.uk`);
    await record(page, width, "aws_identities--add-domain", problems);
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    await dialog.getByRole("list", { name: /^DNS records for / }).waitFor();
    await record(page, width, "aws_identities--add-domain-records", problems);
    await dialog.getByRole("button", { name: "Done" }).click();

    await page.goto(`/w/${slug}/tracking-domains`);
    await settle(page);
    await page.getByRole("button", { name: "Add Tracking Domain" }).click();
    const wizard = page.getByRole("dialog");
    await wizard.getByLabel("Subdomain").fill(`links-${run}.notifications.example-enterprise.co.uk`);
    await wizard.getByRole("button", { name: "Continue" }).click();
    await wizard.getByRole("button", { name: "Create Domain" }).click();
    await wizard.getByRole("heading", { name: "Add these DNS records" }).waitFor();
    await record(page, width, "aws_tracking-domains--add-records", problems);
  }
  expect(problems).toEqual([]);
  await page.close();
});

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
