import { Area, CartesianGrid, ComposedChart, Line, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { AXIS, THRESHOLD } from "./palette";
import { ChartTooltipBox } from "./chart-tooltip";
import type { LogAxis } from "./log-axis";
import { bucketLabel, timeTick } from "./time-axis";

export interface SeriesDef<T> {
  key: Extract<keyof T, string>;
  label: string;
  color: string;
  /** "area" draws a soft fill under the line (volumes); "line" (rates, percentiles) is the default. */
  kind?: "line" | "area";
  dashed?: boolean;
}

export interface Threshold {
  value: number;
  label: string;
  level: "warning" | "critical";
}

/**
 * A line/area chart over time buckets (`t` = bucket start, epoch ms). Lines are straight between
 * buckets (no smoothing that would invent values) and buckets without a value leave a gap; points are
 * marked while there are few. Threshold lines extend the y-axis so they are always visible: how far
 * the data sits below them is the point of showing them (the legend names them).
 */
export function TimeSeriesChart<T extends { t: number }>({
  data,
  series,
  hourly,
  timeZone,
  formatValue,
  formatTick,
  thresholds = [],
  height = 240,
  logScale,
  label,
  integer = false,
}: {
  data: readonly T[];
  series: readonly SeriesDef<T>[];
  hourly: boolean;
  timeZone: string;
  formatValue: (v: number | null) => string;
  formatTick?: (v: number) => string;
  thresholds?: readonly Threshold[];
  height?: number;
  /** A log y-axis (domain and ticks from logAxis()), for values spanning orders of magnitude (latencies). */
  logScale?: LogAxis | null;
  /** Names the chart for assistive technology (the data is also available as a table). */
  label: string;
  /** Counts: no fractional ticks. */
  integer?: boolean;
}) {
  // Few buckets: mark each point, so a value between two empty buckets is still visible.
  const dots = data.length <= 40 && { r: 2.5, strokeWidth: 0 };
  return (
    <div className="chart" role="figure" aria-label={label} style={{ height }}>
      <ResponsiveContainer width="100%" height="100%">
        <ComposedChart data={data as T[]} margin={{ top: 12, right: 12, bottom: 0, left: 0 }}>
          <defs>
            {series
              .filter((s) => s.kind === "area")
              .map((s) => (
                <linearGradient key={s.key} id={`fill-${s.key}`} x1="0" y1="0" x2="0" y2="1">
                  <stop offset="0%" stopColor={s.color} stopOpacity={0.28} />
                  <stop offset="100%" stopColor={s.color} stopOpacity={0.02} />
                </linearGradient>
              ))}
          </defs>
          <CartesianGrid stroke={AXIS.grid} strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="t"
            tickFormatter={(t: number) => timeTick(t, hourly, timeZone)}
            tick={{ fill: AXIS.text, fontSize: 11 }}
            tickLine={false}
            axisLine={{ stroke: AXIS.grid }}
            minTickGap={24}
            interval="preserveStartEnd"
          />
          <YAxis
            tickFormatter={formatTick ?? ((v: number) => formatValue(v))}
            tick={{ fill: AXIS.text, fontSize: 11 }}
            tickLine={false}
            axisLine={false}
            width={56}
            allowDecimals={!integer}
            {...(logScale ? { scale: "log" as const, domain: logScale.domain, ticks: logScale.ticks, interval: 0 } : {})}
          />
          <Tooltip
            cursor={{ stroke: AXIS.cursor, strokeWidth: 1 }}
            content={({ active, payload }) => {
              const row = payload?.[0]?.payload as T | undefined;
              if (!active || !row) return null;
              return (
                <ChartTooltipBox
                  title={bucketLabel(row.t, hourly, timeZone)}
                  rows={series.map((s) => ({ color: s.color, label: s.label, value: formatValue(row[s.key] as number | null) }))}
                />
              );
            }}
          />
          {thresholds.map((th) => (
            <ReferenceLine
              key={th.label}
              y={th.value}
              ifOverflow="extendDomain"
              stroke={THRESHOLD[th.level]}
              strokeDasharray="6 4"
              strokeWidth={1.25}
            />
          ))}
          {series.map((s) =>
            s.kind === "area" ? (
              <Area
                key={s.key}
                dataKey={s.key}
                name={s.label}
                type="linear"
                stroke={s.color}
                strokeWidth={2}
                fill={`url(#fill-${s.key})`}
                isAnimationActive={false}
                dot={dots && { ...dots, fill: s.color }}
                activeDot={{ r: 3.5 }}
              />
            ) : (
              <Line
                key={s.key}
                dataKey={s.key}
                name={s.label}
                type="linear"
                stroke={s.color}
                strokeWidth={2}
                strokeDasharray={s.dashed ? "4 3" : undefined}
                isAnimationActive={false}
                dot={dots && { ...dots, fill: s.color }}
                activeDot={{ r: 3.5 }}
              />
            ),
          )}
        </ComposedChart>
      </ResponsiveContainer>
    </div>
  );
}
