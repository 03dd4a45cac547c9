import type { AddressView } from "../../worker/classification/types";
import { EXCLUDED, loadByEmail, loadById, mirror, view } from "./addresses";
import { ensureSchema } from "./schema";
import { refresh } from "./windows";

/** Marks a listed address as excluded (the operator's Allow). */
export function excludeAddress(
  sql: SqlStorage,
  email: string,
  e: { at: number; note: string | null; by: string },
): AddressView | null {
  ensureSchema(sql);
  const row = loadByEmail(sql, email);
  if (!row) return null;
  sql.exec(
    "UPDATE ul_addresses SET excluded_at = ?, excluded_note = ?, excluded_by = ?, status = ?, last_change = ? WHERE id = ?",
    e.at,
    e.note,
    e.by,
    EXCLUDED,
    e.at,
    row.id,
  );
  mirror(sql, row.id, EXCLUDED, row.reason, row.events);
  return view(loadById(sql, row.id)!);
}

/** Removes the exclusion; the address is listed again if its events still match a rule. */
export function relistAddress(sql: SqlStorage, email: string, now: number): AddressView | null {
  ensureSchema(sql);
  const row = loadByEmail(sql, email);
  if (!row) return null;
  sql.exec("UPDATE ul_addresses SET excluded_at = NULL, excluded_note = NULL, excluded_by = NULL WHERE id = ?", row.id);
  refresh(sql, row.id, now);
  const after = loadById(sql, row.id);
  return after ? view(after) : null;
}
