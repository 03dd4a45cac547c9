import { afterAll, beforeAll, expect, inject, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "./browser";
import { api, eventually, newMessageId, ownWorkspace, postEvents, sesEvent, signInAs, type OwnWorkspace } from "./ses-history";

/**
 * Issue 13, item 6: figures that explain themselves. Total bounce % = hard + soft + undetermined, all
 * three shown; a rate whose denominator is empty reads "—" and says why; a provider with more deliveries
 * than sends has the reason at hand; the latency chart shows P50, P95 and P99 inside its plot; bounce
 * reasons are labelled in full.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const D0 = Math.floor(Date.now() / DAY) * DAY;
/** A day with only a complaint and an open about mail delivered a week earlier. */
const QUIET = { from: D0 - 3 * DAY, to: D0 - 2 * DAY };
/** A day of sends: 20 delivered (latencies from 1 s to 30 min), a hard, a soft and an undetermined bounce. */
const BUSY = { from: D0 - 2 * DAY, to: D0 - DAY };
const FULL_REASON = "Permanent · OnAccountSuppressionList";

let browser: Browser;
let ws: OwnWorkspace;

function history() {
  const events: Record<string, unknown>[] = [];
  const message = (recipient: string, sentAt: number, outcome: { fixture: string; at: number }[]) => {
    const messageId = newMessageId();
    events.push(sesEvent("send", { recipient, messageId, sentAt }));
    for (const o of outcome) events.push(sesEvent(o.fixture, { recipient, messageId, sentAt, at: o.at }));
  };
  // Delivered ten days ago; complained about and opened on the quiet day.
  const old = D0 - 10 * DAY + 9 * HOUR;
  message("reader@example.net", old, [
    { fixture: "delivery", at: old + 2_000 },
    { fixture: "complaint", at: QUIET.from + 10 * HOUR },
    { fixture: "open", at: QUIET.from + 11 * HOUR },
  ]);
  for (let i = 0; i < 20; i++) {
    const sentAt = BUSY.from + (8 + (i % 4)) * HOUR + i * 1000;
    const latency = i === 18 ? 60_000 : i === 19 ? 30 * 60_000 : 900 + i * 40;
    message(`reader${i}@gmail.com`, sentAt, [{ fixture: "delivery", at: sentAt + latency }]);
  }
  message("gone@gmail.com", BUSY.from + 12 * HOUR, [{ fixture: "bounce-permanent-onaccountsuppressionlist", at: BUSY.from + 12 * HOUR + 300 }]);
  message("full@gmail.com", BUSY.from + 13 * HOUR, [{ fixture: "bounce-transient-mailboxfull", at: BUSY.from + 13 * HOUR + 2_000 }]);
  message("mystery@gmail.com", BUSY.from + 14 * HOUR, [{ fixture: "bounce-undetermined", at: BUSY.from + 14 * HOUR + 5_000 }]);
  // Sent the evening before the busy day, delivered after midnight: a delivery of the busy day without its send.
  message("late@yahoo.com", BUSY.from - HOUR, [{ fixture: "delivery", at: BUSY.from + HOUR }]);
  return events;
}

beforeAll(async () => {
  const base = inject("baseUrl");
  [browser, ws] = await Promise.all([launchBrowser(), ownWorkspace(base, inject("persistDir"), "Numbers Co")]);
  const events = history();
  await postEvents(base, ws.ingestKey, events);
  await eventually(async () => {
    let count = 0;
    let cursor: string | null = null;
    do {
      const q: string = `from=${D0 - 11 * DAY}&to=${D0}&limit=100${cursor ? `&cursor=${cursor}` : ""}`;
      const page = (await (await api(base, `/api/orgs/${ws.orgId}/events?${q}`, { cookie: ws.cookie })).json()) as { events: unknown[]; nextCursor: string | null };
      count += page.events.length;
      cursor = page.nextCursor;
    } while (cursor);
    return count >= events.length;
  }, "every event");
}, 180_000);
afterAll(async () => {
  await browser?.close();
});

async function open(path: string): Promise<Page> {
  const context = await browser.newContext({ baseURL: inject("baseUrl"), viewport: { width: 1440, height: 900 }, locale: "en-US" });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  await signInAs(page, ws.email);
  await page.goto(path);
  return page;
}

const range = (r: { from: number; to: number }) => `range=custom&from=${r.from}&to=${r.to}`;
const card = (page: Page, label: string) => page.getByRole("group", { name: /metrics|totals/ }).locator(".metric").filter({ has: page.locator(".metric-label", { hasText: new RegExp(`^${label}`) }) });
const pct = (s: string | null | undefined) => Number((s ?? "").replace("%", ""));

it("shows hard, soft and undetermined bounces that add up to the total", async () => {
  const page = await open(`/w/${ws.slug}/reports?tab=deliverability&${range(BUSY)}`);
  await card(page, "Total Bounce %").locator(".metric-value").filter({ hasText: "%" }).waitFor();
  const value = (label: string) => card(page, label).locator(".metric-value").textContent();
  const [hard, soft, undetermined, total] = await Promise.all(["Hard Bounce %", "Soft Bounce %", "Undetermined %", "Total Bounce %"].map(value));
  expect(pct(undetermined)).toBeGreaterThan(0);
  expect(pct(hard) + pct(soft) + pct(undetermined)).toBeCloseTo(pct(total), 1);
  expect(await card(page, "Undetermined %").locator(".metric-sub").textContent()).toBe("1 of 23 sends");
  await page.context().close();
});

it("labels every bounce reason in full and keeps the latency percentiles inside the chart", async () => {
  const page = await open(`/w/${ws.slug}/reports?tab=deliverability&${range(BUSY)}`);
  const reasons = page.getByRole("figure", { name: "Bounces by reason" });
  await reasons.locator(".recharts-yAxis-tick-labels text").first().waitFor();
  const ticks = await reasons.locator(".recharts-yAxis-tick-labels text").evaluateAll((els) =>
    els.map((el) => {
      const box = el.getBoundingClientRect();
      const chart = el.closest("[role=figure]")!.getBoundingClientRect();
      return { text: el.textContent, inside: box.left >= chart.left - 0.5 && box.right <= chart.right + 0.5 };
    }),
  );
  expect(ticks.map((t) => t.text)).toContain(FULL_REASON);
  expect(ticks.filter((t) => !t.inside)).toEqual([]);

  const latency = page.getByRole("figure", { name: "Delivery latency percentiles over time" });
  await latency.locator(".recharts-line-dots circle").first().waitFor();
  const geometry = await latency.evaluate((fig) => {
    const plot = fig.querySelector(".recharts-cartesian-grid")!.getBoundingClientRect();
    // One group of dots per series, in the series' order (P50, P95, P99).
    const lines = [...fig.querySelectorAll(".recharts-line-dots")].map((g) =>
      [...g.querySelectorAll("circle")].map((c) => c.getBoundingClientRect()).map((b) => b.top + b.height / 2),
    );
    return { top: plot.top, bottom: plot.bottom, lines };
  });
  expect(geometry.lines).toHaveLength(3);
  for (const ys of geometry.lines) {
    expect(ys.length).toBeGreaterThan(0);
    for (const y of ys) {
      expect(y).toBeGreaterThanOrEqual(geometry.top - 0.5);
      expect(y).toBeLessThanOrEqual(geometry.bottom + 0.5);
    }
  }
  // P50 sits clear of the axis; P99 clear of the top edge: a scale that shows all three.
  const [p50, , p99] = geometry.lines;
  expect(Math.max(...p50!)).toBeLessThan(geometry.bottom - 8);
  expect(Math.min(...p99!)).toBeGreaterThan(geometry.top + 2);
  await page.context().close();
});

it("shows an empty denominator as — with the reason, on both tabs", async () => {
  const page = await open(`/w/${ws.slug}/reports?tab=deliverability&${range(QUIET)}`);
  const complaint = card(page, "Complaint Rate");
  await complaint.locator(".metric-sub").waitFor();
  expect(await complaint.locator(".metric-value").textContent()).toBe("—");
  expect(await complaint.locator(".metric-sub").textContent()).toBe("1 complaint, no deliveries in this range");
  expect(await complaint.locator(".metric-hint").textContent()).toMatch(/delivered before this range/);
  expect(await page.locator("main").textContent()).not.toMatch(/of 0 (deliveries|delivered|sends)/);

  await page.getByRole("tab", { name: "Engagement" }).click();
  const opens = card(page, "Open rate");
  await opens.locator(".metric-sub").waitFor();
  expect(await opens.locator(".metric-value").textContent()).toBe("—");
  expect(await opens.locator(".metric-sub").textContent()).toBe("1 opened, no deliveries in this range");
  expect(await opens.locator(".metric-hint").textContent()).toMatch(/delivered before this range/);
  expect(await page.locator("main").textContent()).not.toMatch(/of 0 (deliveries|delivered|sends)/);
  await page.context().close();
});

it("explains a provider with more deliveries than sends right at the column", async () => {
  const page = await open(`/w/${ws.slug}/reports?tab=deliverability&${range(BUSY)}`);
  const table = page.getByRole("table", { name: /Deliverability by provider/ });
  const yahoo = table.getByRole("row", { name: /Yahoo/ });
  await yahoo.waitFor();
  const cells = await yahoo.locator("td").allTextContents();
  expect(cells.slice(0, 2)).toEqual(["0", "1"]);
  const header = table.getByRole("columnheader", { name: /Deliveries/ });
  const info = header.getByRole("button", { name: "About Deliveries" });
  const tipId = await info.getAttribute("aria-describedby");
  const tip = page.locator(`[id="${tipId}"]`);
  expect(await tip.textContent()).toMatch(/counted when they happen.*earlier sends/);
  await info.hover();
  await tip.waitFor({ state: "visible" });
  await page.context().close();
});
