import { Fragment, useState } from "react";
import { useRejectedPayloads, type RejectedPayload } from "../../api/ingest";
import { ChevronRightIcon, FileWarningIcon } from "../../components/icons";
import { IngestHeader } from "../../components/ingest/ingest-header";
import { bodyPreview, PayloadBlock, prettyBody } from "../../components/ingest/payload";
import { Card } from "../../components/page";
import { EmptyState, ErrorState, LoadingState } from "../../components/states";
import { formatBytes } from "../../lib/format";
import { formatDateTime } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";

const STATUS_LABEL: Record<number, string> = { 400: "400 Invalid event", 413: "413 Too large" };

/** Ingest → Rejected payloads: request bodies the webhook refused (400/413), which EventBridge never retries. */
export function RejectedPayloadsPage() {
  const scope = useWorkspace();
  const tz = useTimeZone();
  const list = useRejectedPayloads(scope.workspace.id);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];

  let body;
  if (list.isPending) body = <LoadingState label="Loading rejected payloads…" />;
  else if (list.isError)
    body = <ErrorState error={list.error} title="Could not load the rejected payloads" onRetry={() => void list.refetch()} />;
  else if (!rows.length)
    body = (
      <EmptyState icon={FileWarningIcon} title="No rejected payloads">
        When EventBridge sends something SendOps cannot process — not JSON, not an SES event, a required field such as
        mail.messageId missing, or a body over 256 KB — the webhook answers 400 or 413, which EventBridge does not retry. The raw
        body and the reason land here, so nothing is lost silently.
      </EmptyState>
    );
  else body = <RejectedTable rows={rows} timeZone={tz} />;

  return (
    <div className="stack">
      <IngestHeader
        scope={scope}
        title="Rejected payloads"
        description="Requests to the webhook that were not a readable SES event. EventBridge does not retry them, so each body is kept here with the reason, newest first, for as long as your plan keeps events."
      />
      <Card flush>
        {body}
        {list.hasNextPage && (
          <div className="list-footer">
            <button type="button" className="btn" onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
              {list.isFetchingNextPage && <span className="spinner" aria-hidden="true" />}
              Load more
            </button>
          </div>
        )}
        {list.isFetchNextPageError && (
          <ErrorState error={list.error} title="Could not load more" onRetry={() => void list.fetchNextPage()} />
        )}
      </Card>
      <p className="subtle">Times are shown in {tz.replace(/_/g, " ")}.</p>
    </div>
  );
}

function RejectedTable({ rows, timeZone }: { rows: RejectedPayload[]; timeZone: string }) {
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const toggle = (id: string) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  return (
    <div className="table-wrap">
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Received</th>
            <th scope="col">Reason</th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col">Body</th>
            <th scope="col">
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const expanded = open.has(r.id);
            return (
              <Fragment key={r.id}>
                <tr>
                  <td className="muted nowrap">
                    <time dateTime={new Date(r.receivedAt).toISOString()}>{formatDateTime(r.receivedAt, timeZone)}</time>
                  </td>
                  <td className="cell-reason">
                    <span className={`badge ${r.status === 413 ? "badge-warning" : "badge-danger"}`}>{r.status}</span>
                    <span className="reason-text" title={r.reason}>
                      {r.reason}
                    </span>
                  </td>
                  <td className="num muted">{r.truncated ? `> ${formatBytes(r.bodyBytes)}` : formatBytes(r.bodyBytes)}</td>
                  <td className="cell-clip cell-preview mono">{r.body ? bodyPreview(r.body) : <em>empty body</em>}</td>
                  <td className="cell-actions">
                    <button
                      type="button"
                      className="btn btn-ghost btn-sm expand-btn"
                      aria-expanded={expanded}
                      aria-controls={`rejected-${r.id}`}
                      onClick={() => toggle(r.id)}
                    >
                      <ChevronRightIcon />
                      Body
                    </button>
                  </td>
                </tr>
                {expanded && (
                  <tr className="details-row" id={`rejected-${r.id}`}>
                    <td colSpan={5}>
                      <RejectedDetails row={r} />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function RejectedDetails({ row }: { row: RejectedPayload }) {
  const pretty = prettyBody(row.body);
  return (
    <div className="details-stack">
      <dl>
        <dt>Status</dt>
        <dd>{STATUS_LABEL[row.status] ?? row.status}</dd>
        <dt>Reason</dt>
        <dd>{row.reason}</dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(row.bodyBytes)}
          {row.truncated && " received; only the first 256 KB are kept"}
        </dd>
      </dl>
      <PayloadBlock label={pretty.json ? "Body (JSON, pretty-printed)" : "Body (raw)"} text={pretty.text} what="body" />
    </div>
  );
}
