import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import { eq } from "drizzle-orm";
import { wranglerDb } from "../../scripts/lib/d1";
import { orgs, users } from "../../worker/db/schema";
import { SIM_SENDOPS_ACCOUNT } from "../../sim/aws";
import { launchBrowser } from "./browser";
import { api, eventually, PASSWORD, signInAs } from "./ses-history";

/**
 * Issue 17: an Owner invites a colleague from the Team page (at phone width); the colleague opens the
 * emailed link from the outbox, creates an account with the invited address and lands in the workspace
 * with the invited role. An ownership transfer offered from the Danger Zone and accepted from the
 * dashboard banner swaps the roles and signs both out. Invitations to an existing account are answered
 * from the Profile list and the banner.
 */

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const base = () => inject("baseUrl");
const db = () => wranglerDb({ persistDir: inject("persistDir") });

async function signedUp(name: string, label: string) {
  const email = `${label}.${unique()}@example.test`;
  await api(base(), "/api/auth/sign-up", { method: "POST", json: { name, email, password: PASSWORD, acceptTerms: true } });
  const res = await api(base(), "/api/auth/sign-in", { method: "POST", json: { email, password: PASSWORD } });
  const cookie = /sendops_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
  const { user } = (await res.json()) as { user: { id: string } };
  return { email, cookie, id: user.id };
}

/** An Owner with a workspace on the Team plan (room for colleagues). */
async function ownerWithWorkspace(name: string) {
  const owner = await signedUp("Olga Owner", "owner");
  const { workspace } = (await (await api(base(), "/api/workspaces", { method: "POST", cookie: owner.cookie, json: { name } })).json()) as {
    workspace: { id: string; slug: string };
  };
  await db().update(orgs).set({ plan: "team" }).where(eq(orgs.id, workspace.id));
  return { owner, workspace };
}

async function mailedLink(to: string, kind: "invite" | "ownership"): Promise<string> {
  let path = "";
  await eventually(async () => {
    const res = await fetch(`${inject("awsUrl")}/__sim/outbox.json?account=${SIM_SENDOPS_ACCOUNT}`);
    const { mails } = (await res.json()) as { mails: { to: string[]; text: string }[] };
    const m = mails.filter((x) => x.to.includes(to)).map((x) => new RegExp(`https?://[^\\s]+(/${kind}/[^\\s]+)`).exec(x.text)).find(Boolean);
    path = m?.[1] ?? "";
    return !!path;
  }, `the ${kind} mail to ${to}`);
  return path;
}

const roleIn = async (cookie: string, orgId: string) => {
  const res = await fetch(`${base()}/api/me`, { headers: { cookie } });
  if (res.status === 401) return "signed out";
  const me = (await res.json()) as { workspaces: { id: string; role: string }[] };
  return me.workspaces.find((w) => w.id === orgId)?.role ?? null;
};

it("Owner invites at 390 px → the invitee opens the outbox link, signs up and lands in the workspace with the invited role", async () => {
  const { owner, workspace } = await ownerWithWorkspace("Invite Works");
  const ownerCtx = await browser.newContext({ baseURL: base(), viewport: { width: 390, height: 844 } });
  const page = await ownerCtx.newPage();
  page.setDefaultTimeout(30_000);
  await signInAs(page, owner.email);
  await page.goto(`/w/${workspace.slug}/team`);
  await page.getByRole("button", { name: "Invite Member" }).click();
  const dialog = page.getByRole("dialog", { name: "Invite member" });
  const invitee = `ivy.${unique()}@example.test`;
  await dialog.getByLabel("Email").fill(invitee);
  await dialog.getByLabel("Role").selectOption("developer");
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  const row = page.getByRole("row").filter({ hasText: invitee });
  await row.getByText("Pending").waitFor();
  await row.getByRole("button", { name: `Resend the invitation to ${invitee}` }).waitFor();
  // The page fits the phone's width: nothing scrolls sideways.
  expect(await page.evaluate("document.documentElement.scrollWidth > window.innerWidth")).toBe(false);

  const link = await mailedLink(invitee, "invite");
  const ctx = await browser.newContext({ baseURL: base(), viewport: { width: 1280, height: 900 } });
  const ivy = await ctx.newPage();
  ivy.setDefaultTimeout(30_000);
  await ivy.goto(link);
  await ivy.getByText("invited").first().waitFor();
  await ivy.getByRole("link", { name: "Create an account to accept" }).click();
  await ivy.waitForURL((u) => u.pathname === "/sign-up");
  expect(await ivy.getByLabel("Email").inputValue()).toBe(invitee);
  await ivy.getByLabel("Full name").fill("Ivy Invitee");
  await ivy.getByLabel("Password").fill(PASSWORD);
  await ivy.getByLabel("I agree to the Terms of Service and Privacy Policy").check();
  await ivy.getByRole("button", { name: "Create account" }).click();
  await ivy.waitForURL((u) => u.pathname === "/sign-in");
  expect(await ivy.getByLabel("Email").inputValue()).toBe(invitee);
  await ivy.getByLabel("Password").fill(PASSWORD);
  await ivy.getByRole("button", { name: "Sign in" }).click();
  await ivy.waitForURL((u) => u.pathname.startsWith(`/w/${workspace.slug}/`));
  await ivy.locator(".topbar-title, .org-switcher").filter({ hasText: "Invite Works" }).first().waitFor({ state: "attached" });
  const cookie = (await ctx.cookies()).find((c) => c.name === "sendops_session")!;
  expect(await roleIn(`sendops_session=${cookie.value}`, workspace.id)).toBe("developer");

  // The Owner's list now shows the new member instead of the invitation.
  await page.reload();
  await page.getByRole("row").filter({ hasText: "Ivy Invitee" }).getByLabel("Role of Ivy Invitee").waitFor();
  expect(await page.getByRole("row").filter({ hasText: invitee }).getByText("Pending").count()).toBe(0);
  await ownerCtx.close();
  await ctx.close();
});

it("a transfer offered from the Danger Zone and accepted from the banner swaps the roles and signs both out", async () => {
  const { owner, workspace } = await ownerWithWorkspace("Handover Works");
  const heir = await signedUp("Hana Heir", "heir");
  await api(base(), `/api/orgs/${workspace.id}/invitations`, { method: "POST", cookie: owner.cookie, json: { email: heir.email, role: "org_admin" } });
  const { invitations } = (await (await api(base(), "/api/me/invitations", { cookie: heir.cookie })).json()) as { invitations: { id: string }[] };
  await api(base(), `/api/me/invitations/${invitations[0]!.id}/accept`, { method: "POST", cookie: heir.cookie });
  await db().update(users).set({ emailVerifiedAt: Date.now() }).where(eq(users.id, heir.id));

  const ownerCtx = await browser.newContext({ baseURL: base(), viewport: { width: 1280, height: 900 } });
  const page = await ownerCtx.newPage();
  page.setDefaultTimeout(30_000);
  await signInAs(page, owner.email);
  await page.goto(`/w/${workspace.slug}/settings`);
  await page.getByRole("button", { name: "Transfer Ownership" }).click();
  const dialog = page.getByRole("dialog", { name: "Transfer ownership" });
  await dialog.getByLabel("New Owner").selectOption(heir.id);
  await dialog.getByRole("button", { name: "Offer ownership" }).click();
  await page.getByText(/Offered to/).waitFor();
  await page.goto(`/w/${workspace.slug}/team`);
  await page.getByText("Ownership transfer pending").waitFor();
  expect(await mailedLink(heir.email, "ownership")).toMatch(/^\/ownership\//);

  const heirCtx = await browser.newContext({ baseURL: base(), viewport: { width: 1280, height: 900 } });
  const heirPage = await heirCtx.newPage();
  heirPage.setDefaultTimeout(30_000);
  await signInAs(heirPage, heir.email);
  await heirPage.goto(`/w/${workspace.slug}/team`);
  const banner = heirPage.getByRole("region", { name: "Ownership transfer" });
  await banner.getByText("Olga Owner wants to make you the Owner of").waitFor();
  await banner.getByRole("button", { name: "Accept ownership" }).click();
  await heirPage.waitForURL((u) => u.pathname === "/sign-in");
  await heirPage.getByText("Ownership transferred.").waitFor();

  // Both are signed out: the Owner's browser is sent to sign in on its next request.
  const ownerCookie = (await ownerCtx.cookies()).find((c) => c.name === "sendops_session")!;
  expect(await roleIn(`sendops_session=${ownerCookie.value}`, workspace.id)).toBe("signed out");
  await page.reload();
  await page.waitForURL((u) => u.pathname === "/sign-in");
  const heirAgain = await signedIn(heir.email);
  const ownerAgain = await signedIn(owner.email);
  expect(await roleIn(heirAgain, workspace.id)).toBe("owner");
  expect(await roleIn(ownerAgain, workspace.id)).toBe("org_admin");
  await ownerCtx.close();
  await heirCtx.close();
});

async function signedIn(email: string) {
  const res = await api(base(), "/api/auth/sign-in", { method: "POST", json: { email, password: PASSWORD } });
  return /sendops_session=[^;]+/.exec(res.headers.get("set-cookie") ?? "")![0];
}

it("pending invitations: the Profile list declines one, then the banner accepts the other and opens its workspace", async () => {
  const alpha = await ownerWithWorkspace("Offer Alpha");
  const beta = await ownerWithWorkspace("Offer Beta");
  const guest = await signedUp("Gus Guest", "guest");
  const { workspace: home } = (await (await api(base(), "/api/workspaces", { method: "POST", cookie: guest.cookie, json: { name: "Guest Home" } })).json()) as {
    workspace: { slug: string };
  };
  for (const { owner, workspace } of [alpha, beta]) {
    await api(base(), `/api/orgs/${workspace.id}/invitations`, { method: "POST", cookie: owner.cookie, json: { email: guest.email, role: "viewer" } });
  }

  const ctx = await browser.newContext({ baseURL: base(), viewport: { width: 390, height: 844 } });
  const page = await ctx.newPage();
  page.setDefaultTimeout(30_000);
  await signInAs(page, guest.email);
  await page.goto(`/w/${home.slug}/api-keys`);
  const several = page.getByRole("region", { name: "Pending invitations" });
  await several.getByText("You have 2 pending invitations to other workspaces.").waitFor();
  await several.getByRole("link", { name: "Review invitations" }).click();
  await page.getByRole("button", { name: "Decline the invitation to Offer Alpha" }).click();
  await page.getByText("Invitation to Offer Alpha declined.").waitFor();

  const one = page.getByRole("region", { name: "Invitation" });
  await one.getByText("Olga Owner invited you to Offer Beta as Viewer.").waitFor();
  await one.getByRole("button", { name: "Accept", exact: true }).click();
  await page.waitForURL((u) => u.pathname.startsWith(`/w/${beta.workspace.slug}`));
  expect(await roleIn(guest.cookie, beta.workspace.id)).toBe("viewer");
  expect(await roleIn(guest.cookie, alpha.workspace.id)).toBeNull();
  await ctx.close();
});
