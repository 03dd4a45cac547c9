import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, signUpAndIn, switchToOwnWorkspace } from "./browser";

/**
 * Issue 11's "Done when" in a real browser: a new workspace runs the Setup Guide end to end against
 * the AWS simulator — download the template, validate the sim's sample role, run validation (the
 * configuration set is missing until the downloaded template is deployed into the simulator, then all
 * eleven checks pass with a sandbox warning), sync the identities, send a test to the SES mailbox
 * simulator and see it delivered and confirmed through the real ingest path, then in Reports.
 */

type Json = Record<string, any>;
const PASSWORD = "correct horse battery";
const WAIT_MS = 30_000;
/** The simulator's sandbox account and the role it trusts with the first External ID it is shown. */
const ACCOUNT = "222233334444";
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/SendOpsRole`;
const REGION = "us-east-1";
const RECIPIENT = "success@simulator.amazonses.com";

let browser: Browser;
/** SendOps' own account in the simulator, which the sample role trusts. */
let sendOpsAccount: string | undefined;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  // Leave the sample role unbound for the other files that share this simulator.
  if (sendOpsAccount) await unbindSampleRole(sendOpsAccount);
});

/**
 * The sample role trusts SendOps with the first External ID it is shown; other files sharing this
 * simulator may have bound it to their workspace already. Replacing it makes it unbound again.
 */
async function unbindSampleRole(trustedAccount: string) {
  const res = await fetch(`${inject("awsUrl")}/__sim/roles`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ arn: ROLE_ARN, trustedAccount }),
  });
  expect(res.ok).toBe(true);
}

const phaseHeading = (page: Page, name: string) => page.getByRole("heading", { name, level: 2, exact: true });
const sidebar = (page: Page) => page.locator("aside.sidebar");
const checks = (page: Page) => page.getByRole("list", { name: "Validation checks" }).getByRole("listitem");
const check = (page: Page, label: string) => checks(page).filter({ has: page.getByText(label, { exact: true }) });

it("a new workspace connects its AWS account through the Setup Guide, end to end", async () => {
  const base = inject("baseUrl");
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, timezoneId: "UTC", acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await signUpAndIn(page, "Grace Guide", "setup-guide", PASSWORD);
  const slug = await switchToOwnWorkspace(page);

  // A new workspace opens on phase 1; the sidebar shows its progress and the badge says Not Connected.
  await phaseHeading(page, "AWS Integration").waitFor();
  await sidebar(page).getByText("0/4", { exact: true }).waitFor();
  await sidebar(page).getByRole("button", { name: /AWS status: Not Connected/ }).waitFor();

  // The searchable region selector.
  const region = page.getByRole("combobox", { name: "AWS Region" });
  await region.fill("virginia");
  await page.getByRole("option", { name: /US East \(N\. Virginia\)/ }).click();
  await expect(region.inputValue()).resolves.toBe(`US East (N. Virginia) — ${REGION}`);

  // The workspace's template: 7 resources, 4 parameters (defaults = this workspace's values), 3 outputs.
  const jsonDownload = page.waitForEvent("download");
  await page.getByRole("link", { name: "JSON", exact: true }).click();
  const templateBody = readFileSync((await (await jsonDownload).path())!, "utf8");
  const template = JSON.parse(templateBody) as Json;
  expect(Object.keys(template.Resources)).toHaveLength(7);
  expect(Object.keys(template.Parameters).sort()).toEqual(["ExternalId", "SendOpsAccountId", "WebhookApiKey", "WebhookUrl"]);
  expect(Object.keys(template.Outputs).sort()).toEqual(["ConfigurationSetName", "EventRuleName", "RoleARN"]);
  sendOpsAccount = template.Parameters.SendOpsAccountId.Default;
  const yamlDownload = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download template" }).click();
  const yaml = readFileSync((await (await yamlDownload).path())!, "utf8");
  expect(yaml).toContain("SendOpsEventRule");
  expect(yaml).not.toContain("!Ref");

  // Manual setup: the policy as CloudFormation and Terraform; the permission breakdown.
  await page.getByRole("tab", { name: "Manual Setup" }).click();
  await page.getByRole("tab", { name: "Terraform" }).click();
  await page.getByRole("button", { name: "Copy the Terraform snippet" }).waitFor();
  await page.getByText("Account & Identities").click();
  await page.getByText("ses:GetAccount", { exact: true }).waitFor();
  await page.getByRole("list", { name: "Services SendOps never accesses" }).getByText("EC2").waitFor();
  await page.getByRole("tab", { name: /Automated Setup/ }).click();

  // Validate the simulator's sample role.
  await unbindSampleRole(sendOpsAccount!);
  await page.getByRole("textbox", { name: "Role ARN" }).fill(ROLE_ARN);
  await page.getByRole("button", { name: "Validate", exact: true }).click();
  await page.getByText("AWS account connected").waitFor();
  await page.getByRole("button", { name: "Re-validate" }).waitFor();
  await page.getByRole("link", { name: /Open the IAM role/ }).waitFor();
  await page.getByRole("button", { name: "Continue" }).click();
  await phaseHeading(page, "Connection Validation").waitFor();
  expect(new URL(page.url()).searchParams.get("phase")).toBe("validation");

  // First run: no stack deployed yet, so the configuration set is missing.
  await page.getByRole("button", { name: "Run Validation" }).click();
  await page.getByText(/checks failed$/).waitFor({ timeout: 60_000 });
  await expect(checks(page).count()).resolves.toBe(11);
  const configSet = check(page, "SES Configuration Set");
  await expect(configSet.getAttribute("class")).resolves.toContain("is-fail");
  await configSet.getByText(`Configuration set sendops-events not found in ${REGION}.`).waitFor();

  // Deploy the downloaded template into the simulator, as CloudFormation would, with its own defaults.
  const parameters = Object.fromEntries(Object.entries(template.Parameters as Record<string, { Default?: string }>).map(([k, v]) => [k, v.Default]));
  const deployed = await fetch(`${inject("awsUrl")}/__sim/accounts/${ACCOUNT}/${REGION}/stacks`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ stackName: "sendops", templateBody, parameters }),
  });
  expect(deployed.ok, await deployed.clone().text()).toBe(true);

  // Retry: all eleven pass; a sandbox account passes Account status with the amber warning.
  await page.getByRole("button", { name: "Retry Validation" }).click();
  await page.getByText("All 11 checks passed").waitFor({ timeout: 60_000 });
  const accountStatus = check(page, "Account status");
  await expect(accountStatus.getAttribute("class")).resolves.toContain("is-warn");
  await accountStatus.getByText(/Sandbox mode active — you can only send to verified email addresses/).waitFor();

  // The badge: Sandbox, with the account in its popover; Escape closes it and returns focus.
  // The badge re-reads the status when the run ends, and every 60 s in any case.
  const badge = sidebar(page).getByRole("button", { name: /AWS status: Sandbox/ });
  await badge.waitFor({ timeout: 70_000 });
  await badge.click();
  const details = page.getByRole("group", { name: "AWS connection details" });
  await details.getByText(ACCOUNT).waitFor();
  await details.getByText("Sandbox", { exact: true }).waitFor();
  await page.keyboard.press("Escape");
  await details.waitFor({ state: "detached" });
  await expect(badge.evaluate((el) => el === el.ownerDocument.activeElement)).resolves.toBe(true);

  await page.getByRole("button", { name: "Continue" }).click();
  await phaseHeading(page, "Identities").waitFor();

  // Identities: the sync imports what SES holds for the account.
  await page.getByRole("button", { name: "Sync from AWS" }).click();
  await page.getByRole("table", { name: "Domain Identities" }).getByText("mail.northwind.test").waitFor({ timeout: 60_000 });
  await page.getByRole("button", { name: "Continue" }).click();
  await phaseHeading(page, "First Test Send").waitFor();

  // First Test Send to the SES mailbox simulator: delivered, confirmed by the Delivery event.
  await page.getByLabel("From").selectOption("ops@northwind.test");
  await page.getByLabel("Send test to").fill(RECIPIENT);
  await expect(page.getByText("the send will likely fail").count()).resolves.toBe(0);
  await page.getByRole("button", { name: "Send Test Email" }).click();
  const confirmed = page.getByRole("status").filter({ hasText: "Email delivered and confirmed" });
  await confirmed.waitFor({ timeout: 60_000 });
  await confirmed.getByText("ops@northwind.test").waitFor();
  await confirmed.getByText(RECIPIENT).waitFor();
  await page.getByRole("button", { name: "Send another test" }).waitFor();

  // All four phases done: the sidebar's counter is gone.
  await expect.poll(() => sidebar(page).locator(".nav-counter").count(), { timeout: WAIT_MS }).toBe(0);

  // The test message is in this workspace's Reports → Messages.
  await page.goto(`/w/${slug}/reports`);
  await page.getByRole("tab", { name: "Messages", selected: true }).waitFor();
  await page.getByRole("button", { name: RECIPIENT }).waitFor();
  await context.close();
});
