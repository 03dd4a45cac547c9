import type { ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { InboxIcon, SearchIcon, type IconComponent } from "./icons";
import { QueryError, queryFailure, type QueryLike } from "./query-error";

/** The shared loading, empty and error states every page uses. */

export function LoadingState({ label = "Loading…" }: { label?: string }) {
  return (
    <div className="state" role="status" aria-live="polite">
      <div className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function FullPageLoading() {
  return (
    <div className="fullscreen-center" role="status" aria-live="polite">
      <div className="spinner" aria-hidden="true" />
      <span className="sr-only">Loading SendOps…</span>
    </div>
  );
}

export function EmptyState({
  icon: Icon = InboxIcon,
  title,
  children,
  action,
}: {
  icon?: IconComponent;
  title: string;
  children?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="state">
      <div className="state-icon">
        <Icon size={20} />
      </div>
      <h3>{title}</h3>
      {children && <p>{children}</p>}
      {action}
    </div>
  );
}

/** The empty state of a filtered list: nothing matches, with a button that clears the filters. */
export function NoMatchesState({ title, onClear, children }: { title: string; onClear: () => void; children?: ReactNode }) {
  return (
    <EmptyState
      icon={SearchIcon}
      title={title}
      action={
        <button type="button" className="btn btn-sm" onClick={onClear}>
          Clear filters
        </button>
      }
    >
      {children}
    </EmptyState>
  );
}

/**
 * Renders a query's three states uniformly: loading, error (with retry), empty (when `isEmpty` says
 * so), then the data.
 */
export function QueryView<T>({
  query,
  loadingLabel,
  errorTitle,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  loadingLabel?: string;
  errorTitle?: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  // isError as well, so that TypeScript knows `data` is there below.
  if (query.isError || queryFailure(query)) return <QueryError query={query} title={errorTitle ?? "Could not load this"} />;
  if (query.isPending) return <LoadingState label={loadingLabel} />;
  if (isEmpty?.(query.data) && empty) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

/** The parts of a keyset-paged (infinite) query that a list renders. */
export interface PagedQuery extends QueryLike {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  fetchNextPage: () => unknown;
}

/** The "Load more" footer of a keyset-paged list while there is a next page; a failed one says so, with Retry. */
export function LoadMore({ query }: { query: PagedQuery }) {
  if (!query.hasNextPage) return null;
  return (
    <div className="list-footer">
      {queryFailure(query, true) ? (
        <QueryError query={query} nextPage inline title="Could not load more." />
      ) : (
        <button type="button" className="btn" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
          {query.isFetchingNextPage && <span className="spinner" aria-hidden="true" />}
          Load more
        </button>
      )}
    </div>
  );
}

/**
 * QueryView for a keyset-paged list: loading, error (with retry), `empty` when no rows, then the rows,
 * followed by "Load more".
 */
export function PagedQueryView<T>({
  query,
  rows,
  loadingLabel,
  errorTitle,
  empty,
  children,
}: {
  query: PagedQuery;
  rows: T[];
  loadingLabel: string;
  errorTitle: string;
  empty: ReactNode;
  children: (rows: T[]) => ReactNode;
}) {
  if (queryFailure(query)) return <QueryError query={query} title={errorTitle} />;
  if (query.isPending) return <LoadingState label={loadingLabel} />;
  if (!rows.length) return <>{empty}</>;
  return (
    <>
      {children(rows)}
      <LoadMore query={query} />
    </>
  );
}
