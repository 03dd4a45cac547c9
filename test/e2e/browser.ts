import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Debian's Chromium, headless, with every flag that keeps it off the network (TOOLCHAIN.md). Playwright
 * gives each launch a fresh, empty user-data-dir of its own.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
    ],
  });
}

/**
 * Signs up a new user through the dashboard's forms and signs in; new users land in the demo workspace.
 * Returns the address used.
 */
export async function signUpAndIn(page: Page, name: string, label: string, password: string): Promise<string> {
  const email = `${label}.${Date.now().toString(36)}@example.test`;
  await page.goto("/sign-up");
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByLabel("I agree to the Terms of Service and Privacy Policy").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((u) => u.pathname === "/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/w/demo/"));
  return email;
}

/**
 * From the demo: "Switch to your workspace", create it under the suggested name, and land on its Setup
 * Guide. Returns its slug.
 */
export async function switchToOwnWorkspace(page: Page): Promise<string> {
  await page.getByRole("button", { name: "Switch to your workspace" }).click();
  await page.getByRole("dialog", { name: "Create your workspace" }).getByRole("button", { name: "Create workspace" }).click();
  await page.waitForURL((u) => /^\/w\/(?!demo\/)[a-z0-9-]+\/setup$/.test(u.pathname));
  return new URL(page.url()).pathname.split("/")[2]!;
}
