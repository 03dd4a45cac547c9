import { beforeAll, describe, expect, it } from "vitest";
import { revokeApiKey } from "../worker/services/api-keys";
import { db } from "./helpers";
import { DAY, feed, HOUR, mailEvents, MARKETING, newReportOrg, ok, qs, sesMessageIdOf, type MailSpec, type ReportOrg } from "./reports-helpers";
import { newApiKey, v1 } from "./v1-helpers";

const T0 = Date.UTC(2024, 8, 2);
const RANGE = { from: T0, to: T0 + 2 * DAY };
const specs: MailSpec[] = Array.from({ length: 12 }, (_, i) => ({
  id: `v${i}`,
  to: `v${i}@${["gmail.com", "yahoo.com", "icloud.com"][i % 3]}`,
  sentAt: T0 + i * HOUR,
  set: i % 4 === 0 ? MARKETING : undefined,
  outcome: i % 5 === 0 ? "hard" : "delivered",
  opens: i % 2 ? [HOUR] : [],
}));

let org: ReportOrg;
let key: string;

beforeAll(async () => {
  org = await newReportOrg();
  key = (await newApiKey(org.orgId)).secret;
  await feed(org.orgId, specs.flatMap(mailEvents));
});

const get = (path: string, query?: Record<string, string | number | undefined>, k = key) => v1(`${path}${qs(query)}`, { key: k });

describe("/v1 reads the same services as the dashboard", () => {
  for (const [path, query] of [
    ["/reports/deliverability", RANGE],
    ["/reports/providers", { ...RANGE, sort: "bouncePct", dir: "asc" }],
    ["/reports/latency", RANGE],
    ["/reports/engagement", { ...RANGE, tz: "Europe/Paris", granularity: "day" }],
  ] as const) {
    it(`GET /v1${path} equals GET /api/orgs/:orgId${path}`, async () => {
      const [a, b] = await Promise.all([ok(get(path, query)), ok(org.get(path, query))]);
      expect(a).toEqual(b);
      expect(JSON.stringify(a).length).toBeGreaterThan(100);
    });
  }

  it("messages: {data, nextCursor} pages, filters and recipient search", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok<{ data: { sesMessageId: string }[]; nextCursor: string | null }>(get("/messages", { limit: 5, cursor }));
      expect(page.data.length).toBeLessThanOrEqual(5);
      seen.push(...page.data.map((m) => m.sesMessageId));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(specs.map((s) => sesMessageIdOf(s.id)).reverse());

    const dashboard = await ok<{ messages: unknown[] }>(org.get("/messages", { status: "bounced" }));
    const api = await ok<{ data: unknown[]; nextCursor: null }>(get("/messages", { status: "bounced" }));
    expect(api).toEqual({ data: dashboard.messages, nextCursor: null });

    const byRecipient = await ok<{ data: { recipient: string }[] }>(get("/messages", { recipient: "V7@yahoo.com" }));
    expect(byRecipient.data.map((m) => m.recipient)).toEqual(["v7@yahoo.com"]);
    expect((await get("/messages", { limit: 500 })).status).toBe(422);
  });

  it("message detail with its events, and the event log", async () => {
    const list = await ok<{ data: { id: string; sesMessageId: string }[] }>(get("/messages", { recipient: "v3@gmail.com" }));
    const detail = await ok(get(`/messages/${list.data[0]!.id}`));
    expect(detail).toEqual(await ok(org.get(`/messages/${list.data[0]!.id}`)));
    expect(detail.events.map((e: { type: string }) => e.type)).toEqual(["Send", "Delivery", "Open"]);
    expect(detail.events[0].detail.mail.messageId).toBe(sesMessageIdOf("v3"));

    const events = await ok<{ data: { type: string }[]; nextCursor: string | null }>(get("/events", { types: "Bounce", limit: 2 }));
    expect(events.data.map((e) => e.type)).toEqual(["Bounce", "Bounce"]);
    const rest = await ok<{ data: { type: string }[]; nextCursor: string | null }>(get("/events", { types: "Bounce", cursor: events.nextCursor! }));
    expect(rest.data).toHaveLength(1); // i = 0, 5, 10
    expect(rest.nextCursor).toBeNull();
    expect((await get("/events", { types: "Bogus" })).status).toBe(422);
  });

  it("channels and identities, paginated", async () => {
    const first = await ok<{ data: { name: string }[]; nextCursor: string }>(get("/channels", { limit: 1 }));
    const second = await ok<{ data: { name: string }[]; nextCursor: null }>(get("/channels", { limit: 1, cursor: first.nextCursor }));
    expect([...first.data, ...second.data].map((c) => c.name).sort()).toEqual([MARKETING, "acme-transactional"]);
    expect(second.nextCursor).toBeNull();
    const identities = await ok(get("/identities"));
    expect(identities).toEqual({
      data: [
        {
          id: `${org.orgId}-idn-0`,
          identity: "mail.example.com",
          kind: "domain",
          status: "verified",
          verificationStatus: "SUCCESS",
          dkimStatus: null,
          health: "healthy",
          configurationSetName: null,
          channelId: null,
          lifecycle: "active",
          managed: true,
          origin: "sendops",
          createdAt: expect.any(Number),
        },
      ],
      nextCursor: null,
    });
  });
});

describe("/v1 authentication and tenancy", () => {
  const PATHS = ["/messages", "/events", "/reports/deliverability", "/reports/providers", "/reports/latency", "/reports/engagement", "/channels", "/identities"];

  it("refuses a missing key with 401", async () => {
    for (const path of PATHS) {
      const res = await v1(path);
      expect(res.status, path).toBe(401);
      expect((await res.json<{ error: { code: string } }>()).error.code).toBe("API_KEY_MISSING");
    }
  });

  it("refuses a revoked key with 401", async () => {
    const k = await newApiKey(org.orgId, "soon revoked");
    expect((await get("/messages", {}, k.secret)).status).toBe(200);
    await revokeApiKey(db(), { orgId: org.orgId, actor: { userId: null, name: "Test", email: "t@example.test" } }, k.id);
    const res = await get("/messages", {}, k.secret);
    expect(res.status).toBe(401);
    expect((await res.json<{ error: { code: string } }>()).error.code).toBe("API_KEY_INVALID");
  });

  it("refuses requests from a browser (Origin header) with 403", async () => {
    for (const path of PATHS) {
      const res = await v1(path, { key, headers: { origin: "https://evil.example" } });
      expect(res.status, path).toBe(403);
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
  });

  it("another workspace's key sees only its own workspace", async () => {
    const other = await newReportOrg();
    const otherKey = (await newApiKey(other.orgId)).secret;
    expect(await ok(get("/messages", {}, otherKey))).toEqual({ data: [], nextCursor: null });
    expect((await ok(get("/reports/deliverability", RANGE, otherKey))).totals.sends).toBe(0);
    const mine = await ok<{ data: { id: string }[] }>(get("/messages", { limit: 1 }));
    expect((await get(`/messages/${mine.data[0]!.id}`, {}, otherKey)).status).toBe(404);
    // Our channel id as a filter matches nothing for them.
    expect((await ok(get("/reports/deliverability", { ...RANGE, channel: org.channel(MARKETING) }, otherKey))).totals.sends).toBe(0);
    expect((await ok(get("/identities", {}, otherKey))).data.map((i: { id: string }) => i.id)).toEqual([`${other.orgId}-idn-0`]);
  });

  it("documents every endpoint in /v1/openapi.json", async () => {
    const doc = await ok(v1("/openapi.json"));
    for (const path of [...PATHS, "/messages/{id}"]) expect(doc.paths[path]?.get, path).toBeDefined();
    expect(doc.paths["/messages"].get.responses[200].content["application/json"].schema).toEqual({ $ref: "#/components/schemas/MessagePage" });
    expect(doc.components.schemas.Message.properties.status.enum).toContain("complained");
    expect(doc.components.schemas.DeliverabilityReport.properties.reputation).toBeDefined();
    expect(doc.paths["/reports/providers"].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(["from", "to", "channel", "tz", "granularity", "sort", "dir"]),
    );
  });
});
