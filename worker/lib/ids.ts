import { toHex, randomBytes } from "./crypto";

/**
 * Sortable unique ids: 12 hex chars of milliseconds + 12 random hex chars, with a type prefix
 * (`usr_`, `org_`, `ses_`, ...), so ids sort by creation time.
 */
export function newId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(16).padStart(12, "0")}${toHex(randomBytes(6))}`;
}
