/**
 * Where a local instance's D1 bytes go (the `--persist-to` layout of wrangler dev and
 * scripts/serve-bundle.ts): bytes per table and index of its SQLite file, read with the instance stopped.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";

/** The local D1 database file (the one `.sqlite` under v3/d1). */
export function d1File(persistDir: string): string {
  const dir = path.join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite") : [];
  if (files.length !== 1) throw new Error(`expected one D1 database file in ${dir}, found ${files.length}`);
  return path.join(dir, files[0]!);
}

export interface ObjectSpace {
  /** Table or index name. */
  name: string;
  /** The table an index belongs to (its own name for a table). */
  table: string;
  bytes: number;
}

/**
 * Bytes per table and per index of a SQLite file, from the `dbstat` virtual table of the `sqlite3`
 * shell (Debian: apt-get install sqlite3); undefined when the shell is not installed.
 */
export function spaceByObject(file: string): ObjectSpace[] | undefined {
  const sql =
    "SELECT d.name AS name, COALESCE(m.tbl_name, d.name) AS tbl, SUM(d.pgsize) AS bytes FROM dbstat d " +
    "LEFT JOIN sqlite_schema m ON m.name = d.name GROUP BY d.name ORDER BY bytes DESC";
  let out: string;
  try {
    out = execFileSync("sqlite3", ["-readonly", "-json", file, sql], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const rows = out.trim() ? (JSON.parse(out) as { name: string; tbl: string; bytes: number }[]) : [];
  return rows.map((r) => ({ name: r.name, table: r.tbl, bytes: r.bytes }));
}
