import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { SIM_SENDOPS_ACCOUNT } from "../../sim/aws";
import { DEFAULT_CHANNELS } from "../../worker/lib/channels";
import { launchBrowser, signUpAndIn, switchToOwnWorkspace } from "./browser";

/**
 * Issue 14's first "Done when", end to end in a real browser: a workspace connected to its own simulated
 * AWS account adds a domain on the Identities page, sees its DNS records, publishes them in the DNS
 * stand-in as a customer would at their DNS provider, clicks Refresh and sees it Verified (the SES
 * stand-in verifies DKIM through DNS) with SPF and DMARC ok; the four default channels appear (the
 * provisioning job runs on the jobs queue); a channel made with the New Channel wizard is assigned to the
 * domain, and SES applies its sesmail- configuration set; renaming that channel and deleting it move the
 * domain along, as the Identities page shows. The Setup Guide's phase 3 then lists the channels and
 * disconnects and connects the domain without touching SES. (The wizard's settings, pushes
 * and sync errors are channels.e2e.ts's.)
 */

const PASSWORD = "correct horse battery";
const WAIT_MS = 30_000;
/** The provisioning job's bound: the local queue delivers within seconds; this leaves room for a busy machine. */
const PROVISION_MS = 60_000;
const REGION = "eu-west-1";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

type SesIdentity = { identity: string; ConfigurationSetName?: string };

async function simCall(path: string, method = "GET", json?: unknown) {
  const res = await fetch(`${inject("awsUrl")}/__sim${path}`, {
    method,
    headers: json === undefined ? {} : { "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  expect(res.ok, await res.clone().text()).toBe(true);
  return res.json();
}

const sesIdentity = async (account: string, name: string) => ((await simCall(`/accounts/${account}/${REGION}`)) as { identities: SesIdentity[] }).identities.find((i) => i.identity === name);

async function putDns(name: string, type: string, values: string[]) {
  const res = await fetch(`${inject("dnsUrl")}/__sim/dns/records`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type, values }) });
  expect(res.ok, await res.clone().text()).toBe(true);
}

const nav = (page: Page, name: string) => page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
const domainRow = (page: Page, domain: string) => page.getByRole("table", { name: "Domain Identities" }).getByRole("row").filter({ hasText: domain });

/** The Channels page's channel names, reloading it until `expected` shows (the list does not poll). */
async function channelNamesUntil(page: Page, expected: string[]) {
  const table = page.getByRole("table", { name: "Channels" });
  await expect
    .poll(
      async () => {
        await page.reload();
        await table.or(page.getByText("No channels yet")).first().waitFor();
        return (await table.count()) ? table.getByRole("row").getByRole("link").allTextContents() : [];
      },
      { timeout: PROVISION_MS, interval: 1_000 },
    )
    .toEqual(expected);
}

it("adds a domain, verifies it through DNS with Refresh, gets the default channels, and assigns it a channel made with the wizard", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await signUpAndIn(page, "Ida Identity", "identities", PASSWORD);
  const slug = await switchToOwnWorkspace(page);

  // Connect a fresh account whose role trusts SendOps with this workspace's External ID.
  await nav(page, "AWS Connection");
  const externalId = (await page.getByTestId("external-id").textContent())!;
  const account = `7${Date.now().toString().slice(-11)}`;
  const roleArn = `arn:aws:iam::${account}:role/SendOpsRole`;
  await simCall("/roles", "PUT", { arn: roleArn, trustedAccount: SIM_SENDOPS_ACCOUNT, externalId });
  await page.getByLabel("AWS Region").selectOption(REGION);
  await page.getByLabel("Role ARN").fill(roleArn);
  await page.getByRole("button", { name: "Validate" }).click();
  await page.getByText("AWS account connected").waitFor();

  // No channels before the first domain verifies.
  await nav(page, "Channels");
  await page.getByText("No channels yet").waitFor();

  // Add Domain: the dialog shows the three DKIM CNAMEs, SPF and DMARC, each with copy buttons.
  await nav(page, "Identities");
  await page.getByRole("heading", { name: "Identities", level: 1 }).waitFor();
  const domain = `mail.e2e-${Date.now().toString(36)}.test`;
  await page.getByRole("button", { name: "Add Domain" }).click();
  await page.getByRole("textbox", { name: "Domain" }).fill(domain);
  await page.getByRole("dialog").getByRole("button", { name: "Add", exact: true }).click();
  const records = page.getByRole("list", { name: `DNS records for ${domain}` }).getByRole("listitem");
  await expect.poll(() => records.count()).toBe(5);
  const published: { kind: string; name: string; value: string }[] = [];
  for (const item of await records.all()) {
    const [name, value] = await item.locator(".dns-field-value").allTextContents();
    published.push({ kind: (await item.getAttribute("data-record"))!, name: name!, value: value! });
  }
  expect(published.map((r) => r.kind)).toEqual(["DKIM", "DKIM", "DKIM", "SPF", "DMARC"]);
  for (const r of published.slice(0, 3)) expect(r.value).toBe(r.name.replace(`._domainkey.${domain}`, ".dkim.amazonses.com"));
  expect(published[3]).toMatchObject({ name: domain, value: "v=spf1 include:amazonses.com ~all" });
  expect(published[4]).toMatchObject({ name: `_dmarc.${domain}`, value: `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}` });
  await expect(page.getByRole("button", { name: "Copy the DKIM record value" }).count()).resolves.toBe(3);
  await page.getByRole("button", { name: "Done" }).click();
  const row = domainRow(page, domain);
  await row.getByText("Pending", { exact: true }).first().waitFor();
  expect((await sesIdentity(account, domain))?.ConfigurationSetName).toBeUndefined();

  // The customer publishes them at their DNS provider; SES finds the DKIM CNAMEs on the next read, so one Refresh verifies.
  for (const r of published) await putDns(r.name, r.kind === "DKIM" ? "CNAME" : "TXT", [r.value]);
  await row.getByRole("button", { name: `Refresh ${domain}` }).click();
  await page.getByText(`${domain} refreshed.`).waitFor();
  // The Domain cell also holds the row's "DNS records" toggle.
  await expect.poll(() => row.getByRole("cell").allTextContents()).toEqual([`${domain}DNS records`, "Verified", "Verified", "OK", "p=quarantine", expect.any(String), "Healthy", expect.any(String)]);

  // The domain's page: its sending domain's alert thresholds, overridden as a channel's are (docs/alerts.md).
  await row.getByRole("link", { name: domain }).click();
  await page.getByRole("heading", { name: domain }).waitFor();
  const thresholds = page.getByRole("form", { name: "Alert thresholds" });
  await thresholds.getByRole("switch", { name: "Override the workspace's thresholds" }).check();
  const bounce = thresholds.getByRole("group", { name: "Bounce rate" });
  await bounce.getByLabel("Warning (%)").fill("2");
  await bounce.getByLabel("Critical (%)").fill("4");
  await thresholds.getByRole("button", { name: "Save thresholds" }).click();
  await page.getByText("Alert thresholds saved.").waitFor();
  await thresholds.getByText("This sending domain's own thresholds").waitFor();
  // Saved: a fresh load shows the override.
  await page.reload();
  await thresholds.getByText("This sending domain's own thresholds").waitFor();
  expect(await bounce.getByLabel("Warning (%)").inputValue()).toBe("2");
  expect(await bounce.getByLabel("Critical (%)").inputValue()).toBe("4");
  await page.getByRole("link", { name: "← Identities" }).click();

  // The first verified domain provisions the four default channels, once, on the jobs queue.
  await nav(page, "Channels");
  await channelNamesUntil(page, DEFAULT_CHANNELS.map((c) => c.name).sort());
  // Default is the default channel (the badge beside its name), pushed to SES in full before the next one.
  const defaultRow = page.getByRole("table", { name: "Channels" }).getByRole("row").filter({ hasText: "sesmail-default" });
  expect(await defaultRow.getByRole("cell").allTextContents()).toEqual(["DefaultDefault", "Default", "Enabled", "Synced", "sesmail-default"]);

  // A channel of our own, through the New Channel wizard (Details → Settings → Review).
  await page.getByRole("button", { name: "New Channel" }).click();
  const wizard = page.getByRole("dialog");
  await wizard.getByLabel("Name").fill("Receipts");
  await wizard.getByRole("radio", { name: /Transactional/ }).check();
  await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByRole("heading", { name: "New Channel · Settings" }).waitFor();
  await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByRole("button", { name: "Create Channel" }).click();
  await page.getByRole("heading", { name: "Receipts", level: 1 }).waitFor();
  await page.getByText("X-SES-CONFIGURATION-SET: sesmail-receipts").waitFor();

  // Back on Identities, the dropdown offers it (the default first); assigning it is applied by SES.
  await nav(page, "Identities");
  const channel = domainRow(page, domain).getByLabel(`Channel of ${domain}`);
  await expect.poll(() => channel.locator("option").allTextContents()).toEqual(["No channel", "Default (default)", "Marketing", "Onboarding", "Receipts", "Transactional"]);
  await channel.selectOption({ label: "Receipts" });
  await page.getByText(`${domain} now sends through Receipts.`).waitFor();
  expect((await sesIdentity(account, domain))?.ConfigurationSetName).toBe("sesmail-receipts");
  const chosen = () => domainRow(page, domain).getByLabel(`Channel of ${domain}`).locator("option:checked").allTextContents();
  await page.reload();
  await expect.poll(chosen).toEqual(["Receipts"]);

  // Renaming the channel to a new slug moves the domain to the new set; the Identities page follows at once.
  await nav(page, "Channels");
  await page.getByRole("table", { name: "Channels" }).getByRole("link", { name: "Receipts" }).click();
  await page.getByRole("heading", { name: "Danger Zone" }).waitFor();
  await page.getByRole("button", { name: "Rename", exact: true }).click();
  await page.getByRole("dialog").getByLabel("New name").fill("Order Receipts");
  await page.getByRole("dialog").getByRole("button", { name: "Rename" }).click();
  await page.getByText("Renamed to Order Receipts (sesmail-order-receipts).").waitFor();
  await nav(page, "Identities");
  await expect.poll(chosen).toEqual(["Order Receipts"]);
  expect((await sesIdentity(account, domain))?.ConfigurationSetName).toBe("sesmail-order-receipts");

  // Deleting it moves the domain to the default channel's set.
  await nav(page, "Channels");
  await page.getByRole("table", { name: "Channels" }).getByRole("link", { name: "Order Receipts" }).click();
  await page.getByRole("button", { name: "Delete Channel" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete Channel" }).click();
  await page.getByText("Deleted Order Receipts; 1 identity moved to the default channel.").waitFor();
  await nav(page, "Identities");
  await expect.poll(chosen).toEqual(["Default (default)"]);
  expect((await sesIdentity(account, domain))?.ConfigurationSetName).toBe("sesmail-default");

  // The row's other actions are in its menu: the keyboard opens it on the first item and Escape gives the
  // focus back; Disconnect and Connect leave SES untouched; Delete asks first.
  const more = domainRow(page, domain).getByRole("button", { name: `More actions for ${domain}` });
  const menu = page.getByRole("menu", { name: `More actions for ${domain}` });
  const focused = (el: { ownerDocument: { activeElement: unknown } }) => el === el.ownerDocument.activeElement;
  await more.focus();
  await page.keyboard.press("Enter");
  expect(await menu.getByRole("menuitem").allTextContents()).toEqual(["Disconnect", "Delete from SES…"]);
  await expect.poll(() => menu.getByRole("menuitem", { name: "Disconnect" }).evaluate(focused)).toBe(true);
  await page.keyboard.press("ArrowDown");
  expect(await menu.getByRole("menuitem", { name: "Delete from SES…" }).evaluate(focused)).toBe(true);
  await page.keyboard.press("ArrowDown");
  expect(await menu.getByRole("menuitem", { name: "Disconnect" }).evaluate(focused)).toBe(true);
  await page.keyboard.press("Escape");
  await menu.waitFor({ state: "detached" });
  expect(await more.evaluate(focused)).toBe(true);
  await more.click();
  await menu.getByRole("menuitem", { name: "Disconnect" }).click();
  await domainRow(page, domain).getByText("Unmanaged", { exact: true }).waitFor();
  await more.click();
  await menu.getByRole("menuitem", { name: "Connect" }).click();
  await domainRow(page, domain).getByText("Unmanaged", { exact: true }).waitFor({ state: "detached" });
  await more.click();
  await menu.getByRole("menuitem", { name: "Delete from SES…" }).click();
  const confirmDelete = page.getByRole("dialog", { name: "Delete domain" });
  await confirmDelete.getByText("not just from SendOps", { exact: false }).waitFor();
  await confirmDelete.getByRole("button", { name: "Cancel" }).click();
  await confirmDelete.waitFor({ state: "hidden" });
  expect((await sesIdentity(account, domain))?.ConfigurationSetName).toBe("sesmail-default");

  // The Setup Guide's phase 3 lists the channels with their purposes; Disconnect and Connect there leave SES untouched.
  await page.goto(`/w/${slug}/setup?phase=identities`);
  const sets = page.getByRole("table", { name: "Configuration Sets" });
  await sets.getByRole("row").filter({ hasText: "sesmail-default" }).getByText("Default", { exact: true }).first().waitFor();
  expect(await sets.getByRole("row").filter({ hasText: "sesmail-" }).allTextContents()).toEqual([
    "sesmail-defaultDefaultDefaultDefault",
    "sesmail-marketingMarketingMarketing",
    "sesmail-onboardingOnboardingOnboarding",
    "sesmail-transactionalTransactionalTransactional",
  ]);
  const setupRow = page.getByRole("table", { name: "Domain Identities" }).getByRole("row").filter({ hasText: domain });
  await setupRow.getByText("Managed", { exact: true }).waitFor();
  await setupRow.getByRole("button", { name: `Disconnect ${domain}` }).click();
  await setupRow.getByText("Unmanaged", { exact: true }).waitFor();
  await setupRow.getByRole("button", { name: `Connect ${domain}` }).click();
  await setupRow.getByText("Managed", { exact: true }).waitFor();
  expect((await sesIdentity(account, domain))?.ConfigurationSetName).toBe("sesmail-default");
  await context.close();
});
