import type { ReactNode } from "react";
import { InfoTip } from "../tooltip";

export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** Numbers are right-aligned with tabular figures. */
  numeric?: boolean;
  /** Set on sortable columns: the API's sort key. */
  sortKey?: string;
  /** What the column counts, when its name alone can mislead: an "i" next to the header. */
  info?: ReactNode;
}

export interface SortState {
  key: string | undefined;
  dir: "asc" | "desc";
}

/**
 * A plain, accessible data table: the chart fallbacks and the report tables share it. Sortable columns
 * render their header as a button and announce the order through aria-sort.
 */
export function DataTable<T>({
  columns,
  rows,
  rowKey,
  caption,
  sort,
  onSort,
  rowClassName,
}: {
  columns: readonly Column<T>[];
  rows: readonly T[];
  rowKey: (row: T, index: number) => string;
  caption: string;
  sort?: SortState;
  onSort?: (key: string) => void;
  rowClassName?: (row: T) => string | undefined;
}) {
  return (
    <div className="table-wrap">
      <table className="table report-table">
        <caption className="sr-only">{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const active = c.sortKey !== undefined && sort?.key === c.sortKey;
              return (
                <th
                  key={c.header}
                  scope="col"
                  className={c.numeric ? "num" : undefined}
                  aria-sort={active ? (sort!.dir === "asc" ? "ascending" : "descending") : c.sortKey ? "none" : undefined}
                >
                  {c.sortKey && onSort ? (
                    <button type="button" className={`sort-btn${active ? " active" : ""}`} onClick={() => onSort(c.sortKey!)}>
                      {c.header}
                      <span className="sort-arrow" aria-hidden="true">
                        {active ? (sort!.dir === "asc" ? "▲" : "▼") : "↕"}
                      </span>
                    </button>
                  ) : (
                    c.header
                  )}
                  {c.info && <InfoTip about={c.header}>{c.info}</InfoTip>}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            <tr key={rowKey(row, i)} className={rowClassName?.(row)}>
              {columns.map((c, ci) =>
                ci === 0 ? (
                  <th key={c.header} scope="row" className={c.numeric ? "num" : undefined}>
                    {c.cell(row)}
                  </th>
                ) : (
                  <td key={c.header} className={c.numeric ? "num" : undefined}>
                    {c.cell(row)}
                  </td>
                ),
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
