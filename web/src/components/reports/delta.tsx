import { formatDeltaPp } from "../../lib/format";

/**
 * A rate's change in percentage points versus the prior period. For bounce, complaint and reject
 * rates a rise is worse (red) and a fall is better (green); a provider new this period has no delta.
 */
export function Delta({ pp, isNew }: { pp: number | null; isNew: boolean }) {
  if (isNew) return <span className="delta delta-new">new</span>;
  if (pp === null) return null;
  const cls = pp > 0 ? "delta-worse" : pp < 0 ? "delta-better" : "delta-flat";
  const sr = pp > 0 ? "worse than the prior period" : pp < 0 ? "better than the prior period" : "unchanged from the prior period";
  return (
    <span className={`delta ${cls}`}>
      {formatDeltaPp(pp)}
      <span className="sr-only"> ({sr})</span>
    </span>
  );
}
