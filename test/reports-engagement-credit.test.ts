import { describe, expect, it } from "vitest";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { fixture } from "./ingest-helpers";
import { feed, HOUR, newReportOrg, ok, type ReportOrg } from "./reports-helpers";

/**
 * SES reports an Open or a Click for a message, naming every recipient of it. Engagement is credited
 * only to the recipients whose Delivery is known (docs/reports.md, Engagement), whatever order the
 * events arrive in: reports, per-recipient data and status agree.
 */

const T0 = Date.UTC(2024, 9, 7, 10);
const SENT = T0 + 5 * 60_000;
const DELIVERED_TO = "delivered@gmail.com";
const BOUNCED = "bounced@yahoo.com";
const RECIPIENTS = [DELIVERED_TO, BOUNCED];
const OPENED_AT = SENT + 40 * 60_000;
const CLICKED_AT = SENT + 45 * 60_000;
const RANGE = { from: T0, to: T0 + 2 * HOUR };

const iso = (ms: number) => new Date(ms).toISOString();
let envelopes = 0;

/** One event of the two-recipient message, built from the fixtures. */
function event(name: string, at: number, mutate: (e: SesEventBridgeEvent) => void = () => {}): SesEventBridgeEvent {
  const e = fixture(name);
  e.id = `credit-${name}-${++envelopes}`;
  e.time = iso(at).replace(/\.\d{3}Z$/, "Z");
  e.detail.mail.messageId = "0100018f-credit-000001-000000";
  e.detail.mail.timestamp = iso(SENT);
  e.detail.mail.destination = [...RECIPIENTS];
  e.detail.mail.tags = { ...e.detail.mail.tags, template: ["newsletter"] };
  mutate(e);
  return e;
}

const send = () => event("send", SENT);
const delivery = () =>
  event("delivery", SENT + 1500, (e) => {
    if (e.detail.eventType !== "Delivery") return;
    e.detail.delivery.timestamp = iso(SENT + 1500);
    e.detail.delivery.recipients = [DELIVERED_TO];
  });
const bounce = () =>
  event("bounce-permanent-general", SENT + 2000, (e) => {
    if (e.detail.eventType !== "Bounce") return;
    e.detail.bounce.timestamp = iso(SENT + 2000);
    e.detail.bounce.bouncedRecipients = [{ emailAddress: BOUNCED, action: "failed", status: "5.1.1", diagnosticCode: "smtp; 550 5.1.1 user unknown" }];
  });
const open = () =>
  event("open", OPENED_AT, (e) => {
    if (e.detail.eventType === "Open") e.detail.open.timestamp = iso(OPENED_AT);
  });
const click = () =>
  event("click", CLICKED_AT, (e) => {
    if (e.detail.eventType === "Click") e.detail.click.timestamp = iso(CLICKED_AT);
  });

interface Summary {
  recipient: string;
  status: string;
  deliveredAt: number | null;
  firstOpenAt: number | null;
  firstClickAt: number | null;
}

async function recipients(org: ReportOrg): Promise<Record<string, Omit<Summary, "recipient">>> {
  const page = await ok<{ messages: Summary[] }>(org.get("/messages", { from: T0, to: T0 + HOUR }));
  return Object.fromEntries(page.messages.map(({ recipient, status, deliveredAt, firstOpenAt, firstClickAt }) => [recipient, { status, deliveredAt, firstOpenAt, firstClickAt }]));
}

const engagement = (org: ReportOrg) => ok(org.get("/reports/engagement", { ...RANGE, granularity: "hour" }));

/** What every order must end in: only the delivered recipient opened and clicked. */
async function expectOnlyDeliveredCredited(org: ReportOrg) {
  const report = await engagement(org);
  expect(report.totals).toEqual({ deliveries: 1, opens: 1, clicks: 1, uniqueOpens: 1, uniqueClicks: 1, openPct: 100, clickPct: 100 });
  expect(report.series.find((p: { t: number }) => p.t === T0)).toMatchObject({ deliveries: 1, uniqueOpens: 1, uniqueClicks: 1 });
  expect(report.byDomain).toEqual([{ domain: "gmail.com", deliveries: 1, uniqueOpens: 1, uniqueClicks: 1, openPct: 100, clickPct: 100 }]);
  expect(report.byTemplate).toEqual([{ template: "newsletter", sent: 2, openPct: 100, clickPct: 100, bouncePct: 50, complaintPct: 0 }]);

  expect(await recipients(org)).toEqual({
    [DELIVERED_TO]: { status: "delivered", deliveredAt: SENT + 1500, firstOpenAt: OPENED_AT, firstClickAt: CLICKED_AT },
    [BOUNCED]: { status: "bounced", deliveredAt: null, firstOpenAt: null, firstClickAt: null },
  });
}

describe("engagement on a message to two recipients, one delivered and one bounced", () => {
  it("delivery and bounce first, then the open and the click: only the delivered recipient is credited", async () => {
    const org = await newReportOrg();
    await feed(org.orgId, [send(), delivery(), bounce()]);
    await feed(org.orgId, [open(), click()]);
    await expectOnlyDeliveredCredited(org);
  });

  it("the open and the click first: nobody is credited until a Delivery arrives, then only its recipient", async () => {
    const org = await newReportOrg();
    await feed(org.orgId, [open(), click()]);
    const before = await engagement(org);
    expect(before.totals).toEqual({ deliveries: 0, opens: 0, clicks: 0, uniqueOpens: 0, uniqueClicks: 0, openPct: null, clickPct: null });
    expect(await recipients(org)).toEqual({
      [DELIVERED_TO]: { status: "sent", deliveredAt: null, firstOpenAt: null, firstClickAt: null },
      [BOUNCED]: { status: "sent", deliveredAt: null, firstOpenAt: null, firstClickAt: null },
    });

    await feed(org.orgId, [bounce()]);
    expect((await engagement(org)).totals).toMatchObject({ opens: 0, clicks: 0, uniqueOpens: 0, uniqueClicks: 0 });

    await feed(org.orgId, [delivery(), send()]);
    await expectOnlyDeliveredCredited(org);
  });

  it("everything in one batch, in either order: the same result", async () => {
    for (const events of [
      [open(), click(), bounce(), delivery(), send()],
      [send(), delivery(), bounce(), open(), click()],
    ]) {
      const org = await newReportOrg();
      await feed(org.orgId, events);
      await expectOnlyDeliveredCredited(org);
    }
  });

  it("delivered the same events again changes nothing", async () => {
    const org = await newReportOrg();
    const events = [open(), click(), send(), delivery(), bounce()];
    await feed(org.orgId, events);
    await feed(org.orgId, [...events, delivery(), open()]);
    await expectOnlyDeliveredCredited(org);
  });
});
