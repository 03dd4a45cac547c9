import type { EventType } from "../db/schema";
import { DAY } from "../lib/time";
import {
  CONFIGURABLE_RULES,
  LOCKED_REASONS,
  MAX_EVENTS,
  REASONS,
  reasonRank,
  type ConfigurableRule,
  type LockedReason,
  type Reason,
  type Rules,
} from "./rules";

/** Transient sub-types that accumulate; `ChannelLimitExceeded` is a sender-side capacity issue and never counts. */
export const SOFT_BOUNCE_SUBTYPES = ["MailboxFull", "MessageTooLarge", "ContentRejected", "AttachmentRejected"] as const;

/** What an SES event says about a recipient, as far as classification cares. */
export interface FailureSignal {
  /** The normalised event type (SES `Bounce` → `bounce`, `DeliveryDelay` → `delivery_delay`, ...). */
  eventType: EventType;
  /** `bounce.bounceType` (Permanent, Transient, Undetermined) for bounces. */
  bounceType?: string | null;
  /** `bounce.bounceSubType` for bounces, `complaint.complaintFeedbackType` for complaints. */
  subType?: string | null;
}

/** A stored qualifying event: the rule it can feed, with the sub-type shown for locked reasons. */
export interface ClassifiedEvent {
  reason: Reason;
  subType: string | null;
  at: number;
}

/**
 * The rule an event can feed, or null when it can never put an address on the list (successes,
 * DeliveryDelay, ChannelLimitExceeded and any transient sub-type no rule counts).
 */
export function categorize(s: FailureSignal): { reason: Reason; subType: string | null } | null {
  const sub = s.subType ?? null;
  switch (s.eventType) {
    case "complaint":
      return { reason: "complaint", subType: sub };
    case "reject":
      return { reason: "rejected", subType: null };
    case "bounce":
      if (s.bounceType === "Permanent") return { reason: "permanent_bounce", subType: sub };
      if (s.bounceType === "Undetermined") return { reason: "undetermined", subType: null };
      if (s.bounceType === "Transient") {
        if (sub === "General") return { reason: "repeated_transient", subType: null };
        if ((SOFT_BOUNCE_SUBTYPES as readonly string[]).includes(sub ?? "")) return { reason: "soft_bounce_accumulation", subType: null };
      }
      return null;
    default:
      return null;
  }
}

/**
 * Everything about one address that rules can depend on. Built from its events, or by storage from
 * what it keeps per address, so the in-memory and the stored paths share one evaluation.
 */
export interface AddressDigest {
  /** The latest event of each locked reason the address has. */
  latest: Partial<Record<LockedReason, { at: number; subType: string | null }>>;
  /** When the n-th most recent event (1 = newest) feeding a configurable rule happened; undefined if fewer. */
  nthRecent(rule: ConfigurableRule, n: number): number | undefined;
}

export interface Evaluation {
  /** The highest-priority match, or null when no rule matches. */
  reason: Reason | null;
  /** Sub-type for `permanent_bounce` (bounce sub-type) and `complaint` (feedback type). */
  subType: string | null;
  /** Every matching reason, highest priority first. */
  matched: Reason[];
  /** The earliest moment the outcome can change without new events (a window or retention lapsing). */
  nextChange: number | null;
}

/** Oldest time an event may have and still count in a window of `days` ending at `now` (inclusive). */
export const windowStart = (now: number, days: number) => now - days * DAY;

/**
 * Evaluates one address at `now`. Locked rules hold while their latest event is inside the plan's
 * retention; a configurable rule holds while its N-th most recent event is inside its window (a window
 * never reaches past retention, whose older events are gone).
 */
export function evaluateDigest(digest: AddressDigest, rules: Rules, now: number, retentionDays: number): Evaluation {
  const matched: Reason[] = [];
  let subType: string | null = null;
  let nextChange: number | null = null;
  const lapseAt = (at: number, days: number) => {
    const t = at + days * DAY + 1;
    nextChange = nextChange === null ? t : Math.min(nextChange, t);
  };
  for (const reason of LOCKED_REASONS) {
    const latest = digest.latest[reason];
    if (!latest || latest.at < windowStart(now, retentionDays)) continue;
    if (matched.length === 0) subType = latest.subType;
    matched.push(reason);
    lapseAt(latest.at, retentionDays);
  }
  for (const rule of CONFIGURABLE_RULES) {
    const knobs = rules[rule];
    if (!knobs.enabled) continue;
    const days = Math.min(knobs.windowDays, retentionDays);
    const nth = digest.nthRecent(rule, knobs.events);
    if (nth === undefined || nth < windowStart(now, days)) continue;
    matched.push(rule);
    lapseAt(nth, days);
  }
  matched.sort((a, b) => reasonRank(a) - reasonRank(b));
  const reason = matched[0] ?? null;
  return { reason, subType: reason === "permanent_bounce" || reason === "complaint" ? subType : null, matched, nextChange };
}

/** The digest of a plain list of events (any order). */
export function digestOf(events: readonly ClassifiedEvent[]): AddressDigest {
  const latest: AddressDigest["latest"] = {};
  const recent = new Map<Reason, number[]>();
  for (const e of events) {
    if ((LOCKED_REASONS as readonly Reason[]).includes(e.reason)) {
      const r = e.reason as LockedReason;
      const cur = latest[r];
      if (!cur || e.at > cur.at) latest[r] = { at: e.at, subType: e.subType };
    } else {
      const list = recent.get(e.reason) ?? [];
      list.push(e.at);
      recent.set(e.reason, list);
    }
  }
  for (const list of recent.values()) list.sort((a, b) => b - a).splice(MAX_EVENTS);
  return { latest, nthRecent: (rule, n) => recent.get(rule)?.[n - 1] };
}

export const evaluate = (events: readonly ClassifiedEvent[], rules: Rules, now: number, retentionDays: number) =>
  evaluateDigest(digestOf(events), rules, now, retentionDays);

/** All six reasons with zero counts, in priority order (the shape of every by-reason breakdown). */
export const emptyBreakdown = (): Record<Reason, number> =>
  Object.fromEntries(REASONS.map((r) => [r, 0])) as Record<Reason, number>;
