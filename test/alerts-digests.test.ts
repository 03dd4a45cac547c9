import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { METRICS, type Metric } from "../worker/lib/metrics";
import { DAY } from "../worker/lib/time";
import { digestsDue, lastPeriod, runDigests } from "../worker/services/alerts/digests";
import type { RaiseRequest } from "../worker/services/alerts/raise";
import { newIngestOrg } from "./ingest-helpers";

/** Monday 1 June 2026, 03:17 UTC: the daily cron's run that owes a daily, a weekly and a monthly digest. */
const AT = Date.UTC(2026, 5, 1, 3, 17);

async function dayCounts(orgId: string, day: number, counts: Partial<Record<Metric, number>>) {
  const cols = Object.keys(counts).map((m) => METRICS[m as Metric].column);
  await env.DB.prepare(`INSERT INTO rollup_all_totals (org_id, bucket_size, bucket_start, ${cols.join(", ")}) VALUES (?, 'day', ?, ${cols.map(() => "?").join(", ")})`)
    .bind(orgId, day, ...Object.values(counts))
    .run();
}

describe("digests", () => {
  it("names the periods that ended last: yesterday, last Monday–Sunday, last calendar month", () => {
    expect(digestsDue(AT)).toEqual(["daily", "weekly", "monthly"]);
    expect(digestsDue(AT + DAY)).toEqual(["daily"]);
    expect(lastPeriod("daily", AT)).toMatchObject({ current: { from: Date.UTC(2026, 4, 31), to: Date.UTC(2026, 5, 1) }, label: "2026-05-31" });
    expect(lastPeriod("weekly", AT)).toMatchObject({ current: { from: Date.UTC(2026, 4, 25), to: Date.UTC(2026, 5, 1) }, label: "2026-05-25 – 2026-05-31" });
    expect(lastPeriod("monthly", AT)).toMatchObject({ current: { from: Date.UTC(2026, 4, 1), to: Date.UTC(2026, 5, 1) }, previous: { from: Date.UTC(2026, 3, 1) }, label: "May 2026" });
  });

  it("raises each digest once per period with the period's figures and the change on the period before", async () => {
    const orgId = await newIngestOrg();
    await dayCounts(orgId, Date.UTC(2026, 4, 31), { sends: 1000, deliveries: 970, hardBounces: 20, softBounces: 10, complaints: 1, uniqueOpens: 388, uniqueClicks: 97 });
    await dayCounts(orgId, Date.UTC(2026, 4, 30), { sends: 800, deliveries: 800 });
    await dayCounts(orgId, Date.UTC(2026, 3, 15), { sends: 1500 });
    const raised: RaiseRequest[] = [];
    const raise = async (r: RaiseRequest) => void raised.push(r);
    expect(await runDigests(env, orgId, AT, raise)).toEqual(["daily", "weekly", "monthly"]);
    expect(await runDigests(env, orgId, AT + 3600_000, raise)).toEqual([]);
    expect(raised.map((r) => [r.type, r.params])).toEqual([
      [
        "reporting_digests.daily_digest",
        { period: "2026-05-31", sends: 1000, sendsChange: "+25%", deliveryRate: "97%", bounceRate: "3%", complaintRate: "0.1%", openRate: "40%", clickRate: "10%" },
      ],
      [
        "reporting_digests.weekly_digest",
        { period: "2026-05-25 – 2026-05-31", sends: 1800, sendsChange: "no sends before", deliveryRate: "98.33%", bounceRate: "1.67%", complaintRate: "0.06%", openRate: "21.92%", clickRate: "5.48%" },
      ],
      [
        "reporting_digests.monthly_executive_summary",
        { period: "May 2026", sends: 1800, sendsChange: "+20%", deliveryRate: "98.33%", bounceRate: "1.67%", complaintRate: "0.06%", openRate: "21.92%", clickRate: "5.48%" },
      ],
    ]);
    expect(raised[0]!.dedupeKey).toBe(`${orgId}:reporting_digests.daily_digest:${Date.UTC(2026, 4, 31)}`);
    // The next day owes only the next daily digest.
    expect(await runDigests(env, orgId, AT + DAY, raise)).toEqual(["daily"]);
    expect(raised[3]!.params).toMatchObject({ period: "2026-06-01", sends: 0, deliveryRate: "—" });
  });
});
