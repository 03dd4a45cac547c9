import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { DEMO_READ_ONLY_MESSAGE } from "../../worker/auth/permissions";
import { launchBrowser, signUpAndIn, switchToOwnWorkspace } from "./browser";

/**
 * Issue 4's Suppression List in a real browser. The demo: its list comes from its own hard bounces and
 * complaints (posted here through the real ingest path), searchable, removal refused. An own workspace:
 * Settings → AWS Connection against the AWS stand-in (a wrong role fails with the docs' hints, the
 * right one connects), then the SES list on Reports → Deliverability: sort, search, remove in SES.
 */

type Json = Record<string, any>;
const FIXTURES = path.resolve(import.meta.dirname, "..", "fixtures", "ses-events");
const PASSWORD = "correct horse battery";
const WAIT_MS = 30_000;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

let seq = 0;
function event(kind: string, recipient: string): Json {
  const e = JSON.parse(readFileSync(path.join(FIXTURES, `${kind}.json`), "utf8")) as Json;
  const n = ++seq;
  const at = new Date(Date.now() - n * 60_000).toISOString();
  e.id = `e2e-sl-0000-4000-8000-${String(n).padStart(12, "0")}-${Date.now()}`;
  e.time = at;
  e.detail.mail = { ...e.detail.mail, messageId: `0100018f7a2b${String(n).padStart(4, "0")}-sl00-4e0f-a1b2-${Date.now()}-000000`, timestamp: at, destination: [recipient] };
  for (const r of e.detail.bounce?.bouncedRecipients ?? []) r.emailAddress = recipient;
  for (const r of e.detail.complaint?.complainedRecipients ?? []) r.emailAddress = recipient;
  if (e.detail.bounce) e.detail.bounce.timestamp = at;
  if (e.detail.complaint) e.detail.complaint.timestamp = at;
  return e;
}

const list = (page: Page) => page.getByRole("region", { name: "Suppression List" });
const rows = (page: Page) => list(page).locator("tbody tr");

it("the demo's Deliverability tab lists its hard-bounced and complained recipients, searchable, and refuses removal", async () => {
  const base = inject("baseUrl");
  // The demo's ingest key (made by the global setup, as `npm start`'s seed does); its failures go through the real ingest path.
  const ingestKey = inject("demoIngestKey");
  const events = [
    event("bounce-permanent-noemail", "gone.user@gmail.com"),
    event("bounce-permanent-general", "old.box@yahoo.com"),
    event("complaint", "angry.reader@gmail.com"),
    event("bounce-transient-general", "full.inbox@gmail.com"),
  ];
  for (const e of events) {
    const res = await fetch(`${base}/ingest/eventbridge`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": ingestKey }, body: JSON.stringify(e) });
    expect(res.status).toBe(202);
  }

  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await signUpAndIn(page, "Sam Suppress", "sl-demo", PASSWORD);
  await page.goto("/w/demo/reports?tab=deliverability");
  await list(page).waitFor();
  // Refresh re-derives the demo's copy from its events (the consumer may still be storing them).
  await expect
    .poll(
      async () => {
        const refresh = list(page).getByRole("button", { name: "Refresh" });
        if (await refresh.isEnabled()) await refresh.click();
        await page.waitForTimeout(500);
        return rows(page).count();
      },
      { timeout: WAIT_MS },
    )
    .toBe(3);
  await list(page).getByText(/^3 addresses · synced/).waitFor();
  expect(await rows(page).locator("td:first-child").allTextContents()).toEqual(expect.arrayContaining(["gone.user@gmail.com", "old.box@yahoo.com", "angry.reader@gmail.com"]));

  await list(page).getByLabel("Search address").fill("GMAIL");
  await expect.poll(() => rows(page).count(), { timeout: WAIT_MS }).toBe(2);
  await list(page).getByLabel("Reason").selectOption("COMPLAINT");
  await expect.poll(() => rows(page).locator("td:first-child").allTextContents(), { timeout: WAIT_MS }).toEqual(["angry.reader@gmail.com"]);
  // Refused in the demo up front, with the one read-only reason every refused action shows (demo-read-only.e2e.ts).
  const remove = list(page).getByRole("button", { name: "Remove angry.reader@gmail.com" });
  await expect(remove.isDisabled()).resolves.toBe(true);
  expect(await page.locator(`[id="${await remove.getAttribute("aria-describedby")}"]`).textContent()).toBe(DEMO_READ_ONLY_MESSAGE);
  await context.close();
});

it("an own workspace connects AWS (a wrong role shows the hints), then sorts, searches and removes from the SES list", async () => {
  const base = inject("baseUrl");
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await signUpAndIn(page, "Sam Suppress", "sl-own", PASSWORD);
  const slug = await switchToOwnWorkspace(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "AWS Connection" }).click();
  await page.getByRole("heading", { name: "AWS Connection", level: 1 }).waitFor();
  await page.getByText("Not connected", { exact: true }).waitFor();
  const externalId = (await page.getByTestId("external-id").textContent())!;
  expect(externalId).toMatch(/^sendops-[0-9a-f]{32}$/);
  await page.getByRole("button", { name: "Copy the External ID" }).click();
  await expect(page.evaluate<string>("navigator.clipboard.readText()")).resolves.toBe(externalId);

  // A role that does not exist: AccessDenied, with what to check.
  await page.getByLabel("AWS Region").selectOption("us-east-1");
  await page.getByLabel("Role ARN").fill("arn:aws:iam::444455556666:role/NotThere");
  await page.getByRole("button", { name: "Validate" }).click();
  await page.getByText("Connection failed: AccessDenied").waitFor();
  await page.getByText(/ensure the IAM role ARN is correct/).waitFor();
  await page.getByText(/is exactly/).first().waitFor();

  // The stand-in's SendOpsRole trusts SendOps with the first External ID it is shown: this workspace's.
  await page.getByLabel("Role ARN").fill("arn:aws:iam::222233334444:role/SendOpsRole");
  await page.getByRole("button", { name: "Validate" }).click();
  await page.getByText("AWS account connected").waitFor();
  await page.getByRole("button", { name: "Re-validate" }).waitFor();

  // The stand-in seeded this account's list: the first view syncs it.
  await page.goto(`/w/${slug}/reports?tab=deliverability`);
  await list(page).getByText(/400 addresses · synced/).waitFor({ timeout: 60_000 });
  await expect.poll(() => rows(page).count(), { timeout: WAIT_MS }).toBe(50);
  await list(page).getByRole("button", { name: "Load more" }).click();
  await expect.poll(() => rows(page).count(), { timeout: WAIT_MS }).toBe(100);

  await list(page).getByRole("button", { name: "Address" }).click();
  await expect.poll(async () => {
    const shown = await rows(page).locator("td:first-child").allTextContents();
    return shown.length === 50 && shown.every((a, i) => i === 0 || shown[i - 1]! <= a);
  }, { timeout: WAIT_MS }).toBe(true);
  const target = (await rows(page).first().locator("td:first-child").textContent())!;

  await list(page).getByLabel("Search address").fill(target);
  await expect.poll(() => rows(page).count(), { timeout: WAIT_MS }).toBe(1);
  await list(page).getByRole("button", { name: `Remove ${target}` }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Remove" }).click();
  await page.getByText(`Removed ${target} from the SES suppression list.`).waitFor();
  await list(page).getByText("No suppressed addresses match").waitFor();

  // Gone in "SES" too.
  const sim = (await (await fetch(`${inject("awsUrl")}/__sim/accounts/222233334444/us-east-1/suppressions`)).json()) as { entries: { EmailAddress: string }[] };
  expect(sim.entries).toHaveLength(399);
  expect(sim.entries.map((e) => e.EmailAddress)).not.toContain(target);
  await context.close();
});
