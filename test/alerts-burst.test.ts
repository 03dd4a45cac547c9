import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { Env } from "../worker/env";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { evaluateOrg } from "../worker/services/alerts/evaluate";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { channelIdOf, fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";

/**
 * The "Done when" figure of issue 16: a burst of 10,000 events that crosses the bounce threshold, through
 * the real ingest path (events consumer → D1 rollups), evaluated after every batch, raises exactly one
 * alert per breach.
 */
const T = Date.UTC(2026, 1, 3, 15, 0, 0);
const BATCH = 100; // the events queue's max_batch_size
const iso = (ms: number) => new Date(ms).toISOString();

function burst(orgId: string): ReturnType<typeof queued>[] {
  const out: SesEventBridgeEvent[] = [];
  const base = T - 40 * 60_000;
  for (let i = 0; i < 5000; i++) {
    const messageId = `0100018f-burst-${i.toString().padStart(6, "0")}-000000`;
    const to = `user${i}@example.net`;
    const at = base + i * 400;
    const mk = (name: string, eventAt: number) => {
      const e = fixture(name);
      e.id = `${name}-${i}`;
      e.time = iso(eventAt);
      e.detail.mail.messageId = messageId;
      e.detail.mail.timestamp = iso(at);
      e.detail.mail.destination = [to];
      return e;
    };
    out.push(mk("send", at));
    // The last 600 messages bounce: the rate climbs from 0 to 12 %, crossing 5 % part-way through the burst.
    if (i < 4400) {
      const d = mk("delivery", at + 900);
      if (d.detail.eventType === "Delivery") {
        d.detail.delivery.timestamp = iso(at + 900);
        d.detail.delivery.recipients = [to];
      }
      out.push(d);
    } else {
      const b = mk("bounce-permanent-general", at + 700);
      if (b.detail.eventType === "Bounce") {
        b.detail.bounce.timestamp = iso(at + 700);
        b.detail.bounce.bouncedRecipients = [{ ...b.detail.bounce.bouncedRecipients[0]!, emailAddress: to }];
      }
      out.push(b);
    }
  }
  return out.map((e) => queued(orgId, e, T));
}

describe("a burst of 10,000 events crossing the bounce threshold", () => {
  it("raises exactly one alert per breach, evaluated after each of the 100 batches", { timeout: 600_000 }, async () => {
    const orgId = await newIngestOrg();
    const channel = channelIdOf(orgId, "acme-transactional");
    const jobs: unknown[] = [];
    const testEnv = { ...env, JOBS_QUEUE: { send: async (body: unknown) => void jobs.push(body) } } as unknown as Env;
    const raised: RaiseRequest[] = [];
    const raise = async (r: RaiseRequest) => void raised.push(r);
    const bodies = burst(orgId);
    expect(bodies).toHaveLength(10_000);

    let evaluations = 0;
    for (let i = 0; i < bodies.length; i += BATCH) {
      await runConsumer(bodies.slice(i, i + BATCH), testEnv);
      await evaluateOrg(env, orgId, raise, T + evaluations++ * 1000, async () => ({}));
    }
    const totals = await env.DB.prepare("SELECT SUM(sends) AS sends, SUM(hard_bounces) AS bounces FROM rollup_all_totals WHERE org_id = ? AND bucket_size = 'hour'")
      .bind(orgId)
      .first<{ sends: number; bounces: number }>();
    expect(totals).toEqual({ sends: 5000, bounces: 600 });

    const summary = raised.map((r) => `${r.type} ${String(r.payload?.scope ?? r.payload?.channelId)}`).sort();
    expect(summary).toEqual([
      `channel_events.channel_health_degraded ${channel}`,
      `deliverability.bounce_rate_threshold channel:${channel}`,
      "deliverability.bounce_rate_threshold domain:mail.example.com",
      "deliverability.bounce_rate_threshold workspace",
    ]);
    expect(new Set(raised.map((r) => r.dedupeKey)).size).toBe(4);
    // Ingest queued one debounced evaluation for the whole burst (all batches fell in the same minute).
    expect(jobs).toEqual([{ kind: "alerts.evaluate", orgId }]);
    console.log(`BURST: 10000 events, ${BATCH}-event batches, ${evaluations} evaluations, ${jobs.length} evaluate job queued by ingest, 4 breaches, ${raised.length} raises`);
  });
});
