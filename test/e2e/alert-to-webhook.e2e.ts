import { expect, inject, it } from "vitest";
import type { ReceivedRequest } from "../webhook-receiver";
import { browserWithReceiver } from "./receiver";
import { bounceSpike } from "./reports-events";
import { seedReportsWorkspace } from "./reports-seed";

/**
 * Issue 16's path end to end: a workspace with an outbound webhook endpoint on a local receiver gets a bounce
 * spike through the real ingest path (EventBridge-shaped SES events); the alert evaluator (queued by the
 * events consumer) raises the bounce-rate alert; the inbox shows it; the receiver gets the signed delivery
 * and verifies it with the secret the API showed once; the endpoint's delivery log lists it.
 */

const hooks = browserWithReceiver();

it("a bounce spike raises one bounce-rate alert: inbox, signed webhook delivery, delivery log", { timeout: 300_000 }, async () => {
  const base = inject("baseUrl");
  const now = Date.now();
  // 120 sends in the last half hour, 30 of them hard bounces: 25 % against the 5 % threshold, over the volume guard.
  const ws = await seedReportsWorkspace(base, inject("persistDir"), now);
  const headers = { origin: base, cookie: ws.cookie, "content-type": "application/json" };
  const created = await fetch(`${base}/api/orgs/${ws.orgId}/webhooks`, {
    method: "POST",
    headers,
    body: JSON.stringify({ url: `${hooks.base}/alerts`, description: "Incidents", categories: ["deliverability"] }),
  });
  expect(created.status).toBe(201);
  const { endpoint, secret } = (await created.json()) as { endpoint: { id: string }; secret: string };
  await hooks.verifyWith("alerts", secret);

  const key = ((await (await fetch(`${base}/api/orgs/${ws.orgId}/ingest/keys`, { method: "POST", headers })).json()) as { key: string }).key;
  for (const event of bounceSpike(now, 120, 30)) {
    const res = await fetch(`${base}/ingest/eventbridge`, { method: "POST", headers: { "x-api-key": key, "content-type": "application/json" }, body: JSON.stringify(event) });
    expect(res.status).toBeLessThan(300);
  }

  // The evaluation runs a debounce interval (one minute) after the first batch; then the delivery job and the webhook queue.
  const deadline = Date.now() + 180_000;
  let bounceAlerts: ReceivedRequest[] = [];
  while (Date.now() < deadline) {
    bounceAlerts = (await hooks.received("alerts")).filter((r) => JSON.parse(r.body).notification_type === "deliverability.bounce_rate_threshold");
    if (bounceAlerts.length) break;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  expect(bounceAlerts.length, "a signed bounce-rate delivery reached the receiver").toBeGreaterThan(0);
  expect(bounceAlerts.every((r) => r.verified)).toBe(true);
  const payload = JSON.parse(bounceAlerts[0]!.body) as { id: string; severity: string; title: string; account_id: string; timestamp: string };
  expect(payload.severity).toBe("error");
  expect(payload.title).toMatch(/^Bounce rate .+ on /);
  // One alert per breach: the workspace-wide, the channel and the sending-domain breach, each once, however many batches came in.
  const ids = bounceAlerts.map((r) => (JSON.parse(r.body) as { id: string }).id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.length).toBeLessThanOrEqual(3);

  const context = await hooks.browser.newContext({ baseURL: base, viewport: { width: 390, height: 844 }, timezoneId: "UTC" });
  context.setDefaultTimeout(30_000);
  await context.addCookies([{ name: "sendops_session", value: ws.cookie.split("=")[1]!, url: base }]);
  const page = await context.newPage();
  await page.goto(`/w/${ws.slug}/notifications`);
  await page.getByText(payload.title).first().waitFor();

  await page.goto(`/w/${ws.slug}/webhooks/${endpoint.id}`);
  const log = page.getByRole("table", { name: "Delivery log" });
  const row = log.getByRole("row", { name: /Bounce rate threshold/ }).first();
  await row.getByText("Delivered").waitFor();
  await row.getByRole("cell", { name: "200", exact: true }).waitFor();
  await context.close();
});
