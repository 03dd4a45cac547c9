import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { AXIS } from "./palette";
import { ChartTooltipBox } from "./chart-tooltip";

export interface BarDef<T> {
  key: Extract<keyof T, string>;
  label: string;
  color: string;
}

/**
 * Horizontal bars, one row per category (bounce reasons, domains, templates). Rows come in the order
 * given (the API sorts them); the height grows with the number of rows so labels never overlap.
 */
export function BarListChart<T extends object>({
  data,
  category,
  bars,
  formatValue,
  formatTick,
  colorOf,
  label,
  integer = false,
  categoryWidth = 168,
  detail,
}: {
  data: readonly T[];
  category: (row: T) => string;
  bars: readonly BarDef<T>[];
  formatValue: (v: number | null) => string;
  formatTick?: (v: number) => string;
  /** Per-row colour (single-bar charts, e.g. bounce reasons coloured by type). */
  colorOf?: (row: T) => string;
  label: string;
  /** Counts: no fractional ticks. */
  integer?: boolean;
  categoryWidth?: number;
  /** An extra line in the tooltip (e.g. "123 bounces"). */
  detail?: (row: T) => string;
}) {
  const rowHeight = bars.length > 1 ? 44 : 32;
  const height = Math.max(120, data.length * rowHeight + 40);
  const rows = data.map((row) => ({ ...row, __category: category(row) }));
  return (
    <div className="chart" role="figure" aria-label={label} style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} layout="vertical" margin={{ top: 4, right: 24, bottom: 4, left: 0 }} barGap={2} barCategoryGap="22%">
          <CartesianGrid stroke={AXIS.grid} strokeDasharray="3 3" horizontal={false} />
          <XAxis
            type="number"
            tickFormatter={formatTick ?? ((v: number) => formatValue(v))}
            tick={{ fill: AXIS.text, fontSize: 11 }}
            tickLine={false}
            axisLine={{ stroke: AXIS.grid }}
            allowDecimals={!integer}
          />
          <YAxis
            type="category"
            dataKey="__category"
            width={categoryWidth}
            tick={{ fill: "var(--text-muted)", fontSize: 12 }}
            tickLine={false}
            axisLine={false}
            interval={0}
            tickFormatter={(v: string) => (v.length > 24 ? `${v.slice(0, 23)}…` : v)}
          />
          <Tooltip
            cursor={{ fill: "var(--surface-hover)" }}
            content={({ active, payload }) => {
              const row = payload?.[0]?.payload as (T & { __category: string }) | undefined;
              if (!active || !row) return null;
              return (
                <ChartTooltipBox
                  title={row.__category}
                  rows={bars.map((b) => ({
                    color: colorOf?.(row) ?? b.color,
                    label: b.label,
                    value: formatValue(row[b.key] as number | null),
                  }))}
                  footer={detail?.(row)}
                />
              );
            }}
          />
          {bars.map((b) => (
            <Bar key={b.key} dataKey={b.key} name={b.label} fill={b.color} radius={[0, 4, 4, 0]} isAnimationActive={false} maxBarSize={22}>
              {colorOf && rows.map((row, i) => <Cell key={i} fill={colorOf(row)} />)}
            </Bar>
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
