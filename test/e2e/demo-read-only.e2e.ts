import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Locator, Page } from "playwright-core";
import { wranglerDb } from "../../scripts/lib/d1";
import { createApp } from "../../worker/app";
import type { TaggedMiddleware } from "../../worker/auth/middleware";
import { DEMO_READ_ONLY_MESSAGE } from "../../worker/auth/permissions";
import { recordDeadLetters } from "../../worker/services/ingest/dead-letters";
import { launchBrowser, signUpAndIn } from "./browser";
import { eventually, newMessageId, PASSWORD, postEvents, sesEvent } from "./ses-history";

/**
 * Issue 13, item 3: every action the read-only demo refuses is disabled up front, with the same reason
 * as its tooltip. The list of refused actions is the API's: every state-changing workspace route not
 * marked allowInDemo. Each maps to the control that calls it, or says why the demo shows none.
 */

const HOUR = 3_600_000;

/** `METHOD /api/path` of every route the demo refuses. */
function refusedInDemo(): string[] {
  const out = new Set<string>();
  for (const r of createApp().routes) {
    const access = (r.handler as Partial<TaggedMiddleware>).access;
    if (access?.kind === "org" && !access.allowInDemo && !["GET", "HEAD", "OPTIONS"].includes(r.method)) out.add(`${r.method} ${r.path}`);
  }
  return [...out].sort();
}

type Control = { path: string; open?: (page: Page) => Promise<void>; button: (page: Page) => Locator } | { none: string };

const main = (page: Page) => page.locator("main");
const byName = (name: string | RegExp) => (page: Page) => main(page).getByRole("button", { name }).first();

/** The first row's action menu on the Identities page, and one of its items. */
const openRowMenu = (page: Page) => main(page).getByRole("button", { name: /^More actions for / }).first().click();
const menuItem = (name: string) => (page: Page) => page.getByRole("menu").getByRole("menuitem", { name });

/** A demo channel's detail page (not the default's, which offers no Set as Default), from the Channels list. */
const openMarketingChannel = async (page: Page) => {
  await main(page).getByRole("table", { name: "Channels" }).getByRole("link", { name: "Marketing" }).click();
  await page.getByRole("heading", { name: "Danger Zone" }).waitFor();
};

/** The demo's tracking domain's detail page, from the Tracking Domains list. */
const openTrackingDomain = async (page: Page) => {
  await main(page).getByRole("table", { name: "Tracking domains" }).getByRole("button", { name: "track.example.com" }).click();
  await page.getByRole("heading", { name: "Danger Zone" }).waitFor();
};

/** The demo's webhook endpoint's detail page, from Connections → Webhooks. */
const openDemoEndpoint = async (page: Page) => {
  await main(page).getByRole("row", { name: /hooks\.example\.com/ }).getByRole("link").click();
  await page.getByRole("table", { name: "Delivery log" }).waitFor();
};
const CONTROLS: Record<string, Control> = {
  "POST /api/orgs/:orgId/api-keys": { path: "/w/demo/api-keys", button: byName("Create API key") },
  "DELETE /api/orgs/:orgId/api-keys/:id": { none: "the demo has no API keys, and none can be created" },
  "PUT /api/orgs/:orgId/aws-connection": { path: "/w/demo/aws-connection", button: byName(/^(Re-validate|Validate)$/) },
  "POST /api/orgs/:orgId/aws-connection/validate": { path: "/w/demo/aws-connection", button: byName(/^(Re-validate|Validate)$/) },
  "DELETE /api/orgs/:orgId/aws-connection": { path: "/w/demo/aws-connection", button: byName("Disconnect AWS") },
  "POST /api/orgs/:orgId/ingest/keys": { path: "/w/demo/ingest", button: byName(/^(Rotate|Create) key$/) },
  "POST /api/orgs/:orgId/dead-letters/:id/replay": { path: "/w/demo/ingest/dead-letters", button: byName(/^Replay SES Open/) },
  "PUT /api/orgs/:orgId/setup/progress": { none: "the Setup Guide records where a member left off only outside the demo: there is nothing to press" },
  "POST /api/orgs/:orgId/setup/delegate": {
    path: "/w/demo/setup?phase=aws",
    open: (page) => main(page).getByRole("button", { name: "Don't have AWS access? Delegate this step" }).click(),
    button: (page) => page.getByRole("dialog").getByRole("button", { name: "Send instructions" }),
  },
  "POST /api/orgs/:orgId/aws-connection/validation": { path: "/w/demo/setup?phase=validation", button: byName(/^(Run Validation|Retry Validation|Re-validate)$/) },
  "POST /api/orgs/:orgId/aws-connection/sync": { path: "/w/demo/setup?phase=identities", button: byName("Sync from AWS") },
  "POST /api/orgs/:orgId/setup/test-send": { path: "/w/demo/setup?phase=test_send", button: byName("Send Test Email") },
  "DELETE /api/orgs/:orgId/suppressions/:email": {
    none: "needs the demo's hard bounces, which would change the suppression list suppressions.e2e.ts counts: that test checks these Remove buttons",
  },
  "PATCH /api/orgs/:orgId/members/:userId": { none: "the demo's Team lists only the visitor, whose own role cannot be changed" },
  "DELETE /api/orgs/:orgId/members/:userId": { none: "the demo's Team lists only the visitor, who leaves instead of being removed" },
  "POST /api/orgs/:orgId/undeliverable/allow": { path: "/w/demo/undeliverable", button: byName("Allow") },
  "POST /api/orgs/:orgId/undeliverable/relist": { none: "nothing in the demo is excluded (Allow is refused), so no row offers Re-list" },
  "PUT /api/orgs/:orgId/undeliverable/rules": { path: "/w/demo/undeliverable/rules", button: byName("Save rules") },
  "PATCH /api/orgs/:orgId/settings": { path: "/w/demo/settings", button: byName("Save changes") },
  "PUT /api/orgs/:orgId/logo": { path: "/w/demo/settings", button: byName(/^(Upload|Replace) logo$/) },
  "DELETE /api/orgs/:orgId/logo": { none: "the demo has no logo to remove" },
  "POST /api/orgs/:orgId/channels": { path: "/w/demo/channels", button: byName("New Channel") },
  "PATCH /api/orgs/:orgId/channels/:id": { path: "/w/demo/channels", open: openMarketingChannel, button: byName("Rename") },
  "DELETE /api/orgs/:orgId/channels/:id": { path: "/w/demo/channels", open: openMarketingChannel, button: byName("Delete Channel") },
  "POST /api/orgs/:orgId/channels/:id/default": { path: "/w/demo/channels", open: openMarketingChannel, button: byName("Set as Default") },
  "PATCH /api/orgs/:orgId/channels/:id/settings": { none: "the settings are switches and radio groups, disabled with the read-only reason as their title: demo-infrastructure.e2e.ts checks them" },
  "POST /api/orgs/:orgId/channels/:id/retry-sync": { none: "the demo's channels are in sync: no Retry Sync is offered" },
  "POST /api/orgs/:orgId/channels/:id/archive": { none: "the demo's channels are not detached: Archive is offered only for detached ones" },
  "POST /api/orgs/:orgId/channels/:id/restore": { none: "no demo channel is archived, so none offers Restore" },
  "POST /api/orgs/:orgId/identities/domains": { path: "/w/demo/identities", button: byName("Add Domain") },
  "POST /api/orgs/:orgId/identities/emails": { path: "/w/demo/identities", button: byName("Add Email Identity") },
  "POST /api/orgs/:orgId/identities/:id/refresh": { path: "/w/demo/identities", button: byName(/^Refresh /) },
  "POST /api/orgs/:orgId/identities/:id/disconnect": { path: "/w/demo/identities", open: openRowMenu, button: menuItem("Disconnect") },
  "DELETE /api/orgs/:orgId/identities/:id": { path: "/w/demo/identities", open: openRowMenu, button: menuItem("Delete from SES…") },
  "PUT /api/orgs/:orgId/identities/:id/channel": { path: "/w/demo/identities", button: (page) => main(page).getByRole("combobox", { name: /^Channel of / }).first() },
  "POST /api/orgs/:orgId/identities/:id/connect": { none: "every demo identity is managed: Connect is offered only for disconnected ones" },
  "POST /api/orgs/:orgId/identities/:id/archive": { none: "no demo identity is detached: Archive is offered only for detached ones" },
  "POST /api/orgs/:orgId/identities/:id/restore": { none: "no demo identity is archived, so none offers Restore" },
  "POST /api/orgs/:orgId/tracking-domains": { path: "/w/demo/tracking-domains", button: byName("Add Tracking Domain") },
  "PATCH /api/orgs/:orgId/tracking-domains/:id": { none: "the demo's tracking domain is HTTP: it has no CDN domain to edit" },
  "POST /api/orgs/:orgId/tracking-domains/:id/verify": { none: "the demo's tracking domain is verified: Verify Now is offered only until it is" },
  "DELETE /api/orgs/:orgId/tracking-domains/:id": { path: "/w/demo/tracking-domains", open: openTrackingDomain, button: byName("Delete Tracking Domain") },
  "PATCH /api/orgs/:orgId/notifications/preferences": { none: "the preference toggles are checkboxes, disabled with the read-only reason as their title (like the channel settings)" },
  "POST /api/orgs/:orgId/notifications/presets": { path: "/w/demo/notifications?tab=presets", button: byName("Save preset") },
  "POST /api/orgs/:orgId/notifications/presets/apply": { path: "/w/demo/notifications?tab=presets", button: byName("Apply Recommended") },
  "DELETE /api/orgs/:orgId/notifications/presets/:presetId": { none: "the demo has no presets of its own, and none can be created" },
  "PATCH /api/orgs/:orgId/notifications/team/:userId": { none: "the Team tab's toggles are checkboxes, disabled with the read-only reason as their title" },
  "POST /api/orgs/:orgId/notifications/team/:userId/apply-preset": { none: "the Team tab's preset picker is a select, disabled with the read-only reason as its title" },
  "PUT /api/orgs/:orgId/integrations/slack": { path: "/w/demo/integrations", button: byName("Save") },
  "POST /api/orgs/:orgId/integrations/slack/test": { none: "the demo has no Slack connected: Send test message is offered only when one is" },
  "DELETE /api/orgs/:orgId/integrations/slack": { none: "the demo has no Slack connected: Remove is offered only when one is" },
  "POST /api/orgs/:orgId/invitations": { path: "/w/demo/team", button: byName("Invite Member") },
  "POST /api/orgs/:orgId/invitations/:invitationId/resend": { none: "the demo has no invitations (none can be sent), so none offers Resend" },
  "DELETE /api/orgs/:orgId/invitations/:invitationId": { none: "the demo has no invitations to revoke" },
  "POST /api/orgs/:orgId/ownership-transfer": { none: "offering a transfer needs the Owner's workspace.transfer, which no demo visitor holds" },
  "DELETE /api/orgs/:orgId/ownership-transfer": { none: "no ownership transfer is pending in the demo" },
  "PUT /api/orgs/:orgId/two-factor": { path: "/w/demo/settings", button: byName(/^(Require 2FA|Stop requiring 2FA)$/) },
  "PUT /api/orgs/:orgId/alert-thresholds": { none: "the thresholds are fields disabled with the read-only reason as their title (like the channel settings)" },
  "PUT /api/orgs/:orgId/channels/:id/alert-thresholds": { none: "a channel's threshold override is a switch and fields, disabled with the read-only reason as their title" },
  "PUT /api/orgs/:orgId/identities/:id/alert-thresholds": { none: "a sending domain's threshold override (on an identity's page) is a switch and fields, disabled with the read-only reason as their title" },
  "POST /api/orgs/:orgId/webhooks": { path: "/w/demo/webhooks", button: byName("Add Endpoint") },
  "PATCH /api/orgs/:orgId/webhooks/:id": { path: "/w/demo/webhooks", open: openDemoEndpoint, button: byName("Edit") },
  "PUT /api/orgs/:orgId/webhooks/:id/enabled": { path: "/w/demo/webhooks", open: openDemoEndpoint, button: byName("Disable") },
  "POST /api/orgs/:orgId/webhooks/:id/rotate-secret": { path: "/w/demo/webhooks", open: openDemoEndpoint, button: byName("Rotate secret") },
  "POST /api/orgs/:orgId/webhooks/:id/test": { path: "/w/demo/webhooks", open: openDemoEndpoint, button: byName("Send test event") },
  "DELETE /api/orgs/:orgId/webhooks/:id": { path: "/w/demo/webhooks", open: openDemoEndpoint, button: byName("Delete endpoint") },
  "POST /api/orgs/:orgId/webhooks/:id/deliveries/:deliveryId/resend": {
    path: "/w/demo/webhooks",
    open: async (page) => {
      await openDemoEndpoint(page);
      await main(page).getByRole("table", { name: "Delivery log" }).getByRole("row", { name: /Bounce rate trend/ }).getByRole("button", { name: "Details" }).click();
    },
    button: byName("Resend"),
  },
  "DELETE /api/orgs/:orgId": { none: "deleting needs the Owner's workspace.delete; the demo's Danger zone offers Leave, which the demo allows" },
};

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

it("maps every route the demo refuses to its control (or to why the demo shows none)", () => {
  expect(Object.keys(CONTROLS).sort()).toEqual(refusedInDemo());
});

it("disables every refused action in the demo up front, each with the same tooltip", async () => {
  const base = inject("baseUrl");
  // Demo data the controls need: an address listed by repeated transient bounces (not a hard bounce,
  // which would reach the suppression list other tests count) and a dead letter.
  const recipient = `ndr.${Date.now().toString(36)}@initech.example`;
  await postEvents(
    base,
    inject("demoIngestKey"),
    [3, 2, 1].map((h) => sesEvent("bounce-transient-general", { recipient, messageId: newMessageId(), sentAt: Date.now() - h * HOUR })),
  );
  await recordDeadLetters(wranglerDb({ persistDir: inject("persistDir") }), [
    { queueMessageId: `e2e-demo-dlq-${Date.now()}`, body: { kind: "event", orgId: "org_demo", receivedAt: Date.now(), event: sesEvent("open", { recipient, messageId: newMessageId(), sentAt: Date.now() - HOUR }) }, attempts: 6 },
  ]);

  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signUpAndIn(page, "Dee Demo", "demo-guard", PASSWORD);
  await eventually(async () => {
    const res = await context.request.get(`${base}/api/orgs/org_demo/undeliverable`);
    return ((await res.json()) as { rows: { email: string }[] }).rows.some((r) => r.email === recipient);
  }, "the demo's listed address");

  const walked: string[] = [];
  for (const [route, control] of Object.entries(CONTROLS)) {
    if ("none" in control) continue;
    await page.goto(control.path);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await control.open?.(page);
    const button = control.button(page);
    await button.waitFor();
    expect(await button.isDisabled(), `${route}: disabled`).toBe(true);
    const tipId = await button.getAttribute("aria-describedby");
    expect(tipId, `${route}: described by its tooltip`).toBeTruthy();
    const tip = page.locator(`[id="${tipId}"]`);
    expect(await tip.textContent(), `${route}: tooltip`).toBe(DEMO_READ_ONLY_MESSAGE);
    // Shown on hover of the control's wrapper (a disabled button gets no pointer events of its own).
    await button.locator("xpath=..").hover();
    await tip.waitFor({ state: "visible" });
    walked.push(route);
  }
  expect(walked.length).toBeGreaterThanOrEqual(25);
  await context.close();
});
