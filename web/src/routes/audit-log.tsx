import { Fragment, useState } from "react";
import type { Plan } from "../../../worker/db/schema";
import { useAuditFacets, useAuditLog, type AuditEntry } from "../api/audit";
import { ChevronRightIcon, ScrollIcon, SearchIcon } from "../components/icons";
import { Card, PageHeader } from "../components/page";
import { EmptyState, ErrorState, LoadingState } from "../components/states";
import { formatDateTime } from "../lib/time";
import { useDebounced } from "../lib/use-debounced";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";

const RETENTION: Record<Plan, string> = { free: "7 days", team: "90 days", business: "1 year" };

const label = (v: string) => (v.charAt(0).toUpperCase() + v.slice(1)).replace(/[_-]/g, " ");

const OPERATION_BADGE: Record<string, string> = {
  created: "badge-success",
  deleted: "badge-danger",
  removed: "badge-danger",
  updated: "badge-primary",
};

export function AuditLogPage() {
  const { workspace } = useWorkspace();
  const tz = useTimeZone();
  const [resourceType, setResourceType] = useState("");
  const [operation, setOperation] = useState("");
  const [actorInput, setActorInput] = useState("");
  const actor = useDebounced(actorInput.trim());
  const filtered = Boolean(resourceType || operation || actor);

  const facets = useAuditFacets(workspace.id);
  const log = useAuditLog(workspace.id, { resourceType, operation, actor });
  const entries = log.data?.pages.flatMap((p) => p.entries) ?? [];

  const clear = () => {
    setResourceType("");
    setOperation("");
    setActorInput("");
  };

  let body;
  if (log.isPending) body = <LoadingState label="Loading the audit log…" />;
  else if (log.isError) body = <ErrorState error={log.error} title="Could not load the audit log" onRetry={() => void log.refetch()} />;
  else if (!entries.length)
    body = filtered ? (
      <EmptyState
        icon={SearchIcon}
        title="No entries match these filters"
        action={
          <button type="button" className="btn btn-sm" onClick={clear}>
            Clear filters
          </button>
        }
      />
    ) : (
      <EmptyState icon={ScrollIcon} title="No activity yet">
        Changes made in this workspace will appear here.
      </EmptyState>
    );
  else body = <AuditTable entries={entries} timeZone={tz} />;

  return (
    <div className="stack">
      <PageHeader
        title="Audit Log"
        description={`Every change made in this workspace. Entries cannot be edited or deleted and are kept for ${RETENTION[workspace.plan]} on your plan.`}
      />
      <Card flush>
        <div className="filters" role="search" aria-label="Filter the audit log">
          <div className="field">
            <label className="field-label" htmlFor="audit-resource">
              Resource type
            </label>
            <select
              id="audit-resource"
              className="select"
              value={resourceType}
              onChange={(e) => setResourceType(e.target.value)}
              disabled={!facets.data}
            >
              <option value="">All resources</option>
              {facets.data?.resourceTypes.map((v) => (
                <option key={v} value={v}>
                  {label(v)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor="audit-operation">
              Operation
            </label>
            <select
              id="audit-operation"
              className="select"
              value={operation}
              onChange={(e) => setOperation(e.target.value)}
              disabled={!facets.data}
            >
              <option value="">All operations</option>
              {facets.data?.operations.map((v) => (
                <option key={v} value={v}>
                  {label(v)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label className="field-label" htmlFor="audit-actor">
              Actor
            </label>
            <input
              id="audit-actor"
              className="input"
              type="search"
              placeholder="Search by name or email"
              value={actorInput}
              onChange={(e) => setActorInput(e.target.value)}
            />
          </div>
        </div>
        {body}
        {log.hasNextPage && (
          <div className="list-footer">
            <button type="button" className="btn" onClick={() => void log.fetchNextPage()} disabled={log.isFetchingNextPage}>
              {log.isFetchingNextPage && <span className="spinner" aria-hidden="true" />}
              Load more
            </button>
          </div>
        )}
      </Card>
      <p className="subtle">Times are shown in {tz.replace(/_/g, " ")}.</p>
    </div>
  );
}

function AuditTable({ entries, timeZone }: { entries: AuditEntry[]; timeZone: string }) {
  const [open, setOpen] = useState<Set<number>>(new Set());
  const toggle = (id: number) =>
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
            <th scope="col">Time</th>
            <th scope="col">Actor</th>
            <th scope="col">Change</th>
            <th scope="col">
              <span className="sr-only">Details</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const hasDiff = e.before !== null || e.after !== null;
            const expanded = open.has(e.id);
            return (
              <Fragment key={e.id}>
                <tr>
                  <td className="muted nowrap">
                    <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at, timeZone)}</time>
                  </td>
                  <td>
                    <div className="cell-primary">{e.actor.name}</div>
                    <div className="cell-secondary">{e.actor.email}</div>
                  </td>
                  <td className="audit-change">
                    <div>{e.summary}</div>
                    <div className="row cell-secondary">
                      <span className={`badge ${OPERATION_BADGE[e.operation] ?? ""}`}>{label(e.operation)}</span>
                      <span>{label(e.resourceType)}</span>
                      <span className="mono" title={e.resourceId}>
                        {e.resourceId}
                      </span>
                    </div>
                  </td>
                  <td className="cell-actions">
                    {hasDiff && (
                      <button
                        type="button"
                        className="btn btn-ghost btn-sm expand-btn"
                        aria-expanded={expanded}
                        aria-controls={`audit-${e.id}`}
                        onClick={() => toggle(e.id)}
                      >
                        <ChevronRightIcon />
                        Changes
                      </button>
                    )}
                  </td>
                </tr>
                {expanded && (
                  <tr className="details-row" id={`audit-${e.id}`}>
                    <td colSpan={4}>
                      <div className="diff">
                        <div>
                          <strong>Before</strong>
                          <pre>{e.before === null ? "—" : JSON.stringify(e.before, null, 2)}</pre>
                        </div>
                        <div>
                          <strong>After</strong>
                          <pre>{e.after === null ? "—" : JSON.stringify(e.after, null, 2)}</pre>
                        </div>
                      </div>
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
