import { env } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { latencyBucketBounds, latencyBucket } from "../worker/services/ingest/latency";
import { partsOfInterval } from "../worker/services/reports/range";
import { localDayStarts } from "../worker/lib/timezone";
import { workload } from "./ingest-helpers";
import { DAY, feed, HOUR, mailEvents, MARKETING, newReportOrg, ok, type MailSpec, type ReportOrg } from "./reports-helpers";

/*
 * A small known event set, every expectation computed by hand (docs/reports.md, "Counting rules").
 * Current period: [T0, T0 + 2 days); prior period: the 2 days before.
 *
 * Current (47 sends + 1 reject, one recipient each):
 *   Gmail 10 (gmail.com g1–g6, googlemail.com g7–g10; template "welcome"):
 *     g1 delivered, opened twice, clicked twice, complaint (abuse); g2 delivered, opened, clicked;
 *     g3 delivered, opened; g4 delivered; g5 hard bounce General; g6 soft bounce MailboxFull;
 *     g7 delivered, opened; g8–g10 delivered.
 *   Microsoft 8 (hotmail.com ×5, outlook.com ×3; channel acme-marketing; template "receipt"):
 *     m1 hard bounce NoEmail, m2–m8 delivered.
 *   Yahoo 7 delivered + 1 reject; Apple (icloud.com) 6 delivered; AOL 4 delivered + 1 undetermined
 *   bounce; GMX (gmx.de) 4; Web.de 3; Orange (orange.fr) 2 delivered; free.fr 1 delivered;
 *   example.org 1 hard bounce General. No template tag outside Gmail and Microsoft.
 * Prior: Gmail 5 delivered; Microsoft 4 sends (2 delivered, 2 hard bounces); Yahoo 2 delivered, one
 *   complaint; free.fr 1 hard bounce; seznam.cz 1 delivered.
 */
const T0 = Date.UTC(2024, 5, 10);
const CURRENT = { from: T0, to: T0 + 2 * DAY };
const PRIOR_START = T0 - 2 * DAY;

function currentSpecs(): MailSpec[] {
  const specs: MailSpec[] = [];
  let k = 0;
  // Spread sends over the first 40 hours so every event (including +2 h complaints) stays inside the period.
  const at = () => T0 + HOUR + (k++ % 40) * HOUR + 5 * 60_000;
  const g = (n: number, domain: string, extra: Partial<MailSpec> = {}) =>
    specs.push({ id: `g${n}`, to: `g${n}@${domain}`, sentAt: at(), template: "welcome", ...extra });
  g(1, "gmail.com", { opens: [HOUR, 2 * HOUR], clicks: [HOUR + 60_000, 2 * HOUR + 60_000], complaint: { after: 3 * HOUR, feedbackType: "abuse" } });
  g(2, "gmail.com", { opens: [HOUR], clicks: [HOUR + 60_000] });
  g(3, "gmail.com", { opens: [HOUR] });
  g(4, "gmail.com");
  g(5, "gmail.com", { outcome: "hard" });
  g(6, "gmail.com", { outcome: "soft" });
  g(7, "googlemail.com", { opens: [HOUR] });
  for (const n of [8, 9, 10]) g(n, "googlemail.com");
  for (let n = 1; n <= 8; n++) {
    specs.push({
      id: `m${n}`,
      to: `m${n}@${n <= 5 ? "hotmail.com" : "outlook.com"}`,
      sentAt: at(),
      set: MARKETING,
      template: "receipt",
      outcome: n === 1 ? "hard" : "delivered",
      bounceSubType: n === 1 ? "NoEmail" : undefined,
    });
  }
  const plain = (prefix: string, domain: string, n: number, outcome: MailSpec["outcome"] = "delivered") => {
    for (let i = 1; i <= n; i++) specs.push({ id: `${prefix}${i}`, to: `${prefix}${i}@${domain}`, sentAt: at(), template: null, outcome });
  };
  plain("y", "yahoo.com", 7);
  plain("yr", "yahoo.com", 1, "reject");
  plain("a", "icloud.com", 6);
  plain("aol", "aol.com", 4);
  plain("aolu", "aol.com", 1, "undetermined");
  plain("gmx", "gmx.de", 4);
  plain("web", "web.de", 3);
  plain("or", "orange.fr", 2);
  plain("fr", "free.fr", 1);
  plain("ex", "example.org", 1, "hard");
  return specs;
}

function priorSpecs(): MailSpec[] {
  let k = 0;
  const at = () => PRIOR_START + HOUR + (k++ % 30) * HOUR;
  const specs: MailSpec[] = [];
  for (let i = 1; i <= 5; i++) specs.push({ id: `pg${i}`, to: `pg${i}@gmail.com`, sentAt: at() });
  for (let i = 1; i <= 4; i++) specs.push({ id: `pm${i}`, to: `pm${i}@hotmail.com`, sentAt: at(), outcome: i <= 2 ? "hard" : "delivered" });
  specs.push({ id: "py1", to: "py1@yahoo.com", sentAt: at(), complaint: { after: HOUR, feedbackType: "abuse" } });
  specs.push({ id: "py2", to: "py2@yahoo.com", sentAt: at() });
  specs.push({ id: "pf1", to: "pf1@free.fr", sentAt: at(), outcome: "hard" });
  specs.push({ id: "ps1", to: "ps1@seznam.cz", sentAt: at() });
  return specs;
}

let org: ReportOrg;

beforeAll(async () => {
  org = await newReportOrg();
  // Out of order on purpose: rollups must not depend on arrival order.
  await feed(org.orgId, [...currentSpecs(), ...priorSpecs()].flatMap(mailEvents).reverse());
});

describe("deliverability report", () => {
  it("totals and rates use the documented denominators", async () => {
    const r = await ok(org.get("/reports/deliverability", CURRENT));
    expect(r.range).toEqual(CURRENT);
    expect(r.totals).toEqual({
      sends: 47,
      deliveries: 42,
      hardBounces: 3,
      softBounces: 1,
      undeterminedBounces: 1,
      bounces: 5,
      complaints: 1,
      rejects: 1,
      delays: 0,
      renderingFailures: 0,
    });
    expect(r.rates).toEqual({
      hardBouncePct: 6.38, // 3 / 47
      softBouncePct: 2.13, // 1 / 47
      totalBouncePct: 10.64, // 5 / 47
      complaintPct: 2.38, // 1 / 42 deliveries
      rejectPct: 2.08, // 1 / (47 + 1)
      deliveryPct: 89.36, // 42 / 47
    });
    // B = 0.0638/0.10 = 0.638, C = min(2.38/0.1, 1) = 1, D = 42/47:
    // 100 − 60·1 − 20·0.638 − 20·(1 − 0.8936) = 25.1 → 25
    expect(r.reputation.score).toBe(25);
    expect(r.reputation.formula).toMatch(/max\(B, C\)/);
  });

  it("bounce and complaint reasons with their shares", async () => {
    const r = await ok(org.get("/reports/deliverability", CURRENT));
    expect(r.bounceReasons).toEqual([
      { bounceType: "Permanent", bounceSubType: "General", count: 2, pct: 40 },
      { bounceType: "Permanent", bounceSubType: "NoEmail", count: 1, pct: 20 },
      { bounceType: "Transient", bounceSubType: "MailboxFull", count: 1, pct: 20 },
      { bounceType: "Undetermined", bounceSubType: "Undetermined", count: 1, pct: 20 },
    ]);
    expect(r.complaintReasons).toEqual([{ feedbackType: "abuse", count: 1, pct: 100 }]);
  });

  it("an hourly series covers the range and sums to the totals", async () => {
    const r = await ok(org.get("/reports/deliverability", CURRENT));
    expect(r.series).toHaveLength(48);
    expect(r.series.map((p: { t: number }) => p.t)).toEqual(Array.from({ length: 48 }, (_, i) => T0 + i * HOUR));
    const sum = (k: string) => r.series.reduce((s: number, p: Record<string, number>) => s + p[k]!, 0);
    expect([sum("sends"), sum("deliveries"), sum("bounces"), sum("complaints"), sum("rejects")]).toEqual([47, 42, 5, 1, 1]);
    // Hour T0+1h holds the first send of each 40-hour round: g1 and the 41st spec (gmx4).
    expect(r.series[1]).toMatchObject({ t: T0 + HOUR, sends: 2 });
    expect(r.series[0]).toEqual({ t: T0, sends: 0, deliveries: 0, bounces: 0, complaints: 0, rejects: 0, bouncePct: null, complaintPct: null });
  });

  it("the channel filter keeps only that channel's counts", async () => {
    const r = await ok(org.get("/reports/deliverability", { ...CURRENT, channel: org.channel(MARKETING) }));
    expect(r.totals).toMatchObject({ sends: 8, deliveries: 7, hardBounces: 1, bounces: 1, complaints: 0, rejects: 0 });
    expect(r.rates.totalBouncePct).toBe(12.5);
    expect(r.rates.complaintPct).toBe(0);
  });

  it("an empty range has null rates and no score", async () => {
    const r = await ok(org.get("/reports/deliverability", { from: T0 + 30 * DAY, to: T0 + 31 * DAY }));
    expect(r.totals.sends).toBe(0);
    expect(Object.values(r.rates)).toEqual([null, null, null, null, null, null]);
    expect(r.reputation.score).toBeNull();
  });

  it("rejects bad parameters with 422 naming the field", async () => {
    for (const [query, field] of [
      [{ from: T0, to: T0 }, "from"],
      [{ ...CURRENT, tz: "Mars/Olympus" }, "tz"],
      [{ ...CURRENT, granularity: "week" }, "granularity"],
      [{ from: T0 - 100 * DAY, to: T0, granularity: "hour" }, "granularity"],
      [{ from: "yesterday", to: T0 }, "from"],
    ] as const) {
      const res = await org.get("/reports/deliverability", query as Record<string, string | number>);
      expect(res.status).toBe(422);
      const body = await res.json<{ error: { details: { fields: { field: string }[] } } }>();
      expect(body.error.details.fields[0]!.field).toBe(field);
    }
  });
});

describe("providers report", () => {
  type Row = Record<string, unknown> & { provider: string };
  const rows = async (query: Record<string, string | number> = {}) =>
    (await ok<{ rows: Row[] }>(org.get("/reports/providers", { ...CURRENT, ...query }))).rows;

  it("top 8 by sends, aliases collapsed, Other last with the long tail", async () => {
    const r = await rows();
    expect(r.map((x) => x.provider)).toEqual(["Gmail", "Microsoft", "Yahoo", "Apple", "AOL", "GMX", "Web.de", "Orange", "Other"]);
    expect(r[0]).toEqual({
      provider: "Gmail", // gmail.com + googlemail.com
      sends: 10,
      deliveries: 8,
      bounces: 2,
      bouncePct: 20,
      bouncePctDelta: 20, // 20 % now − 0 / 5 before
      complaints: 1,
      complaintPct: 12.5, // 1 / 8 deliveries
      complaintPctDelta: 12.5,
      rejects: 0,
      rejectPct: 0,
      rejectPctDelta: 0,
      isNew: false,
      isOther: false,
    });
    expect(r[1]).toMatchObject({ provider: "Microsoft", sends: 8, bounces: 1, bouncePct: 12.5, bouncePctDelta: -37.5, complaintPctDelta: 0 });
    expect(r[2]).toMatchObject({
      provider: "Yahoo",
      sends: 7,
      rejects: 1,
      rejectPct: 12.5, // 1 / (7 + 1)
      rejectPctDelta: 12.5,
      complaintPct: 0,
      complaintPctDelta: -50, // 0 now − 1 / 2 before
      isNew: false,
    });
    // Other = free.fr (delivered) + example.org (hard bounce); before: free.fr (bounce) + seznam.cz (delivered).
    expect(r[8]).toEqual({
      provider: "Other",
      sends: 2,
      deliveries: 1,
      bounces: 1,
      bouncePct: 50,
      bouncePctDelta: 0,
      complaints: 0,
      complaintPct: 0,
      complaintPctDelta: 0,
      rejects: 0,
      rejectPct: 0,
      rejectPctDelta: 0,
      isNew: false,
      isOther: true,
    });
  });

  it("providers new this period have no deltas", async () => {
    const r = await rows();
    for (const name of ["Apple", "AOL", "GMX", "Web.de", "Orange"]) {
      const row = r.find((x) => x.provider === name)!;
      expect(row).toMatchObject({ isNew: true, bouncePctDelta: null, complaintPctDelta: null, rejectPctDelta: null });
    }
    expect(r.find((x) => x.provider === "AOL")).toMatchObject({ sends: 5, bounces: 1, bouncePct: 20 });
  });

  it("Other stays last whatever the sort; nulls sort last", async () => {
    expect((await rows({ sort: "bouncePct", dir: "asc" })).map((x) => x.provider)).toEqual([
      "Apple",
      "GMX",
      "Orange",
      "Web.de",
      "Yahoo",
      "Microsoft",
      "AOL",
      "Gmail",
      "Other",
    ]);
    expect((await rows({ sort: "bouncePctDelta", dir: "desc" })).map((x) => x.provider)).toEqual([
      "Gmail",
      "Yahoo",
      "Microsoft",
      "AOL",
      "Apple",
      "GMX",
      "Orange",
      "Web.de",
      "Other",
    ]);
    expect((await rows({ sort: "provider", dir: "desc" })).at(-1)!.provider).toBe("Other");
    expect((await rows({ sort: "sends", dir: "asc" })).map((x) => x.provider)).toEqual([
      "Orange",
      "Web.de",
      "GMX",
      "AOL",
      "Apple",
      "Yahoo",
      "Microsoft",
      "Gmail",
      "Other",
    ]);
  });

  it("an unknown sort column is a 422 naming sort", async () => {
    const res = await org.get("/reports/providers", { ...CURRENT, sort: "random" });
    expect(res.status).toBe(422);
    expect((await res.json<{ error: { details: { fields: { field: string }[] } } }>()).error.details.fields[0]!.field).toBe("sort");
  });
});

describe("engagement report", () => {
  it("unique opens and clicks over deliveries, by domain and by template", async () => {
    const r = await ok(org.get("/reports/engagement", CURRENT));
    expect(r.totals).toEqual({ deliveries: 42, opens: 5, clicks: 3, uniqueOpens: 4, uniqueClicks: 2, openPct: 9.52, clickPct: 4.76 });
    const sum = (k: string) => r.series.reduce((s: number, p: Record<string, number>) => s + p[k]!, 0);
    expect([sum("deliveries"), sum("uniqueOpens"), sum("uniqueClicks")]).toEqual([42, 4, 2]);
    const domain = (d: string) => r.byDomain.find((x: { domain: string }) => x.domain === d);
    expect(domain("gmail.com")).toEqual({ domain: "gmail.com", deliveries: 4, uniqueOpens: 3, uniqueClicks: 2, openPct: 75, clickPct: 50 });
    expect(domain("googlemail.com")).toEqual({ domain: "googlemail.com", deliveries: 4, uniqueOpens: 1, uniqueClicks: 0, openPct: 25, clickPct: 0 });
    expect(r.byDomain[0]).toMatchObject({ domain: "yahoo.com", deliveries: 7 });
    expect(r.byTemplate).toEqual([
      // 29 sends without a tag: 27 delivered, 2 bounced (AOL undetermined, example.org).
      { template: null, sent: 29, openPct: 0, clickPct: 0, bouncePct: 6.9, complaintPct: 0 },
      { template: "welcome", sent: 10, openPct: 50, clickPct: 25, bouncePct: 20, complaintPct: 12.5 },
      { template: "receipt", sent: 8, openPct: 0, clickPct: 0, bouncePct: 12.5, complaintPct: 0 },
    ]);
  });
});

describe("latency report", () => {
  it("p50 / p95 / p99 lie within one histogram bucket of the exact values", async () => {
    const lat = await newReportOrg();
    // 200 deliveries with latencies 500 ms … 100 s, spread unevenly.
    const latencies = Array.from({ length: 200 }, (_, i) => Math.round(500 + (i * i * 2.5) % 99_500));
    await feed(
      lat.orgId,
      latencies.flatMap((ms, i) => mailEvents({ id: `lat${i}`, to: `l${i}@gmail.com`, sentAt: T0 + (i % 20) * HOUR, latencyMs: ms })),
    );
    const r = await ok(lat.get("/reports/latency", { from: T0, to: T0 + DAY }));
    const sorted = [...latencies].sort((a, b) => a - b);
    for (const p of [50, 95, 99] as const) {
      const exact = sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
      const { lower, upper } = latencyBucketBounds(latencyBucket(exact));
      const got = r[`p${p}`] as number;
      expect(got, `p${p}: exact ${exact}`).toBeGreaterThanOrEqual(lower);
      expect(got, `p${p}: exact ${exact}`).toBeLessThanOrEqual(upper!);
      // One bucket is at most 2^(1/4) wide: < 19 % of the value.
      expect(Math.abs(got - exact) / exact).toBeLessThan(0.19);
    }
    expect(r.buckets.reduce((s: number, b: { count: number }) => s + b.count, 0)).toBe(200);
    expect(r.buckets.map((b: { leMs: number }) => b.leMs)).toEqual([...r.buckets.map((b: { leMs: number }) => b.leMs)].sort((a, b) => a - b));
    expect(r.series).toHaveLength(24);
    expect(r.series[21]).toEqual({ t: T0 + 21 * HOUR, p50: null, p95: null, p99: null });
    // Hour 0 holds deliveries i = 0, 20, 40, …: its own percentiles from its own buckets.
    expect(r.series[0].p50).not.toBeNull();
  });
});

describe("series in the user's timezone", () => {
  const localDay = (at: number, tz: string) =>
    new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);

  let wl: ReportOrg;
  beforeAll(async () => {
    wl = await newReportOrg();
    // C's mixed workload: 120 messages from 2024-05-14 22:30Z every 17 min, opens/clicks up to 30 h later.
    await feed(wl.orgId, workload(120));
  });

  for (const tz of ["UTC", "America/New_York", "Asia/Tokyo", "Pacific/Honolulu"]) {
    it(`daily counts in ${tz} equal the events counted by their local day`, async () => {
      const from = Date.UTC(2024, 4, 12);
      const to = Date.UTC(2024, 4, 22);
      const events = await env.DB.prepare("SELECT type, at FROM events WHERE org_id = ? AND at >= ? AND at < ?")
        .bind(wl.orgId, from, to)
        .all<{ type: string; at: number }>();
      const firstOpens = await env.DB.prepare("SELECT first_open_at AS at FROM messages WHERE org_id = ? AND first_open_at IS NOT NULL")
        .bind(wl.orgId)
        .all<{ at: number }>();
      const expected = new Map<string, { sends: number; deliveries: number; uniqueOpens: number }>();
      const slot = (at: number) => {
        const key = localDay(at, tz);
        if (!expected.has(key)) expected.set(key, { sends: 0, deliveries: 0, uniqueOpens: 0 });
        return expected.get(key)!;
      };
      for (const e of events.results) {
        if (e.type === "send") slot(e.at).sends++;
        if (e.type === "delivery") slot(e.at).deliveries++;
      }
      for (const o of firstOpens.results) slot(o.at).uniqueOpens++;

      const [d, g] = await Promise.all([
        ok(wl.get("/reports/deliverability", { from, to, tz, granularity: "day" })),
        ok(wl.get("/reports/engagement", { from, to, tz, granularity: "day" })),
      ]);
      expect(d.series.length).toBeGreaterThanOrEqual(10);
      for (let i = 0; i < d.series.length; i++) {
        const point = d.series[i];
        // Each point starts at a local midnight (whole-hour zones).
        expect(new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(point.t)).toBe("00:00");
        const want = expected.get(localDay(Math.max(point.t, from), tz)) ?? { sends: 0, deliveries: 0, uniqueOpens: 0 };
        expect({ sends: point.sends, deliveries: point.deliveries, uniqueOpens: g.series[i].uniqueOpens }).toEqual(want);
      }
      const total = [...expected.values()].reduce((s, x) => s + x.sends, 0);
      expect(d.totals.sends).toBe(total);
      expect(total).toBeGreaterThan(100);
    });
  }

  it("the all-channel rollups equal the per-channel rollups summed over channels", async () => {
    const metrics = "sends, deliveries, hard_bounces, soft_bounces, undetermined_bounces, complaints, rejects, delays, opens, clicks, unique_opens, unique_clicks";
    for (const [table, dims, cols] of [
      ["totals", "", metrics],
      ["providers", ", provider", metrics],
      ["templates", ", template", metrics],
      ["domains", ", recipient_domain", metrics],
      ["bounce_reasons", ", bounce_type, bounce_sub_type", "count"],
      ["complaint_reasons", ", feedback_type", "count"],
      ["latency", ", bucket", "count"],
    ] as const) {
      const keys = `bucket_size, bucket_start${dims}`;
      const sums = cols.split(", ").map((c) => `SUM(${c}) AS ${c}`).join(", ");
      const perChannel = await env.DB.prepare(`SELECT ${keys}, ${sums} FROM rollup_${table} WHERE org_id = ? GROUP BY ${keys} ORDER BY ${keys}`)
        .bind(wl.orgId)
        .all();
      const all = await env.DB.prepare(`SELECT ${keys}, ${cols} FROM rollup_all_${table} WHERE org_id = ? ORDER BY ${keys}`).bind(wl.orgId).all();
      expect(perChannel.results.length, table).toBeGreaterThan(0);
      expect(all.results, table).toEqual(perChannel.results);
    }
  });

  it("local days follow DST and whole-hour flooring", () => {
    // New York springs forward on 2024-03-10: that day is 23 hours long.
    expect(localDayStarts(Date.UTC(2024, 2, 9, 12), Date.UTC(2024, 2, 12), "America/New_York")).toEqual([
      Date.UTC(2024, 2, 9, 5),
      Date.UTC(2024, 2, 10, 5),
      Date.UTC(2024, 2, 11, 4),
    ]);
    // Kolkata (+05:30): midnight is 18:30Z, floored to 18:00Z.
    expect(localDayStarts(Date.UTC(2024, 4, 15, 12), Date.UTC(2024, 4, 16, 12), "Asia/Kolkata")).toEqual([
      Date.UTC(2024, 4, 14, 18),
      Date.UTC(2024, 4, 15, 18),
    ]);
  });

  it("reads a day as day buckets plus at most 12 hour corrections per end", () => {
    const midnight = Date.UTC(2024, 4, 15);
    // New York day: 04:00Z → 04:00Z: one day bucket, 4 hours subtracted, 4 added.
    const ny = partsOfInterval({ from: midnight + 4 * HOUR, to: midnight + DAY + 4 * HOUR }, 0);
    expect(ny.filter((p) => p[0] === "day")).toEqual([["day", midnight, 0, 1]]);
    expect(ny.filter((p) => p[0] === "hour" && p[3] === -1)).toHaveLength(4);
    expect(ny.filter((p) => p[0] === "hour" && p[3] === 1)).toHaveLength(4);
    // 30 UTC days: 30 day buckets, no hours.
    expect(partsOfInterval({ from: midnight, to: midnight + 30 * DAY }, 0)).toHaveLength(30);
    // 5 hours: hour buckets only.
    expect(partsOfInterval({ from: midnight + HOUR, to: midnight + 6 * HOUR }, 0).every((p) => p[0] === "hour")).toBe(true);
  });
});
