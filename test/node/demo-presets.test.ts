import { describe, expect, it } from "vitest";
import { DEMO_SEED_DAYS, DEMO_SEED_EVENTS } from "../../scripts/lib/demo-seed";
import { generateDemoTraffic, planDemoTraffic, type DemoTrafficOptions } from "../../scripts/lib/demo-traffic";
import { categorize, emptyBreakdown, evaluate, type ClassifiedEvent } from "../../worker/classification/evaluate";
import { previewDiff, type Preview, type PreviewCounts } from "../../worker/classification/preview";
import { DEFAULT_PRESET, isLocked, presetRules, type PresetName, type Reason, type Rules } from "../../worker/classification/rules";
import type { EventType } from "../../worker/db/schema";
import { DAY } from "../../worker/lib/time";

/**
 * Issue 13, item 10: the demo shows what the classification rules do. On the demo's traffic (the plan
 * `npm start` seeds), previewing each rule profile against the demo's rules (the default, Standard)
 * gives a different list: Strict drops the accept-then-NDR addresses Standard catches, Aggressive adds
 * undetermined and soft-bounce accumulations. Evaluated the way the OrgLedger does (classification
 * rules, the preview's diff), for a business plan's retention, at the seed's end and days later.
 */

const RETENTION_DAYS = 365;
const SES_TYPES: Partial<Record<string, EventType>> = { Bounce: "bounce", Complaint: "complaint", Reject: "reject" };

/** Every managed recipient's qualifying events, as ingest hands them to the OrgLedger. */
function qualifyingEvents(opts: DemoTrafficOptions): Map<string, ClassifiedEvent[]> {
  const byAddress = new Map<string, ClassifiedEvent[]>();
  for (const g of generateDemoTraffic(opts, planDemoTraffic(opts).messages)) {
    const detail = g.event.detail as Record<string, any>;
    const eventType = SES_TYPES[detail.eventType];
    if (!g.managed || !eventType) continue;
    const c = categorize({ eventType, bounceType: detail.bounce?.bounceType, subType: detail.bounce?.bounceSubType ?? detail.complaint?.complaintFeedbackType });
    if (!c) continue;
    const address = detail.mail.destination[0] as string;
    byAddress.set(address, [...(byAddress.get(address) ?? []), { ...c, at: g.at }]);
  }
  return byAddress;
}

/** What the rules page previews for `candidate` while `current` are the saved rules (nothing excluded in the demo). */
function preview(byAddress: Map<string, ClassifiedEvent[]>, current: Rules, candidate: Rules, now: number): Preview {
  const listedByReason = emptyBreakdown();
  const groups = new Map<string, PreviewCounts["candidateGroups"][number]>();
  for (const events of byAddress.values()) {
    const today = evaluate(events, current, now, RETENTION_DAYS);
    if (today.reason) listedByReason[today.reason]++;
    const best = evaluate(events, candidate, now, RETENTION_DAYS).matched.find((r) => !isLocked(r));
    if (!best) continue;
    const kind = today.reason === null ? "none" : isLocked(today.reason) ? "locked" : "configurable";
    const key = `${best}|${kind}`;
    const group = groups.get(key) ?? { candidate: best, current: kind, excluded: false, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  return previewDiff({ listedByReason, candidateGroups: [...groups.values()], sampleAdditions: [] });
}

const added = (p: Preview, reason: Reason) => p.breakdown[reason];

describe.each([
  ["the demo's own seed", "sendops-demo"],
  ["another seed", "other"],
])("rule profiles on the demo traffic (%s)", (_label, seed) => {
  const end = Date.parse("2026-03-18T12:00:00Z");
  const byAddress = qualifyingEvents({ seed, events: DEMO_SEED_EVENTS, days: DEMO_SEED_DAYS, end });
  const current = presetRules(DEFAULT_PRESET);

  it.each([0, 3])("previews a different list for each profile %i days after the seed", (daysLater) => {
    const now = end + daysLater * DAY;
    const previews = Object.fromEntries((["strict", "standard", "aggressive"] as PresetName[]).map((p) => [p, preview(byAddress, current, presetRules(p), now)]));
    const { strict, standard, aggressive } = previews as Record<PresetName, Preview>;

    // Standard is the demo's saved profile: its preview is the list as it is.
    expect(DEFAULT_PRESET).toBe("standard");
    expect([standard.added, standard.removed]).toEqual([0, 0]);
    // Strict drops what only repeated transient bounces put there; Aggressive adds undetermined and soft-bounce accumulations.
    expect(strict.removed).toBeGreaterThanOrEqual(3);
    expect(strict.added).toBe(0);
    expect(aggressive.added).toBeGreaterThanOrEqual(4);
    expect(added(aggressive, "undetermined")).toBeGreaterThanOrEqual(2);
    expect(added(aggressive, "soft_bounce_accumulation")).toBeGreaterThanOrEqual(2);
    // Three profiles, three lists.
    expect(strict.candidateSize).toBeLessThan(standard.candidateSize);
    expect(standard.candidateSize).toBeLessThan(aggressive.candidateSize);
  });
});
