import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { DEMO_READ_ONLY_MESSAGE } from "../../worker/auth/permissions";
import { DEMO_AWS } from "../../worker/services/demo";
import { launchBrowser, signUpAndIn } from "./browser";
import { PASSWORD } from "./ses-history";

/**
 * Issue 14, deliverable 6: the demo workspace shows every Infrastructure page with something real — the
 * four default channels (Default marked, each with its purpose's settings, its sesmail- set and
 * EventBridge destination read live from the demo's SES account in the AWS stand-in) and a discovered
 * one, identities with an
 * unverified domain and a DMARC warning, and a verified tracking domain. What cannot be changed in the
 * read-only demo is disabled with the demo's reason.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const main = (page: Page) => page.locator("main");
const row = (page: Page, table: string, name: string) => main(page).getByRole("table", { name }).getByRole("row").filter({ hasText: table });

it("shows the demo's channels, identities and tracking domain as the seed set them up", async () => {
  const base = inject("baseUrl");
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signUpAndIn(page, "Ida Infra", "demo-infra", PASSWORD);

  // Channels: the documented defaults, Default marked as the default, all synced with their presets.
  await page.goto("/w/demo/channels");
  const table = main(page).getByRole("table", { name: "Channels" });
  await table.getByRole("link", { name: "Default" }).waitFor();
  expect((await table.getByRole("link").allTextContents()).sort()).toEqual(["Default", "Marketing", "Onboarding", "Transactional", "acme-billing"]);
  // The set the demo company made in the SES console, found by an account sync.
  const found = row(page, "acme-billing", "Channels");
  await found.locator("td").first().getByText("Discovered").waitFor();
  await found.locator("td").first().getByText("New").waitFor();
  for (const name of ["Default", "Transactional", "Marketing", "Onboarding"]) {
    const r = row(page, `sesmail-${name.toLowerCase()}`, "Channels");
    expect(await r.locator("td").first().locator(".badge", { hasText: "Default" }).count(), `${name}: default badge`).toBe(name === "Default" ? 1 : 0);
    await r.getByText("Synced").waitFor();
    await r.getByText("Enabled").waitFor();
  }

  // Marketing: tracking on, bounce + complaint suppression, high auto validation; read-only controls.
  await table.getByRole("link", { name: "Marketing" }).click();
  const tracking = main(page).getByRole("switch", { name: "Tracking" });
  await tracking.waitFor();
  expect(await tracking.isChecked()).toBe(true);
  expect(await tracking.isDisabled()).toBe(true);
  expect(await main(page).getByRole("radiogroup", { name: "Auto validation" }).getAttribute("title")).toBe(DEMO_READ_ONLY_MESSAGE);
  expect(await main(page).getByRole("radiogroup", { name: "Auto validation" }).getByRole("radio", { name: "High" }).isChecked()).toBe(true);
  await main(page).getByText("X-SES-CONFIGURATION-SET: sesmail-marketing").waitFor();
  // Read from the demo's SES account (the stand-in), not the fallback: every event type, to the default bus.
  const destinations = main(page).getByRole("table", { name: "Event destinations" });
  await destinations.getByText("sendops-eventbridge").waitFor();
  await destinations.getByText(`arn:aws:events:${DEMO_AWS.region}:${DEMO_AWS.accountId}:event-bus/default`).waitFor();
  expect(await destinations.getByText(/open, click/).count()).toBe(1);
  expect(await main(page).getByText("As SendOps configured them").count()).toBe(0);

  // Transactional: tracking off, so its destination publishes no open or click events.
  await page.goto("/w/demo/channels");
  await table.getByRole("link", { name: "Transactional" }).click();
  await main(page).getByRole("switch", { name: "Tracking" }).waitFor();
  expect(await main(page).getByRole("switch", { name: "Tracking" }).isChecked()).toBe(false);
  await main(page).getByRole("table", { name: "Event destinations" }).getByText("sendops-eventbridge").waitFor();
  expect(await main(page).getByRole("table", { name: "Event destinations" }).getByText(/open|click/).count()).toBe(0);

  // Identities: verified domains with their checks, the unverified one, the DMARC warning, their channels.
  await page.goto("/w/demo/identities");
  const domains = "Domain Identities";
  await row(page, "mail.example.com", domains).waitFor();
  const mail = row(page, "mail.example.com", domains);
  expect(await mail.locator("td").nth(1).textContent()).toBe("Verified");
  expect(await mail.locator("td").nth(4).textContent()).toBe("p=quarantine");
  const news = row(page, "news.example.com", domains);
  expect(await news.locator("td").nth(4).locator(".badge-warning").textContent()).toBe("p=none");
  expect(await news.locator("td").nth(4).locator(".badge").getAttribute("title")).toMatch(/^DMARC policy is none/);
  const updates = row(page, "updates.example.com", domains);
  expect(await updates.locator("td").nth(1).textContent()).toBe("Pending");
  expect(await updates.locator("td").nth(2).textContent()).toBe("Pending");
  const channelOf = main(page).getByRole("combobox", { name: "Channel of mail.example.com" });
  expect(await channelOf.locator("option:checked").textContent()).toBe("Transactional");
  expect(await channelOf.isDisabled()).toBe(true);
  expect(await page.locator(`[id="${await channelOf.getAttribute("aria-describedby")}"]`).textContent()).toBe(DEMO_READ_ONLY_MESSAGE);
  expect(await main(page).getByRole("combobox", { name: "Channel of alerts@example.com" }).locator("option:checked").textContent()).toBe("Default (default)");
  // The unverified domain's records: its DKIM CNAMEs are not published yet.
  await updates.getByRole("button", { name: "DNS records" }).click();
  await main(page).getByRole("region", { name: "DNS records for updates.example.com" }).getByText("Not found yet.").first().waitFor();

  // Tracking domains: verified (both halves).
  await page.goto("/w/demo/tracking-domains");
  const track = row(page, "track.example.com", "Tracking domains");
  await track.waitFor();
  expect(await track.locator("td").nth(2).textContent()).toBe("Verified");
  await context.close();
});

it("the demo's SES account in the stand-in holds the channels' sesmail- sets with their EventBridge destinations", async () => {
  const state = (await (await fetch(`${inject("awsUrl")}/__sim/accounts/${DEMO_AWS.accountId}/${DEMO_AWS.region}`)).json()) as {
    configurationSets: { ConfigurationSetName: string; EventDestinations: { Name: string; Enabled: boolean; EventBridgeDestination?: { EventBusArn: string } }[] }[];
  };
  const sets = state.configurationSets.filter((s) => s.ConfigurationSetName.startsWith("sesmail-"));
  expect(sets.map((s) => s.ConfigurationSetName).sort()).toEqual(["sesmail-default", "sesmail-marketing", "sesmail-onboarding", "sesmail-transactional"]);
  for (const s of sets) {
    expect(s.EventDestinations.map((d) => [d.Name, d.Enabled, d.EventBridgeDestination?.EventBusArn])).toEqual([
      ["sendops-eventbridge", true, `arn:aws:events:${DEMO_AWS.region}:${DEMO_AWS.accountId}:event-bus/default`],
    ]);
  }
});
