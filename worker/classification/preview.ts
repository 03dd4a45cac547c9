import { emptyBreakdown } from "./evaluate";
import { isLocked, type Reason } from "./rules";

/** Up to this many sample additions are shown. */
export const PREVIEW_SAMPLE_SIZE = 10;

/**
 * What storage counts to preview candidate rules. Locked rules never change between the saved and the
 * candidate rules, so only addresses matched by a candidate configurable rule need looking at.
 */
export interface PreviewCounts {
  /** Listed addresses per current reason (excluded addresses are not listed). */
  listedByReason: Record<Reason, number>;
  /**
   * Addresses some enabled candidate configurable rule matches, grouped by the best such rule, the
   * kind of rule that lists them today (none: not listed) and whether an operator excluded them.
   */
  candidateGroups: { candidate: Reason; current: "none" | "configurable" | "locked"; excluded: boolean; count: number }[];
  /** Addresses the candidate rules would add, most events first (at most PREVIEW_SAMPLE_SIZE). */
  sampleAdditions: { email: string; reason: Reason; events: number }[];
}

export interface Preview {
  currentSize: number;
  candidateSize: number;
  added: number;
  removed: number;
  /** Candidate list size per reason, in priority order. */
  breakdown: Record<Reason, number>;
  sampleAdditions: PreviewCounts["sampleAdditions"];
}

export function previewDiff(c: PreviewCounts): Preview {
  const breakdown = emptyBreakdown();
  let currentSize = 0;
  let currentConfigurable = 0;
  for (const [reason, n] of Object.entries(c.listedByReason) as [Reason, number][]) {
    currentSize += n;
    if (isLocked(reason)) breakdown[reason] += n;
    else currentConfigurable += n;
  }
  let added = 0;
  let kept = 0;
  for (const g of c.candidateGroups) {
    // Excluded addresses stay off the list; locked ones keep their locked reason.
    if (g.excluded || g.current === "locked") continue;
    breakdown[g.candidate] += g.count;
    if (g.current === "none") added += g.count;
    else kept += g.count;
  }
  const removed = currentConfigurable - kept;
  return {
    currentSize,
    candidateSize: currentSize + added - removed,
    added,
    removed,
    breakdown,
    sampleAdditions: c.sampleAdditions.slice(0, PREVIEW_SAMPLE_SIZE),
  };
}
