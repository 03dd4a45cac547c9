import type { FailureSignal } from "./evaluate";
import type { Preset, Reason, Rules } from "./rules";

/**
 * The Undeliverable list's data contracts, shared by the OrgLedger storage, the Worker's services and
 * the dashboard (which imports types only from here, never from Durable Object code).
 */

/**
 * One (event, recipient) as the ingest consumer forwards it to the OrgLedger: every bounce, complaint
 * and reject. Rows that can feed no rule (e.g. ChannelLimitExceeded) are ignored.
 */
export interface QualifyingRow extends FailureSignal {
  eventKey: string;
  /** Recipient address. */
  email: string;
  /** The event's own time (epoch ms). */
  at: number;
  /** Permanent | Transient | Undetermined for bounces, else null. */
  bounceType: string | null;
  /** Bounce sub-type for bounces, complaint feedback type for complaints, null for rejects. */
  subType: string | null;
  /** The recipient's SMTP diagnostic (bounces) or the reject reason. */
  diagnostic: string | null;
  messageId: string;
  channelId: string | null;
}

/** What the Worker knows and the OrgLedger needs: sent with every call, applied when it changed. */
export interface LedgerSettings {
  orgId: string;
  retentionDays: number;
  rules: Rules;
}

/** `clear`: seen failing, but no rule matches now (not shown in the list). */
export type AddressStatus = "clear" | "listed" | "excluded";

export interface AddressView {
  email: string;
  status: AddressStatus;
  reason: Reason | null;
  /** Bounce sub-type (permanent_bounce) or feedback type (complaint); null otherwise. */
  subType: string | null;
  /** Qualifying events in the retention window. */
  events: number;
  /** Listed: the latest failure; excluded: when the operator cleared the address. */
  lastChange: number;
  /** The SMTP response of the most recent event that had one. */
  lastDiagnostic: string | null;
  /** The operator's note of an exclusion. */
  note: string | null;
  excludedAt: number | null;
  excludedBy: string | null;
}

export interface ListQuery {
  search?: string;
  status: "listed" | "excluded" | "all";
  reason?: Reason;
  /** Keyset: rows strictly after this one in (lastChange desc, email asc) order. */
  after?: { lastChange: number; email: string };
  limit: number;
}

/** What the list shows: listed and excluded addresses only. */
export type ListedAddress = AddressView & { status: "listed" | "excluded" };

/** A row as the API returns it: with the readable reason (`permanent bounce · NoEmail`). */
export type UndeliverableRow = ListedAddress & { label: string | null };

export interface UndeliverablePage {
  rows: UndeliverableRow[];
  nextCursor: string | null;
  /** Version of the rules that produced the list (also in the X-SendOps-Rules-Version header). */
  version: string;
}

export interface RulesView {
  rules: Rules;
  version: string;
  preset: Preset;
  updatedAt: number | null;
  updatedBy: string | null;
}
