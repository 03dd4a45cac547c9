import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { SIM_SENDOPS_ACCOUNT } from "../../sim/aws";
import { launchBrowser, signUpAndIn, switchToOwnWorkspace } from "./browser";

/**
 * Issue 14's identity flow in a real browser: a workspace connected to its own simulated AWS account adds
 * a domain, sees its DNS records, publishes them in the DNS stand-in as a customer would at their DNS
 * provider, clicks Refresh until SES verifies it (the SES stand-in verifies DKIM through DNS), sees DKIM,
 * SPF and DMARC ok, and assigns it to a channel the account sync discovered — which SES then applies —
 * then disconnects and connects it again from the Setup Guide.
 */

const PASSWORD = "correct horse battery";
const WAIT_MS = 30_000;
const REGION = "eu-west-1";
const CHANNEL_SET = "sesmail-e2e-alerts";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function simCall(path: string, method = "GET", json?: unknown) {
  const res = await fetch(`${inject("awsUrl")}/__sim${path}`, {
    method,
    headers: json === undefined ? {} : { "content-type": "application/json" },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  expect(res.ok, await res.clone().text()).toBe(true);
  return res.json();
}

async function putDns(name: string, type: string, values: string[]) {
  const res = await fetch(`${inject("dnsUrl")}/__sim/dns/records`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type, values }) });
  expect(res.ok, await res.clone().text()).toBe(true);
}

const domainRow = (page: Page, domain: string) => page.getByRole("table", { name: "Domain Identities" }).getByRole("row").filter({ hasText: domain });

it("adds a domain, publishes its records, verifies it with Refresh and assigns it to a channel", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await signUpAndIn(page, "Ida Identity", "identities", PASSWORD);
  const slug = await switchToOwnWorkspace(page);

  // Connect a fresh account whose role trusts SendOps with this workspace's External ID.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "AWS Connection" }).click();
  const externalId = (await page.getByTestId("external-id").textContent())!;
  const account = `7${Date.now().toString().slice(-11)}`;
  const roleArn = `arn:aws:iam::${account}:role/SendOpsRole`;
  await simCall("/roles", "PUT", { arn: roleArn, trustedAccount: SIM_SENDOPS_ACCOUNT, externalId });
  await page.getByLabel("AWS Region").selectOption(REGION);
  await page.getByLabel("Role ARN").fill(roleArn);
  await page.getByRole("button", { name: "Validate" }).click();
  await page.getByText("AWS account connected").waitFor();

  // A configuration set made outside SendOps (as CloudFormation would), discovered as a channel by Sync from AWS.
  await simCall(`/accounts/${account}/${REGION}/stacks`, "POST", {
    stackName: "e2e-channel",
    templateBody: JSON.stringify({ Resources: { Alerts: { Type: "AWS::SES::ConfigurationSet", Properties: { Name: CHANNEL_SET } } } }),
    parameters: {},
  });
  await page.goto(`/w/${slug}/setup?phase=identities`);
  await page.getByRole("button", { name: "Sync from AWS" }).click();
  await page.getByRole("table", { name: "Configuration Sets" }).getByRole("cell", { name: CHANNEL_SET }).first().waitFor();

  // Add Domain: the dialog shows the three DKIM CNAMEs, SPF and DMARC, each with copy buttons.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Identities" }).click();
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
  await domainRow(page, domain).getByText("Pending", { exact: true }).first().waitFor();

  // The customer publishes them at their DNS provider; Refresh until SES has verified DKIM.
  for (const r of published) await putDns(r.name, r.kind === "DKIM" ? "CNAME" : "TXT", [r.value]);
  const row = domainRow(page, domain);
  await expect
    .poll(
      async () => {
        await row.getByRole("button", { name: `Refresh ${domain}` }).click();
        await page.waitForTimeout(1_000);
        return row.getByRole("cell").nth(1).textContent();
      },
      { timeout: 100_000, interval: 2_000 },
    )
    .toBe("Verified");
  expect(await row.getByRole("cell").allTextContents()).toEqual([domain, "Verified", "Verified", "OK", "p=quarantine", expect.any(String), "Healthy", expect.any(String)]);

  // Assign the discovered channel: SES applies its configuration set to the domain.
  await row.getByLabel(`Channel of ${domain}`).selectOption({ label: CHANNEL_SET });
  await page.getByText(`${domain} now sends through ${CHANNEL_SET}.`).waitFor();
  const state = (await simCall(`/accounts/${account}/${REGION}`)) as { identities: { identity: string; ConfigurationSetName?: string }[] };
  expect(state.identities.find((i) => i.identity === domain)?.ConfigurationSetName).toBe(CHANNEL_SET);

  // The Setup Guide's phase 3 shows it managed; Disconnect and Connect there, SES untouched.
  await page.goto(`/w/${slug}/setup?phase=identities`);
  const setupRow = page.getByRole("table", { name: "Domain Identities" }).getByRole("row").filter({ hasText: domain });
  await setupRow.getByText("Managed", { exact: true }).waitFor();
  await setupRow.getByRole("button", { name: `Disconnect ${domain}` }).click();
  await setupRow.getByText("Unmanaged", { exact: true }).waitFor();
  await setupRow.getByRole("button", { name: `Connect ${domain}` }).click();
  await setupRow.getByText("Managed", { exact: true }).waitFor();
  const after = (await simCall(`/accounts/${account}/${REGION}`)) as { identities: { identity: string; ConfigurationSetName?: string }[] };
  expect(after.identities.find((i) => i.identity === domain)?.ConfigurationSetName).toBe(CHANNEL_SET);
  await context.close();
});
