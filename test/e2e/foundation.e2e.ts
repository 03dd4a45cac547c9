import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, switchToOwnWorkspace } from "./browser";

/**
 * The first-run journey of issue 2 in a real browser: sign up → sign in → demo → own workspace →
 * rename it → the rename in the audit log → sign out. Plus the role-driven sidebar, field errors,
 * returning to the intended URL after signing in, and an old slug redirecting to the new one.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const PASSWORD = "correct horse battery staple";
let seq = 0;
const uniqueEmail = (tag: string) => `${tag}-${Date.now()}-${seq++}@example.com`;

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function signUp(page: Page, name: string, email: string) {
  await page.goto("/sign-up");
  await page.getByLabel("Full name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("I agree to the Terms of Service and Privacy Policy").check();
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL((u) => u.pathname === "/sign-in");
}

async function signIn(page: Page, email: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs up, signs in, and leaves the demo for a fresh workspace of one's own; returns its slug. */
async function ownWorkspace(page: Page, name: string, email: string): Promise<string> {
  await signUp(page, name, email);
  await signIn(page, email);
  await page.waitForURL((u) => u.pathname.startsWith("/w/demo/"));
  return switchToOwnWorkspace(page);
}

it("takes a new user from sign-up to their own renamed workspace and its audit log, then signs out", async () => {
  const page = await newPage();
  const email = uniqueEmail("ada");

  // Signed out, `/` leads to sign-in; the dashboard carries its security headers.
  const first = await page.goto("/");
  expect(first?.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  await page.waitForURL((u) => u.pathname === "/sign-in");

  // Sign-up: field errors appear next to their fields before anything is sent.
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByLabel("Full name").fill("Ada Lovelace");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByText("Password must be at least 8 characters.").waitFor();
  await page.getByText("You must agree to the Terms of Service and Privacy Policy.").waitFor();
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("I agree to the Terms of Service and Privacy Policy").check();
  await page.getByRole("button", { name: "Create account" }).click();

  // Redirected to sign-in with a success notice.
  await page.waitForURL((u) => u.pathname === "/sign-in");
  await page.getByText("Account created. Sign in with your email and password.").waitFor();

  // A wrong password is refused without saying whether the email exists.
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByText("Email or password is incorrect.").waitFor();

  // First sign-in lands in the read-only demo workspace.
  await signIn(page, email);
  await page.waitForURL((u) => u.pathname.startsWith("/w/demo/"));
  await page.getByText("Exploring with sample data").waitFor();

  // "Switch to your workspace" asks for a name, creates the user's own workspace and opens its Setup Guide.
  const slug = await switchToOwnWorkspace(page);
  await page.getByRole("heading", { name: "Setup Guide", level: 1 }).waitFor();
  expect(await page.getByText("Exploring with sample data").count()).toBe(0);
  expect(await page.getByRole("list", { name: "Setup phases" }).getByRole("listitem").count()).toBeGreaterThanOrEqual(4);

  // The Owner's sidebar shows the System pages, Team and Settings among them.
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const label of ["Setup Guide", "Team", "Audit Log", "Settings", "Profile"]) {
    expect(await nav.getByRole("link", { name: label, exact: true }).count(), label).toBe(1);
  }
  await expect(page.getByRole("button", { name: /Switch workspace/ }).textContent()).resolves.toContain("Owner");

  // Settings → rename the workspace.
  await nav.getByRole("link", { name: "Settings", exact: true }).click();
  await page.waitForURL((u) => u.pathname === `/w/${slug}/settings`);
  const newName = `Analytical Engines ${seq}`;
  const general = page.getByRole("region", { name: "General" });
  await general.getByLabel("Workspace name").fill(newName);
  await general.getByRole("button", { name: "Save changes" }).click();
  await page.getByText("Workspace settings saved.").waitFor();
  await page.getByRole("button", { name: /Switch workspace/ }).getByText(newName).waitFor();

  // The audit log shows the rename, with its before/after.
  await nav.getByRole("link", { name: "Audit Log", exact: true }).click();
  await page.waitForURL((u) => u.pathname === `/w/${slug}/audit-log`);
  const renameRow = page.getByRole("row").filter({ hasText: `to "${newName}"` });
  await renameRow.waitFor();
  await renameRow.getByRole("button", { name: "Changes" }).click();
  await page.getByText(`"name": "${newName}"`).waitFor();

  // Profile → sign out → back at sign-in; the workspace is no longer reachable.
  await nav.getByRole("link", { name: "Profile", exact: true }).click();
  await page.getByRole("heading", { name: "Profile", level: 1 }).waitFor();
  await page.getByRole("main").getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((u) => u.pathname === "/sign-in");
  await page.getByText("You have been signed out.").waitFor();
  await page.goto(`/w/${slug}/team`);
  await page.waitForURL((u) => u.pathname === "/sign-in");
  await page.context().close();
});

it("returns to the intended page after sign-in and follows an old slug to the new one", async () => {
  const page = await newPage();
  const email = uniqueEmail("grace");
  const slug = await ownWorkspace(page, "Grace Hopper", email);

  // Change the slug; the page moves to the new URL.
  await page.goto(`/w/${slug}/settings`);
  const general = page.getByRole("region", { name: "General" });
  const newSlug = `${slug}-renamed`;
  await general.getByLabel("Workspace URL").fill("Bad Slug!");
  await general.getByText("Use only lowercase letters, numbers and hyphens.").waitFor();
  await general.getByLabel("Workspace URL").fill(newSlug);
  await general.getByRole("button", { name: "Save changes" }).click();
  await page.waitForURL((u) => u.pathname === `/w/${newSlug}/settings`);

  // The old slug still leads to the workspace, under its new slug.
  await page.goto(`/w/${slug}/team`);
  await page.waitForURL((u) => u.pathname === `/w/${newSlug}/team`);
  await page.getByRole("row").filter({ hasText: email }).getByText("Owner").waitFor();

  // Signed out, a deep link survives the trip through sign-in.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL((u) => u.pathname === "/sign-in");
  await page.goto(`/w/${newSlug}/audit-log`);
  await page.waitForURL((u) => u.pathname === "/sign-in" && u.searchParams.get("redirect") === `/w/${newSlug}/audit-log`);
  await signIn(page, email);
  await page.waitForURL((u) => u.pathname === `/w/${newSlug}/audit-log`);
  await page.getByRole("row").filter({ hasText: `to "${newSlug}"` }).waitFor();
  await page.context().close();
});
