/**
 * Chart colours. Series colours are fixed hues that read on the light and the dark theme; threshold
 * lines use the theme's warning and danger colours; grid and axis text follow the theme's tokens
 * (SVG presentation attributes accept CSS variables).
 */
export const SERIES = {
  indigo: "#6366f1",
  teal: "#14b8a6",
  amber: "#f59e0b",
  rose: "#f43f5e",
  sky: "#0ea5e9",
  violet: "#a855f7",
  slate: "#94a3b8",
} as const;

export const PALETTE = [SERIES.indigo, SERIES.teal, SERIES.amber, SERIES.rose, SERIES.sky, SERIES.violet, SERIES.slate];

export const THRESHOLD = {
  warning: "#d97706",
  critical: "#dc2626",
} as const;

export const AXIS = {
  grid: "var(--border)",
  text: "var(--text-subtle)",
  cursor: "var(--border-strong)",
} as const;
