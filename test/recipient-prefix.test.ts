import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { eventsPageQuery, messagesPageQuery } from "../worker/db/reports";
import { call, db, json, newUser, type TestUser } from "./helpers";
import { fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";

/**
 * Issue 13, item 9: recipient search finds addresses by their beginning (the dashboard's search box),
 * read as a range on the recipient indexes — never a scan of an org's messages or events.
 */

const RECIPIENTS = ["jane.doe@example.net", "jane.roe@example.net", "john.smith@example.net", "a_b@example.net", "axb@example.net"];

let member: TestUser;
let orgId: string;

beforeAll(async () => {
  member = await newUser("prefix");
  orgId = await newIngestOrg({ member: { userId: member.id, role: "developer" } });
  await runConsumer(
    RECIPIENTS.map((r, i) => {
      const e = fixture("send");
      e.id = `prefix-${i}`;
      e.detail.mail.messageId = `prefix-msg-${i}`;
      e.detail.mail.destination = [r];
      return queued(orgId, e);
    }),
  );
});

const found = async (path: "messages" | "events", prefix: string) => {
  const res = await call(`/api/orgs/${orgId}/${path}?from=0&recipientPrefix=${encodeURIComponent(prefix)}`, { cookie: member.cookie });
  expect(res.status).toBe(200);
  const body = await json(res);
  return (path === "messages" ? body.messages : body.events).map((m: { recipient: string }) => m.recipient).sort();
};

describe("recipient prefix search", () => {
  it("finds messages and events whose address starts with the text, in any case", async () => {
    for (const path of ["messages", "events"] as const) {
      expect(await found(path, "JANE")).toEqual(["jane.doe@example.net", "jane.roe@example.net"]);
      expect(await found(path, "jane.r")).toEqual(["jane.roe@example.net"]);
      expect(await found(path, "john.smith@example.net")).toEqual(["john.smith@example.net"]);
      expect(await found(path, "nobody")).toEqual([]);
    }
  });

  it("takes the text literally: _ and % are not wildcards", async () => {
    expect(await found("messages", "a_")).toEqual(["a_b@example.net"]);
    expect(await found("messages", "a%")).toEqual([]);
  });

  it("needs the Recipient Search capability", async () => {
    const viewer = await newUser("prefix-viewer");
    const other = await newIngestOrg({ member: { userId: viewer.id, role: "viewer" } });
    const res = await call(`/api/orgs/${other}/messages?recipientPrefix=jane`, { cookie: viewer.cookie });
    expect(res.status).toBe(403);
  });

  it("reads a range of the recipient index (EXPLAIN QUERY PLAN)", async () => {
    const plan = async (query: ReturnType<typeof sql>) =>
      (await db().all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${query}`)).map((r) => r.detail).join("\n");
    const messages = await plan(messagesPageQuery({ orgId, recipientPrefix: "jane", from: 0, to: Date.now(), status: "sent", limit: 50 }));
    expect(messages).toContain("SEARCH m USING INDEX messages_org_recipient_sent (org_id=? AND recipient>? AND recipient<?)");
    const events = await plan(eventsPageQuery({ orgId, recipientPrefix: "jane", from: 0, to: Date.now(), types: ["send"], limit: 50 }));
    expect(events).toContain("SEARCH e USING INDEX events_org_recipient_at (org_id=? AND recipient>? AND recipient<?)");
  });
});
