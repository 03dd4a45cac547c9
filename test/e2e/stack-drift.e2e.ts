/**
 * The AWS Connection page's Stack drift card, as the daily drift check leaves it (the check itself runs
 * against the AWS stand-in in test/alerts-drift.test.ts; here its outcome is written to the instance's D1):
 * a drifted stack names its resources, an older stack is told to update to version 3 with the console's
 * update link — readable at 390 px and in dark mode.
 */
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { wranglerDb } from "../../scripts/lib/d1";
import { SIM_SENDOPS_ACCOUNT } from "../../sim/aws/credentials";
import { upsertStackDriftQuery } from "../../worker/db/stack-drift";
import { launchBrowser } from "./browser";
import { api, ownWorkspace, signInAs } from "./ses-history";

const REGION = "eu-west-1";
let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("shows the stack's drift and, for an older stack, how to enable drift detection, at 390 px in dark mode", async () => {
  const base = inject("baseUrl");
  const ws = await ownWorkspace(base, inject("persistDir"), "Drift Watch");
  const { externalId } = (await (await api(base, `/api/orgs/${ws.orgId}/aws-connection`, { cookie: ws.cookie })).json()) as { externalId: string };
  const roleArn = `arn:aws:iam::444455556666:role/SendOpsRole`;
  const put = await fetch(`${inject("awsUrl")}/__sim/roles`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ arn: roleArn, trustedAccount: SIM_SENDOPS_ACCOUNT, externalId }) });
  expect(put.ok).toBe(true);
  await api(base, `/api/orgs/${ws.orgId}/aws-connection`, { method: "PUT", cookie: ws.cookie, json: { roleArn, region: REGION } });
  const db = wranglerDb({ persistDir: inject("persistDir") });
  const at = Date.UTC(2026, 2, 2, 3, 18);
  await upsertStackDriftQuery(
    db,
    ws.orgId,
    "sendops",
    {
      checkedAt: at,
      driftStatus: "DRIFTED",
      driftedJson: JSON.stringify([{ logicalId: "SendOpsEventRule", resourceType: "AWS::Events::Rule", status: "MODIFIED" }]),
    },
    at,
  ).run();

  const context = await browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 }, timezoneId: "UTC", colorScheme: "dark" });
  const page = await context.newPage();
  await signInAs(page, ws.email);
  await page.goto(`/w/${ws.slug}/aws-connection`);
  const card = page.getByRole("region", { name: "Stack drift" });
  await card.getByText("The stack has drifted").waitFor();
  await card.getByText("SendOpsEventRule").waitFor();
  await card.getByText("Last checked", { exact: false }).waitFor();
  type Win = { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
  const fits = () =>
    page.evaluate(() => {
      const w = globalThis as unknown as Win;
      return w.document.documentElement.scrollWidth <= w.innerWidth;
    });
  expect(await fits()).toBe(true);

  await upsertStackDriftQuery(
    db,
    ws.orgId,
    "sendops",
    {
      checkedAt: at + 86_400_000,
      driftStatus: null,
      driftedJson: "[]",
      problemCode: "AccessDenied",
      problem: "Update the sendops stack to template version 3 to enable drift detection: the stack's role may not call CloudFormation's drift detection.",
    },
    at + 86_400_000,
  ).run();
  await page.reload();
  await card.getByText("Drift detection is not available").waitFor();
  await card.getByText("Update the sendops stack to template version 3 to enable drift detection", { exact: false }).waitFor();
  const link = card.getByRole("link", { name: "Update the stack in the AWS console" });
  expect(await link.getAttribute("href")).toMatch(/^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudformation\/home\?region=eu-west-1#\/stacks\/update\/template\?stackId=sendops&templateURL=/);
  expect(await fits()).toBe(true);
  // Dark mode: the warning takes the dark theme's colours, not the light ones.
  const background = () =>
    card.locator(".alert-warning").evaluate((el) => (globalThis as unknown as { getComputedStyle: (e: unknown) => { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
  const dark = await background();
  await page.emulateMedia({ colorScheme: "light" });
  expect(await background()).not.toBe(dark);
  await context.close();
});
