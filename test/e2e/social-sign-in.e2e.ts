import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, signUpAndIn } from "./browser";

/**
 * Issue 17, item 6: sign up with GitHub through the stand-in's authorize page and land in the app; sign
 * out; sign in with Google (same verified email: linked to the same account); connect and disconnect on
 * Profile, keeping the last sign-in method; the sign-in page at 390 px.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

async function persona(body: Record<string, unknown>) {
  const res = await fetch(`${inject("oauthUrl")}/__sim/oauth/users`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

/** On the stand-in's authorize page: pick who signs in. */
async function pick(page: Page, name: string) {
  await page.waitForURL((u) => u.origin === inject("oauthUrl"));
  await page.getByRole("button", { name: `Continue as ${name}` }).click();
}

it("signs up with GitHub, signs in with Google, connects and disconnects on Profile", async () => {
  const k = Date.now();
  const email = `linus.${k.toString(36)}@example.test`;
  await persona({ provider: "github", id: String(k), login: `linus${k}`, name: "Linus Octo", email, emailVerified: true });
  await persona({ provider: "google", id: `3${k}`, name: "Linus Google", email, emailVerified: true });

  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);

  await page.goto("/sign-up");
  await page.getByRole("link", { name: "Continue with GitHub" }).click();
  await pick(page, "Linus Octo");
  await page.waitForURL((u) => u.pathname.startsWith("/w/demo/"));
  const me = (await (await context.request.get("/api/me")).json()) as { user: { email: string; name: string; emailVerified: boolean } };
  expect(me.user).toMatchObject({ email, name: "Linus Octo", emailVerified: true });

  await page.goto("/w/demo/profile");
  await page.getByRole("button", { name: "Sign out" }).first().click();
  await page.waitForURL((u) => u.pathname === "/sign-in");
  await page.getByRole("link", { name: "Continue with Google" }).click();
  await pick(page, "Linus Google");
  await page.waitForURL((u) => u.pathname.startsWith("/w/demo/"));

  await page.goto("/w/demo/profile");
  const card = page.getByRole("region", { name: "Connected accounts" });
  await card.getByText(`Connected as @linus${k}`).waitFor();
  await card.getByText(`Connected as ${email}`).waitFor();
  await card.getByRole("button", { name: "Disconnect GitHub" }).click();
  await card.getByRole("link", { name: "Connect GitHub" }).waitFor();
  // Google is now the only way in: it stays.
  await card.getByRole("button", { name: "Disconnect Google" }).click();
  await card.getByText("Google is your only way to sign in. Connect another provider before disconnecting it.").waitFor();

  await card.getByRole("link", { name: "Connect GitHub" }).click();
  await pick(page, "Linus Octo");
  await page.waitForURL((u) => u.pathname.endsWith("/profile"));
  await card.getByText("GitHub is connected. You can now sign in with it.").waitFor();
  await card.getByRole("button", { name: "Disconnect GitHub" }).waitFor();
  await context.close();
});

it("shows a refused provider sign-in on the sign-in page, which works at 390 px", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "Continue with GitHub" }).click();
  await page.waitForURL((u) => u.origin === inject("oauthUrl"));
  await page.getByRole("button", { name: "Continue as Unverified Dev" }).click();
  await page.waitForURL((u) => u.pathname === "/sign-in");
  await page.getByText("Your GitHub account has no verified email address.", { exact: false }).waitFor();
  // Nothing is wider than the screen.
  expect(await page.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(390);
  for (const name of ["Continue with GitHub", "Continue with Google"]) {
    const box = (await page.getByRole("link", { name }).boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(390);
  }
  await context.close();
});

it("a password sign-up sees the verify-email banner on Profile until the mailed link is opened", async () => {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const email = await signUpAndIn(page, "Vera Verify", "vera", "correct horse battery");
  await page.goto("/w/demo/profile");
  await page.getByText("Verify your email address").waitFor();
  let link: string | undefined;
  for (let i = 0; i < 50 && !link; i++) {
    const { mails } = (await (await fetch(`${inject("awsUrl")}/__sim/outbox.json`)).json()) as { mails: { to: string[]; text: string }[] };
    link = mails.find((m) => m.to.includes(email))?.text.match(/http\S+\/verify-email\?token=\S+/)?.[0];
    if (!link) await new Promise((r) => setTimeout(r, 200));
  }
  expect(link).toBeDefined();
  await page.goto(new URL(link!).pathname + new URL(link!).search);
  await page.getByText(`${email} is verified. Thank you.`).waitFor();
  await page.goto("/w/demo/profile");
  await page.getByText("Used to sign in. Verified.").waitFor();
  expect(await page.getByText("Verify your email address").count()).toBe(0);
  await context.close();
});
