import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { METRICS } from "../worker/lib/metrics";
import { ALERT_METRICS } from "../worker/lib/alert-thresholds";
import { HOUR } from "../worker/lib/time";
import { evaluateOrg } from "../worker/services/alerts/evaluate";
import { saveIdentityThresholds } from "../worker/services/alerts/thresholds";
import { db } from "./helpers";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";

/** A fixed, hour-aligned clock far from the real one (the real jobs queue never evaluates these orgs). */
const T = Date.UTC(2026, 1, 10, 12, 0, 0);

function capture() {
  const raised: RaiseRequest[] = [];
  return { raised, raise: async (r: RaiseRequest) => void raised.push(r), of: (type: string) => raised.filter((r) => r.type === type) };
}

const noPause = async () => {
  throw new Error("no channel opted in to auto-pause");
};

type Counts = Partial<Record<(typeof ALERT_METRICS)[number], number>>;

/** Adds counts to a sending domain's hour bucket, as ingest writes them (worker/db/ingest.ts). */
async function addDomainCounts(orgId: string, domain: string, at: number, counts: Counts) {
  const cols = Object.keys(counts).map((m) => METRICS[m as keyof Counts].column);
  await env.DB.prepare(
    `INSERT INTO rollup_sending_domains (org_id, bucket_start, sending_domain, ${cols.join(", ")}) VALUES (?, ?, ?, ${cols.map(() => "?").join(", ")})
     ON CONFLICT DO UPDATE SET ${cols.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`,
  )
    .bind(orgId, Math.floor(at / HOUR) * HOUR, domain, ...Object.values(counts))
    .run();
}

const scoped = (c: ReturnType<typeof capture>, type: string, scope: string) => c.of(type).filter((r) => r.payload?.scope === scope);

describe("sending-domain rate thresholds", () => {
  it("raises nothing just below 5 % and one alert for the domain at exactly 5 %, linked to its identity's page", async () => {
    const orgId = await newIngestOrg({ identities: ["mail.example.com", "news@other.example"] });
    await addDomainCounts(orgId, "mail.example.com", T - HOUR, { sends: 1000, hardBounces: 49 });
    const c = capture();
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(scoped(c, "deliverability.bounce_rate_threshold", "domain:mail.example.com")).toEqual([]);

    await addDomainCounts(orgId, "mail.example.com", T - 2 * HOUR, { undeterminedBounces: 1 });
    await evaluateOrg(env, orgId, c.raise, T + 60_000, noPause);
    expect(scoped(c, "deliverability.bounce_rate_threshold", "domain:mail.example.com")).toEqual([
      expect.objectContaining({
        params: { rate: "5%", scope: "domain mail.example.com", window: "24 hours", bounces: 50, sends: 1000, threshold: "5%" },
        link: `identities/${orgId}-idn-0`,
        dedupeKey: `${orgId}:deliverability.bounce_rate_threshold:domain:mail.example.com:${T + 60_000}`,
      }),
    ]);
  });

  it("links an address identity's domain to that identity, and judges complaints over deliveries", async () => {
    const orgId = await newIngestOrg({ identities: ["news@other.example"] });
    await addDomainCounts(orgId, "other.example", T - HOUR, { sends: 4000, deliveries: 2000, complaints: 1 });
    const c = capture();
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(scoped(c, "deliverability.complaint_rate_threshold", "domain:other.example")).toEqual([]);
    await addDomainCounts(orgId, "other.example", T - HOUR, { complaints: 1 });
    await evaluateOrg(env, orgId, c.raise, T + 1000, noPause);
    const [raised] = scoped(c, "deliverability.complaint_rate_threshold", "domain:other.example");
    expect(raised).toMatchObject({ params: { rate: "0.1%", scope: "domain other.example", complaints: 2 }, link: `identities/${orgId}-idn-0` });
  });

  it("judges no domain under the minimum volume: 50 bounces in 99 sends page nobody", async () => {
    const orgId = await newIngestOrg();
    await addDomainCounts(orgId, "mail.example.com", T - HOUR, { sends: 99, hardBounces: 50 });
    const c = capture();
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(c.raised).toEqual([]);
    await addDomainCounts(orgId, "mail.example.com", T - HOUR, { sends: 1 });
    await evaluateOrg(env, orgId, c.raise, T + 1000, noPause);
    expect(scoped(c, "deliverability.bounce_rate_threshold", "domain:mail.example.com")).toHaveLength(1);
  });

  it("raises once per breach across evaluations, and only from the last 24 hours", async () => {
    const orgId = await newIngestOrg();
    // Older than the window: not counted.
    await addDomainCounts(orgId, "mail.example.com", T - 30 * HOUR, { sends: 1000, hardBounces: 900 });
    const quiet = capture();
    await evaluateOrg(env, orgId, quiet.raise, T, noPause);
    expect(scoped(quiet, "deliverability.bounce_rate_threshold", "domain:mail.example.com")).toEqual([]);

    await addDomainCounts(orgId, "mail.example.com", T - HOUR, { sends: 1000, softBounces: 80 });
    const c = capture();
    for (let i = 0; i < 5; i++) await evaluateOrg(env, orgId, c.raise, T + i * 60_000, noPause);
    expect(scoped(c, "deliverability.bounce_rate_threshold", "domain:mail.example.com")).toHaveLength(1);
    const state = await env.DB.prepare("SELECT state FROM alert_states WHERE org_id = ? AND alert_key = ? AND scope = ?")
      .bind(orgId, "deliverability.bounce_rate_threshold", "domain:mail.example.com")
      .first();
    expect(state).toEqual({ state: "firing" });
  });

  it("raises a domain's bounce trend from the same read", async () => {
    const orgId = await newIngestOrg();
    await addDomainCounts(orgId, "mail.example.com", T - 30 * HOUR, { sends: 1000, hardBounces: 20 });
    await addDomainCounts(orgId, "mail.example.com", T - HOUR, { sends: 1000, hardBounces: 40 });
    const c = capture();
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    expect(scoped(c, "deliverability.bounce_rate_trend", "domain:mail.example.com").map((r) => r.params)).toEqual([
      { scope: "domain mail.example.com", previous: "2%", rate: "4%", window: "24 hours" },
    ]);
  });

  it("counts the domain's events as ingest stores them: a bounce spike through the consumer raises the domain alert", async () => {
    const orgId = await newIngestOrg();
    const at = Date.now();
    const events = [];
    for (let i = 0; i < 100; i++) {
      const send = fixture("send");
      send.detail.mail.messageId = `dom-${i}`;
      send.detail.mail.timestamp = new Date(at - 60_000).toISOString();
      send.detail.mail.destination = [`r${i}@example.org`];
      events.push(send);
    }
    for (let i = 0; i < 5; i++) {
      const bounce = fixture("bounce-permanent-general");
      bounce.detail.mail.messageId = `dom-${i}`;
      bounce.detail.mail.timestamp = new Date(at - 60_000).toISOString();
      if (bounce.detail.eventType === "Bounce") {
        bounce.detail.bounce.timestamp = new Date(at - 30_000).toISOString();
        bounce.detail.bounce.bouncedRecipients = [{ emailAddress: `r${i}@example.org`, action: "failed", status: "5.1.1" }];
      }
      events.push(bounce);
    }
    await runConsumer(events.map((e) => queued(orgId, e)));
    const c = capture();
    await evaluateOrg(env, orgId, c.raise, at, noPause);
    expect(scoped(c, "deliverability.bounce_rate_threshold", "domain:mail.example.com").map((r) => r.params.rate)).toEqual(["5%"]);
  });

  it("applies a domain's overrides (saved on one of its identities) to that domain only", async () => {
    const orgId = await newIngestOrg({ identities: ["mail.example.com", "news@other.example"] });
    const owner = { orgId, name: "o", slug: "o", isDemo: false, plan: "business" as const, role: "owner" as const, actor: { userId: null, name: "T", email: "t@example.test" } };
    await saveIdentityThresholds(db(), owner, `${orgId}-idn-0`, { bounce: { warning: 2, critical: 4 }, minVolume: 50 }, T);
    await addDomainCounts(orgId, "mail.example.com", T - HOUR, { sends: 50, hardBounces: 1 });
    await addDomainCounts(orgId, "other.example", T - HOUR, { sends: 1000, hardBounces: 30 });
    const c = capture();
    await evaluateOrg(env, orgId, c.raise, T, noPause);
    // 2 % over 50 sends reaches the override (and its lower minimum volume); 3 % on the other domain stays under the workspace's 5 %.
    expect(c.of("deliverability.bounce_rate_threshold").map((r) => [r.payload?.scope, r.params.threshold])).toEqual([["domain:mail.example.com", "2%"]]);
  });
});
