/**
 * Brings a SQLite-backed Durable Object's storage to `version` in one transaction: the statements run
 * once, on a storage that has none of them yet (a new object, or one emptied by `deleteAll`).
 */
export function ensureSchema(storage: DurableObjectStorage, statements: readonly string[], version: number): void {
  storage.transactionSync(() => {
    storage.sql.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
    const stored = storage.sql.exec<{ version: number | null }>("SELECT MAX(version) AS version FROM schema_version").one().version ?? 0;
    if (stored >= version) return;
    for (const statement of statements) storage.sql.exec(statement);
    storage.sql.exec("INSERT INTO schema_version (version) VALUES (?)", version);
  });
}
