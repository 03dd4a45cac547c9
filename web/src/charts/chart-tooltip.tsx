import type { ReactNode } from "react";

export interface TooltipRow {
  color: string;
  label: string;
  value: string;
}

/** The tooltip box every chart renders (recharts draws it; the content is ours so values are formatted). */
export function ChartTooltipBox({ title, rows, footer }: { title: ReactNode; rows: TooltipRow[]; footer?: ReactNode }) {
  return (
    <div className="chart-tooltip">
      <div className="chart-tooltip-title">{title}</div>
      {rows.map((r) => (
        <div className="chart-tooltip-row" key={r.label}>
          <span className="chart-swatch" style={{ background: r.color }} aria-hidden="true" />
          <span className="chart-tooltip-label">{r.label}</span>
          <span className="chart-tooltip-value">{r.value}</span>
        </div>
      ))}
      {footer && <div className="chart-tooltip-footer">{footer}</div>}
    </div>
  );
}
