import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "./ingest-helpers";
import { DAY, feed, HOUR, mailEvents, MARKETING, memberOf, newReportOrg, ok, sesMessageIdOf, type MailSpec, type ReportOrg } from "./reports-helpers";

const T0 = Date.UTC(2024, 6, 1, 8);

/*
 * jane@example.net gets 5 messages an hour apart (j0 oldest … j4 newest); j2 bounces, j3 is in the
 * marketing channel and is opened and clicked, j4 is delivered then complained about. Others: bob,
 * carol (rejected), dave (soft bounce).
 */
const specs: MailSpec[] = [
  ...Array.from({ length: 5 }, (_, i): MailSpec => ({
    id: `j${i}`,
    to: i === 1 ? "Jane@Example.net" : "jane@example.net",
    sentAt: T0 + i * HOUR,
    subject: `Hello ${i}`,
    outcome: i === 2 ? "hard" : "delivered",
    set: i === 3 ? MARKETING : undefined,
    opens: i === 3 ? [10 * 60_000] : [],
    clicks: i === 3 ? [11 * 60_000] : [],
    complaint: i === 4 ? { after: 30 * 60_000, feedbackType: "abuse" } : undefined,
    latencyMs: 2500,
  })),
  { id: "b0", to: "bob@example.org", sentAt: T0 + 30 * 60_000 },
  { id: "c0", to: "carol@example.org", sentAt: T0 + 90 * 60_000, outcome: "reject" },
  { id: "d0", to: "dave@example.org", sentAt: T0 + 150 * 60_000, outcome: "soft" },
];

let org: ReportOrg;

beforeAll(async () => {
  org = await newReportOrg();
  // Each message's events arrive newest first: the timeline must still be in time order.
  await feed(org.orgId, specs.flatMap((s) => mailEvents(s).reverse()));
});

type Msg = { id: string; sesMessageId: string; recipient: string; status: string; sentAt: number };

describe("message search", () => {
  it("lists one row per message and recipient, newest first", async () => {
    const r = await ok<{ messages: Msg[]; nextCursor: string | null }>(org.get("/messages"));
    expect(r.messages.map((m) => m.sesMessageId)).toEqual(["j4", "j3", "d0", "j2", "c0", "j1", "b0", "j0"].map(sesMessageIdOf));
    expect(r.nextCursor).toBeNull();
    expect(r.messages.find((m) => m.sesMessageId === sesMessageIdOf("j4"))).toMatchObject({
      recipient: "jane@example.net",
      status: "complained",
      subject: "Hello 4",
      from: "Acme Notifications <notifications@mail.example.com>",
      provider: "example.net",
      deliveredAt: T0 + 4 * HOUR + 2500,
      latencyMs: 2500,
      complainedAt: T0 + 4 * HOUR + 30 * 60_000,
      channel: { id: org.channel("acme-transactional"), name: "acme-transactional" },
    });
  });

  it("finds a recipient's messages by exact address, case-insensitively", async () => {
    const r = await ok<{ messages: Msg[] }>(org.get("/messages", { recipient: "  JANE@example.NET " }));
    expect(r.messages.map((m) => m.sesMessageId)).toEqual(["j4", "j3", "j2", "j1", "j0"].map(sesMessageIdOf));
    expect(r.messages.every((m) => m.recipient === "jane@example.net")).toBe(true);
    expect((await ok<{ messages: Msg[] }>(org.get("/messages", { recipient: "jane@example" }))).messages).toEqual([]);
  });

  it("filters by status, channel and send time", async () => {
    const ids = async (q: Record<string, string | number>) =>
      (await ok<{ messages: Msg[] }>(org.get("/messages", q))).messages.map((m) => m.sesMessageId);
    expect(await ids({ status: "bounced" })).toEqual(["d0", "j2"].map(sesMessageIdOf));
    expect(await ids({ status: "rejected" })).toEqual([sesMessageIdOf("c0")]);
    expect(await ids({ channel: org.channel(MARKETING) })).toEqual([sesMessageIdOf("j3")]);
    expect(await ids({ from: T0 + HOUR, to: T0 + 3 * HOUR })).toEqual(["d0", "j2", "c0", "j1"].map(sesMessageIdOf));
    expect(await ids({ recipient: "jane@example.net", status: "delivered", from: T0 })).toEqual(["j3", "j1", "j0"].map(sesMessageIdOf));
    const bad = await org.get("/messages", { status: "lost" });
    expect(bad.status).toBe(422);
  });

  it("pages with a keyset cursor: no row twice, none skipped", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const r = await ok<{ messages: Msg[]; nextCursor: string | null }>(org.get("/messages", { limit: 3, cursor }));
      seen.push(...r.messages.map((m) => m.sesMessageId));
      cursor = r.nextCursor ?? undefined;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(["j4", "j3", "d0", "j2", "c0", "j1", "b0", "j0"].map(sesMessageIdOf));
    const tampered = await org.get("/messages", { cursor: "not-a-cursor" });
    expect(tampered.status).toBe(422);
    expect((await tampered.json<{ error: { details: { fields: { field: string }[] } } }>()).error.details.fields[0]!.field).toBe("cursor");
  });

  it("searching by recipient needs the Recipient Search capability", async () => {
    for (const role of ["marketer", "financial", "viewer"] as const) {
      const get = await memberOf(org, role);
      const refused = await get("/messages", { recipient: "jane@example.net" });
      expect(refused.status, role).toBe(403);
      expect((await refused.json<{ error: { code: string; details: { permission: string } } }>()).error).toMatchObject({
        code: "FORBIDDEN",
        details: { permission: "recipient_search.view" },
      });
      expect((await get("/events", { recipient: "jane@example.net" })).status, role).toBe(403);
      // Without the recipient filter the list is Reports access.
      expect((await get("/messages")).status, role).toBe(200);
    }
    for (const role of ["support", "developer", "infra_admin"] as const) {
      const get = await memberOf(org, role);
      expect((await get("/messages", { recipient: "jane@example.net" })).status, role).toBe(200);
    }
  });
});

describe("message detail", () => {
  it("shows every event of the message for that recipient in time order, with the raw SES record", async () => {
    const list = await ok<{ messages: Msg[] }>(org.get("/messages", { recipient: "jane@example.net" }));
    const j3 = list.messages.find((m) => m.sesMessageId === sesMessageIdOf("j3"))!;
    const r = await ok(org.get(`/messages/${j3.id}`));
    expect(r.events.map((e: { type: string }) => e.type)).toEqual(["Send", "Delivery", "Open", "Click"]);
    expect(r.events.map((e: { at: number }) => e.at)).toEqual([T0 + 3 * HOUR, T0 + 3 * HOUR + 2500, T0 + 3 * HOUR + 10 * 60_000, T0 + 3 * HOUR + 11 * 60_000]);
    const delivery = r.events[1].detail;
    expect(delivery.eventType).toBe("Delivery");
    expect(delivery.mail.messageId).toBe(sesMessageIdOf("j3"));
    expect(delivery.delivery).toMatchObject({
      smtpResponse: (FIXTURES.delivery!.detail as { delivery: { smtpResponse: string } }).delivery.smtpResponse,
      recipients: ["jane@example.net"],
    });
    expect(r.events[3].detail.click.link).toBe("https://www.example.com/link-0");
    expect(r.message).toMatchObject({
      id: j3.id,
      status: "delivered",
      channel: { id: org.channel(MARKETING), name: MARKETING },
      remoteMta: "198.51.100.27",
      smtpResponse: expect.stringMatching(/^250 2\.0\.0 OK/),
      bounce: null,
      complaint: null,
      firstOpenAt: T0 + 3 * HOUR + 10 * 60_000,
      firstClickAt: T0 + 3 * HOUR + 11 * 60_000,
    });
    expect(r.message.headers).toContainEqual({ name: "Subject", value: "Hello 3" });
    expect(r.message.headers).toContainEqual({ name: "X-Acme-Message-Ref", value: "msg_01HXYZ8K2Q4R" });
  });

  it("carries bounce and complaint details", async () => {
    const list = await ok<{ messages: Msg[] }>(org.get("/messages", { recipient: "jane@example.net" }));
    const detail = async (id: string) => ok(org.get(`/messages/${list.messages.find((m) => m.sesMessageId === sesMessageIdOf(id))!.id}`));
    const j2 = await detail("j2");
    expect(j2.message).toMatchObject({ status: "bounced", bounce: { type: "Permanent", subType: "General" }, lastDiagnostic: "smtp; 550 no such user jane@example.net" });
    expect(j2.events.map((e: { type: string }) => e.type)).toEqual(["Send", "Bounce"]);
    const j4 = await detail("j4");
    expect(j4.message.complaint).toEqual({ feedbackType: "abuse" });
    expect(j4.events.map((e: { type: string }) => e.type)).toEqual(["Send", "Delivery", "Complaint"]);
  });

  it("is 404 for an unknown id, a malformed id, or another workspace's message", async () => {
    const other = await newReportOrg();
    const list = await ok<{ messages: Msg[] }>(org.get("/messages", { limit: 1 }));
    expect((await other.get(`/messages/${list.messages[0]!.id}`)).status).toBe(404);
    expect((await org.get("/messages/bm90LWFuLWlk")).status).toBe(404);
    expect((await org.get("/messages/%E2%9C%93")).status).toBe(404);
  });
});

describe("event log", () => {
  type Ev = { id: string; at: number; type: string; recipient: string; sesMessageId: string; messageId: string; summary: string; channel: unknown };

  it("lists every event newest first, one row per event and recipient", async () => {
    const r = await ok<{ events: Ev[] }>(org.get("/events", { limit: 100 }));
    const total = specs.reduce((n, s) => n + mailEvents(s).length, 0);
    expect(r.events).toHaveLength(total);
    const ats = r.events.map((e) => e.at);
    expect(ats).toEqual([...ats].sort((a, b) => b - a));
    expect(r.events[0]).toMatchObject({ type: "Complaint", recipient: "jane@example.net", summary: "Complaint (abuse)" });
  });

  it("filters by types, channel, recipient and time, and pages", async () => {
    const types = async (q: Record<string, string | number>) => (await ok<{ events: Ev[] }>(org.get("/events", { limit: 100, ...q }))).events;
    expect((await types({ types: "Bounce,complaint" })).map((e) => `${e.type}:${e.sesMessageId}`)).toEqual([
      `Complaint:${sesMessageIdOf("j4")}`,
      `Bounce:${sesMessageIdOf("d0")}`,
      `Bounce:${sesMessageIdOf("j2")}`,
    ]);
    expect((await types({ types: "Reject" }))[0]).toMatchObject({ recipient: "carol@example.org", summary: "Rejected by SES: Bad content" });
    expect((await types({ channel: org.channel(MARKETING) })).map((e) => e.type)).toEqual(["Click", "Open", "Delivery", "Send"]);
    expect((await types({ recipient: "bob@example.org" })).map((e) => e.type)).toEqual(["Delivery", "Send"]);
    expect((await types({ types: "Send", from: T0, to: T0 + HOUR })).map((e) => e.sesMessageId)).toEqual(["b0", "j0"].map(sesMessageIdOf));
    const bounce = (await types({ types: "Bounce" }))[0]!;
    expect(bounce.summary).toBe("Transient bounce (MailboxFull): smtp; 550 no such user dave@example.org");
    // The event's message opens its detail.
    expect((await ok(org.get(`/messages/${bounce.messageId}`))).message.recipient).toBe("dave@example.org");

    const all = await types({});
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const r = await ok<{ events: Ev[]; nextCursor: string | null }>(org.get("/events", { limit: 4, cursor }));
      paged.push(...r.events.map((e) => e.id));
      cursor = r.nextCursor ?? undefined;
    } while (cursor);
    expect(paged).toEqual(all.map((e) => e.id));
  });

  it("an unknown event type is a 422 naming types", async () => {
    const res = await org.get("/events", { types: "Send,Teleport" });
    expect(res.status).toBe(422);
    const body = await res.json<{ error: { message: string; details: { fields: { field: string }[] } } }>();
    expect(body.error.details.fields[0]!.field).toBe("types");
    expect(body.error.message).toContain("Teleport");
  });
});

describe("channel filter", () => {
  it("lists the org's channels by name", async () => {
    const r = await ok(org.get("/reports/channels"));
    expect(r.channels.map((c: { name: string }) => c.name)).toEqual([MARKETING, "acme-transactional"]);
    expect(r.channels[0]).toMatchObject({ id: org.channel(MARKETING), configurationSetName: MARKETING });
  });

  it("channel ids of other workspaces match nothing", async () => {
    const other = await newReportOrg();
    const r = await ok(org.get("/reports/deliverability", { from: T0 - DAY, to: T0 + DAY, channel: other.channel(MARKETING) }));
    expect(r.totals.sends).toBe(0);
  });
});
