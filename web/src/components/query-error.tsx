import { ApiError, errorMessage } from "../api/client";
import { AlertIcon } from "./icons";

/** The parts of a TanStack query (plain or paged) that its error state reads. */
export interface QueryLike {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  /** Showing another key's data (the previous filter's) while this one loads. */
  isPlaceholderData?: boolean;
  /** Failed attempts of the current fetch: above 0 while a failing request is being retried. */
  failureCount: number;
  failureReason: unknown;
  isFetching: boolean;
  refetch: () => unknown;
  /** Paged queries: a failed "Load more" is reported below the rows, not instead of them. */
  isFetchNextPageError?: boolean;
  isFetchingNextPage?: boolean;
  fetchNextPage?: () => unknown;
}

export interface QueryFailure {
  error: unknown;
  /** Fetching again (automatic retry, or Retry clicked): the button waits. */
  retrying: boolean;
}

const nextPageFailing = (q: QueryLike) => Boolean(q.isFetchNextPageError || (q.isFetchingNextPage && q.failureCount > 0));

/**
 * The one rule for when a query shows its error: once it has failed; and already while it retries after a
 * failure when what is on screen is not its own data (a spinner, or the previous filter's rows, faded) —
 * they would stay there for as long as a failing request is retried. With `nextPage`, the failure of a
 * paged query's "Load more" instead.
 */
export function queryFailure(q: QueryLike, nextPage = false): QueryFailure | null {
  if (nextPageFailing(q) !== nextPage) return null;
  if (q.isError) return { error: q.error, retrying: q.isFetching };
  if (q.isFetching && q.failureCount > 0 && (q.isPending || q.isPlaceholderData || nextPage)) return { error: q.failureReason, retrying: true };
  return null;
}

/** A 404: what was asked for is gone (deleted, or a stale link), so asking again cannot help. */
const isNotFound = (error: unknown) => error instanceof ApiError && error.status === 404;

/**
 * A query's error with a Retry button, or nothing while the query is fine. Every query of the dashboard
 * shows its failure through this component: in place of its content, or `inline` beside a control that
 * it feeds (a filter's options, a status badge). A 404 offers no Retry: the page keeps its own way back.
 */
export function QueryError({ query, title, inline, nextPage }: { query: QueryLike; title: string; inline?: boolean; nextPage?: boolean }) {
  const failure = queryFailure(query, nextPage);
  if (!failure) return null;
  const retry = isNotFound(failure.error) ? undefined : () => void (nextPage ? query.fetchNextPage?.() : query.refetch());
  if (!inline) return <ErrorState error={failure.error} title={title} onRetry={retry} retrying={failure.retrying} />;
  return (
    <div className="query-error-inline" role="alert">
      <AlertIcon />
      <span>
        <strong>{title}</strong> {errorMessage(failure.error)}
      </span>
      {retry && <RetryButton onRetry={retry} retrying={failure.retrying} />}
    </div>
  );
}

function RetryButton({ onRetry, retrying }: { onRetry: () => void; retrying: boolean }) {
  return (
    <button type="button" className="btn btn-sm" onClick={onRetry} disabled={retrying}>
      {retrying && <span className="spinner" aria-hidden="true" />}
      {retrying ? "Retrying…" : "Retry"}
    </button>
  );
}

/** An error in place of content, with its Retry: a query's (through QueryError) or a page's that failed to load. */
export function ErrorState({
  error,
  title = "Could not load this",
  onRetry,
  retrying = false,
}: {
  error: unknown;
  title?: string;
  onRetry?: () => void;
  retrying?: boolean;
}) {
  return (
    <div className="state state-error" role="alert">
      <div className="state-icon">
        <AlertIcon size={20} />
      </div>
      <h3>{title}</h3>
      <p>{errorMessage(error)}</p>
      {onRetry && <RetryButton onRetry={onRetry} retrying={retrying} />}
    </div>
  );
}
