import { beforeAll, describe, expect, it } from "vitest";
import { insertOrgWithMember, json, newUser } from "./helpers";
import { recordingEnv } from "./identities-helpers";
import { newApiKey, v1 } from "./v1-helpers";
import { listNotificationsV1 } from "../worker/routes/v1/notifications";
import { raiseDepsOf, raiseNotification } from "../worker/services/notifications/raise";

const T0 = Date.UTC(2026, 2, 14, 10, 30);
let key: string;
let otherKey: string;
const ids: string[] = [];

beforeAll(async () => {
  const user = await newUser("ntf-v1");
  const orgId = await insertOrgWithMember(user.id, "owner");
  const other = await insertOrgWithMember(user.id, "owner");
  const { env } = recordingEnv();
  const raised = [
    { type: "deliverability.bounce_rate_threshold", params: { scope: "example.com", rate: "6.2%", window: "1 hour", bounces: 62, sends: 1000, threshold: "5%" }, payload: { current_value: 6.2 } },
    { type: "channel_events.channel_created", params: { channel: "news", actor: "Ann", configurationSet: "news" } },
    { type: "billing.payment_failed", params: { amount: "$20.00", reason: "card declined" } },
    { type: "deliverability.complaint_rate_threshold", params: { scope: "news", rate: "0.2%", window: "1 hour", complaints: 2, sends: 1000, threshold: "0.1%" }, link: "channels/ch_news" },
    { type: "channel_events.channel_created", params: { channel: "alerts", actor: "Bob", configurationSet: "alerts" } },
  ] as const;
  for (const [i, r] of raised.entries()) ids.push((await raiseNotification(raiseDepsOf(env), { orgId, ...r }, T0 + i * 1000)).notification.id);
  await raiseNotification(raiseDepsOf(env), { orgId: other, type: "billing.payment_failed", params: { amount: "$1", reason: "x" } }, T0);
  key = (await newApiKey(orgId)).secret;
  otherKey = (await newApiKey(other)).secret;
});

/** Every answer goes through the route's own response schema, as integrators' generated clients would. */
const page = async (query: string, k = key) => {
  const res = await v1(`/notifications${query}`, { key: k });
  expect(res.status).toBe(200);
  return listNotificationsV1.response.parse(await json(res));
};

describe("GET /v1/notifications", () => {
  it("needs an API key", async () => {
    expect((await v1("/notifications")).status).toBe(401);
  });

  it("pages newest first with a cursor, only the key's workspace, each item as the schema says", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const p = await page(`?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(p.data.length).toBeLessThanOrEqual(2);
      seen.push(...p.data.map((n) => n.id));
      cursor = p.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const [latest] = (await page("?limit=1")).data;
    expect(latest).toMatchObject({ type: "channel_events.channel_created", category: "channel_events", severity: "info", title: "Channel alerts created", createdAt: T0 + 4000 });
    const complaint = (await page("?type=deliverability.complaint_rate_threshold")).data[0]!;
    expect(complaint.url).toMatch(/\/w\/[^/]+\/channels\/ch_news$/);
    expect((await page("", otherKey)).data).toHaveLength(1);
  });

  it("filters by type (repeatable), category, severity and since", async () => {
    const typed = await page("?type=billing.payment_failed&type=deliverability.bounce_rate_threshold");
    expect(typed.data.map((n) => n.id)).toEqual([ids[2], ids[0]]);
    expect(typed.data[1]!.payload).toEqual({ scope: "example.com", rate: "6.2%", window: "1 hour", bounces: 62, sends: 1000, threshold: "5%", current_value: 6.2 });
    expect((await page("?category=deliverability")).data.map((n) => n.id)).toEqual([ids[3], ids[0]]);
    expect((await page("?severity=critical")).data.map((n) => n.id)).toEqual([ids[3], ids[2]]);
    expect((await page(`?since=${T0 + 3000}`)).data.map((n) => n.id)).toEqual([ids[4], ids[3]]);
    const bad = await v1("/notifications?type=deliverability.nope", { key });
    expect(bad.status).toBe(422);
    expect((await v1("/notifications?cursor=garbage", { key })).status).toBe(422);
  });

  it("is in the OpenAPI document with its named schema", async () => {
    const doc = await json(await v1("/openapi.json"));
    expect(doc.paths["/notifications"].get.operationId).toBe("listNotifications");
    expect(doc.components.schemas.Notification.properties.severity.enum).toEqual(["info", "warning", "error", "critical"]);
  });
});
