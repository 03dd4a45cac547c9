import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { wranglerDb } from "../../scripts/lib/d1";
import { recordDemoSeed } from "../../worker/services/demo-seed";
import { launchBrowser, signUpAndIn } from "./browser";
import { eventually, newMessageId, PASSWORD, postEvents, sesEvent } from "./ses-history";

/**
 * Issue 13, item 4 (first half): while the demo is being seeded, Reports says that sample data is still
 * arriving and how far it got (events stored of the seed's plan), and stops saying so once all are in.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const sends = (n: number) =>
  Array.from({ length: n }, (_, i) => sesEvent("send", { recipient: `seed.reader${i}@example.net`, messageId: newMessageId(), sentAt: Date.now() - (i + 1) * 60_000 }));

it("shows the seed's progress on Reports while the demo fills, and nothing once it is complete", async () => {
  const base = inject("baseUrl");
  const db = wranglerDb({ persistDir: inject("persistDir") });
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, locale: "en-US" });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signUpAndIn(page, "Sid Seed", "demo-seed", PASSWORD);

  // Other tests post into the demo too: the plan is whatever is stored now plus 8 events.
  await recordDemoSeed(db, "org_demo", Number.MAX_SAFE_INTEGER);
  const status = async () => (await (await context.request.get(`${base}/api/orgs/org_demo/demo-seed`)).json()) as { seeding: boolean; storedEvents: number; plannedEvents: number | null };
  const baseline = (await status()).storedEvents;
  await recordDemoSeed(db, "org_demo", baseline + 8);
  await postEvents(base, inject("demoIngestKey"), sends(4));
  await eventually(async () => (await status()).storedEvents === baseline + 4, "4 stored events");

  await page.goto("/w/demo/reports");
  const notice = page.getByRole("status").filter({ hasText: "Sample data is still arriving" });
  await notice.waitFor();
  const n = (v: number) => v.toLocaleString("en-US");
  await notice.getByText(`${n(baseline + 4)} of ${n(baseline + 8)} events stored`).waitFor();
  expect(await notice.getByRole("progressbar").getAttribute("aria-valuenow")).toBe(String(Math.floor((100 * (baseline + 4)) / (baseline + 8))));
  // It stays on every tab of Reports.
  await page.getByRole("tab", { name: "Deliverability" }).click();
  await notice.waitFor();

  await postEvents(base, inject("demoIngestKey"), sends(4));
  await notice.waitFor({ state: "detached", timeout: 60_000 });
  expect((await status()).seeding).toBe(false);
  await context.close();
});
