import type { ReactNode } from "react";
import type { UseQueryResult } from "@tanstack/react-query";
import { errorMessage } from "../api/client";
import { AlertIcon, InboxIcon, SearchIcon, type IconComponent } from "./icons";

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

export function ErrorState({
  error,
  title = "Could not load this",
  onRetry,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
}) {
  return (
    <div className="state state-error" role="alert">
      <div className="state-icon">
        <AlertIcon size={20} />
      </div>
      <h3>{title}</h3>
      <p>{errorMessage(error)}</p>
      {onRetry && (
        <button type="button" className="btn btn-sm" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
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
  if (query.isPending) return <LoadingState label={loadingLabel} />;
  if (query.isError) return <ErrorState error={query.error} title={errorTitle} onRetry={() => void query.refetch()} />;
  if (isEmpty?.(query.data) && empty) return <>{empty}</>;
  return <>{children(query.data)}</>;
}

/** The parts of a keyset-paged (infinite) query that a list renders. */
export interface PagedQuery {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  fetchNextPage: () => unknown;
}

/** The "Load more" footer of a keyset-paged list, shown while there is a next page. */
export function LoadMore({ query }: { query: Pick<PagedQuery, "hasNextPage" | "isFetchingNextPage" | "fetchNextPage"> }) {
  if (!query.hasNextPage) return null;
  return (
    <div className="list-footer">
      <button type="button" className="btn" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
        {query.isFetchingNextPage && <span className="spinner" aria-hidden="true" />}
        Load more
      </button>
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
  reportLoadMoreError,
  children,
}: {
  query: PagedQuery;
  rows: T[];
  loadingLabel: string;
  errorTitle: string;
  empty: ReactNode;
  /** Also show a failed "Load more" below the list, with its own retry. */
  reportLoadMoreError?: boolean;
  children: (rows: T[]) => ReactNode;
}) {
  let body;
  if (query.isPending) body = <LoadingState label={loadingLabel} />;
  else if (query.isError) body = <ErrorState error={query.error} title={errorTitle} onRetry={() => void query.refetch()} />;
  else if (!rows.length) body = empty;
  else body = children(rows);
  return (
    <>
      {body}
      <LoadMore query={query} />
      {reportLoadMoreError && query.isFetchNextPageError && (
        <ErrorState error={query.error} title="Could not load more" onRetry={() => void query.fetchNextPage()} />
      )}
    </>
  );
}
