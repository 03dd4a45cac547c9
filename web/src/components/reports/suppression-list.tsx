import { useState } from "react";
import { Link } from "@tanstack/react-router";
import {
  useDeleteSuppression,
  useRefreshSuppressions,
  useSuppressions,
  useSuppressionSync,
  type Suppression,
  type SuppressionFilters,
  type SuppressionReason,
  type SuppressionSyncView,
} from "../../api/aws";
import { Alert } from "../alert";
import { FormError, SubmitButton } from "../form";
import { CloudIcon, RefreshIcon, ShieldCheckIcon } from "../icons";
import { GuardedButton } from "../guarded-button";
import { Modal } from "../modal";
import { Card } from "../page";
import { QueryError, queryFailure } from "../query-error";
import { EmptyState, LoadingState, LoadMore, NoMatchesState } from "../states";
import { HiddenHeader, Table } from "../table";
import { useToast } from "../toast";
import { blockerFor } from "../../lib/blocker";
import { formatCount } from "../../lib/format";
import { formatDateTime } from "../../lib/time";
import { useDebounced } from "../../lib/use-debounced";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import "../aws.css";

const REASON_LABELS: Record<SuppressionReason, string> = { BOUNCE: "Bounce", COMPLAINT: "Complaint" };

type SortColumn = SuppressionFilters["sort"];

function SortHeader({ label, column, filters, onSort }: { label: string; column: SortColumn; filters: SuppressionFilters; onSort: (c: SortColumn) => void }) {
  const active = filters.sort === column;
  return (
    <th scope="col" aria-sort={active ? (filters.order === "asc" ? "ascending" : "descending") : "none"}>
      <button type="button" className="sort-button" onClick={() => onSort(column)}>
        {label}
        <span aria-hidden="true">{active ? (filters.order === "asc" ? "▲" : "▼") : ""}</span>
      </button>
    </th>
  );
}

function SyncLine({ sync, onRefresh, refreshing }: { sync: SuppressionSyncView; onRefresh: () => void; refreshing: boolean }) {
  const tz = useTimeZone();
  return (
    <div className="sync-status" role="status">
      <span className="muted">
        {sync.running
          ? `Syncing from SES… ${formatCount(sync.progress)} read`
          : sync.lastSyncedAt
            ? `${formatCount(sync.count)} addresses · synced ${formatDateTime(sync.lastSyncedAt, tz)}`
            : "Not synced yet"}
      </span>
      <button type="button" className="btn btn-sm" onClick={onRefresh} disabled={sync.running || refreshing}>
        {(sync.running || refreshing) && <span className="spinner" aria-hidden="true" />}
        <RefreshIcon size={14} />
        Refresh
      </button>
    </div>
  );
}

/**
 * Reports → Deliverability: the SES account-level suppression list (SendOps' synced copy), searchable
 * and sortable; removing an address removes it in SES.
 */
export function SuppressionList() {
  const scope = useWorkspace();
  const { workspace, can: allowed } = scope;
  const tz = useTimeZone();
  const notify = useToast();
  const sync = useSuppressionSync(workspace.id);
  const refresh = useRefreshSuppressions(workspace.id);
  const remove = useDeleteSuppression(workspace.id);
  const [searchInput, setSearchInput] = useState("");
  const q = useDebounced(searchInput.trim());
  const [reason, setReason] = useState<SuppressionReason | "">("");
  const [sorting, setSorting] = useState<Pick<SuppressionFilters, "sort" | "order">>({ sort: "lastUpdate", order: "desc" });
  const filters: SuppressionFilters = { q, reason, ...sorting };
  const connected = sync.data?.connected ?? false;
  const list = useSuppressions(workspace.id, filters);
  const rows = list.data?.pages.flatMap((p) => p.data) ?? [];
  const [deleting, setDeleting] = useState<Suppression | null>(null);
  const blocker = blockerFor(scope, "suppressions.manage", "remove addresses");

  const onSort = (column: SortColumn) =>
    setSorting((s) => ({ sort: column, order: s.sort === column ? (s.order === "asc" ? "desc" : "asc") : column === "address" ? "asc" : "desc" }));
  const clear = () => {
    setSearchInput("");
    setReason("");
  };

  let body;
  if (queryFailure(sync)) body = <QueryError query={sync} title="Could not load the suppression list" />;
  else if (sync.isPending) body = <LoadingState label="Loading the suppression list…" />;
  else if (!connected)
    body = (
      <EmptyState icon={CloudIcon} title="AWS is not connected">
        The suppression list is read from your SES account.{" "}
        {allowed("aws.view") ? (
          <Link to="/w/$slug/aws-connection" params={{ slug: workspace.slug }}>
            Connect AWS
          </Link>
        ) : (
          "Ask an Owner, Org Admin or Infra Admin to connect AWS."
        )}
      </EmptyState>
    );
  else if (queryFailure(list)) body = <QueryError query={list} title="Could not load the suppression list" />;
  else if (list.isPending) body = <LoadingState label="Loading the suppression list…" />;
  else if (!rows.length)
    body =
      q || reason ? (
        <NoMatchesState title="No suppressed addresses match" onClear={clear} />
      ) : (
        <EmptyState icon={ShieldCheckIcon} title={sync.data?.running ? "Reading the list from SES…" : "The suppression list is empty"}>
          SES adds addresses here after hard bounces and complaints.
        </EmptyState>
      );
  else
    body = (
      <Table
        label="Suppressed addresses"
        head={
          <>
            <SortHeader label="Address" column="address" filters={filters} onSort={onSort} />
            <th scope="col">Reason</th>
            <SortHeader label="Last updated" column="lastUpdate" filters={filters} onSort={onSort} />
            <HiddenHeader label="Actions" />
          </>
        }
      >
        {rows.map((r) => (
          <tr key={r.email} data-email={r.email}>
            <td className="cell-primary mono">{r.email}</td>
            <td>
              <span className={`badge ${r.reason === "COMPLAINT" ? "badge-warning" : "badge-danger"}`}>{REASON_LABELS[r.reason]}</span>
            </td>
            <td className="muted">{formatDateTime(r.lastUpdateTime, tz)}</td>
            <td className="cell-actions">
              <GuardedButton
                blocker={blocker}
                className="btn btn-sm"
                label={`Remove ${r.email}`}
                onClick={() => {
                  remove.reset();
                  setDeleting(r);
                }}
              >
                Remove
              </GuardedButton>
            </td>
          </tr>
        ))}
      </Table>
    );

  return (
    <Card
      flush
      title="Suppression List"
      description="Addresses SES will not deliver to — its account-level list, after hard bounces and complaints."
      actions={sync.data?.connected && <SyncLine sync={sync.data} onRefresh={() => refresh.mutate()} refreshing={refresh.isPending} />}
    >
      {sync.data?.lastError && !sync.data.running && (
        <Alert variant="danger" title="The last sync failed">
          {sync.data.lastError}
        </Alert>
      )}
      {refresh.isError && <FormError error={refresh.error} />}
      {connected && (
        <div className="filters" role="search" aria-label="Filter the suppression list">
          <div className="field">
            <label className="field-label" htmlFor="sl-search">
              Search address
            </label>
            <input id="sl-search" className="input" type="search" placeholder="e.g. gmail.com" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} />
          </div>
          <div className="field">
            <label className="field-label" htmlFor="sl-reason">
              Reason
            </label>
            <select id="sl-reason" className="select" value={reason} onChange={(e) => setReason(e.target.value as SuppressionReason | "")}>
              <option value="">All reasons</option>
              <option value="BOUNCE">Bounce</option>
              <option value="COMPLAINT">Complaint</option>
            </select>
          </div>
        </div>
      )}
      {body}
      {connected && <LoadMore query={list} />}
      <Modal
        open={deleting !== null}
        title="Remove from the suppression list?"
        onClose={() => setDeleting(null)}
        onSubmit={() =>
          deleting &&
          remove.mutate(deleting.email, {
            onSuccess: (r) => {
              setDeleting(null);
              notify(r.removedFromSes ? `Removed ${r.email} from the SES suppression list.` : `${r.email} was already gone from SES; removed it here too.`);
            },
          })
        }
        footer={
          <>
            <button type="button" className="btn" onClick={() => setDeleting(null)}>
              Cancel
            </button>
            <SubmitButton pending={remove.isPending} variant="danger">
              Remove
            </SubmitButton>
          </>
        }
      >
        <p>
          SES will deliver to <strong className="mono">{deleting?.email}</strong> again. If the address still bounces or complains, SES
          adds it back.
        </p>
        <FormError error={remove.error} />
      </Modal>
    </Card>
  );
}
