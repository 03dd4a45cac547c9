import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { wranglerDb } from "../../scripts/lib/d1";
import { addChannel, addManagedIdentity } from "../../worker/services/ingest/admin";
import { memberships } from "../../worker/db/schema";
import { launchBrowser } from "./browser";

/**
 * Issue 5 in a real browser, on bounces that went through the real ingest path (EventBridge POSTs →
 * queue → consumer → OrgLedger): change a knob, see the preview delta, save, see the list change,
 * Allow an address with a note and find the note in the audit log.
 */

type Json = Record<string, any>;
const FIXTURES = path.resolve(import.meta.dirname, "..", "fixtures", "ses-events");
const fixture = (name: string): Json => JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), "utf8")) as Json;
const HOUR = 3_600_000;
const PASSWORD = "correct horse battery";

let seq = 0;
/** One bounce of `recipient`, `hoursAgo` hours ago, from the fixture of that bounce kind. */
function bounce(kind: string, recipient: string, hoursAgo: number): Json {
  const e = fixture(kind);
  const n = ++seq;
  const at = new Date(Date.now() - hoursAgo * HOUR).toISOString();
  e.id = `e2e-ul-0000-4000-8000-${String(n).padStart(12, "0")}-${Date.now()}`;
  e.time = at;
  const messageId = `0100018f7a2b${String(n).padStart(4, "0")}-ul00-4e0f-a1b2-${Date.now()}-000000`;
  e.detail.mail = { ...e.detail.mail, messageId, timestamp: at, destination: [recipient] };
  e.detail.bounce.timestamp = at;
  e.detail.bounce.bouncedRecipients = e.detail.bounce.bouncedRecipients.map((r: Json) => ({ ...r, emailAddress: recipient }));
  return e;
}

async function call(path: string, init: { method?: string; json?: unknown; cookie?: string; headers?: Record<string, string>; noOrigin?: boolean } = {}) {
  const baseUrl = inject("baseUrl");
  const headers: Record<string, string> = { ...(init.noOrigin ? {} : { origin: baseUrl }), ...(init.headers ?? {}) };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.json !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${baseUrl}${path}`, { method: init.method ?? "GET", headers, body: init.json === undefined ? undefined : JSON.stringify(init.json) });
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path} → ${res.status} ${await res.text()}`);
  return res;
}

let browser: Browser;
let seeded: { email: string; orgId: string; slug: string };

/** A workspace whose Undeliverable list has p1 (permanent) and t1 (3 transient); s1/s2 only soft bounces. */
async function seed() {
  const email = `ul.${Date.now().toString(36)}@example.test`;
  await call("/api/auth/sign-up", { method: "POST", json: { name: "Uma Undeliverable", email, password: PASSWORD, acceptTerms: true } });
  const signIn = await call("/api/auth/sign-in", { method: "POST", json: { email, password: PASSWORD } });
  const cookie = /sendops_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")![0];
  const ws = (await (await call("/api/workspaces", { method: "POST", cookie, json: { name: "Bounce Co" } })).json()) as { workspace: { id: string; slug: string } };
  const orgId = ws.workspace.id;
  const key = ((await (await call(`/api/orgs/${orgId}/ingest/keys`, { method: "POST", cookie })).json()) as { key: string }).key;
  const db = wranglerDb({ persistDir: inject("persistDir") });
  const actor = { userId: null, name: "e2e seed", email: "" };
  await addManagedIdentity(db, orgId, { identity: "mail.example.com", verificationStatus: "SUCCESS" }, actor);
  await addChannel(db, orgId, { name: "Transactional", configurationSetName: "acme-transactional" }, actor);

  const events = [
    bounce("bounce-permanent-noemail", "p1@bounce.test", 5),
    ...[1, 2, 3].map((h) => bounce("bounce-transient-general", "t1@bounce.test", h)),
    ...[1, 2, 3, 4, 5].map((h) => bounce("bounce-transient-mailboxfull", "s1@bounce.test", h)),
    ...[1, 2, 3, 4, 5, 6].map((h) => bounce("bounce-transient-mailboxfull", "s2@bounce.test", h)),
  ];
  for (const e of events) await call("/ingest/eventbridge", { method: "POST", json: e, headers: { "x-api-key": key }, noOrigin: true });

  // The consumer writes asynchronously: wait until the list shows what Standard lists.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const page = (await (await call(`/api/orgs/${orgId}/undeliverable?status=all`, { cookie })).json()) as { rows: unknown[] };
    const preview = (await (
      await call(`/api/orgs/${orgId}/undeliverable/rules/preview`, {
        method: "POST",
        cookie,
        json: {
          repeated_transient: { enabled: true, events: 3, windowDays: 30 },
          undetermined: { enabled: false, events: 2, windowDays: 14 },
          soft_bounce_accumulation: { enabled: true, events: 5, windowDays: 14 },
        },
      })
    ).json()) as { candidateSize: number };
    if (page.rows.length === 2 && preview.candidateSize === 4) break;
    if (Date.now() > deadline) throw new Error(`the list did not fill up: ${page.rows.length} rows, candidate ${preview.candidateSize}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { email, orgId, slug: ws.workspace.slug };
}

beforeAll(async () => {
  [browser, seeded] = await Promise.all([launchBrowser(), seed()]);
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

async function signedInPage(email = seeded.email): Promise<Page> {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname.startsWith("/w/"));
  return page;
}

const listedEmails = (page: Page) => page.locator("tbody tr[data-email]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-email")).sort());

it("changes a knob, previews the delta, saves, sees the list change, and allows an address with an audited note", async () => {
  const page = await signedInPage();

  await page.goto(`/w/${seeded.slug}/undeliverable`);
  await page.getByRole("heading", { name: "Undeliverable" }).waitFor();
  await page.locator('tr[data-email="t1@bounce.test"]').waitFor();
  expect(await listedEmails(page)).toEqual(["p1@bounce.test", "t1@bounce.test"]);
  await expect.poll(() => page.locator('tr[data-email="p1@bounce.test"]').innerText()).toContain("permanent bounce · NoEmail");

  // Rules page: Standard by default; the preview shows today's list.
  await page.getByRole("link", { name: "Configure rules" }).click();
  await page.waitForURL((u) => u.pathname.endsWith("/undeliverable/rules"));
  await expect.poll(() => page.getByRole("radio", { name: "Standard" }).isChecked()).toBe(true);
  await expect.poll(() => page.getByTestId("preview-current").innerText()).toBe("2");

  // Turn soft-bounce accumulation on (5 in 14 days): the profile becomes Custom, the preview shows +2.
  await page.getByRole("switch", { name: "Soft-bounce accumulation on" }).check();
  await expect.poll(() => page.getByRole("radio", { name: "Custom" }).isChecked()).toBe(true);
  await expect.poll(() => page.getByTestId("preview-candidate").innerText()).toBe("4");
  await expect.poll(() => page.getByTestId("preview-delta").innerText()).toMatch(/\+2\s+−0/);
  await page.getByText("Show sample additions").click();
  await expect.poll(() => page.getByTestId("preview").innerText()).toMatch(/s2@bounce\.test\s+6 events/);

  // Raising the threshold to 6 keeps only s2.
  await page.locator("#soft_bounce_accumulation-events").fill("6");
  await expect.poll(() => page.getByTestId("preview-delta").innerText()).toMatch(/\+1\s+−0/);
  await page.locator("#soft_bounce_accumulation-events").fill("5");
  await expect.poll(() => page.getByTestId("preview-delta").innerText()).toMatch(/\+2\s+−0/);

  await page.getByRole("button", { name: "Save rules" }).click();
  await page.getByText(/Rules saved \(version [0-9a-f]{6}\)/).waitFor();

  // The list follows the saved rules at once.
  await page.getByRole("link", { name: "Back to the list" }).click();
  await expect.poll(() => listedEmails(page)).toEqual(["p1@bounce.test", "s1@bounce.test", "s2@bounce.test", "t1@bounce.test"]);

  // Allow s1 with a note: it leaves the Listed view and shows under Excluded with the note.
  const note = `Customer emptied the mailbox ${Date.now()}`;
  await page.locator('tr[data-email="s1@bounce.test"]').getByRole("button", { name: "Allow" }).click();
  await page.getByLabel("Note (optional)").fill(note);
  // The note box shows its three rows, not a one-line input's height.
  expect((await page.getByLabel("Note (optional)").boundingBox())!.height).toBeGreaterThan(60);
  await page.getByRole("dialog").getByRole("button", { name: "Allow" }).click();
  await expect.poll(() => listedEmails(page)).toEqual(["p1@bounce.test", "s2@bounce.test", "t1@bounce.test"]);
  await page.getByLabel("Status").selectOption("excluded");
  await expect.poll(() => listedEmails(page)).toEqual(["s1@bounce.test"]);
  await expect.poll(() => page.locator('tr[data-email="s1@bounce.test"]').innerText()).toContain(note);

  // The audit log has the Allow with its note, and the rules change.
  await page.goto(`/w/${seeded.slug}/audit-log`);
  await page.getByText(note, { exact: false }).first().waitFor();
  await page.getByText(/Saved classification rules \(Custom\)/).first().waitFor();
});

it("a Viewer sees the list and the rules but Allow and Save are disabled with an explanation", async () => {
  const email = `ul.viewer.${Date.now().toString(36)}@example.test`;
  await call("/api/auth/sign-up", { method: "POST", json: { name: "Vic Viewer", email, password: PASSWORD, acceptTerms: true } });
  const signIn = await call("/api/auth/sign-in", { method: "POST", json: { email, password: PASSWORD } });
  const cookie = /sendops_session=[^;]+/.exec(signIn.headers.get("set-cookie") ?? "")![0];
  const me = (await (await call("/api/me", { cookie })).json()) as { user: { id: string } };
  await wranglerDb({ persistDir: inject("persistDir") })
    .insert(memberships)
    .values({ orgId: seeded.orgId, userId: me.user.id, role: "viewer", createdAt: Date.now() });

  const page = await signedInPage(email);
  await page.goto(`/w/${seeded.slug}/undeliverable`);
  const allow = page.locator('tr[data-email="p1@bounce.test"]').getByRole("button", { name: "Allow" });
  await allow.waitFor();
  expect(await allow.isDisabled()).toBe(true);
  // The reason is the disabled button's tooltip (its description).
  const reason = async (button: typeof allow) => page.locator(`[id="${await button.getAttribute("aria-describedby")}"]`).textContent();
  expect(await reason(allow)).toBe("Only Owners and Org Admins can allow or re-list addresses; your role is Viewer.");

  await page.goto(`/w/${seeded.slug}/undeliverable/rules`);
  await page.getByText("View only").waitFor();
  const save = page.getByRole("button", { name: "Save rules" });
  expect(await reason(save)).toBe("Only Owners and Org Admins can change classification rules; your role is Viewer.");
  // The knobs and the preview still work for exploring; saving stays impossible.
  await page.getByRole("switch", { name: "Undetermined bounces on" }).check();
  await expect.poll(() => page.getByTestId("preview-candidate").innerText()).toMatch(/^\d+$/);
  expect(await save.isDisabled()).toBe(true);
});
