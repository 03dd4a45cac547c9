import { RETENTION_DAYS } from "../../worker/lib/plans";
import { defaultRules, rulesSchema, type Rules } from "../../worker/classification/rules";

/** `ul_meta`: the saved rules, the plan's retention and the org id, as last pushed by the Worker. */

/** Until the Worker tells the DO the plan, keep the longest retention any plan has (never prune early). */
const MAX_RETENTION_DAYS = Math.max(...Object.values(RETENTION_DAYS));

type Settings = { orgId: string | null; retentionDays: number; rules: Rules };
/** Settings are read on every re-evaluation: parsed once, dropped whenever they are written. */
const settingsCache = new WeakMap<SqlStorage, Settings>();

export function readSettings(sql: SqlStorage): Settings {
  const cached = settingsCache.get(sql);
  if (cached) return cached;
  const settings = loadSettings(sql);
  settingsCache.set(sql, settings);
  return settings;
}

function loadSettings(sql: SqlStorage): Settings {
  const meta = new Map(sql.exec<{ key: string; value: string }>("SELECT key, value FROM ul_meta").toArray().map((r) => [r.key, r.value]));
  const rules = meta.get("rules");
  return {
    orgId: meta.get("org_id") ?? null,
    retentionDays: Number(meta.get("retention_days") ?? MAX_RETENTION_DAYS),
    rules: rules ? rulesSchema.parse(JSON.parse(rules)) : defaultRules(),
  };
}

export function writeMeta(sql: SqlStorage, key: string, value: string): void {
  settingsCache.delete(sql);
  sql.exec("INSERT INTO ul_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", key, value);
}

/** Drops the parsed settings, so they are read again from what storage actually holds. */
export function forgetSettings(sql: SqlStorage): void {
  settingsCache.delete(sql);
}
