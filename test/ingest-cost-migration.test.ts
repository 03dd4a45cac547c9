import { env } from "cloudflare:test";
import { expect, it } from "vitest";
import { inflateJson, type StoredJson } from "../worker/lib/deflate";
import { dumpOrg, migrationQueries, newIngestOrg, queued, restoreAllChannelTriggers, runConsumer, workload } from "./ingest-helpers";

/**
 * Migrations 0017 (ingest cost) and 0018 (all-channel rollups written by ingest) on data stored by the
 * layout before them: rowid rollup tables with their all-channel triggers, the unique-open triggers that
 * leave the all-channel rows to those, `events_org_message`, the SES detail as JSON text in
 * `detail_json`. Everything must read the same afterwards, and ingest must go on exactly as on a
 * database that never had the old layout. This file holds one workspace while the migrations run: their
 * statements cover the whole database.
 */

const MIGRATION = "0017_ingest_cost.sql";
const DIRECT_ALL_CHANNEL = "0018_direct_all_channel_rollups.sql";
const PER_CHANNEL = ["totals", "providers", "templates", "domains", "bounce_reasons", "complaint_reasons", "latency"].map((t) => `rollup_${t}`);
const ROLLUPS = [...PER_CHANNEL, ...PER_CHANNEL.map((t) => t.replace("rollup_", "rollup_all_"))];

const queriesOf = migrationQueries;
const run = (sql: string) => env.DB.prepare(sql).run();

/**
 * Puts back what migrations 0003–0016 left: each rollup as a rowid table, its triggers, the unique-open
 * triggers of 0010, the index, the detail as text.
 */
async function restoreOldLayout() {
  const created = [...queriesOf("0003_ingest.sql"), ...queriesOf("0005_reports_all_channel.sql")];
  for (const table of ROLLUPS) {
    const ddl = created.find((q) => q.includes(`CREATE TABLE \`${table}\``));
    expect(ddl, table).toBeDefined();
    await env.DB.batch(
      [`CREATE TABLE old_copy AS SELECT * FROM ${table}`, `DROP TABLE ${table}`, ddl!, `INSERT INTO ${table} SELECT * FROM old_copy`, "DROP TABLE old_copy"].map((q) =>
        env.DB.prepare(q),
      ),
    );
  }
  await restoreAllChannelTriggers();
  await run("CREATE INDEX `events_org_message` ON `events` (`org_id`,`message_id`)");
  const stored = await env.DB.prepare("SELECT id, detail FROM events").all<{ id: number; detail: StoredJson }>();
  await run("ALTER TABLE events RENAME COLUMN detail TO detail_json");
  await env.DB.batch(stored.results.map((r) => env.DB.prepare("UPDATE events SET detail_json = ? WHERE id = ?").bind(JSON.stringify(inflateJson(r.detail)), r.id)));
}

const schemaOf = async (name: string) => (await env.DB.prepare("SELECT sql FROM sqlite_master WHERE name = ?").bind(name).first<{ sql: string }>())?.sql;

/** dumpOrg with each detail read back (text before the migration, deflated after), and the all-channel rollups. */
async function readable(orgId: string) {
  const dump = await dumpOrg(orgId);
  const events = dump.events!.map(({ detail, detail_json, ...rest }) => ({ ...rest, detail: inflateJson((detail ?? detail_json) as StoredJson) }));
  const allChannel: Record<string, unknown[]> = {};
  for (const table of ROLLUPS.filter((t) => t.startsWith("rollup_all_"))) {
    const rows = (await env.DB.prepare(`SELECT * FROM ${table} WHERE org_id = ?`).bind(orgId).all()).results;
    allChannel[table] = rows.map((r) => JSON.stringify({ ...r, org_id: "ORG" })).sort();
  }
  return { ...dump, events, allChannel };
}

async function feed(orgId: string, events: ReturnType<typeof workload>) {
  for (let i = 0; i < events.length; i += 100) await runConsumer(events.slice(i, i + 100).map((e) => queued(orgId, e)));
}

it("keeps every row readable, makes the rollups WITHOUT ROWID, and ingest goes on as on a fresh database", async () => {
  const events = workload(16);
  const half = Math.floor(events.length / 2);
  const migrated = await newIngestOrg({ channels: ["acme-transactional", "acme-marketing"] });
  await feed(migrated, events.slice(0, half));
  const before = await readable(migrated);

  await restoreOldLayout();
  expect(await schemaOf("rollup_totals")).not.toMatch(/WITHOUT ROWID/);
  expect(await readable(migrated)).toEqual(before);

  for (const q of queriesOf(MIGRATION)) await run(q);
  for (const table of ROLLUPS) expect(await schemaOf(table), table).toMatch(/WITHOUT ROWID$/);
  expect(await schemaOf("events_org_message")).toBeUndefined();
  const triggers = await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup_%_all_%'").first<{ n: number }>();
  expect(triggers!.n).toBe(PER_CHANNEL.length * 3);
  expect(await readable(migrated)).toEqual(before);

  for (const q of queriesOf(DIRECT_ALL_CHANNEL)) await run(q);
  const left = await env.DB.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rollup_%_all_%'").first<{ n: number }>();
  expect(left!.n).toBe(0);
  expect(await readable(migrated)).toEqual(before);

  // The rest of the workload on the migrated data gives what the whole of it gives a workspace that
  // only ever had the new layout (ingest writes the all-channel rollups, each once; the unique opens and
  // clicks reach them through the triggers of 0018; the detail is deflated from now on).
  await feed(migrated, events.slice(half));
  const fresh = await newIngestOrg({ channels: ["acme-transactional", "acme-marketing"] });
  await feed(fresh, events);
  expect(await readable(migrated)).toEqual(await readable(fresh));
  const kinds = await env.DB.prepare("SELECT typeof(detail) AS kind, count(*) AS n FROM events WHERE org_id = ? GROUP BY 1 ORDER BY 1").bind(migrated).all();
  expect(kinds.results).toEqual([
    { kind: "blob", n: expect.any(Number) },
    { kind: "text", n: expect.any(Number) },
  ]);
});
