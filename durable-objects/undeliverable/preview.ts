import { emptyBreakdown, windowStart } from "../../worker/classification/evaluate";
import { previewDiff, PREVIEW_SAMPLE_SIZE, type Preview, type PreviewCounts } from "../../worker/classification/preview";
import { CONFIGURABLE_RULES, reasonOfRank, reasonRank, type Rules } from "../../worker/classification/rules";
import { EXCLUDED, LISTED, LOCKED_RANKS, stateMirror } from "./addresses";
import { readSettings } from "./meta";
import { ensureSchema } from "./schema";

/**
 * For every address some enabled configurable rule of `rules` matches at `now`: the rank of the best
 * such rule, indexed by address id (0: none). One range scan of the rule index per enabled rule
 * (`pos = N and at >= window start`, covering), highest priority first.
 */
function bestMatches(sql: SqlStorage, rules: Rules, retentionDays: number, now: number, size: number): Uint8Array {
  const best = new Uint8Array(size);
  for (const rule of CONFIGURABLE_RULES) {
    const k = rules[rule];
    if (!k.enabled) continue;
    const cat = reasonRank(rule);
    for (const [id] of sql
      .exec<{ addr_id: number }>(
        "SELECT addr_id FROM ul_events INDEXED BY ul_events_rule WHERE cat = ? AND pos = ? AND at >= ?",
        cat,
        k.events,
        windowStart(now, Math.min(k.windowDays, retentionDays)),
      )
      .raw<[number]>()) {
      if (best[id] === 0) best[id] = cat;
    }
  }
  return best;
}

export function candidateMatches(sql: SqlStorage, rules: Rules, retentionDays: number, now: number): number[] {
  const best = bestMatches(sql, rules, retentionDays, now, stateMirror(sql).status.length);
  const ids: number[] = [];
  best.forEach((cat, id) => cat && ids.push(id));
  return ids;
}

/** The list under candidate rules compared with the list now. Reads only. */
export function previewRules(sql: SqlStorage, candidate: Rules, now: number): Preview {
  ensureSchema(sql);
  const { retentionDays } = readSettings(sql);
  const m = stateMirror(sql);
  const best = bestMatches(sql, candidate, retentionDays, now, m.status.length);
  const listedByReason = emptyBreakdown();
  // [candidate rank][excluded, none, configurable, locked]
  const tally = new Map<number, [number, number, number, number]>();
  const added: number[] = [];
  for (let id = 0; id < best.length; id++) {
    const status = m.status[id]!;
    const reason = m.reason[id]!;
    if (status === LISTED) listedByReason[reasonOfRank(reason)]++;
    const cat = best[id]!;
    if (cat === 0) continue;
    const t = tally.get(cat) ?? [0, 0, 0, 0];
    tally.set(cat, t);
    if (status === EXCLUDED) t[0]++;
    else if (reason === 0) {
      t[1]++;
      added.push(id);
    } else if (reason > LOCKED_RANKS) t[2]++;
    else t[3]++;
  }
  const counts: PreviewCounts = { listedByReason, candidateGroups: [], sampleAdditions: [] };
  for (const [cat, [excluded, none, configurable, locked]] of tally) {
    const candidate = reasonOfRank(cat);
    counts.candidateGroups.push(
      { candidate, current: "none", excluded: true, count: excluded },
      { candidate, current: "none", excluded: false, count: none },
      { candidate, current: "configurable", excluded: false, count: configurable },
      { candidate, current: "locked", excluded: false, count: locked },
    );
  }
  // The additions with the most events (ties: oldest address first), without sorting them all.
  const before = (a: number, b: number) => m.events[a]! > m.events[b]! || (m.events[a] === m.events[b] && a < b);
  const top: number[] = [];
  for (const id of added) {
    if (top.length === PREVIEW_SAMPLE_SIZE && !before(id, top[top.length - 1]!)) continue;
    let i = top.length;
    while (i > 0 && before(id, top[i - 1]!)) i--;
    top.splice(i, 0, id);
    if (top.length > PREVIEW_SAMPLE_SIZE) top.pop();
  }
  counts.sampleAdditions = top.map((id) => ({
    email: sql.exec<{ address: string }>("SELECT address FROM ul_addresses WHERE id = ?", id).one().address,
    reason: reasonOfRank(best[id]!),
    events: m.events[id]!,
  }));
  return previewDiff(counts);
}
