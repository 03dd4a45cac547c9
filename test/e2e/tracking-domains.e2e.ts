import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { SIM_SENDOPS_ACCOUNT } from "../../sim/aws";
import { launchBrowser, signUpAndIn, switchToOwnWorkspace } from "./browser";

/**
 * Issue 14, tracking domains in a real browser: a workspace connected to its own account in the AWS
 * stand-in adds an HTTP tracking domain through the wizard, sees its four DNS records, adds the tracking
 * CNAME "at its DNS provider" (sim/dns), and Verify Now shows the DNS CNAME verified. At 390 px the
 * pages fit.
 */

const PASSWORD = "correct horse battery";
const WAIT_MS = 30_000;
const REGION = "eu-west-1";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** The page's own session calls the API (same origin), as the dashboard does. */
const apiCall = (page: Page, path: string, method = "GET", body?: unknown) =>
  page.evaluate(
    async ([p, m, b]) => {
      const res = await fetch(p as string, { method: m as string, headers: b === undefined ? {} : { "content-type": "application/json" }, body: b === undefined ? undefined : JSON.stringify(b) });
      return { status: res.status, body: await res.json() };
    },
    [path, method, body] as const,
  );

/** Connects the workspace to a fresh account in the AWS stand-in whose SendOps role trusts its External ID. */
async function connectAws(page: Page, slug: string) {
  const me = (await apiCall(page, "/api/me")) as { body: any };
  const orgId = (me.body.workspaces as { id: string; slug: string }[]).find((w) => w.slug === slug)!.id;
  const { externalId } = (await apiCall(page, `/api/orgs/${orgId}/aws-connection`)).body as { externalId: string };
  const account = String(300_000_000_000 + Math.floor(Math.random() * 600_000_000_000));
  const roleArn = `arn:aws:iam::${account}:role/SendOpsRole`;
  const role = await fetch(`${inject("awsUrl")}/__sim/roles`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ arn: roleArn, trustedAccount: SIM_SENDOPS_ACCOUNT, externalId }),
  });
  expect(role.ok).toBe(true);
  const connected = await apiCall(page, `/api/orgs/${orgId}/aws-connection`, "PUT", { roleArn, region: REGION });
  expect((connected.body as { status: string }).status).toBe("connected");
  return account;
}

/** Page wider than the viewport (something overflows at this width). */
const overflows = (page: Page) =>
  page.evaluate(() => {
    const g = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
    return g.document.documentElement.scrollWidth > g.innerWidth;
  });

it("adds an HTTP tracking domain through the wizard, shows its records, and Verify Now sees the CNAME once it is in DNS", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1440, height: 900 }, timezoneId: "UTC" });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await signUpAndIn(page, "Tess Tracker", "tracking", PASSWORD);
  const slug = await switchToOwnWorkspace(page);
  const account = await connectAws(page, slug);
  const subdomain = `track.t${Date.now().toString(36)}.example.com`;

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Tracking Domains" }).click();
  await page.getByRole("heading", { name: "Tracking Domains", level: 1 }).waitFor();
  await page.getByText("No tracking domains yet").waitFor();

  // The wizard: subdomain (a bare word is refused), protocol, Create Domain.
  await page.getByRole("button", { name: "Add Tracking Domain" }).click();
  const wizard = page.getByRole("dialog", { name: "Add Tracking Domain" });
  await wizard.getByLabel("Subdomain").fill("localhost");
  await wizard.getByRole("button", { name: "Continue" }).click();
  await wizard.getByText("it must contain a dot").waitFor();
  await wizard.getByLabel("Subdomain").fill(subdomain.toUpperCase());
  await wizard.getByRole("button", { name: "Continue" }).click();
  await wizard.getByRole("radio", { name: /HTTPS/ }).check();
  await wizard.getByLabel("CDN Domain").waitFor();
  await wizard.getByRole("radio", { name: /HTTP\b(?!S)/ }).check();
  await expect(wizard.getByLabel("CDN Domain").count()).resolves.toBe(0);
  await wizard.getByRole("button", { name: "Create Domain" }).click();

  // The four records: the tracking CNAME to the region's SES endpoint and three DKIM CNAMEs, each copyable.
  const records = page.getByRole("dialog", { name: "Add these DNS records" });
  await records.getByText(`${subdomain} was created`).waitFor();
  const list = records.getByRole("list", { name: "DNS records" }).getByRole("listitem");
  await expect(list.count()).resolves.toBe(4);
  await list.first().getByText(`r.${REGION}.awstrack.me`, { exact: true }).waitFor();
  const sim = (await (await fetch(`${inject("awsUrl")}/__sim/accounts/${account}/${REGION}`)).json()) as { identities: { identity: string; DkimAttributes: { Tokens: string[] } }[] };
  const tokens = sim.identities.find((i) => i.identity === subdomain)!.DkimAttributes.Tokens;
  for (const t of tokens) await records.getByText(`${t}._domainkey.${subdomain}`, { exact: true }).waitFor();
  await list.first().getByRole("button", { name: "Copy the tracking record value" }).click();
  await expect(page.evaluate<string>("navigator.clipboard.readText()")).resolves.toBe(`r.${REGION}.awstrack.me`);
  await records.getByRole("button", { name: "Continue to Verification" }).click();

  // The detail page: both halves pending, not checked yet.
  await page.getByRole("heading", { name: subdomain, level: 1 }).waitFor();
  const cname = page.getByRole("group", { name: "DNS CNAME" });
  const identity = page.getByRole("group", { name: "SES Identity (DKIM)" });
  await cname.getByText("Pending").waitFor();
  await cname.getByText("Not checked yet").waitFor();
  await identity.getByText("Pending").waitFor();

  // The customer adds the CNAME at their DNS provider; Verify Now sees it at once.
  const dns = await fetch(`${inject("dnsUrl")}/__sim/dns/records`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: subdomain, type: "CNAME", values: [`r.${REGION}.awstrack.me`] }),
  });
  expect(dns.ok).toBe(true);
  await page.getByRole("button", { name: "Verify Now" }).click();
  await cname.getByText("Verified", { exact: true }).waitFor();
  await cname.getByText(/^Verified (now|\d+ seconds? ago)$/).waitFor();
  // SES has not seen the DKIM records yet: the error says so, and the 30 s cooldown shows on the button.
  await identity.getByText("Pending").waitFor();
  await page.getByText(/SES reports DKIM status PENDING/).waitFor();
  await page.getByRole("button", { name: /^Verify Now \(\d+ s\)$/ }).waitFor();

  // The configuration card and the records accordion.
  const config = page.getByRole("region", { name: "Configuration" });
  await config.getByText(`r.${REGION}.awstrack.me`, { exact: true }).waitFor();
  await config.getByText(REGION, { exact: true }).waitFor();
  await page.getByText("Tracking CNAME and DKIM records (4)").click();
  await page.getByRole("region", { name: "DNS Records" }).getByRole("listitem").nth(3).waitFor();

  // At 390 px the detail page and the list fit.
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(overflows(page)).resolves.toBe(false);
  await page.goto(`/w/${slug}/tracking-domains`);
  const row = page.getByRole("row", { name: new RegExp(subdomain.replace(/\./g, "\\.")) });
  await row.getByText("HTTP", { exact: true }).waitFor();
  await row.getByText("Pending").waitFor();
  await expect(overflows(page)).resolves.toBe(false);

  // Delete: the confirmation explains the DNS clean-up; SES loses the identity.
  await page.setViewportSize({ width: 1440, height: 900 });
  await row.getByRole("button", { name: subdomain }).click();
  await page.getByRole("button", { name: "Delete Tracking Domain" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete tracking domain" });
  await confirm.getByText("remove these 4 records at your DNS provider").waitFor();
  await confirm.getByRole("button", { name: "Delete Tracking Domain" }).click();
  await page.getByText("No tracking domains yet").waitFor();
  const after = (await (await fetch(`${inject("awsUrl")}/__sim/accounts/${account}/${REGION}`)).json()) as { identities: { identity: string }[] };
  expect(after.identities.map((i) => i.identity)).not.toContain(subdomain);
  await context.close();
}, 60_000);
