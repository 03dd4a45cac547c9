/** A chart's legend, drawn below it (hidden from screen readers: the table view names every series). */
export interface LegendItem {
  label: string;
  color: string;
  /** A dashed line sample (threshold lines, dashed series) instead of a swatch. */
  dashed?: boolean;
}

export function ChartLegend({ items }: { items: readonly LegendItem[] }) {
  return (
    <ul className="chart-legend" aria-hidden="true">
      {items.map((i) => (
        <li key={i.label}>
          {i.dashed ? (
            <span className="chart-dash" style={{ borderTopColor: i.color }} />
          ) : (
            <span className="chart-swatch" style={{ background: i.color }} />
          )}
          {i.label}
        </li>
      ))}
    </ul>
  );
}
