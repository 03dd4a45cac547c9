import { beforeAll, describe, expect, it } from "vitest";
import { generateDemoTraffic, planDemoTraffic, type DemoTrafficOptions, type GeneratedEvent } from "../../scripts/lib/demo-traffic";
import { DEMO_CHANNELS, DEMO_IDENTITIES } from "../../scripts/lib/demo-world";
import { DETAIL_TYPES, parseEventBridgeEvent } from "../../worker/services/ingest/schemas";
import { providerOf } from "../../worker/services/ingest/providers";
import { DAY, MINUTE } from "../../worker/lib/time";

const END = Date.parse("2026-03-18T12:00:00Z");
const OPTS: DemoTrafficOptions = { seed: "test", events: 60_000, days: 30, end: END };

let events: GeneratedEvent[] = [];
let plan = { messages: 0, events: 0 };
const detail = (g: GeneratedEvent) => g.event.detail as Record<string, any>;
const ofType = (type: string) => events.filter((g) => g.event.detail.eventType === type);
const dayOf = (g: GeneratedEvent) => new Date(Date.parse(g.event.detail.mail.timestamp)).toISOString().slice(0, 10);

beforeAll(() => {
  plan = planDemoTraffic(OPTS);
  events = [...generateDemoTraffic(OPTS, plan.messages)];
});

describe("demo traffic generator", () => {
  it("plans whole messages that reach the requested number of events", () => {
    expect(plan.events).toBeGreaterThanOrEqual(OPTS.events);
    expect(plan.events).toBeLessThan(OPTS.events * 1.02);
    expect(events).toHaveLength(plan.events);
  });

  it("is deterministic: the same options give the same events, another seed other events", () => {
    const again = [...generateDemoTraffic(OPTS, 500)].map((g) => JSON.stringify(g.event));
    const once = [...generateDemoTraffic(OPTS, 500)].map((g) => JSON.stringify(g.event));
    expect(again).toEqual(once);
    const other = [...generateDemoTraffic({ ...OPTS, seed: "other" }, 500)].map((g) => JSON.stringify(g.event));
    expect(other).not.toEqual(once);
  });

  it("produces EventBridge events exactly like the fixtures, which the ingest schema accepts", () => {
    // Plain checks collected into one list: 60k events × many expect() calls would take minutes.
    const problems: string[] = [];
    const check = (ok: boolean, what: string, g: GeneratedEvent) => {
      if (!ok && problems.length < 20) problems.push(`${g.event.detail.eventType} ${g.event.id}: ${what}`);
    };
    for (const g of events) {
      const e = g.event;
      const parsed = parseEventBridgeEvent(JSON.parse(JSON.stringify(e)));
      check(parsed.ok, `schema: ${parsed.ok ? "" : JSON.stringify(parsed.issues)}`, g);
      check(e["detail-type"] === DETAIL_TYPES[e.detail.eventType], "detail-type", g);
      check(e.version === "0" && e.source === "aws.ses" && /^\d{12}$/.test(e.account) && e.region === "us-east-1", "envelope", g);
      check(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(e.time) && Date.parse(e.time) >= Math.floor(g.at / 1000) * 1000, "time", g);
      check(/^arn:aws:ses:us-east-1:\d{12}:configuration-set\/[a-z-]+$/.test(e.resources[0] ?? ""), "resources", g);
      const mail = e.detail.mail;
      check(/^0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-000000$/.test(mail.messageId), "messageId", g);
      check(/\.\d{3}Z$/.test(mail.timestamp), "mail.timestamp", g);
      check(Object.values(mail.tags).every((v) => Array.isArray(v)), "tag values are arrays", g);
      check(mail.tags["ses:configuration-set"]?.length === 1, "ses:configuration-set", g);
      if (e.detail.eventType === "Rendering Failure") {
        // As SES sends it: no headers, only the configuration-set tag, the template in `failure`.
        check(mail.headers === undefined && mail.commonHeaders === undefined && Boolean(detail(g).failure.templateName), "rendering failure shape", g);
        continue;
      }
      check(mail.tags["ses:from-domain"]?.[0] === mail.source.split("@")[1], "ses:from-domain", g);
      check(/^\d+\.\d+\.\d+\.\d+$/.test(mail.tags["ses:source-ip"]?.[0] ?? ""), "ses:source-ip", g);
      check(mail.tags.template?.length === 1, "template tag", g);
      const names = new Set(mail.headers?.map((h) => h.name));
      check(["From", "To", "Subject", "MIME-Version", "Content-Type"].every((n) => names.has(n)), "headers", g);
      check(mail.commonHeaders?.messageId === mail.messageId && mail.commonHeaders.to[0] === mail.destination[0], "commonHeaders", g);
      const attempted = !["Send", "Reject"].includes(e.detail.eventType) && !["OnAccountSuppressionList", "Suppressed"].includes(detail(g).bounce?.bounceSubType);
      check("ses:outgoing-ip" in mail.tags === attempted, "ses:outgoing-ip only after a delivery attempt", g);
    }
    expect(problems).toEqual([]);
  });

  it("covers every SES event type and keeps each event's dedupe key distinct", () => {
    const types = new Set(events.map((g) => g.event.detail.eventType));
    expect([...types].sort()).toEqual(Object.keys(DETAIL_TYPES).sort());
    const keys = new Set(events.map((g) => `${g.event.detail.mail.messageId}|${g.event.detail.eventType}|${g.at}|${detail(g).click?.link ?? ""}`));
    expect(keys.size).toBe(events.length);
    expect(new Set(events.map((g) => g.event.id)).size).toBe(events.length);
  });

  it("spans the 30 days before `end` with traffic every day", () => {
    expect(events.filter((g) => g.at < END - 30 * DAY || g.at >= END)).toEqual([]);
    expect(new Set(ofType("Send").map(dayOf)).size).toBeGreaterThanOrEqual(30);
  });

  it("sends from the managed identities through the sesmail- channels, with a little unmanaged and no-channel mail", () => {
    const managedSources = new Set<string>(DEMO_IDENTITIES.map((i) => i.identity));
    const sets = new Set(events.map((g) => g.event.detail.mail.tags["ses:configuration-set"]![0]!));
    for (const c of DEMO_CHANNELS) expect(sets).toContain(c.configurationSet);
    expect(sets).toContain("sendops-events");
    // Alerts go through the default channel; the retired Alerts channel's set is no longer used.
    expect(sets).not.toContain("sesmail-alerts");
    expect(events.some((g) => g.event.detail.mail.source === "alerts@example.com" && g.event.detail.mail.tags["ses:configuration-set"]![0] === "sesmail-default")).toBe(true);
    const strays = events.filter((g) => g.managed && !managedSources.has(g.event.detail.mail.source) && !managedSources.has(g.event.detail.mail.source.split("@")[1]!));
    expect(strays).toEqual([]);
    const unmanaged = events.filter((g) => !g.managed).length / events.length;
    expect(unmanaged).toBeGreaterThan(0);
    expect(unmanaged).toBeLessThan(0.02);
  });

  it("publishes Open and Click events only through sets with tracking on (SES tracks nothing for the others)", () => {
    const setOf = (g: (typeof events)[number]) => g.event.detail.mail.tags["ses:configuration-set"]![0]!;
    const engagement = (set: string) => events.filter((g) => setOf(g) === set && (g.event.detail.eventType === "Open" || g.event.detail.eventType === "Click")).length;
    for (const c of DEMO_CHANNELS) {
      if (c.settings.trackingEnabled) expect(engagement(c.configurationSet), c.name).toBeGreaterThan(0);
      else expect(engagement(c.configurationSet), c.name).toBe(0);
    }
    expect(DEMO_CHANNELS.filter((c) => !c.settings.trackingEnabled).map((c) => c.name)).toEqual(["Transactional"]);
  });

  it("uses about 20 templates and recipients at Gmail, Microsoft, Yahoo, Apple, European, APAC and company domains", () => {
    const templates = new Set(events.flatMap((g) => g.event.detail.mail.tags.template ?? []));
    expect(templates.size).toBeGreaterThanOrEqual(18);
    const providers = new Map<string, number>();
    for (const g of ofType("Send")) {
      const p = providerOf(g.event.detail.mail.destination[0]!.split("@")[1]!);
      providers.set(p, (providers.get(p) ?? 0) + 1);
    }
    for (const p of ["Gmail", "Microsoft", "Yahoo", "Apple", "GMX", "Web.de", "Orange", "Mail.ru", "Yandex", "Naver", "QQ", "NetEase"]) {
      expect(providers.get(p), p).toBeGreaterThan(0);
    }
    const sends = ofType("Send").length;
    expect(providers.get("Gmail")! / sends).toBeGreaterThan(0.25);
    expect([...providers.keys()].some((p) => p.endsWith(".example"))).toBe(true);
  });

  it("has realistic rates: bounces 1–3 % with hard/soft/undetermined, complaints 0.02–0.1 %, rare rejects", () => {
    const sends = ofType("Send").length;
    const bounces = ofType("Bounce");
    const badDay = new Date(Math.floor((END - 11 * DAY) / DAY) * DAY).toISOString().slice(0, 10);
    const normal = bounces.filter((g) => dayOf(g) !== badDay).length / ofType("Send").filter((g) => dayOf(g) !== badDay).length;
    expect(normal).toBeGreaterThan(0.01);
    expect(normal).toBeLessThan(0.03);
    const byType = new Set(bounces.map((g) => detail(g).bounce.bounceType));
    expect([...byType].sort()).toEqual(["Permanent", "Transient", "Undetermined"]);
    expect(new Set(bounces.map((g) => detail(g).bounce.bounceSubType)).size).toBeGreaterThanOrEqual(7);
    const badDiagnostics = bounces.filter((g) => {
      const r = detail(g).bounce.bouncedRecipients[0];
      return detail(g).bounce.bounceType === "Undetermined" ? r.diagnosticCode !== undefined : !/^(smtp; [245]\d\d|Amazon SES)/.test(r.diagnosticCode);
    });
    expect(badDiagnostics).toEqual([]);
    const complaintRate = ofType("Complaint").length / ofType("Delivery").length;
    expect(complaintRate).toBeGreaterThanOrEqual(0.0002);
    expect(complaintRate).toBeLessThanOrEqual(0.001);
    const rejects = ofType("Reject").length;
    expect(rejects).toBeGreaterThan(0);
    expect(rejects / (sends + rejects)).toBeLessThan(0.001);
  });

  it("has one bad day whose bounce rate spikes", () => {
    const perDay = new Map<string, { sends: number; bounces: number }>();
    for (const g of events) {
      const d = perDay.get(dayOf(g)) ?? { sends: 0, bounces: 0 };
      if (g.event.detail.eventType === "Send") d.sends++;
      if (g.event.detail.eventType === "Bounce") d.bounces++;
      perDay.set(dayOf(g), d);
    }
    const rates = [...perDay.entries()].filter(([, d]) => d.sends > 200).map(([day, d]) => [day, d.bounces / d.sends] as const);
    const sorted = rates.map(([, r]) => r).sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const spikes = rates.filter(([, r]) => r > 3 * median);
    expect(spikes.map(([day]) => day)).toEqual([new Date(Math.floor((END - 11 * DAY) / DAY) * DAY).toISOString().slice(0, 10)]);
  });

  it("has addresses with repeated transient bounces", () => {
    const counts = new Map<string, number>();
    for (const g of ofType("Bounce").filter((x) => detail(x).bounce.bounceType === "Transient")) {
      const addr = detail(g).bounce.bouncedRecipients[0].emailAddress as string;
      counts.set(addr, (counts.get(addr) ?? 0) + 1);
    }
    expect([...counts.values()].filter((n) => n >= 3).length).toBeGreaterThanOrEqual(3);
  });

  it("delivers with a latency distribution and engages minutes to days later", () => {
    const latencies = ofType("Delivery").map((g) => detail(g).delivery.processingTimeMillis as number).sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!;
    expect(p(0.5)).toBeGreaterThan(300);
    expect(p(0.5)).toBeLessThan(5000);
    expect(p(0.99)).toBeGreaterThan(3 * p(0.5));
    const sentAt = (g: GeneratedEvent) => Date.parse(g.event.detail.mail.timestamp);
    const openDelays = ofType("Open").map((g) => g.at - sentAt(g));
    expect(Math.min(...openDelays)).toBeLessThan(10 * MINUTE);
    expect(Math.max(...openDelays)).toBeGreaterThan(DAY);
    const opens = ofType("Open").length / ofType("Delivery").length;
    const clicks = ofType("Click").length / ofType("Delivery").length;
    expect(opens).toBeGreaterThan(0.2);
    expect(clicks).toBeGreaterThan(0.03);
    expect(clicks).toBeLessThan(opens);
    expect(ofType("Delivery").filter((g) => g.at - sentAt(g) !== detail(g).delivery.processingTimeMillis)).toEqual([]);
    expect(ofType("DeliveryDelay").filter((g) => !/^smtp; 4\d\d/.test(detail(g).deliveryDelay.delayedRecipients[0].diagnosticCode))).toEqual([]);
  });
});
