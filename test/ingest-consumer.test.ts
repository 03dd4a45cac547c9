import { abortAllDurableObjects, env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../worker/env";
import { latencyBucket } from "../worker/services/ingest/latency";
import { batchWriteStatements } from "../worker/db/ingest";
import { inflateJson } from "../worker/lib/deflate";
import { normaliseEvent } from "../worker/services/ingest/normalise";
import { WRITE_CHUNK_ROWS } from "../worker/services/ingest/writer";
import {
  channelIdOf,
  counters,
  dumpOrg,
  fixture,
  FIXTURES,
  ledger,
  lifecycle,
  newIngestOrg,
  queued,
  rng,
  runConsumer,
  shifted,
  shuffle,
  split,
  workload,
} from "./ingest-helpers";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ms = (iso: string) => Date.parse(iso);

async function all<T = Record<string, any>>(sql: string, ...binds: unknown[]): Promise<T[]> {
  return (await env.DB.prepare(sql).bind(...binds).all<T>()).results;
}

describe("every fixture", () => {
  it("is accepted and stored with the right fields in events, messages and rollups", async () => {
    const orgId = await newIngestOrg({ templateTag: "campaign" });
    const result = await runConsumer(Object.values(FIXTURES).map((e) => queued(orgId, e)));
    expect(result.explicitAcks).toHaveLength(Object.keys(FIXTURES).length);
    expect(result.retryMessages).toEqual([]);

    const events = await all("SELECT * FROM events WHERE org_id = ?", orgId);
    expect(events).toHaveLength(Object.keys(FIXTURES).length);
    const channel = channelIdOf(orgId, "acme-transactional");
    for (const e of events) {
      expect(e.channel_id).toBe(channel);
      expect(e.configuration_set).toBe("acme-transactional");
      expect(e.sending_identity).toBe("mail.example.com");
      expect(e.sent_at).toBe(e.type === "rendering_failure" ? ms("2024-05-14T09:40:01.020Z") : ms("2024-05-14T09:21:05.312Z"));
      expect((inflateJson(e.detail) as { eventType?: string }).eventType).toBeTruthy();
    }
    const byRecipientType = (r: string, t: string) => events.find((e) => e.recipient === r && e.type === t)!;

    const bounce = byRecipientType("no-such-user@example.net", "bounce");
    expect(bounce).toMatchObject({
      bounce_type: "Permanent",
      bounce_sub_type: "General",
      smtp_status: "5.1.1",
      at: ms("2024-05-14T09:21:07.402Z"),
      provider: "example.net",
      recipient_domain: "example.net",
      template: "welcome-series",
      subject: "Welcome to Acme, Jane",
      from_address: "Acme Notifications <notifications@mail.example.com>",
    });
    expect(bounce.diagnostic).toMatch(/^smtp; 550 5\.1\.1/);
    expect(byRecipientType("mystery@example.org", "bounce")).toMatchObject({ bounce_type: "Undetermined", smtp_status: null, diagnostic: null });
    const delivery = byRecipientType("jane.doe@example.net", "delivery");
    expect(delivery).toMatchObject({ latency_ms: 1559, latency_bucket: latencyBucket(1559), at: ms("2024-05-14T09:21:06.871Z") });
    expect(delivery.diagnostic).toMatch(/^250 2\.0\.0 OK/);
    expect(byRecipientType("jane.doe@example.net", "complaint")).toMatchObject({ complaint_feedback_type: "abuse", complaint_sub_type: null });
    expect(byRecipientType("complained-before@example.com", "complaint")).toMatchObject({
      complaint_feedback_type: null,
      complaint_sub_type: "OnAccountSuppressionList",
    });
    expect(byRecipientType("jane.doe@example.net", "click").link).toBe("https://www.example.com/onboarding?step=1");
    expect(byRecipientType("jane.doe@example.net", "reject")).toMatchObject({ reason: "Bad content", at: ms("2024-05-14T09:21:05.312Z") });
    expect(byRecipientType("jane.doe@example.net", "rendering_failure")).toMatchObject({
      template: "welcome_v3",
      reason: "Attribute 'firstName' is not present in the rendering data.",
      subject: null,
    });
    expect(byRecipientType("slow.server@example.org", "delivery_delay")).toMatchObject({
      delay_type: "TransientCommunicationFailure",
      smtp_status: "4.4.7",
    });
    expect(byRecipientType("jane.doe@example.net", "subscription").at).toBe(ms("2024-05-15T07:12:33.204Z"));

    const jane = (await all("SELECT * FROM messages WHERE org_id = ? AND recipient = 'jane.doe@example.net' ORDER BY message_id", orgId))[0]!;
    expect(jane).toMatchObject({
      message_id: "0100018f7a2b9c3d-4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8-000000",
      status: "complained",
      sent_at: ms("2024-05-14T09:21:05.312Z"),
      delivered_at: ms("2024-05-14T09:21:06.871Z"),
      latency_ms: 1559,
      first_open_at: ms("2024-05-14T09:34:12.118Z"),
      first_click_at: ms("2024-05-14T09:35:40.650Z"),
      open_count: 1,
      click_count: 1,
      complained_at: ms("2024-05-14T11:02:44.000Z"),
      complaint_feedback_type: "abuse",
      rejected_at: ms("2024-05-14T09:21:05.312Z"),
      channel_id: channel,
      template: "welcome-series",
      subject: "Welcome to Acme, Jane",
      event_count: 7,
    });
    expect(jane.last_diagnostic).toMatch(/^250 2\.0\.0 OK/);
    const noSuchUser = (await all("SELECT * FROM messages WHERE org_id = ? AND recipient = 'no-such-user@example.net'", orgId))[0]!;
    expect(noSuchUser).toMatchObject({ status: "bounced", bounce_type: "Permanent", bounce_sub_type: "General", bounced_at: ms("2024-05-14T09:21:07.402Z") });
    expect(noSuchUser.last_diagnostic).toMatch(/User unknown/);

    const hour = ms("2024-05-14T09:00:00Z");
    const [totalsHour] = await all("SELECT * FROM rollup_totals WHERE org_id = ? AND bucket_size = 'hour' AND bucket_start = ?", orgId, hour);
    expect(totalsHour).toMatchObject({
      channel_id: channel,
      sends: 1,
      deliveries: 1,
      hard_bounces: 4,
      soft_bounces: 5,
      undetermined_bounces: 1,
      complaints: 1,
      rejects: 1,
      delays: 1,
      rendering_failures: 1,
      opens: 1,
      clicks: 1,
      unique_opens: 1,
      unique_clicks: 1,
      subscriptions: 0,
    });
    const [totalsDay] = await all("SELECT * FROM rollup_totals WHERE org_id = ? AND bucket_size = 'day' AND bucket_start = ?", orgId, ms("2024-05-14T00:00:00Z"));
    expect(totalsDay).toMatchObject({ complaints: 2, hard_bounces: 4, subscriptions: 0 });
    const [nextDay] = await all("SELECT * FROM rollup_totals WHERE org_id = ? AND bucket_size = 'day' AND bucket_start = ?", orgId, ms("2024-05-15T00:00:00Z"));
    expect(nextDay).toMatchObject({ subscriptions: 1, sends: 0 });

    const reasons = await all(
      "SELECT bounce_type, bounce_sub_type, count FROM rollup_bounce_reasons WHERE org_id = ? AND bucket_size = 'day' ORDER BY 1, 2",
      orgId,
    );
    expect(reasons).toEqual([
      { bounce_type: "Permanent", bounce_sub_type: "General", count: 1 },
      { bounce_type: "Permanent", bounce_sub_type: "NoEmail", count: 1 },
      { bounce_type: "Permanent", bounce_sub_type: "OnAccountSuppressionList", count: 1 },
      { bounce_type: "Permanent", bounce_sub_type: "Suppressed", count: 1 },
      { bounce_type: "Transient", bounce_sub_type: "AttachmentRejected", count: 1 },
      { bounce_type: "Transient", bounce_sub_type: "ContentRejected", count: 1 },
      { bounce_type: "Transient", bounce_sub_type: "General", count: 1 },
      { bounce_type: "Transient", bounce_sub_type: "MailboxFull", count: 1 },
      { bounce_type: "Transient", bounce_sub_type: "MessageTooLarge", count: 1 },
      { bounce_type: "Undetermined", bounce_sub_type: "Undetermined", count: 1 },
    ]);
    expect(await all("SELECT feedback_type, count FROM rollup_complaint_reasons WHERE org_id = ? AND bucket_size = 'day' ORDER BY 1", orgId)).toEqual([
      { feedback_type: "", count: 1 },
      { feedback_type: "abuse", count: 1 },
    ]);
    expect(await all("SELECT bucket, count FROM rollup_latency WHERE org_id = ? AND bucket_size = 'hour'", orgId)).toEqual([
      { bucket: latencyBucket(1559), count: 1 },
    ]);
    const templates = await all(
      "SELECT template, sends, rendering_failures FROM rollup_templates WHERE org_id = ? AND bucket_size = 'day' AND bucket_start = ? ORDER BY 1",
      orgId,
      ms("2024-05-14T00:00:00Z"),
    );
    expect(templates).toEqual([
      { template: "welcome-series", sends: 1, rendering_failures: 0 },
      { template: "welcome_v3", sends: 0, rendering_failures: 1 },
    ]);
    const domains = await all(
      "SELECT recipient_domain, hard_bounces FROM rollup_domains WHERE org_id = ? AND bucket_size = 'day' AND bucket_start = ? ORDER BY 1",
      orgId,
      ms("2024-05-14T00:00:00Z"),
    );
    expect(domains).toEqual([
      { recipient_domain: "example.com", hard_bounces: 1 },
      { recipient_domain: "example.net", hard_bounces: 1 },
      { recipient_domain: "example.org", hard_bounces: 2 },
    ]);
    expect(await counters(orgId)).toEqual({ accepted: Object.keys(FIXTURES).length });
  });
});

describe("normalisation", () => {
  it("writes one row per recipient, maps providers through the alias table and counts per recipient", async () => {
    const orgId = await newIngestOrg();
    const d = fixture("delivery");
    const recipients = ["ann@gmail.com", "Bob@GoogleMail.com", "cy@yahoo.co.uk", "di@hotmail.fr", "ed@me.com", "fi@gmx.net", "gu@mail.ru", "ho@qq.com", "iv@corp.example"];
    d.detail.mail.destination = recipients;
    if (d.detail.eventType === "Delivery") d.detail.delivery.recipients = [...recipients, "ANN@gmail.com"];
    const b = fixture("bounce-transient-mailboxfull");
    if (b.detail.eventType === "Bounce")
      b.detail.bounce.bouncedRecipients = [
        { emailAddress: "x1@naver.com", status: "5.2.2", diagnosticCode: "smtp; 552 full x1" },
        { emailAddress: "x2@163.com", status: "5.2.2", diagnosticCode: "smtp; 552 full x2" },
      ];
    await runConsumer([queued(orgId, d), queued(orgId, b)]);
    const events = await all("SELECT type, recipient, provider, diagnostic FROM events WHERE org_id = ? ORDER BY type, recipient", orgId);
    expect(events.map((e) => [e.type, e.recipient, e.provider])).toEqual([
      ["bounce", "x1@naver.com", "Naver"],
      ["bounce", "x2@163.com", "NetEase"],
      ["delivery", "ann@gmail.com", "Gmail"],
      ["delivery", "bob@googlemail.com", "Gmail"],
      ["delivery", "cy@yahoo.co.uk", "Yahoo"],
      ["delivery", "di@hotmail.fr", "Microsoft"],
      ["delivery", "ed@me.com", "Apple"],
      ["delivery", "fi@gmx.net", "GMX"],
      ["delivery", "gu@mail.ru", "Mail.ru"],
      ["delivery", "ho@qq.com", "QQ"],
      ["delivery", "iv@corp.example", "corp.example"],
    ]);
    expect(events.find((e) => e.recipient === "x2@163.com")!.diagnostic).toBe("smtp; 552 full x2");
    const gmail = await all("SELECT deliveries FROM rollup_providers WHERE org_id = ? AND provider = 'Gmail' AND bucket_size = 'hour'", orgId);
    expect(gmail).toEqual([{ deliveries: 2 }]);
    const [totals] = await all("SELECT deliveries, soft_bounces FROM rollup_totals WHERE org_id = ? AND bucket_size = 'day'", orgId);
    expect(totals).toEqual({ deliveries: 9, soft_bounces: 2 });
    expect(await all("SELECT COUNT(*) AS n FROM messages WHERE org_id = ?", orgId)).toEqual([{ n: 11 }]);
  });

  it("resolves the channel from ses:configuration-set: the base set, untagged mail and unknown sets have none", async () => {
    const orgId = await newIngestOrg({ channels: ["acme-transactional", "acme-marketing"] });
    const tagged = (set: string | null, recipient: string) => {
      const e = fixture("send");
      e.detail.mail.destination = [recipient];
      if (set === null) delete e.detail.mail.tags!["ses:configuration-set"];
      else e.detail.mail.tags!["ses:configuration-set"] = [set];
      return queued(orgId, e);
    };
    await runConsumer([
      tagged("acme-marketing", "a@example.com"),
      tagged("sendops-events", "b@example.com"),
      tagged(null, "c@example.com"),
      tagged("not-a-channel", "d@example.com"),
    ]);
    const rows = await all("SELECT recipient, channel_id, configuration_set FROM events WHERE org_id = ? ORDER BY recipient", orgId);
    expect(rows).toEqual([
      { recipient: "a@example.com", channel_id: channelIdOf(orgId, "acme-marketing"), configuration_set: "acme-marketing" },
      { recipient: "b@example.com", channel_id: null, configuration_set: "sendops-events" },
      { recipient: "c@example.com", channel_id: null, configuration_set: null },
      { recipient: "d@example.com", channel_id: null, configuration_set: "not-a-channel" },
    ]);
    const totals = await all("SELECT channel_id, sends FROM rollup_totals WHERE org_id = ? AND bucket_size = 'day' ORDER BY channel_id", orgId);
    expect(totals).toEqual([
      { channel_id: "", sends: 3 },
      { channel_id: channelIdOf(orgId, "acme-marketing"), sends: 1 },
    ]);
  });

  it("takes the template from the default tag, or the org's own tag", async () => {
    const withDefault = await newIngestOrg();
    const withOwn = await newIngestOrg({ templateTag: "tenant" });
    const e = fixture("send");
    e.detail.mail.tags!.template = ["receipt_v2"];
    await runConsumer([queued(withDefault, e), queued(withOwn, e)]);
    expect(await all("SELECT template FROM events WHERE org_id = ?", withDefault)).toEqual([{ template: "receipt_v2" }]);
    expect(await all("SELECT template FROM events WHERE org_id = ?", withOwn)).toEqual([{ template: "t_7c1f" }]);
  });
});

describe("managed identities", () => {
  it("drops events from unmanaged identities and counts them by reason", async () => {
    const orgId = await newIngestOrg({ identities: ["other.example"] });
    const multi = fixture("delivery");
    if (multi.detail.eventType === "Delivery") multi.detail.delivery.recipients = ["a@example.com", "b@example.com"];
    await runConsumer([queued(orgId, fixture("send")), queued(orgId, multi)]);
    expect(await all("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)).toEqual([{ n: 0 }]);
    expect(await all("SELECT COUNT(*) AS n FROM messages WHERE org_id = ?", orgId)).toEqual([{ n: 0 }]);
    expect(await counters(orgId)).toEqual({ "dropped.unmanaged_identity": 3 });
  });

  it("counts a dropped event once: its later deliveries are duplicates, in another batch, in the same one, or after a failed write", async () => {
    const orgId = await newIngestOrg({ identities: ["other.example"] });
    const multi = fixture("delivery");
    if (multi.detail.eventType === "Delivery") multi.detail.delivery.recipients = ["a@example.com", "b@example.com"];
    const batch = [queued(orgId, fixture("send")), queued(orgId, multi)];
    await runConsumer(batch);
    expect(await counters(orgId)).toEqual({ "dropped.unmanaged_identity": 3 });

    // EventBridge delivers both again (SES may also republish under a new envelope id), then twice in one batch.
    await runConsumer(batch);
    const republished = fixture("send");
    republished.id = "another-envelope";
    await runConsumer([...batch, queued(orgId, republished)]);
    expect(await counters(orgId)).toEqual({ "dropped.unmanaged_identity": 3, duplicates: 7 });

    // A failed transaction records nothing; its retry counts the drops it had not recorded.
    const fresh = fixture("send");
    fresh.detail.mail.messageId = "dropped-after-a-failure";
    const failing = failingDbEnv(0);
    expect((await runConsumer([queued(orgId, fresh)], failing.env)).retryMessages).toHaveLength(1);
    expect(await counters(orgId)).toEqual({ "dropped.unmanaged_identity": 3, duplicates: 7 });
    await runConsumer([queued(orgId, fresh), ...batch], env, 2);
    expect(await counters(orgId)).toEqual({ "dropped.unmanaged_identity": 4, duplicates: 10 });
    expect(await all("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)).toEqual([{ n: 0 }]);
  });

  it("matches the source address, its domain, the sourceArn identity or the ses:from-domain tag", async () => {
    const cases: [identity: string, mutate: (e: ReturnType<typeof fixture>) => void][] = [
      ["notifications@mail.example.com", () => {}],
      ["mail.example.com", (e) => delete e.detail.mail.tags!["ses:from-domain"]],
      [
        "parent.example",
        (e) => {
          e.detail.mail.source = "Sender <bot@mail.unrelated.example>";
          e.detail.mail.sourceArn = "arn:aws:ses:us-east-1:111122223333:identity/parent.example";
          delete e.detail.mail.tags!["ses:from-domain"];
        },
      ],
      [
        "tagged.example",
        (e) => {
          e.detail.mail.source = "bot@elsewhere.example";
          delete e.detail.mail.sourceArn;
          e.detail.mail.tags!["ses:from-domain"] = ["tagged.example"];
        },
      ],
    ];
    for (const [identity, mutate] of cases) {
      const orgId = await newIngestOrg({ identities: [identity] });
      const e = fixture("send");
      mutate(e);
      await runConsumer([queued(orgId, e)]);
      expect(await all("SELECT sending_identity FROM events WHERE org_id = ?", orgId)).toEqual([{ sending_identity: identity }]);
      // The sending-domain rollup counts it for the identity's domain (an address identity's own domain).
      expect(await all("SELECT sending_domain, sends FROM rollup_sending_domains WHERE org_id = ?", orgId)).toEqual([
        { sending_domain: identity.slice(identity.indexOf("@") + 1), sends: 1 },
      ]);
    }
  });

  it("deletes the sending-domain rows with their workspace, as every rollup's", async () => {
    const orgId = await newIngestOrg();
    await runConsumer([queued(orgId, fixture("send"))]);
    expect(await all("SELECT COUNT(*) AS n FROM rollup_sending_domains WHERE org_id = ?", orgId)).toEqual([{ n: 1 }]);
    await env.DB.prepare("DELETE FROM orgs WHERE id = ?").bind(orgId).run();
    expect(await all("SELECT COUNT(*) AS n FROM rollup_sending_domains WHERE org_id = ?", orgId)).toEqual([{ n: 0 }]);
  });
});

describe("exactly-once effect", () => {
  const events = workload(12);

  async function ingestInBatches(batches: unknown[][]) {
    const orgId = await newIngestOrg();
    for (const b of batches) {
      const r = await runConsumer(b.map((e) => queued(orgId, e as never)));
      expect(r.retryMessages).toEqual([]);
    }
    return orgId;
  }

  it("gives identical messages, events and rollups for 1× and 5× delivery, any order and any batching", async () => {
    const reference = await dumpOrg(await ingestInBatches([events]));
    expect(reference.events!.length).toBeGreaterThan(100);
    expect(reference.rollup_sending_domains!.length).toBeGreaterThan(0);
    // Recipients SES reported opens for but never delivered to: their opens are not credited.
    expect(reference.messages!.filter((m) => (m.reported_open_count as number) > 0 && m.open_count === 0).length).toBeGreaterThan(0);

    const fiveTimes = [...events, ...events, ...events, ...events, ...events];
    const replayedOrg = await ingestInBatches([fiveTimes.slice(0, 100), fiveTimes.slice(100, 200), fiveTimes.slice(200)]);
    expect(await dumpOrg(replayedOrg)).toEqual(reference);
    const c = await counters(replayedOrg);
    expect(c.accepted).toBe(reference.events!.length);
    expect(c.duplicates).toBe(4 * reference.events!.length);

    for (const seed of [1, 2, 3, 4, 5]) {
      const random = rng(seed);
      const orgId = await ingestInBatches(split(shuffle(seed % 2 ? events : [...events, ...events], random), random, seed * 4));
      expect(await dumpOrg(orgId), `seed ${seed}`).toEqual(reference);
    }

    const oneByOneReversed = await ingestInBatches([...events].reverse().map((e) => [e]));
    expect(await dumpOrg(oneByOneReversed)).toEqual(reference);
  }, 120_000);

  it("counts a unique open once, in the bucket of the earliest open, whatever the order", async () => {
    const life = lifecycle(7, Date.UTC(2024, 4, 14, 23, 50), "delivered", ["late.opener@example.org"]);
    const opens = life.filter((e) => e.detail.eventType === "Open");
    expect(opens).toHaveLength(2);
    // The later open first, alone, then the earlier one.
    const orgId = await ingestInBatches([[opens[0]], [opens[1]], life]);
    const uniques = await all(
      "SELECT bucket_size, bucket_start, opens, unique_opens FROM rollup_totals WHERE org_id = ? AND opens > 0 ORDER BY bucket_size, bucket_start",
      orgId,
    );
    const earliest = Date.UTC(2024, 4, 14, 23, 50) + 40 * 60_000;
    const latest = Date.UTC(2024, 4, 14, 23, 50) + 26 * HOUR;
    expect(uniques).toEqual([
      { bucket_size: "day", bucket_start: Math.floor(earliest / DAY) * DAY, opens: 1, unique_opens: 1 },
      { bucket_size: "day", bucket_start: Math.floor(latest / DAY) * DAY, opens: 1, unique_opens: 0 },
      { bucket_size: "hour", bucket_start: Math.floor(earliest / HOUR) * HOUR, opens: 1, unique_opens: 1 },
      { bucket_size: "hour", bucket_start: Math.floor(latest / HOUR) * HOUR, opens: 1, unique_opens: 0 },
    ]);
    const [m] = await all("SELECT first_open_at, open_count, first_click_at, click_count FROM messages WHERE org_id = ?", orgId);
    expect(m).toEqual({ first_open_at: earliest, open_count: 2, first_click_at: Date.UTC(2024, 4, 14, 23, 50) + 50 * 60_000, click_count: 2 });
  });

  it("moves a unique open and click with their message when its channel changes", async () => {
    // The configuration set has no channel yet: the delivery, open and click count under no channel.
    const orgId = await newIngestOrg({ channels: [] });
    await runConsumer([queued(orgId, fixture("delivery")), queued(orgId, fixture("open")), queued(orgId, fixture("click"))]);
    const byChannel = () =>
      all(
        "SELECT channel_id, SUM(opens) AS opens, SUM(unique_opens) AS unique_opens, SUM(unique_clicks) AS unique_clicks FROM rollup_totals WHERE org_id = ? AND bucket_size = 'day' GROUP BY channel_id ORDER BY channel_id",
        orgId,
      );
    expect(await byChannel()).toEqual([{ channel_id: "", opens: 1, unique_opens: 1, unique_clicks: 1 }]);

    // Once the channel exists, a later event of the message gives the message its channel.
    const channelId = channelIdOf(orgId, "acme-transactional");
    await env.DB.prepare("INSERT INTO channels (id, org_id, name, configuration_set_name, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind(channelId, orgId, "Transactional", "acme-transactional", Date.now())
      .run();
    await runConsumer([queued(orgId, fixture("send"))]);
    expect(await byChannel()).toEqual([
      { channel_id: "", opens: 1, unique_opens: 0, unique_clicks: 0 },
      { channel_id: channelId, opens: 0, unique_opens: 1, unique_clicks: 1 },
    ]);
    const allChannels = await all("SELECT SUM(unique_opens) AS u FROM rollup_all_totals WHERE org_id = ? AND bucket_size = 'day'", orgId);
    expect(allChannels).toEqual([{ u: 1 }]);
  });

  it("commits only the events not stored yet when a batch holds some stored ones", async () => {
    const reference = await dumpOrg(await ingestInBatches([events]));
    const half = events.slice(0, Math.floor(events.length / 2));
    const orgId = await newIngestOrg();
    await runConsumer(half.map((e) => queued(orgId, e)));
    const stored = (await counters(orgId)).accepted!;

    // All events again, in one batch: the stored ones fail the first transaction, and are left out.
    const result = await runConsumer(events.map((e) => queued(orgId, e)));
    expect(result.retryMessages).toEqual([]);
    expect(await dumpOrg(orgId)).toEqual(reference);
    expect(await counters(orgId)).toEqual({ accepted: reference.events!.length, duplicates: stored });
  });

  it("keeps the status with the highest precedence: a late Delivery never hides a Bounce", async () => {
    const life = lifecycle(3, Date.UTC(2024, 4, 20, 10), "bounced", ["bouncy@example.org"]);
    const bounce = life.find((e) => e.detail.eventType === "Bounce")!;
    const deliveryAndOpen = life.filter((e) => e.detail.eventType === "Delivery" || e.detail.eventType === "Open");
    const orgId = await ingestInBatches([[bounce], deliveryAndOpen]);
    const m = (await all("SELECT status, bounce_type, delivered_at FROM messages WHERE org_id = ?", orgId))[0]!;
    expect(m.status).toBe("bounced");
    expect(m.bounce_type).toBe("Permanent");
    expect(m.delivered_at).not.toBeNull();
  });
});

/**
 * env with a D1 whose `failingCall`-th batch has a failing statement spliced in at `position`. Call 1
 * loads the orgs' configuration; calls 2, 3, … are the write transactions (WRITE_CHUNK_ROWS rows each).
 */
function failingDbEnv(position: number, failingCall = 2): { env: Env; statements: () => number; calls: () => number } {
  const real = env.DB;
  let calls = 0;
  let seen = 0;
  const db = {
    prepare: (q: string) => real.prepare(q),
    exec: (q: string) => real.exec(q),
    withSession: (c?: string) => real.withSession(c),
    dump: () => real.dump(),
    batch: (stmts: D1PreparedStatement[]) => {
      calls++;
      if (calls !== failingCall) return real.batch(stmts);
      seen = stmts.length;
      const spliced = [...stmts];
      spliced.splice(position, 0, real.prepare("INSERT INTO orgs (id) VALUES (NULL)"));
      return real.batch(spliced);
    },
  } as unknown as D1Database;
  return { env: { ...env, DB: db }, statements: () => seen, calls: () => calls };
}

describe("failure injection", () => {
  // Recent, so the OrgLedger keeps the qualifying rows.
  const events = workload(4, Date.now() - 3 * DAY);

  it("rolls back a failure between any two statements of the write, and the retry gives the same result", async () => {
    const refOrg = await newIngestOrg();
    await runConsumer(events.map((e) => queued(refOrg, e)));
    const reference = await dumpOrg(refOrg);
    const empty = await dumpOrg(await newIngestOrg());

    let statementCount = Infinity;
    for (let position = 0; position <= statementCount; position++) {
      const orgId = await newIngestOrg();
      const failing = failingDbEnv(position);
      const failed = await runConsumer(events.map((e) => queued(orgId, e)), failing.env);
      statementCount = failing.statements();
      expect(failed.retryMessages, `position ${position}`).toHaveLength(events.length);
      expect(failed.explicitAcks).toEqual([]);
      expect(await dumpOrg(orgId), `position ${position}`).toEqual(empty);
      expect(await counters(orgId)).toEqual({});
      expect(await ledger(orgId).listQualifying({})).toEqual([]);

      const retried = await runConsumer(events.map((e) => queued(orgId, e)), env, 2);
      expect(retried.retryMessages).toEqual([]);
      expect(await dumpOrg(orgId), `position ${position}`).toEqual(reference);
      expect(await counters(orgId)).toEqual({ accepted: reference.events!.length });
    }
    expect(statementCount).toBeGreaterThan(8);
  }, 60_000);

  it("writes a large batch in several transactions; a failure in a later one keeps the earlier ones, and the retry completes the same result", async () => {
    const many = workload(48, Date.now() - 3 * DAY);
    const refOrg = await newIngestOrg();
    await runConsumer(many.map((e) => queued(refOrg, e)));
    const reference = await dumpOrg(refOrg);
    const rowCount = reference.events!.length;
    const transactions = Math.ceil(rowCount / WRITE_CHUNK_ROWS);
    expect(transactions).toBeGreaterThanOrEqual(3);

    for (let failing = 2; failing <= transactions + 1; failing++) {
      const orgId = await newIngestOrg();
      const broken = failingDbEnv(1, failing);
      const failed = await runConsumer(many.map((e) => queued(orgId, e)), broken.env);
      expect(failed.retryMessages, `transaction ${failing - 1}`).toHaveLength(many.length);
      const committedRows = (failing - 2) * WRITE_CHUNK_ROWS;
      expect((await dumpOrg(orgId)).events, `transaction ${failing - 1}`).toHaveLength(committedRows);
      expect(await counters(orgId)).toEqual(committedRows ? { accepted: committedRows } : {});

      const retried = await runConsumer(many.map((e) => queued(orgId, e)), env, 2);
      expect(retried.retryMessages).toEqual([]);
      expect(await dumpOrg(orgId), `transaction ${failing - 1}`).toEqual(reference);
      // The rows re-offered by the retry count as duplicates; every row is accepted exactly once.
      expect(await counters(orgId)).toEqual(committedRows ? { accepted: rowCount, duplicates: committedRows } : { accepted: rowCount });
    }
  }, 60_000);

  it("retries when the OrgLedger fails after the commit; the retry reaches it and changes nothing in D1", async () => {
    const refOrg = await newIngestOrg();
    await runConsumer(events.map((e) => queued(refOrg, e)));
    const reference = await dumpOrg(refOrg);

    const orgId = await newIngestOrg();
    const brokenLedger = {
      idFromName: (n: string) => env.ORG_LEDGER.idFromName(n),
      get: () => ({
        recordQualifying: async () => {
          throw new Error("ledger unavailable");
        },
      }),
    } as unknown as typeof env.ORG_LEDGER;
    const failed = await runConsumer(events.map((e) => queued(orgId, e)), { ...env, ORG_LEDGER: brokenLedger });
    expect(failed.retryMessages).toHaveLength(events.length);
    expect(await ledger(orgId).listQualifying({})).toEqual([]);

    await runConsumer(events.map((e) => queued(orgId, e)), env, 2);
    expect(await dumpOrg(orgId)).toEqual(reference);
    const qualifying = await ledger(orgId).listQualifying({});
    expect(qualifying.length).toBe(reference.events!.filter((e) => ["bounce", "complaint", "reject"].includes(e.type as string)).length);
    expect(await ledger(refOrg).listQualifying({})).toEqual(qualifying.map((q) => ({ ...q, channelId: q.channelId?.replace(orgId, refOrg) ?? null })));
  });
});

describe("OrgLedger and Analytics Engine", () => {
  it("forwards every qualifying row (bounce, complaint, reject) and the ledger stores each once", async () => {
    const orgId = await newIngestOrg();
    const names = ["bounce-permanent-general", "bounce-transient-mailboxfull", "bounce-undetermined", "complaint", "reject", "delivery", "send", "open"];
    const delta = Date.now() - DAY - ms("2024-05-14T09:21:07.402Z");
    const batch = names.map((n) => queued(orgId, shifted(fixture(n), delta)));
    await runConsumer(batch);
    await runConsumer(batch);
    const rows = await ledger(orgId).listQualifying({});
    expect(rows.map((r) => [r.eventType, r.email, r.bounceType, r.subType]).sort()).toEqual(
      [
        ["bounce", "no-such-user@example.net", "Permanent", "General"],
        ["bounce", "full.box@example.net", "Transient", "MailboxFull"],
        ["bounce", "mystery@example.org", "Undetermined", "Undetermined"],
        ["complaint", "jane.doe@example.net", null, "abuse"],
        ["reject", "jane.doe@example.net", null, null],
      ].sort(),
    );
    const hard = rows.find((r) => r.email === "no-such-user@example.net")!;
    expect(hard.diagnostic).toMatch(/User unknown/);
    expect(hard.at).toBe(ms("2024-05-14T09:21:07.402Z") + delta);
    expect(rows.find((r) => r.eventType === "reject")!.diagnostic).toBe("Bad content");
    const [key] = await all("SELECT event_key FROM events WHERE org_id = ? AND recipient = 'no-such-user@example.net'", orgId);
    expect(hard.eventKey).toBe(key!.event_key);
    // Message, channel and diagnostic come back as the consumer forwarded them from its D1 rows.
    const d1 = await all("SELECT * FROM events WHERE org_id = ? AND type IN ('bounce', 'complaint', 'reject')", orgId);
    expect(rows.map((r) => [r.eventKey, r.messageId, r.channelId, r.diagnostic]).sort()).toEqual(
      d1.map((e) => [e.event_key, e.message_id, e.channel_id, e.diagnostic ?? e.reason]).sort(),
    );
    expect(rows.some((r) => r.channelId !== null)).toBe(true);
    // Recording the same rows again stores nothing.
    expect(await ledger(orgId).recordQualifying(rows)).toMatchObject({ stored: 0, outbox: [] });
    expect(await ledger(orgId).listQualifying({ email: "FULL.BOX@example.net" })).toHaveLength(1);
    // One copy of each event: ul_events is the only per-event table.
    const storage = await runInDurableObject(ledger(orgId), (_i, state) => ({
      tables: state.storage.sql
        .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' ORDER BY name")
        .toArray()
        .map((t) => t.name),
      events: state.storage.sql.exec<{ n: number }>("SELECT count(*) AS n FROM ul_events").one().n,
    }));
    expect(storage).toEqual({ tables: ["ul_addresses", "ul_events", "ul_meta", "ul_outbox"], events: 5 });
  });

  it("an OrgLedger that still holds the old second copy (qualifying_events) folds its details into ul_events and drops it on start", async () => {
    const orgId = await newIngestOrg();
    const at = Date.now() - DAY;
    const base = { email: "fold@example.org", messageId: "m-fold", channelId: channelIdOf(orgId, "marketing") };
    const rows = [
      { ...base, eventKey: "fold-1", at, eventType: "bounce" as const, bounceType: "Permanent", subType: "NoEmail", diagnostic: "smtp; 550 5.1.1 user unknown" },
      { ...base, eventKey: "fold-2", at: at - HOUR, eventType: "bounce" as const, bounceType: "Transient", subType: "MailboxFull", diagnostic: "smtp; 452 4.2.2 full" },
      { ...base, eventKey: "fold-3", at: at - 2 * HOUR, eventType: "complaint" as const, bounceType: null, subType: "abuse", diagnostic: null, channelId: null },
    ];
    expect(await ledger(orgId).recordQualifying(rows)).toMatchObject({ stored: 3, outbox: [] });
    const expected = await ledger(orgId).listQualifying({});
    expect(expected).toEqual(rows);

    // Turn the storage back into the layout the previous release left: ul_events without the event's
    // details (and no sub-type for configurable categories), every event also in qualifying_events.
    await runInDurableObject(ledger(orgId), (_i, state) => {
      const sql = state.storage.sql;
      for (const column of ["diagnostic", "message_id", "channel_id"]) sql.exec(`ALTER TABLE ul_events DROP COLUMN ${column}`);
      sql.exec("UPDATE ul_events SET sub = NULL WHERE cat > 3");
      sql.exec(`CREATE TABLE qualifying_events (
        event_key TEXT PRIMARY KEY, email TEXT NOT NULL, at INTEGER NOT NULL, event_type TEXT NOT NULL, bounce_type TEXT,
        sub_type TEXT, diagnostic TEXT, message_id TEXT NOT NULL, channel_id TEXT)`);
      sql.exec("CREATE INDEX qualifying_events_email_at ON qualifying_events (email, at)");
      for (const r of rows) {
        sql.exec(
          "INSERT INTO qualifying_events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          r.eventKey, r.email, r.at, r.eventType, r.bounceType, r.subType, r.diagnostic, r.messageId, r.channelId,
        );
      }
    });

    // A new instance (as after a deploy) sets up its schema on first use.
    await abortAllDurableObjects();
    expect(await ledger(orgId).listQualifying({})).toEqual(expected);
    expect(await ledger(orgId).listQualifying({ email: "Fold@Example.org", since: at - HOUR, limit: 1 })).toEqual([expected[0]]);
    const legacy = await runInDurableObject(ledger(orgId), (_i, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name LIKE 'qualifying_events%'").toArray(),
    );
    expect(legacy).toEqual([]);
    expect(await ledger(orgId).recordQualifying(rows)).toMatchObject({ stored: 0, outbox: [] });
  });

  it("lets ledger rows older than the longest retention go", async () => {
    const orgId = await newIngestOrg();
    const row = (eventKey: string, at: number) => ({
      eventKey,
      email: "old@example.org",
      at,
      eventType: "bounce" as const,
      bounceType: "Permanent",
      subType: "General",
      diagnostic: null,
      messageId: "m",
      channelId: null,
    });
    await ledger(orgId).recordQualifying([row("k-old", Date.now() - 400 * DAY), row("k-new", Date.now() - DAY)]);
    expect((await ledger(orgId).listQualifying({})).map((r) => r.eventKey)).toEqual(["k-new"]);
  });

  it("writes one data point per new event row, none for duplicates", async () => {
    const orgId = await newIngestOrg();
    const points: AnalyticsEngineDataPoint[] = [];
    const recording = { ...env, EVENTS_AE: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p) } } as Env;
    const batch = ["delivery", "bounce-permanent-general", "send"].map((n) => queued(orgId, fixture(n)));
    await runConsumer(batch, recording);
    await runConsumer(batch, recording);
    expect(points).toHaveLength(3);
    const delivery = points.find((p) => p.blobs![2] === "delivery")!;
    expect(delivery).toEqual({
      indexes: [orgId],
      blobs: [orgId, channelIdOf(orgId, "acme-transactional"), "delivery", "example.net", "", "", ""],
      doubles: [1559],
    });
    expect(points.find((p) => p.blobs![2] === "bounce")!.blobs!.slice(5)).toEqual(["Permanent", "General"]);
  });
});

describe("large batches", () => {
  it("splits rows over several insert statements and still counts every new row once", async () => {
    const orgId = await newIngestOrg();
    const points: AnalyticsEngineDataPoint[] = [];
    const recording = { ...env, EVENTS_AE: { writeDataPoint: (p: AnalyticsEngineDataPoint) => points.push(p) } } as Env;
    // Eight events of ~150 KB: more than one 600,000-character chunk.
    const big = Array.from({ length: 8 }, (_, i) => {
      const e = fixture("send");
      e.detail.mail.messageId = `big-${i}`;
      e.detail.mail.headers!.push({ name: "X-Padding", value: "p".repeat(150 * 1024) });
      return queued(orgId, e);
    });
    await runConsumer(big, recording);
    await runConsumer(big, recording);
    expect(points).toHaveLength(8);
    expect(await all("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)).toEqual([{ n: 8 }]);
    expect(await counters(orgId)).toEqual({ accepted: 8, duplicates: 8 });
  });
});

describe("queue messages", () => {
  it("acks the benchmark's noop messages without storing anything", async () => {
    const result = await runConsumer([{ kind: "noop", body: "{}" }, { kind: "noop", body: "not even JSON" }]);
    expect(result.explicitAcks).toHaveLength(2);
  });

  it("retries a body it does not understand on its own, and still stores the rest", async () => {
    const orgId = await newIngestOrg();
    const result = await runConsumer([{ kind: "mystery" }, queued(orgId, fixture("send"))]);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await all("SELECT COUNT(*) AS n FROM events WHERE org_id = ?", orgId)).toEqual([{ n: 1 }]);
  });

  it("reads an oversized event from R2, stores it, then deletes the object", async () => {
    const orgId = await newIngestOrg();
    const e = fixture("delivery");
    const key = `ingest-overflow/${orgId}/evt_test.json`;
    await env.FILES.put(key, JSON.stringify(e));
    const result = await runConsumer([{ kind: "event_ref", orgId, receivedAt: 1, r2Key: key }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await all("SELECT type FROM events WHERE org_id = ?", orgId)).toEqual([{ type: "delivery" }]);
    expect(await env.FILES.head(key)).toBeNull();
    // A redelivery after the delete finds nothing to do and acknowledges.
    expect((await runConsumer([{ kind: "event_ref", orgId, receivedAt: 1, r2Key: key }])).explicitAcks).toHaveLength(1);
  });

  it("acknowledges events of a workspace that no longer exists", async () => {
    const result = await runConsumer([queued("org_gone", fixture("send"))]);
    expect(result.explicitAcks).toHaveLength(1);
  });
});

describe("write statements", () => {
  const config = { orgId: "org_x", identities: new Set(["mail.example.com"]), channelsByConfigurationSet: new Map<string, string>(), templateTag: "template" };
  /** Tables written by one transaction's statements (the SQL is only captured, never run). */
  async function tablesWritten(names: string[]): Promise<string[]> {
    const rows = [];
    for (const name of names) {
      const result = await normaliseEvent(fixture(name), config, Date.now());
      if (!result.ok) throw new Error(`${name} was dropped: ${result.drops[0]?.reason}`);
      rows.push(...result.rows);
    }
    const captured = { prepare: (sql: string) => ({ bind: () => sql }) } as unknown as D1Database;
    const statements = batchWriteStatements(captured, { rows, counters: new Map([["org_x", new Map([["accepted", rows.length]])]]), counterBucket: 0 });
    return (statements as unknown as string[]).map((sql) => {
      const [, verb, table] = /(INSERT INTO|UPDATE) (\w+)/.exec(sql)!;
      return verb === "UPDATE" ? `update ${table}` : table!;
    });
  }

  it("leaves out the count rollups whose event type the transaction does not hold, and the engagement credit without an open, click or delivery", async () => {
    // Every rollup in both scopes: per channel, then all channels (written by ingest, not by triggers).
    const both = (table: string) => [table, table.replace("rollup_", "rollup_all_")];
    const metric = ["rollup_totals", "rollup_providers", "rollup_templates", "rollup_domains"].flatMap(both);
    // The upsert, then the moves of stored rows' status and of their send time or channel (indexed columns).
    const messages = ["messages", "update messages", "update messages"];
    // The sending-domain rollup (the alert rates' counts) follows the others, when a row counts towards it.
    const domains = "rollup_sending_domains";
    expect(await tablesWritten(["send", "bounce-transient-general"])).toEqual(["events", ...metric, ...both("rollup_bounce_reasons"), domains, ...messages, "ingest_counters"]);
    // Opens and clicks are credited (to delivered recipients only) before the messages upsert, not folded with the rest.
    expect(await tablesWritten(["open", "click"])).toEqual(["events", ...metric, ...messages, "ingest_counters"]);
    expect(await tablesWritten(["send", "open"])).toEqual(["events", ...metric, domains, ...metric, ...messages, "ingest_counters"]);
    expect((await tablesWritten(["send", "delivery", "bounce-transient-general", "complaint"])).sort()).toEqual(
      ["events", ...metric, ...metric, ...["rollup_bounce_reasons", "rollup_complaint_reasons", "rollup_latency"].flatMap(both), domains, ...messages, "ingest_counters"].sort(),
    );
  });
});
