import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import type { SesEventBridgeEvent } from "../worker/services/ingest/schemas";
import { dumpOrg, fixture, migrationQueries, newIngestOrg, queued, restoreAllChannelTriggers, runConsumer, workload } from "./ingest-helpers";

/**
 * Migration 0013 turns what earlier versions stored — every open and click credited to every recipient
 * of the message, and an open, click or unsubscribe raising the status to `delivered` — into what ingest
 * stores now (only recipients whose Delivery is known are credited). Its data statements run here on
 * the old state of a workload and must give exactly what ingesting the same events gives today.
 * This file holds one workspace only: the migration's statements run over the whole database.
 */

const MIGRATION = "0013_engagement_credit_delivered.sql";

/** The migration's statements after its schema changes (the columns exist already here). */
function backfillStatements(): string[] {
  return migrationQueries(MIGRATION).filter((q) => !/^\s*ALTER TABLE/i.test(q));
}

/** Opens and clicks of a message whose recipient has no Delivery: one opened it, the other was delayed. */
function undeliveredOpens(): SesEventBridgeEvent[] {
  const base = Date.UTC(2024, 4, 15, 6);
  const at = (e: SesEventBridgeEvent, ms: number) => {
    e.id = `${e.detail.eventType}-${ms}`;
    e.detail.mail.messageId = "0100018f-backfill-undelivered-000000";
    e.detail.mail.timestamp = new Date(base).toISOString();
    e.detail.mail.destination = ["waiting@example.org", "delayed@example.org"];
    return e;
  };
  const open = at(fixture("open"), base + 60_000);
  if (open.detail.eventType === "Open") open.detail.open.timestamp = new Date(base + 60_000).toISOString();
  const delay = at(fixture("delivery-delay"), base + 30_000);
  if (delay.detail.eventType === "DeliveryDelay") {
    delay.detail.deliveryDelay.timestamp = new Date(base + 30_000).toISOString();
    delay.detail.deliveryDelay.delayedRecipients = [{ emailAddress: "delayed@example.org", status: "4.4.7", diagnosticCode: "smtp; 421 later" }];
  }
  return [at(fixture("send"), base), delay, open];
}

const allChannel = (orgId: string) =>
  env.DB.prepare("SELECT bucket_size, bucket_start, opens, clicks, unique_opens, unique_clicks FROM rollup_all_totals WHERE org_id = ? AND (opens OR clicks OR unique_opens OR unique_clicks) ORDER BY 1, 2")
    .bind(orgId)
    .all()
    .then((r) => r.results);

it("gives, from what earlier versions stored, exactly what ingest stores now", async () => {
  const orgId = await newIngestOrg();
  const events = [...workload(12), ...undeliveredOpens()];
  for (let i = 0; i < events.length; i += 100) await runConsumer(events.slice(i, i + 100).map((e) => queued(orgId, e)));
  const now = await dumpOrg(orgId);
  const nowAllChannel = await allChannel(orgId);

  // The old state: every reported open and click credited (the unique counts follow through the
  // triggers of migration 0010), counted in the rollups, and the status raised to delivered — with the
  // triggers of that time, which carried each per-channel write to the all-channel rollups.
  await restoreAllChannelTriggers();
  const plus = (table: string, key: string[]) => `INSERT INTO ${table} (org_id, bucket_size, bucket_start, channel_id${key.map((k) => `, ${k}`).join("")}, opens, clicks)
    SELECT e.org_id, s.size, (e.at / s.step) * s.step, COALESCE(e.channel_id, '')${key.map((k) => `, COALESCE(e.${k}, '')`).join("")}, SUM(e.type = 'open'), SUM(e.type = 'click')
    FROM events AS e JOIN messages AS m ON m.org_id = e.org_id AND m.message_id = e.message_id AND m.recipient = e.recipient,
      (SELECT 'hour' AS size, 3600000 AS step UNION ALL SELECT 'day', 86400000) AS s
    WHERE e.org_id = ?1 AND e.type IN ('open', 'click') AND m.delivered_at IS NULL
    GROUP BY ${[1, 2, 3, 4, ...key.map((_, i) => 5 + i)].join(", ")}
    ON CONFLICT DO UPDATE SET opens = opens + excluded.opens, clicks = clicks + excluded.clicks`;
  await env.DB.batch([
    ...[
      plus("rollup_totals", []),
      plus("rollup_providers", ["provider"]),
      plus("rollup_templates", ["template"]),
      plus("rollup_domains", ["recipient_domain"]),
    ].map((sql) => env.DB.prepare(sql).bind(orgId)),
    env.DB.prepare(
      `UPDATE messages SET first_open_at = reported_first_open_at, first_click_at = reported_first_click_at,
         open_count = reported_open_count, click_count = reported_click_count,
         status = CASE WHEN status IN ('sent', 'delayed') AND reported_open_count + reported_click_count > 0 THEN 'delivered' ELSE status END,
         reported_first_open_at = NULL, reported_first_click_at = NULL, reported_open_count = 0, reported_click_count = 0
       WHERE org_id = ?`,
    ).bind(orgId),
  ]);
  const old = await dumpOrg(orgId);
  expect(old.messages).not.toEqual(now.messages);
  expect(old.rollup_totals).not.toEqual(now.rollup_totals);
  expect(old.messages!.filter((m) => m.status === "delivered" && m.delivered_at === null).map((m) => m.recipient).sort()).toEqual([
    "delayed@example.org",
    "waiting@example.org",
  ]);

  await env.DB.batch(backfillStatements().map((q) => env.DB.prepare(q)));
  expect(await dumpOrg(orgId)).toEqual(now);
  expect(await allChannel(orgId)).toEqual(nowAllChannel);

  // Then 0018 takes those triggers away and leaves the sums as they are.
  for (const q of migrationQueries("0018_direct_all_channel_rollups.sql")) await env.DB.prepare(q).run();
  expect(await dumpOrg(orgId)).toEqual(now);
  expect(await allChannel(orgId)).toEqual(nowAllChannel);
});
