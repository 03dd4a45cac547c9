import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { AXIS } from "./palette";
import { ChartTooltipBox } from "./chart-tooltip";

export interface BarDef<T> {
  key: Extract<keyof T, string>;
  label: string;
  color: string;
}

const LABEL_FONT_PX = 12;
/** Labels longer than this are cut with an ellipsis (the tooltip names the category in full). */
const MAX_LABEL_PX = 220;
const SEPARATOR = " · ";

let measureContext: CanvasRenderingContext2D | null | undefined;
/** Width of `text` in the axis font, as the browser draws it. */
function textWidth(text: string): number {
  measureContext ??= document.createElement("canvas").getContext("2d");
  if (!measureContext) return text.length * LABEL_FONT_PX * 0.6;
  measureContext.font = `${LABEL_FONT_PX}px ${getComputedStyle(document.body).fontFamily}`;
  return measureContext.measureText(text).width;
}

/** "Permanent · OnAccountSuppressionList" reads on two lines, "Permanent ·" over the sub-type; other labels on one. */
function labelLines(label: string): string[] {
  const i = label.indexOf(SEPARATOR);
  return i < 0 ? [label] : [label.slice(0, i + SEPARATOR.length), label.slice(i + SEPARATOR.length)];
}

function fitLine(line: string): string {
  if (textWidth(line) <= MAX_LABEL_PX) return line;
  let cut = line;
  while (cut.length > 1 && textWidth(`${cut}…`) > MAX_LABEL_PX) cut = cut.slice(0, -1);
  return `${cut}…`;
}

function CategoryTick({ x, y, payload }: { x?: number; y?: number; payload?: { value: string } }) {
  const lines = labelLines(payload?.value ?? "").map(fitLine);
  return (
    <text x={x} y={y} textAnchor="end" fill="var(--text-muted)" fontSize={LABEL_FONT_PX}>
      {lines.map((line, i) => (
        <tspan key={i} x={x} dy={i === 0 ? `${0.35 - (lines.length - 1) * 0.6}em` : "1.2em"}>
          {line}
        </tspan>
      ))}
    </text>
  );
}

/**
 * Horizontal bars, one row per category (bounce reasons, domains, templates). Rows come in the order
 * given (the API sorts them); the height grows with the number of rows so labels never overlap. The
 * label column is as wide as the longest label line needs, so labels are not cut.
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
  /** An extra line in the tooltip (e.g. "123 bounces"). */
  detail?: (row: T) => string;
}) {
  const rows = data.map((row) => ({ ...row, __category: category(row) }));
  const lines = rows.flatMap((r) => labelLines(r.__category));
  const twoLines = lines.length > rows.length;
  const rowHeight = bars.length > 1 || twoLines ? 44 : 32;
  const height = Math.max(120, data.length * rowHeight + 40);
  const categoryWidth = Math.ceil(Math.min(MAX_LABEL_PX, Math.max(40, ...lines.map(textWidth)))) + 10;
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
            tick={<CategoryTick />}
            tickLine={false}
            axisLine={false}
            interval={0}
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
