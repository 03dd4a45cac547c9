import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser } from "./browser";
import { ownWorkspace, signInAs } from "./ses-history";

/**
 * Issue 13, item 8: the Audit Log follows the doc (team__audit-log.md): columns Time, Actor, Resource,
 * Operation, Summary; operations read alike whatever verb form their writer stored ("create" and
 * "created" are both Created), resource types are named as the product names them.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("shows Resource, Operation and Summary columns with consistent labels, and filters by one Created", async () => {
  // Creating the workspace writes `workspace created`; its ingest key `ingest_key create`; the identity `identity create`.
  const ws = await ownWorkspace(inject("baseUrl"), inject("persistDir"), "Ledger Books");
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signInAs(page, ws.email);
  await page.goto(`/w/${ws.slug}/audit-log`);
  await page.getByRole("heading", { name: "Audit Log", level: 1 }).waitFor();
  const table = page.getByRole("table");
  await table.locator("tbody tr").first().waitFor();

  const headers = (await table.locator("thead th").allTextContents()).map((h) => h.trim()).filter(Boolean);
  expect(headers).toEqual(["Time", "Actor", "Resource", "Operation", "Summary", "Details"]);

  const rows = await table.locator("tbody tr").evaluateAll((trs) =>
    trs.filter((tr) => tr.querySelector("td")).map((tr) => [...tr.querySelectorAll("td")].map((td) => td.innerText.trim())),
  );
  const byResource = (name: string) => rows.find((r) => r[2]!.startsWith(name));
  expect(byResource("Workspace")?.[3]).toBe("Created");
  expect(byResource("Ingest key")?.[3]).toBe("Created");
  expect(byResource("Identity")?.[3]).toBe("Created");
  expect(byResource("Ingest key")?.[4]).toMatch(/^Created the ingest key sik_/);

  const operations = await page.getByLabel("Operation").locator("option").allTextContents();
  expect(operations).toEqual(["All operations", "Created"]);
  const resources = await page.getByLabel("Resource type").locator("option").allTextContents();
  expect(resources).toEqual(["All resources", "Identity", "Ingest key", "Workspace"]);

  await page.getByLabel("Operation").selectOption({ label: "Created" });
  await expect.poll(() => table.locator("tbody tr td:nth-child(4)").allTextContents(), { timeout: 30_000 }).toEqual(["Created", "Created", "Created"]);
  await context.close();
});
