import { useId, useState, type ReactNode } from "react";
import { QueryError, queryFailure, type QueryLike } from "../query-error";
import { EmptyState } from "../states";
import { ChartIcon, TableIcon } from "../icons";

export type LoadState = QueryLike;

/**
 * A report section holding a chart, with the states every chart needs: loading (a skeleton the size of
 * the chart), error (with retry), empty, and a "Table" toggle that shows the same data as a table.
 */
export function ChartCard({
  title,
  description,
  state,
  isEmpty,
  emptyTitle = "No data for this range",
  emptyText,
  chart,
  table,
  footer,
  height = 240,
  actions,
}: {
  title: string;
  description?: ReactNode;
  state: LoadState;
  isEmpty: boolean;
  emptyTitle?: string;
  emptyText?: ReactNode;
  chart: () => ReactNode;
  table: () => ReactNode;
  footer?: ReactNode;
  height?: number;
  actions?: ReactNode;
}) {
  const [asTable, setAsTable] = useState(false);
  const headingId = useId();
  const failed = queryFailure(state) !== null;
  const ready = !state.isPending && !failed && !isEmpty;

  let body: ReactNode;
  if (failed) {
    body = <QueryError query={state} title={`Could not load ${title.toLowerCase()}`} />;
  } else if (state.isPending) {
    body = (
      <div className="chart-skeleton" style={{ height }} role="status" aria-label={`Loading ${title}`}>
        <div className="skeleton" />
      </div>
    );
  } else if (isEmpty) {
    body = (
      <EmptyState icon={ChartIcon} title={emptyTitle}>
        {emptyText ?? "Try a longer date range or another channel."}
      </EmptyState>
    );
  } else {
    body = asTable ? table() : chart();
  }

  return (
    <section
      className={`card chart-card${state.isPlaceholderData && !failed ? " is-stale" : ""}`}
      aria-labelledby={headingId}
      aria-busy={!failed && (state.isPending || state.isPlaceholderData)}
    >
      <div className="chart-card-header">
        <div className="grow">
          <h2 id={headingId}>{title}</h2>
          {description && <p>{description}</p>}
        </div>
        <div className="row">
          {actions}
          {ready && (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              aria-pressed={asTable}
              onClick={() => setAsTable((v) => !v)}
              title={asTable ? "Show as chart" : "Show as table"}
            >
              {asTable ? <ChartIcon /> : <TableIcon />}
              {asTable ? "Chart" : "Table"}
            </button>
          )}
        </div>
      </div>
      <div className={asTable && ready ? "chart-card-table" : "chart-card-body"}>{body}</div>
      {footer && ready && <div className="chart-card-footer">{footer}</div>}
    </section>
  );
}
