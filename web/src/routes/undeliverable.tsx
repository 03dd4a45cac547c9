import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { REASONS, reasonLabel, type Reason } from "../../../worker/classification/rules";
import { exportUrl, useAllow, useRelist, useUndeliverable, type UndeliverableFilters, type UndeliverableRow } from "../api/undeliverable";
import { Alert } from "../components/alert";
import { FormError } from "../components/form";
import { GuardedButton } from "../components/guarded-button";
import { InboxIcon } from "../components/icons";
import { Modal } from "../components/modal";
import { Card, PageHeader } from "../components/page";
import { EmptyState, NoMatchesState, PagedQueryView } from "../components/states";
import { HiddenHeader, Table } from "../components/table";
import { useToast } from "../components/toast";
import { blockerFor } from "../lib/blocker";
import { formatDateTime, formatStamp } from "../lib/time";
import { useDebounced } from "../lib/use-debounced";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";

const STATUS_OPTIONS = [
  { value: "listed", label: "Listed" },
  { value: "excluded", label: "Excluded" },
  { value: "all", label: "All" },
] as const;

export function UndeliverablePage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const tz = useTimeZone();
  const blocker = blockerFor(scope, "undeliverable.manage", "allow or re-list addresses");
  const [searchInput, setSearchInput] = useState("");
  const search = useDebounced(searchInput.trim());
  const [status, setStatus] = useState<UndeliverableFilters["status"]>("listed");
  const [reason, setReason] = useState<Reason | "">("");
  const filters: UndeliverableFilters = { search, status, reason };
  const filtered = Boolean(search || reason || status !== "listed");

  const list = useUndeliverable(workspace.id, filters);
  const rows = list.data?.pages.flatMap((p) => p.rows) ?? [];
  const version = list.data?.pages[0]?.version;
  const [allowing, setAllowing] = useState<UndeliverableRow | null>(null);
  const [relisting, setRelisting] = useState<UndeliverableRow | null>(null);

  const clear = () => {
    setSearchInput("");
    setStatus("listed");
    setReason("");
  };

  return (
    <div className="stack">
      <PageHeader
        title="Undeliverable"
        description="Addresses whose bounces, complaints or rejects match your classification rules, and the ones you cleared."
        actions={
          <>
            <a className="btn" href={exportUrl(workspace.id, filters)} download>
              Export CSV
            </a>
            <Link className="btn btn-primary" to="/w/$slug/undeliverable/rules" params={{ slug: workspace.slug }}>
              Configure rules
            </Link>
          </>
        }
      />
      <Card flush>
        <div className="filters" role="search" aria-label="Filter the Undeliverable list">
          <div className="field">
            <label className="field-label" htmlFor="ul-search">
              Search email
            </label>
            <input
              id="ul-search"
              className="input"
              type="search"
              placeholder="e.g. acme"
              value={searchInput}
              onChange={(e) => setSearchInput(e.target.value)}
            />
          </div>
          <div className="field">
            <label className="field-label" htmlFor="ul-status">
              Status
            </label>
            <select id="ul-status" className="select" value={status} onChange={(e) => setStatus(e.target.value as UndeliverableFilters["status"])}>
              {STATUS_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor="ul-reason">
              Reason
            </label>
            <select id="ul-reason" className="select" value={reason} onChange={(e) => setReason(e.target.value as Reason | "")}>
              <option value="">All reasons</option>
              {REASONS.map((r) => (
                <option key={r} value={r}>
                  {reasonLabel(r, null)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <PagedQueryView
          query={list}
          rows={rows}
          loadingLabel="Loading the Undeliverable list…"
          errorTitle="Could not load the Undeliverable list"
          empty={
            filtered ? (
              <NoMatchesState title="No addresses match these filters" onClear={clear} />
            ) : (
              <EmptyState icon={InboxIcon} title="No undeliverable addresses">
                Addresses appear here when their bounces, complaints or rejects match your classification rules.
              </EmptyState>
            )
          }
        >
          {(listed) => (
            <Table
              className="undeliverable-table"
              head={
                <>
                  <th scope="col">Email</th>
                  <th scope="col">Status</th>
                  <th scope="col">Reason</th>
                  <th scope="col">Events</th>
                  <th scope="col">Last change</th>
                  <th scope="col">Last diagnostic</th>
                  <HiddenHeader label="Actions" />
                </>
              }
            >
              {listed.map((r) => (
                <tr key={r.email} data-email={r.email}>
                  <td className="cell-primary mono cell-email">{r.email}</td>
                  <td>
                    <span className={`badge ${r.status === "listed" ? "badge-danger" : "badge-success"}`}>
                      {r.status === "listed" ? "Listed" : "Excluded"}
                    </span>
                  </td>
                  <td className="cell-reason">{r.label ?? <span className="subtle">—</span>}</td>
                  <td>{r.events.toLocaleString()}</td>
                  <td className="muted nowrap">
                    <time dateTime={new Date(r.lastChange).toISOString()} title={formatDateTime(r.lastChange, tz)}>
                      {formatStamp(r.lastChange, tz)}
                    </time>
                  </td>
                  <td className="cell-secondary cell-diagnostic">
                    {r.status === "excluded" && r.note ? (
                      <span className="cell-clamp" title={r.excludedBy ? `Note by ${r.excludedBy}: ${r.note}` : r.note}>
                        {r.note}
                      </span>
                    ) : r.lastDiagnostic ? (
                      <span className="cell-clamp" title={r.lastDiagnostic}>
                        {r.lastDiagnostic}
                      </span>
                    ) : (
                      <span className="subtle">—</span>
                    )}
                  </td>
                  <td className="cell-actions">
                    {r.status === "listed" ? (
                      <GuardedButton blocker={blocker} className="btn btn-sm" title={`Allow delivery to ${r.email} again`} onClick={() => setAllowing(r)}>
                        Allow
                      </GuardedButton>
                    ) : (
                      <GuardedButton blocker={blocker} className="btn btn-sm" title={`Put ${r.email} back under the rules`} onClick={() => setRelisting(r)}>
                        Re-list
                      </GuardedButton>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </PagedQueryView>
      </Card>
      <p className="subtle">
        Times are shown in {tz.replace(/_/g, " ")}.{version && <> Rules version <span className="mono">{version}</span>.</>}
      </p>
      <AllowModal row={allowing} onClose={() => setAllowing(null)} />
      <RelistModal row={relisting} onClose={() => setRelisting(null)} />
    </div>
  );
}

function AllowModal({ row, onClose }: { row: UndeliverableRow | null; onClose: () => void }) {
  const { workspace } = useWorkspace();
  const notify = useToast();
  const allow = useAllow(workspace.id);
  const [note, setNote] = useState("");
  const close = () => {
    setNote("");
    allow.reset();
    onClose();
  };
  return (
    <Modal
      open={row !== null}
      title="Allow delivery"
      onClose={close}
      onSubmit={() =>
        row &&
        allow.mutate(
          { email: row.email, note: note.trim() || undefined },
          {
            onSuccess: () => {
              notify(`${row.email} is excluded: SendOps allows delivery to it again.`);
              close();
            },
          },
        )
      }
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={allow.isPending}>
            {allow.isPending && <span className="spinner" aria-hidden="true" />}
            Allow
          </button>
        </>
      }
    >
      <p>
        Clear <strong className="mono">{row?.email}</strong> from the list? It moves to Excluded at once. If it fails again, SendOps
        lists it again automatically.
      </p>
      <div className="field">
        <label className="field-label" htmlFor="ul-note">
          Note (optional)
        </label>
        <textarea
          id="ul-note"
          className="input textarea"
          rows={3}
          maxLength={500}
          placeholder="e.g. Customer fixed mailbox after IT migration"
          value={note}
          onChange={(e) => setNote(e.target.value)}
        />
        <span className="field-hint">Recorded in the audit log with your name.</span>
      </div>
      <FormError error={allow.error} />
    </Modal>
  );
}

function RelistModal({ row, onClose }: { row: UndeliverableRow | null; onClose: () => void }) {
  const { workspace } = useWorkspace();
  const notify = useToast();
  const relist = useRelist(workspace.id);
  const close = () => {
    relist.reset();
    onClose();
  };
  return (
    <Modal
      open={row !== null}
      title="Re-list address"
      onClose={close}
      onSubmit={() =>
        row &&
        relist.mutate(row.email, {
          onSuccess: (res) => {
            notify(res.row ? `${row.email} is listed again.` : `${row.email}'s exclusion was removed; no rule matches it now.`);
            close();
          },
        })
      }
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={relist.isPending}>
            Re-list
          </button>
        </>
      }
    >
      <p>
        Remove the exclusion of <strong className="mono">{row?.email}</strong>? It returns to the list if its qualifying events
        still match a rule.
      </p>
      {row?.note && <Alert title="Note recorded when it was allowed">{row.note}</Alert>}
      <FormError error={relist.error} />
    </Modal>
  );
}
