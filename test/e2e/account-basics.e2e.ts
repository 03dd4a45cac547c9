import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Locator } from "playwright-core";
import { launchBrowser } from "./browser";
import { api, eventually, newMessageId, ownWorkspace, PASSWORD, postEvents, sesEvent, signInAs } from "./ses-history";

/**
 * Issue 13, item 9: sign-up says each problem once and hands the email to sign-in; a new workspace is
 * created under the name the user gives it; workspaces are told apart in the switcher (own initials and
 * colour, long names cut with an ellipsis and whole in the tooltip); recipient search finds addresses
 * by their beginning.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const LONG_NAME = "Dana's Extraordinarily Long Workspace Name For Testing";

it("signs up with one message per problem, carries the email to sign-in, and names the workspaces it creates", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const email = `dana.${Date.now().toString(36)}@example.test`;

  await page.goto("/sign-up");
  await page.getByLabel("Full name").fill("Dana Scully");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByLabel("I agree to the Terms of Service and Privacy Policy").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("Password must be at least 8 characters.").waitFor();
  expect(await page.locator("form").getByText(/8 characters/).count()).toBe(1);

  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((u) => u.pathname === "/sign-in");
  expect(await page.getByLabel("Email").inputValue()).toBe(email);
  // The address is handed over in the page's history state, not in the URL.
  expect(page.url()).not.toContain(encodeURIComponent(email));
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/w/demo/"));

  // "Switch to your workspace" asks for the name first (suggesting one) and creates nothing until confirmed.
  await page.getByRole("button", { name: "Switch to your workspace" }).click();
  const dialog = page.getByRole("dialog", { name: "Create your workspace" });
  expect(await dialog.getByLabel("Workspace name").inputValue()).toBe("Dana's Workspace");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  expect(((await (await context.request.get("/api/me")).json()) as { workspaces: unknown[] }).workspaces).toHaveLength(1);
  await page.getByRole("button", { name: "Switch to your workspace" }).click();
  // It is the same dialog as the switcher's (checked below): the banner's own styles stay out of it.
  const create = dialog.getByRole("button", { name: "Create workspace" });
  const fromBanner = await create.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor);
  await create.click();
  await page.waitForURL((u) => /^\/w\/danas-workspace(-\d+)?\/setup$/.test(u.pathname));
  const first = new URL(page.url()).pathname;

  // Demo and own workspace look different in the switcher.
  const switcher = page.getByRole("button", { name: /Switch workspace/ });
  await switcher.click();
  const items = page.getByRole("list", { name: "Workspaces" }).getByRole("link");
  const look = async (item: Locator) =>
    item.locator(".ws-mark").evaluate((el) => ({ text: el.textContent, background: el.ownerDocument.defaultView!.getComputedStyle(el).backgroundImage + el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor }));
  const [demo, own] = [await look(items.filter({ hasText: "Demo Workspace" })), await look(items.filter({ hasText: "Dana's Workspace" }))];
  expect(own.text).not.toBe(demo.text);
  expect(own.background).not.toBe(demo.background);

  // "New workspace" asks for the name too; a long one is cut with an ellipsis and whole in the tooltip.
  await page.getByRole("button", { name: "New workspace" }).click();
  expect(await create.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor)).toBe(fromBanner);
  await dialog.getByLabel("Workspace name").fill(LONG_NAME);
  await dialog.getByRole("button", { name: "Create workspace" }).click();
  await page.waitForURL((u) => u.pathname.endsWith("/setup") && u.pathname !== first);
  const current = switcher.locator("strong");
  expect(await current.textContent()).toBe(LONG_NAME);
  expect(await switcher.getAttribute("title")).toBe(LONG_NAME);
  expect(await current.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).textOverflow === "ellipsis" && el.scrollWidth > el.clientWidth)).toBe(true);
  await switcher.click();
  const longItem = page.getByRole("list", { name: "Workspaces" }).getByRole("link", { name: LONG_NAME });
  expect(await longItem.getAttribute("title")).toBe(LONG_NAME);
  const others = await page.getByRole("list", { name: "Workspaces" }).locator(".ws-mark").allTextContents();
  expect(new Set(others).size).toBe(3);
  await context.close();
});

it("finds messages and events by the beginning of the recipient's address", async () => {
  const base = inject("baseUrl");
  const ws = await ownWorkspace(base, inject("persistDir"), "Prefix Search");
  const now = Date.now();
  const recipients = ["jane.doe@example.net", "jane.roe@example.net", "john.smith@example.net"];
  await postEvents(
    base,
    ws.ingestKey,
    recipients.map((recipient, i) => sesEvent("send", { recipient, messageId: newMessageId(), sentAt: now - (i + 1) * 60_000 })),
  );
  await eventually(async () => {
    const res = await api(base, `/api/orgs/${ws.orgId}/messages?from=${now - 86_400_000}`, { cookie: ws.cookie });
    return ((await res.json()) as { messages: unknown[] }).messages.length === 3;
  }, "three messages");

  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signInAs(page, ws.email);
  await page.goto(`/w/${ws.slug}/reports`);
  const listed = () => page.locator("td.cell-recipient .row-link").allTextContents();
  await expect
    .poll(listed, { timeout: 30_000 })
    .toHaveLength(3)
    .catch(async (err: Error) => {
      // What the page showed instead, so a failure says why.
      throw new Error(`${err.message}\n${page.url()}\n${(await page.locator("body").innerText()).slice(0, 2000)}`);
    });

  const search = page.getByLabel("Recipient");
  await search.fill("JANE");
  await expect.poll(listed, { timeout: 30_000 }).toEqual(["jane.doe@example.net", "jane.roe@example.net"]);
  await search.fill("jane.r");
  await expect.poll(listed, { timeout: 30_000 }).toEqual(["jane.roe@example.net"]);
  await search.fill("nobody");
  await page.getByText("No recipient address starts with “nobody” in this range.").waitFor();

  await page.getByText("Event Log", { exact: true }).click();
  await page.getByLabel("Recipient").fill("jo");
  await expect.poll(listed, { timeout: 30_000 }).toEqual(["john.smith@example.net"]);
  await context.close();
});
