import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { SIM_SENDOPS_ACCOUNT } from "../../sim/aws/credentials";
import { launchBrowser, signUpAndIn, switchToOwnWorkspace } from "./browser";

/**
 * Issue 14's second "Done when" in a real browser: the New Channel wizard creates sesmail-<slug> with its
 * EventBridge destination in the AWS stand-in; a setting is pushed to SES; an injected SES failure turns
 * the next change into a "Sync Error" with its banner; Retry Sync brings it back to Synced, with SES
 * holding the setting.
 */

type Json = Record<string, any>;
const PASSWORD = "correct horse battery";
const WAIT_MS = 30_000;
const REGION = "eu-west-1";
/** An account of its own in the shared stand-in (other files use the sample accounts). */
const ACCOUNT = `4${Date.now().toString().slice(-11)}`;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function sim(path: string, init: { method?: string; json?: unknown } = {}): Promise<Json> {
  const res = await fetch(`${inject("awsUrl")}/__sim${path}`, {
    method: init.method ?? "GET",
    headers: init.json === undefined ? {} : { "content-type": "application/json" },
    body: init.json === undefined ? undefined : JSON.stringify(init.json),
  });
  expect(res.ok, await res.clone().text()).toBe(true);
  return (await res.json()) as Json;
}

async function configurationSet(name: string): Promise<Json> {
  const set = ((await sim(`/accounts/${ACCOUNT}/${REGION}`)).configurationSets as Json[]).find((s) => s.ConfigurationSetName === name);
  if (!set) throw new Error(`SES has no configuration set ${name}`);
  return set;
}

/** The API as the page calls it (its session cookie, same origin). */
const pageApi = (page: Page, path: string, method = "GET", json?: unknown): Promise<{ status: number; body: Json }> =>
  page.evaluate(
    async ([p, m, body]) => {
      const res = await fetch(p as string, { method: m as string, headers: body ? { "content-type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
      return { status: res.status, body: (await res.json()) as Json };
    },
    [path, method, json] as const,
  );

/** Connects the workspace to a role of its own account in the stand-in, as the AWS Connection page would. */
async function connectAws(page: Page, slug: string) {
  const me = await pageApi(page, "/api/me");
  const orgId = (me.body.workspaces as Json[]).find((w) => w.slug === slug)!.id as string;
  const { externalId } = (await pageApi(page, `/api/orgs/${orgId}/aws-connection`)).body;
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/SendOpsRole`;
  await sim("/roles", { method: "PUT", json: { arn: roleArn, trustedAccount: SIM_SENDOPS_ACCOUNT, externalId } });
  const connected = await pageApi(page, `/api/orgs/${orgId}/aws-connection`, "PUT", { roleArn, region: REGION });
  expect(connected.body.status).toBe("connected");
}

it("the channel wizard creates the configuration set; a failed push shows Sync Error until Retry Sync", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await signUpAndIn(page, "Chan Nel", "channels", PASSWORD);
  const slug = await switchToOwnWorkspace(page);
  await connectAws(page, slug);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Channels" }).click();
  await page.getByRole("heading", { name: "Channels", level: 1 }).waitFor();
  await page.getByText("No channels yet").waitFor();

  // Details → Settings (pre-filled by the purpose) → Review → Create Channel.
  await page.getByRole("button", { name: "New Channel" }).click();
  const wizard = page.getByRole("dialog");
  await wizard.getByRole("heading", { name: "New Channel · Details" }).waitFor();
  await wizard.getByLabel("Name").fill("Password Resets");
  await wizard.getByText("sesmail-password-resets").waitFor();
  await wizard.getByRole("radio", { name: /Transactional/ }).check();
  await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByRole("heading", { name: "New Channel · Settings" }).waitFor();
  // Transactional: tracking off, bounce suppression.
  expect(await wizard.getByRole("switch", { name: "Tracking" }).isChecked()).toBe(false);
  expect(await wizard.getByRole("checkbox", { name: "Bounces" }).isChecked()).toBe(true);
  expect(await wizard.getByRole("checkbox", { name: "Complaints" }).isChecked()).toBe(false);
  await wizard.getByRole("combobox", { name: "Max delivery duration" }).selectOption({ label: "1 hour" });
  await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByRole("heading", { name: "New Channel · Review" }).waitFor();
  await wizard.getByText("1 hour").waitFor();
  await wizard.getByRole("button", { name: "Create Channel" }).click();

  // The detail page: config set name, Synced, the integration header.
  await page.getByRole("heading", { name: "Password Resets", level: 1 }).waitFor();
  await page.getByText("Synced", { exact: true }).waitFor();
  await page.getByText("X-SES-CONFIGURATION-SET: sesmail-password-resets").waitFor();
  const created = await configurationSet("sesmail-password-resets");
  expect(created.DeliveryOptions).toMatchObject({ TlsPolicy: "REQUIRE", MaxDeliverySeconds: 3600 });
  expect(created.EventDestinations).toEqual([
    expect.objectContaining({ Name: "sendops-eventbridge", Enabled: true, EventBridgeDestination: { EventBusArn: `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default` } }),
  ]);
  // The event destinations card reads them back from SES.
  await page.getByRole("table", { name: "Event destinations" }).getByText("sendops-eventbridge").waitFor();

  // A setting saved on its own and pushed to SES at once.
  await page.getByRole("radiogroup", { name: "TLS policy" }).getByText("Optional").click();
  await page.getByText("Saved and pushed to SES.").waitFor();
  await expect.poll(async () => (await configurationSet("sesmail-password-resets")).DeliveryOptions.TlsPolicy, { timeout: WAIT_MS }).toBe("OPTIONAL");

  // SES refuses the next change: the channel shows "Sync Error" and the banner with AWS's error.
  await sim(`/accounts/${ACCOUNT}/faults`, { method: "POST", json: { operation: "PutConfigurationSetSuppressionOptions", code: "BadRequestException", message: "Simulated SES outage" } });
  await page.getByRole("radiogroup", { name: "Auto validation" }).getByText("High").click();
  const banner = page.getByRole("alert").filter({ hasText: "The last change did not reach SES" });
  await banner.getByText("Simulated SES outage").waitFor();
  await page.getByText("Sync Error", { exact: true }).waitFor();
  expect((await configurationSet("sesmail-password-resets")).SuppressionOptions.ValidationOptions.ConditionThreshold.OverallConfidenceThreshold.ConfidenceVerdictThreshold).toBe("MANAGED");

  // The list shows the badge too.
  await page.getByRole("link", { name: "← Channels" }).click();
  const row = page.getByRole("row").filter({ hasText: "Password Resets" });
  await row.getByText("Sync Error").waitFor();
  await row.getByText("Transactional").waitFor();
  await row.getByRole("link", { name: "Password Resets" }).click();

  // Retry Sync pushes every setting: Synced, and SES holds the new threshold.
  await banner.getByRole("button", { name: "Retry Sync" }).click();
  await banner.waitFor({ state: "detached" });
  await page.getByText("Synced", { exact: true }).waitFor();
  const after = await configurationSet("sesmail-password-resets");
  expect(after.SuppressionOptions).toEqual({
    SuppressedReasons: ["BOUNCE"],
    ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "HIGH" } } },
  });
  expect(after.DeliveryOptions.TlsPolicy).toBe("OPTIONAL");

  // On a phone, in dark mode, the detail page and the wizard stay within the window.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  const tooWide = () => page.evaluate("document.documentElement.scrollWidth > window.innerWidth || [...document.querySelectorAll('dialog[open]')].some((d) => d.scrollWidth > d.clientWidth)");
  await page.reload();
  await page.getByRole("heading", { name: "Password Resets", level: 1 }).waitFor();
  expect(await tooWide()).toBe(false);
  await page.goto(`/w/${slug}/channels`);
  await page.getByRole("button", { name: "New Channel" }).click();
  await wizard.getByLabel("Name").fill("Weekly Digest");
  await wizard.getByRole("button", { name: "Next" }).click();
  await wizard.getByRole("radiogroup", { name: "Auto validation" }).waitFor();
  expect(await tooWide()).toBe(false);
  await context.close();
});
