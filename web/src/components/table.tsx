import { Fragment, useState, type Key, type ReactNode } from "react";
import { ChevronRightIcon } from "./icons";

/**
 * The dashboard's list table: `head` is the header row's cells, `children` the body rows. A table wider
 * than its card scrolls inside it; `className` sets a table's own column widths.
 */
export function Table({ head, label, className, children }: { head: ReactNode; label?: string; className?: string; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className={className ? `table ${className}` : "table"} aria-label={label}>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** A column header only assistive technology reads (a column of buttons). */
export function HiddenHeader({ label }: { label: string }) {
  return (
    <th scope="col">
      <span className="sr-only">{label}</span>
    </th>
  );
}

/**
 * Table rows that each open a details row below them. `row` renders a row and places the button that
 * opens it (`expandButton(label)`) where it belongs; `details` renders the details row's content.
 */
export function ExpandableRows<T>({
  rows,
  rowKey,
  detailsId,
  colSpan,
  row,
  details,
}: {
  rows: T[];
  rowKey: (row: T) => Key;
  /** The details row's id, which its button controls. */
  detailsId: (row: T) => string;
  colSpan: number;
  row: (row: T, expandButton: (label: string) => ReactNode) => ReactNode;
  details: (row: T) => ReactNode;
}) {
  const [open, setOpen] = useState<ReadonlySet<Key>>(new Set());
  const toggle = (key: Key) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });

  return rows.map((r) => {
    const key = rowKey(r);
    const expanded = open.has(key);
    const id = detailsId(r);
    const expandButton = (label: string) => (
      <button type="button" className="btn btn-ghost btn-sm expand-btn" aria-expanded={expanded} aria-controls={id} onClick={() => toggle(key)}>
        <ChevronRightIcon />
        {label}
      </button>
    );
    return (
      <Fragment key={key}>
        {row(r, expandButton)}
        {expanded && (
          <tr className="details-row" id={id}>
            <td colSpan={colSpan}>{details(r)}</td>
          </tr>
        )}
      </Fragment>
    );
  });
}
