import { useId, type ReactNode } from "react";

export type Health = "good" | "warning" | "critical" | "neutral";

const HEALTH_LABEL: Record<Health, string> = { good: "Healthy", warning: "Warning", critical: "Critical", neutral: "" };

/**
 * A headline figure. `hint` is shown in a tooltip on hover and on keyboard focus (the card is then
 * focusable and the hint is its description for screen readers).
 */
export function MetricCard({
  label,
  value,
  sub,
  health = "neutral",
  hint,
  loading,
}: {
  label: string;
  value: string;
  sub?: ReactNode;
  health?: Health;
  hint?: ReactNode;
  loading?: boolean;
}) {
  const hintId = useId();
  return (
    <div
      className={`card metric metric-${health}${hint ? " has-hint" : ""}`}
      tabIndex={hint ? 0 : undefined}
      aria-describedby={hint ? hintId : undefined}
    >
      <div className="metric-label">
        {label}
        {hint && (
          <span className="metric-info" aria-hidden="true">
            i
          </span>
        )}
      </div>
      {loading ? (
        <div className="skeleton metric-skeleton" role="status" aria-label={`Loading ${label}`} />
      ) : (
        <div className="metric-value">{value}</div>
      )}
      <div className="metric-foot">
        {!loading && health !== "neutral" && <span className={`metric-chip chip-${health}`}>{HEALTH_LABEL[health]}</span>}
        {!loading && sub && <span className="metric-sub">{sub}</span>}
      </div>
      {hint && (
        <div className="metric-hint" role="tooltip" id={hintId}>
          {hint}
        </div>
      )}
    </div>
  );
}
