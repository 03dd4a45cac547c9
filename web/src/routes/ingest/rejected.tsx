import { INGEST_MAX_BODY_BYTES, REJECTED_PAYLOADS_KEPT, REJECTED_POSTS_RATE_LIMIT } from "../../../../worker/services/ingest/limits";
import { useIngestOverview, useRejectedPayloads, type RejectedPayload } from "../../api/ingest";
import { FileWarningIcon } from "../../components/icons";
import { IngestHeader } from "../../components/ingest/ingest-header";
import { bodyPreview, PayloadBlock, prettyBody } from "../../components/ingest/payload";
import { Card } from "../../components/page";
import { EmptyState, PagedQueryView } from "../../components/states";
import { ExpandableRows, HiddenHeader, Table } from "../../components/table";
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
  const overview = useIngestOverview(scope.workspace.id);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const discarded = overview.data?.counters.rejectedDiscarded ?? 0;

  return (
    <div className="stack">
      <IngestHeader
        scope={scope}
        title="Rejected payloads"
        description="Requests to the webhook that were not a readable SES event. EventBridge does not retry them, so each body is kept here with the reason, newest first."
      />
      <p className="subtle">
        The newest {REJECTED_PAYLOADS_KEPT.count} are kept, up to {formatBytes(REJECTED_PAYLOADS_KEPT.bytes)} in all, for as long as your plan keeps
        events; older ones are deleted as new ones arrive
        {discarded > 0 ? `: ${discarded.toLocaleString("en")} in the last ${overview.data!.counters.windowHours} hours` : ""}. A key that sends more than{" "}
        {REJECTED_POSTS_RATE_LIMIT.limit} of them a minute gets 429, which EventBridge retries later; valid events are never limited.
      </p>
      <Card flush>
        <PagedQueryView
          query={list}
          rows={rows}
          loadingLabel="Loading rejected payloads…"
          errorTitle="Could not load the rejected payloads"
          empty={
            <EmptyState icon={FileWarningIcon} title="No rejected payloads">
              When EventBridge sends something SendOps cannot process — not JSON, not an SES event, a required field such as
              mail.messageId missing, or a body over {formatBytes(INGEST_MAX_BODY_BYTES)} — the webhook answers 400 or 413, which EventBridge does not retry. The raw
              body and the reason land here, so nothing is lost silently.
            </EmptyState>
          }
        >
          {(payloads) => <RejectedTable rows={payloads} timeZone={tz} />}
        </PagedQueryView>
      </Card>
      <p className="subtle">Times are shown in {tz.replace(/_/g, " ")}.</p>
    </div>
  );
}

function RejectedTable({ rows, timeZone }: { rows: RejectedPayload[]; timeZone: string }) {
  return (
    <Table
      head={
        <>
          <th scope="col">Received</th>
          <th scope="col">Reason</th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col">Body</th>
          <HiddenHeader label="Details" />
        </>
      }
    >
      <ExpandableRows
        rows={rows}
        rowKey={(r) => r.id}
        detailsId={(r) => `rejected-${r.id}`}
        colSpan={5}
        row={(r, expandButton) => (
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
            <td className="num muted">{r.truncated && r.body ? `> ${formatBytes(r.bodyBytes)}` : formatBytes(r.bodyBytes)}</td>
            <td className="cell-clip cell-preview mono">{r.body ? bodyPreview(r.body) : <em>empty body</em>}</td>
            <td className="cell-actions">{expandButton("Body")}</td>
          </tr>
        )}
        details={(r) => <RejectedDetails row={r} />}
      />
    </Table>
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
          {row.truncated && (row.body ? ` received; only the first ${formatBytes(INGEST_MAX_BODY_BYTES)} are kept` : " declared (Content-Length); the body was not read")}
        </dd>
      </dl>
      <PayloadBlock label={pretty.json ? "Body (JSON, pretty-printed)" : "Body (raw)"} text={pretty.text} what="body" />
    </div>
  );
}
