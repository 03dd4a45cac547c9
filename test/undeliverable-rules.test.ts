import { describe, expect, it } from "vitest";
import {
  canonicalRules,
  defaultRules,
  detectPreset,
  presetRules,
  reasonLabel,
  rulesSchema,
  rulesVersion,
  type ConfigurableRule,
  type Reason,
  type Rules,
} from "../worker/classification/rules";
import { categorize, evaluate, type ClassifiedEvent, type FailureSignal } from "../worker/classification/evaluate";
import { previewDiff } from "../worker/classification/preview";
import { DAY } from "../worker/lib/time";

const NOW = Date.UTC(2026, 5, 15, 12, 0, 0);
const RETENTION = 365;
const aggressive = () => presetRules("aggressive");
const ev = (reason: Reason, at: number, subType: string | null = null): ClassifiedEvent => ({ reason, subType, at });
/** `n` events of one reason, the oldest at `oldest`, the rest one minute apart after it. */
const series = (reason: Reason, n: number, oldest: number) => Array.from({ length: n }, (_, i) => ev(reason, oldest + i * 60_000));

describe("categorize: which events can ever list an address", () => {
  const cases: [FailureSignal, Reason | null, string | null][] = [
    [{ eventType: "bounce", bounceType: "Permanent", subType: "NoEmail" }, "permanent_bounce", "NoEmail"],
    [{ eventType: "bounce", bounceType: "Permanent", subType: "OnAccountSuppressionList" }, "permanent_bounce", "OnAccountSuppressionList"],
    [{ eventType: "complaint", subType: "abuse" }, "complaint", "abuse"],
    [{ eventType: "complaint", subType: null }, "complaint", null],
    [{ eventType: "reject" }, "rejected", null],
    [{ eventType: "bounce", bounceType: "Transient", subType: "General" }, "repeated_transient", null],
    [{ eventType: "bounce", bounceType: "Undetermined", subType: "Undetermined" }, "undetermined", null],
    [{ eventType: "bounce", bounceType: "Transient", subType: "MailboxFull" }, "soft_bounce_accumulation", null],
    [{ eventType: "bounce", bounceType: "Transient", subType: "MessageTooLarge" }, "soft_bounce_accumulation", null],
    [{ eventType: "bounce", bounceType: "Transient", subType: "ContentRejected" }, "soft_bounce_accumulation", null],
    [{ eventType: "bounce", bounceType: "Transient", subType: "AttachmentRejected" }, "soft_bounce_accumulation", null],
    [{ eventType: "bounce", bounceType: "Transient", subType: "ChannelLimitExceeded" }, null, null],
    [{ eventType: "delivery_delay" }, null, null],
    [{ eventType: "send" }, null, null],
    [{ eventType: "delivery" }, null, null],
    [{ eventType: "open" }, null, null],
    [{ eventType: "click" }, null, null],
  ];
  it.each(cases)("%o → %s", (signal, reason, subType) => {
    const c = categorize(signal);
    if (reason === null) expect(c).toBeNull();
    else expect(c).toEqual({ reason, subType });
  });
});

describe("each configurable rule at its threshold", () => {
  const rules: [ConfigurableRule, number, number][] = [
    ["repeated_transient", 3, 30],
    ["undetermined", 2, 14],
    ["soft_bounce_accumulation", 5, 14],
  ];
  for (const [rule, n, days] of rules) {
    it(`${rule}: ${n - 1} events do not fire, ${n} do (default ${n} in ${days} d)`, () => {
      const inside = NOW - days * DAY + DAY;
      expect(evaluate(series(rule, n - 1, inside), aggressive(), NOW, RETENTION).reason).toBeNull();
      expect(evaluate(series(rule, n, inside), aggressive(), NOW, RETENTION).reason).toBe(rule);
    });

    it(`${rule}: the N-th event just inside the ${days}-day window counts, just outside it does not`, () => {
      const start = NOW - days * DAY;
      const justInside = [ev(rule, start), ...series(rule, n - 1, NOW - DAY)];
      const justOutside = [ev(rule, start - 1), ...series(rule, n - 1, NOW - DAY)];
      const inside = evaluate(justInside, aggressive(), NOW, RETENTION);
      expect(inside.reason).toBe(rule);
      // It lapses the millisecond after the oldest counted event leaves the window.
      expect(inside.nextChange).toBe(start + days * DAY + 1);
      expect(evaluate(justOutside, aggressive(), NOW, RETENTION).reason).toBeNull();
    });

    it(`${rule}: custom knobs move the threshold; switched off it never fires`, () => {
      const custom: Rules = { ...aggressive(), [rule]: { enabled: true, events: 7, windowDays: 3 } };
      expect(evaluate(series(rule, 6, NOW - 2 * DAY), custom, NOW, RETENTION).reason).toBeNull();
      expect(evaluate(series(rule, 7, NOW - 2 * DAY), custom, NOW, RETENTION).reason).toBe(rule);
      expect(evaluate(series(rule, 7, NOW - 3 * DAY - 1), custom, NOW, RETENTION).reason).toBeNull();
      const off: Rules = { ...aggressive(), [rule]: { ...custom[rule], enabled: false } };
      expect(evaluate(series(rule, 50, NOW - DAY), off, NOW, RETENTION).reason).toBeNull();
    });
  }

  it("a window never reaches past the plan's retention", () => {
    const rules: Rules = { ...aggressive(), repeated_transient: { enabled: true, events: 3, windowDays: 365 } };
    const events = series("repeated_transient", 3, NOW - 8 * DAY);
    expect(evaluate(events, rules, NOW, 90).reason).toBe("repeated_transient");
    expect(evaluate(events, rules, NOW, 7).reason).toBeNull();
  });
});

describe("locked rules", () => {
  it("one permanent bounce, complaint or reject lists the address under every preset, Strict included", () => {
    for (const preset of ["strict", "standard", "aggressive"] as const) {
      expect(evaluate([ev("permanent_bounce", NOW - DAY, "General")], presetRules(preset), NOW, RETENTION).reason).toBe("permanent_bounce");
      expect(evaluate([ev("complaint", NOW - DAY, "abuse")], presetRules(preset), NOW, RETENTION).reason).toBe("complaint");
      expect(evaluate([ev("rejected", NOW - DAY)], presetRules(preset), NOW, RETENTION).reason).toBe("rejected");
    }
  });

  it("are bounded by the plan's retention: inside at the cutoff, gone a millisecond before it", () => {
    const cutoff = NOW - 90 * DAY;
    const inside = evaluate([ev("permanent_bounce", cutoff, "NoEmail")], defaultRules(), NOW, 90);
    expect(inside.reason).toBe("permanent_bounce");
    expect(inside.nextChange).toBe(cutoff + 90 * DAY + 1);
    expect(evaluate([ev("permanent_bounce", cutoff - 1, "NoEmail")], defaultRules(), NOW, 90).reason).toBeNull();
  });

  it("carry the sub-type of their latest event", () => {
    const r = evaluate(
      [ev("permanent_bounce", NOW - 5 * DAY, "General"), ev("permanent_bounce", NOW - DAY, "NoEmail")],
      defaultRules(),
      NOW,
      RETENTION,
    );
    expect([r.reason, r.subType]).toEqual(["permanent_bounce", "NoEmail"]);
    expect(reasonLabel(r.reason!, r.subType)).toBe("permanent bounce · NoEmail");
    const c = evaluate([ev("complaint", NOW - DAY, "abuse")], defaultRules(), NOW, RETENTION);
    expect(reasonLabel(c.reason!, c.subType)).toBe("complaint · abuse");
    expect(reasonLabel("repeated_transient", null)).toBe("repeated transient");
  });
});

describe("reason priority", () => {
  it("permanent_bounce > complaint > rejected > repeated_transient > undetermined > soft_bounce_accumulation", () => {
    const all = [
      ev("permanent_bounce", NOW - DAY, "NoEmail"),
      ev("complaint", NOW - DAY, "abuse"),
      ev("rejected", NOW - DAY),
      ...series("repeated_transient", 5, NOW - DAY),
      ...series("undetermined", 2, NOW - DAY),
      ...series("soft_bounce_accumulation", 5, NOW - DAY),
    ];
    const order: Reason[] = ["permanent_bounce", "complaint", "rejected", "repeated_transient", "undetermined", "soft_bounce_accumulation"];
    for (let i = 0; i < order.length; i++) {
      const left = all.filter((e) => order.indexOf(e.reason) >= i);
      const r = evaluate(left, aggressive(), NOW, RETENTION);
      expect(r.reason).toBe(order[i]);
      expect(r.matched).toEqual(order.slice(i));
    }
  });

  it("a complaint's sub-type is not shown when a permanent bounce wins, and configurable reasons have none", () => {
    const r = evaluate([ev("permanent_bounce", NOW - DAY, "Suppressed"), ev("complaint", NOW, "abuse")], defaultRules(), NOW, RETENTION);
    expect([r.reason, r.subType]).toEqual(["permanent_bounce", "Suppressed"]);
    expect(evaluate(series("repeated_transient", 3, NOW - DAY), defaultRules(), NOW, RETENTION).subType).toBeNull();
  });

  it("the next change is the earliest lapse among the matching rules", () => {
    const r = evaluate(
      [...series("repeated_transient", 3, NOW - 29 * DAY), ...series("soft_bounce_accumulation", 5, NOW - 2 * DAY)],
      aggressive(),
      NOW,
      RETENTION,
    );
    expect(r.reason).toBe("repeated_transient");
    expect(r.nextChange).toBe(NOW - 29 * DAY + 30 * DAY + 1);
  });
});

describe("presets", () => {
  it("Strict has only locked rules, Standard adds repeated_transient 3/30, Aggressive adds undetermined 2/14 and soft 5/14", () => {
    expect(presetRules("strict")).toEqual({
      repeated_transient: { enabled: false, events: 3, windowDays: 30 },
      undetermined: { enabled: false, events: 2, windowDays: 14 },
      soft_bounce_accumulation: { enabled: false, events: 5, windowDays: 14 },
    });
    expect(presetRules("standard").repeated_transient).toEqual({ enabled: true, events: 3, windowDays: 30 });
    expect(presetRules("standard").undetermined.enabled).toBe(false);
    expect(presetRules("aggressive")).toEqual({
      repeated_transient: { enabled: true, events: 3, windowDays: 30 },
      undetermined: { enabled: true, events: 2, windowDays: 14 },
      soft_bounce_accumulation: { enabled: true, events: 5, windowDays: 14 },
    });
    expect(defaultRules()).toEqual(presetRules("standard"));
  });

  it("detects each preset and Custom when the knobs match none", () => {
    expect(detectPreset(presetRules("strict"))).toBe("strict");
    expect(detectPreset(presetRules("standard"))).toBe("standard");
    expect(detectPreset(presetRules("aggressive"))).toBe("aggressive");
    const tweaked = { ...presetRules("standard"), repeated_transient: { enabled: true, events: 4, windowDays: 30 } };
    expect(detectPreset(tweaked)).toBe("custom");
    const onlySoft = { ...presetRules("strict"), soft_bounce_accumulation: { enabled: true, events: 5, windowDays: 14 } };
    expect(detectPreset(onlySoft)).toBe("custom");
    // A switched-off rule's remembered knobs change nothing, so they do not make it Custom.
    const strictWithMemory = { ...presetRules("strict"), undetermined: { enabled: false, events: 9, windowDays: 99 } };
    expect(detectPreset(strictWithMemory)).toBe("strict");
  });
});

describe("rule validation", () => {
  const withKnob = (patch: Record<string, unknown>) => ({ ...defaultRules(), repeated_transient: { ...defaultRules().repeated_transient, ...patch } });
  it("accepts events 1–100 and windows 1–365 days", () => {
    for (const patch of [{ events: 1 }, { events: 100 }, { windowDays: 1 }, { windowDays: 365 }]) {
      expect(rulesSchema.safeParse(withKnob(patch)).success).toBe(true);
    }
  });
  it("rejects out-of-range, fractional or missing knobs and unknown rules, naming the field", () => {
    const bad: [unknown, string][] = [
      [withKnob({ events: 0 }), "repeated_transient.events"],
      [withKnob({ events: 101 }), "repeated_transient.events"],
      [withKnob({ events: 2.5 }), "repeated_transient.events"],
      [withKnob({ windowDays: 0 }), "repeated_transient.windowDays"],
      [withKnob({ windowDays: 366 }), "repeated_transient.windowDays"],
      [withKnob({ enabled: "yes" }), "repeated_transient.enabled"],
      [{ ...defaultRules(), permanent_bounce: { enabled: false } }, ""],
      [{ repeated_transient: defaultRules().repeated_transient }, "undetermined"],
    ];
    for (const [body, field] of bad) {
      const r = rulesSchema.safeParse(body);
      expect(r.success).toBe(false);
      expect(r.error!.issues.map((i) => i.path.join("."))).toContain(field);
    }
  });
});

describe("version hash", () => {
  it("is 6 hex characters, stable for equal rules and different when any knob changes", async () => {
    const v = await rulesVersion(defaultRules());
    expect(v).toMatch(/^[0-9a-f]{6}$/);
    expect(await rulesVersion(presetRules("standard"))).toBe(v);
    const variants: Rules[] = [
      { ...defaultRules(), repeated_transient: { enabled: true, events: 4, windowDays: 30 } },
      { ...defaultRules(), repeated_transient: { enabled: true, events: 3, windowDays: 31 } },
      { ...defaultRules(), soft_bounce_accumulation: { enabled: false, events: 6, windowDays: 14 } },
      { ...defaultRules(), undetermined: { enabled: true, events: 2, windowDays: 14 } },
      presetRules("strict"),
      presetRules("aggressive"),
    ];
    const versions = await Promise.all(variants.map(rulesVersion));
    expect(new Set([v, ...versions]).size).toBe(variants.length + 1);
    // Key order of the input does not matter: the hash is over the canonical body.
    const reordered = JSON.parse(JSON.stringify({ soft_bounce_accumulation: defaultRules().soft_bounce_accumulation, undetermined: defaultRules().undetermined, repeated_transient: defaultRules().repeated_transient }));
    expect(canonicalRules(reordered)).toBe(canonicalRules(defaultRules()));
  });
});

describe("preview arithmetic", () => {
  it("counts additions, removals and the candidate breakdown; excluded and locked addresses keep their place", () => {
    const p = previewDiff({
      listedByReason: {
        permanent_bounce: 10,
        complaint: 2,
        rejected: 1,
        repeated_transient: 5,
        undetermined: 0,
        soft_bounce_accumulation: 0,
      },
      candidateGroups: [
        { candidate: "repeated_transient", current: "configurable", excluded: false, count: 3 },
        { candidate: "repeated_transient", current: "locked", excluded: false, count: 4 },
        { candidate: "soft_bounce_accumulation", current: "none", excluded: false, count: 6 },
        { candidate: "undetermined", current: "none", excluded: true, count: 9 },
        { candidate: "undetermined", current: "configurable", excluded: false, count: 1 },
      ],
      sampleAdditions: [{ email: "a@x.test", reason: "soft_bounce_accumulation", events: 7 }],
    });
    expect(p).toEqual({
      currentSize: 18,
      candidateSize: 18 + 6 - 1,
      added: 6,
      removed: 1,
      breakdown: { permanent_bounce: 10, complaint: 2, rejected: 1, repeated_transient: 3, undetermined: 1, soft_bounce_accumulation: 6 },
      sampleAdditions: [{ email: "a@x.test", reason: "soft_bounce_accumulation", events: 7 }],
    });
  });
});
