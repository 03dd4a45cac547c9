/**
 * Metrics and rates are defined once (worker/lib/metrics.ts, worker/lib/rates.ts): these tests hold
 * the database, the ingest write and the documented rates (docs/reports.md) to those tables, so
 * a metric or rate defined a second way somewhere fails here.
 */
import { env } from "cloudflare:test";
import { getTableConfig } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { EVENT_TYPES, rollupAllDomains, rollupAllProviders, rollupAllTemplates, rollupAllTotals, rollupDomains, rollupProviders, rollupTemplates, rollupTotals } from "../worker/db/schema";
import { BOUNCES, METRIC_NAMES, METRICS, type MetricCounts } from "../worker/lib/metrics";
import { RATES, rateOf, rateParts, type Rate } from "../worker/lib/rates";
import { FIXTURES, fixture, newIngestOrg, queued, runConsumer } from "./ingest-helpers";

/** Each per-channel metric rollup, its all-channel sum, and the columns of its key besides org, bucket and channel. */
const METRIC_ROLLUPS = [
  { table: rollupTotals, all: rollupAllTotals, dims: [] },
  { table: rollupProviders, all: rollupAllProviders, dims: ["provider"] },
  { table: rollupTemplates, all: rollupAllTemplates, dims: ["template"] },
  { table: rollupDomains, all: rollupAllDomains, dims: ["recipient_domain"] },
] as const;

const COLUMNS = METRIC_NAMES.map((m) => METRICS[m].column);

async function columnsOf(table: string): Promise<string[]> {
  const { results } = await env.DB.prepare("SELECT name FROM pragma_table_info(?) ORDER BY cid").bind(table).all<{ name: string }>();
  return results.map((r) => r.name);
}

describe("the metric table", () => {
  it("is the metric columns of every rollup, in the drizzle schema and in the migrated database", async () => {
    for (const { table, all, dims } of METRIC_ROLLUPS) {
      for (const [t, keys] of [
        [table, ["org_id", "bucket_size", "bucket_start", "channel_id", ...dims]],
        [all, ["org_id", "bucket_size", "bucket_start", ...dims]],
      ] as const) {
        const { name, columns } = getTableConfig(t);
        expect(columns.map((c) => c.name), `drizzle ${name}`).toEqual([...keys, ...COLUMNS]);
        expect(await columnsOf(name), `D1 ${name}`).toEqual([...keys, ...COLUMNS]);
      }
    }
  });

  it("is summed over channels, every metric of it, by the ingest write", async () => {
    const sets = ["acme-transactional", "acme-marketing"];
    const orgId = await newIngestOrg({ channels: sets });
    // Every SES event fixture in each of two channels, so every metric counts in both.
    const bodies = sets.flatMap((set) =>
      Object.keys(FIXTURES).map((name) => {
        const event = fixture(name);
        event.id = `${set}-${name}`;
        event.detail.mail.messageId = `${set}-${event.detail.mail.messageId}`;
        event.detail.mail.tags = { ...event.detail.mail.tags, "ses:configuration-set": [set] };
        return queued(orgId, event);
      }),
    );
    expect((await runConsumer(bodies)).retryMessages).toEqual([]);
    for (const { table, all, dims } of METRIC_ROLLUPS) {
      const keys = ["bucket_size", "bucket_start", ...dims].join(", ");
      const perChannel = await env.DB.prepare(
        `SELECT ${keys}, ${COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(", ")} FROM ${getTableConfig(table).name} WHERE org_id = ? GROUP BY ${keys} ORDER BY ${keys}`,
      )
        .bind(orgId)
        .all();
      const summed = await env.DB.prepare(`SELECT ${keys}, ${COLUMNS.join(", ")} FROM ${getTableConfig(all).name} WHERE org_id = ? ORDER BY ${keys}`)
        .bind(orgId)
        .all();
      expect(summed.results, getTableConfig(all).name).toEqual(perChannel.results);
    }
    const totals = await env.DB.prepare(`SELECT ${COLUMNS.map((c) => `SUM(${c}) AS ${c}`).join(", ")} FROM rollup_all_totals WHERE org_id = ? AND bucket_size = 'day'`)
      .bind(orgId)
      .first<Record<string, number>>();
    expect(COLUMNS.filter((c) => !(totals![c]! >= 2)), "metrics counted in fewer than both channels").toEqual([]);
  });

  it("counts normalised event types, bounces by SES bounce type", () => {
    for (const m of METRIC_NAMES) {
      const event: { type: string; bounceType?: string } = METRICS[m].event;
      expect(EVENT_TYPES, m).toContain(event.type);
      if (event.bounceType !== undefined) expect(["Permanent", "Transient", "Undetermined"], m).toContain(event.bounceType);
    }
    expect(BOUNCES.metrics.every((m) => m in METRICS)).toBe(true);
  });
});

describe("the rates", () => {
  it("divide metrics of the metric table", () => {
    for (const [rate, def] of Object.entries(RATES)) {
      expect([...def.of, ...def.over].filter((m) => !(m in METRICS)), rate).toEqual([]);
      expect(def.over.length, rate).toBeGreaterThan(0);
    }
  });

  it("have the numerators and denominators docs/reports.md documents", () => {
    // Distinct primes: each sum of counts is unique, so any other numerator or denominator shows.
    const c: MetricCounts = {
      sends: 1009,
      deliveries: 907,
      hardBounces: 31,
      softBounces: 37,
      undeterminedBounces: 41,
      complaints: 3,
      rejects: 43,
      delays: 47,
      renderingFailures: 53,
      opens: 401,
      clicks: 101,
      uniqueOpens: 307,
      uniqueClicks: 83,
      subscriptions: 5,
    };
    const documented: Record<Rate, [number, number]> = {
      hardBounce: [31, 1009],
      softBounce: [37, 1009],
      bounce: [31 + 37 + 41, 1009],
      complaint: [3, 907],
      reject: [43, 1009 + 43],
      delivery: [907, 1009],
      open: [307, 907],
      click: [83, 907],
    };
    for (const rate of Object.keys(RATES) as Rate[]) {
      expect(rateParts(rate, c), rate).toEqual(documented[rate]);
      expect(rateOf(rate, c), rate).toBe(Math.round((documented[rate][0] / documented[rate][1]) * 10_000) / 100);
    }
    expect(rateOf("complaint", { ...c, deliveries: 0 })).toBeNull();
  });

  it("carry SES's thresholds where SES defines them (bounce 5 % / 10 %, complaint 0.08 % / 0.1 %)", () => {
    const withThresholds = Object.entries(RATES).flatMap(([rate, def]) => ("thresholds" in def ? [[rate, def.thresholds]] : []));
    expect(Object.fromEntries(withThresholds)).toEqual({ bounce: { warning: 5, critical: 10 }, complaint: { warning: 0.08, critical: 0.1 } });
  });
});
