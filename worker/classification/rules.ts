import { z } from "zod";
import { sha256Hex } from "../lib/crypto";

/**
 * Classification rules (product docs: reports__classification-rules.md, reports__undeliverable-list.md).
 * Pure: no storage, no HTTP. The dashboard imports these values too (presets, preset detection, labels).
 */

/** Every reason, highest priority first: when several rules match an address, the first one wins. */
export const REASONS = [
  "permanent_bounce",
  "complaint",
  "rejected",
  "repeated_transient",
  "undetermined",
  "soft_bounce_accumulation",
] as const;
export type Reason = (typeof REASONS)[number];

/** Always on; they cannot be disabled. */
export const LOCKED_REASONS = ["permanent_bounce", "complaint", "rejected"] as const satisfies readonly Reason[];
export type LockedReason = (typeof LOCKED_REASONS)[number];

/** Each has two knobs (events, window in days) and an on/off switch. */
export const CONFIGURABLE_RULES = ["repeated_transient", "undetermined", "soft_bounce_accumulation"] as const satisfies readonly Reason[];
export type ConfigurableRule = (typeof CONFIGURABLE_RULES)[number];

export const MIN_EVENTS = 1;
/** Also the depth of per-category history that can matter: no rule ever needs an older event than its 100th. */
export const MAX_EVENTS = 100;
export const MIN_WINDOW_DAYS = 1;
export const MAX_WINDOW_DAYS = 365;

/** Reason → priority rank, 1 = highest. Storage keeps the rank (an integer) instead of the name. */
export const reasonRank = (reason: Reason): number => REASONS.indexOf(reason) + 1;
export const reasonOfRank = (rank: number): Reason => {
  const r = REASONS[rank - 1];
  if (!r) throw new Error(`no reason of rank ${rank}`);
  return r;
};
export const isLocked = (reason: Reason): reason is LockedReason => reasonRank(reason) <= LOCKED_REASONS.length;

/** Wire reason + sub-type as people read it: `permanent bounce · NoEmail`, `complaint · abuse`. */
export function reasonLabel(reason: Reason, subType: string | null): string {
  const name = reason.replace(/_/g, " ");
  return subType ? `${name} · ${subType}` : name;
}

const knobSchema = z
  .object({
    enabled: z.boolean(),
    events: z
      .number()
      .int("Events must be a whole number.")
      .min(MIN_EVENTS, `Events must be at least ${MIN_EVENTS}.`)
      .max(MAX_EVENTS, `Events must be at most ${MAX_EVENTS}.`),
    windowDays: z
      .number()
      .int("Days must be a whole number.")
      .min(MIN_WINDOW_DAYS, `Days must be at least ${MIN_WINDOW_DAYS}.`)
      .max(MAX_WINDOW_DAYS, `Days must be at most ${MAX_WINDOW_DAYS}.`),
  })
  .strict();
export type RuleKnobs = z.infer<typeof knobSchema>;

export const rulesSchema = z
  .object({
    repeated_transient: knobSchema,
    undetermined: knobSchema,
    soft_bounce_accumulation: knobSchema,
  })
  .strict();
export type Rules = z.infer<typeof rulesSchema>;

export const PRESETS = ["strict", "standard", "aggressive"] as const;
export type PresetName = (typeof PRESETS)[number];
export type Preset = PresetName | "custom";

/** The documented default thresholds; a preset only decides which rules are on. */
const DEFAULT_KNOBS: Record<ConfigurableRule, Omit<RuleKnobs, "enabled">> = {
  repeated_transient: { events: 3, windowDays: 30 },
  undetermined: { events: 2, windowDays: 14 },
  soft_bounce_accumulation: { events: 5, windowDays: 14 },
};

const PRESET_ENABLED: Record<PresetName, Record<ConfigurableRule, boolean>> = {
  strict: { repeated_transient: false, undetermined: false, soft_bounce_accumulation: false },
  standard: { repeated_transient: true, undetermined: false, soft_bounce_accumulation: false },
  aggressive: { repeated_transient: true, undetermined: true, soft_bounce_accumulation: true },
};

/** The rules a preset stands for; picking a preset resets every configurable rule to this. */
export function presetRules(name: PresetName): Rules {
  const rule = (r: ConfigurableRule): RuleKnobs => ({ enabled: PRESET_ENABLED[name][r], ...DEFAULT_KNOBS[r] });
  return {
    repeated_transient: rule("repeated_transient"),
    undetermined: rule("undetermined"),
    soft_bounce_accumulation: rule("soft_bounce_accumulation"),
  };
}

/** What an org uses until it saves its own rules. */
export const DEFAULT_PRESET: PresetName = "standard";
export const defaultRules = (): Rules => presetRules(DEFAULT_PRESET);

/**
 * The preset the rules behave like, or "custom". A switched-off rule's knobs change nothing, so they
 * are not compared (Strict with a remembered 4-in-20 for an off rule is still Strict).
 */
export function detectPreset(rules: Rules): Preset {
  const behaves = (a: RuleKnobs, b: RuleKnobs) =>
    a.enabled === b.enabled && (!a.enabled || (a.events === b.events && a.windowDays === b.windowDays));
  for (const name of PRESETS) {
    const p = presetRules(name);
    if (CONFIGURABLE_RULES.every((r) => behaves(rules[r], p[r]))) return name;
  }
  return "custom";
}

/** The rule body with a fixed key order and the docs' field names: the input of the version hash. */
export function canonicalRules(rules: Rules): string {
  return JSON.stringify({
    locked: LOCKED_REASONS,
    configurable: CONFIGURABLE_RULES.map((r) => ({
      rule: r,
      enabled: rules[r].enabled,
      events: rules[r].events,
      window_days: rules[r].windowDays,
    })),
  });
}

/** 6 hex characters of SHA-256 over the canonical body: any change to any knob changes the version. */
export async function rulesVersion(rules: Rules): Promise<string> {
  return (await sha256Hex(canonicalRules(rules))).slice(0, 6);
}

export const sameRules = (a: Rules, b: Rules) => canonicalRules(a) === canonicalRules(b);
