import { describe, expect, it } from "vitest";
import { recordDemoSeed } from "../worker/services/demo-seed";
import { call, db, json, newUser } from "./helpers";
import { fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";

/** Issue 13, item 4: the demo says how far its seed got (ingest counters against the seeder's plan). */

const send = (messageId: string, source = "notifications@mail.example.com") => {
  const e = fixture("send");
  e.id = `seed-${messageId}`;
  e.detail.mail.messageId = messageId;
  e.detail.mail.source = source;
  return e;
};

describe("GET /api/orgs/:orgId/demo-seed", () => {
  it("says nothing is being seeded where no seed was recorded", async () => {
    const user = await newUser("seed-none");
    const orgId = await newIngestOrg({ member: { userId: user.id, role: "viewer" } });
    const res = await call(`/api/orgs/${orgId}/demo-seed`, { cookie: user.cookie });
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ seeding: false, plannedEvents: null, storedEvents: null });
  });

  it("counts stored and dropped events against the plan until all are in; repeats do not count", async () => {
    const user = await newUser("seed-progress");
    const orgId = await newIngestOrg({ member: { userId: user.id, role: "viewer" } });
    await recordDemoSeed(db(), orgId, 3);
    const status = async () => json(await call(`/api/orgs/${orgId}/demo-seed`, { cookie: user.cookie }));
    expect(await status()).toEqual({ seeding: true, plannedEvents: 3, storedEvents: 0 });

    // One stored, one dropped (its identity is not managed): both are done with.
    await runConsumer([queued(orgId, send("seed-m1")), queued(orgId, send("seed-m2", "mailer@legacy.example.net"))]);
    expect(await status()).toEqual({ seeding: true, plannedEvents: 3, storedEvents: 2 });
    await runConsumer([queued(orgId, send("seed-m1"))]);
    expect(await status()).toEqual({ seeding: true, plannedEvents: 3, storedEvents: 2 });

    await runConsumer([queued(orgId, send("seed-m3"))]);
    expect(await status()).toEqual({ seeding: false, plannedEvents: 3, storedEvents: 3 });
  });

  it("is for members only", async () => {
    const member = await newUser("seed-member");
    const stranger = await newUser("seed-stranger");
    const orgId = await newIngestOrg({ member: { userId: member.id, role: "viewer" } });
    expect((await call(`/api/orgs/${orgId}/demo-seed`, { cookie: stranger.cookie })).status).toBe(404);
  });
});
