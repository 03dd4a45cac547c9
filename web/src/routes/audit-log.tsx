import { useState } from "react";
import type { Plan } from "../../../worker/db/schema";
import { operationLabel, resourceLabel } from "../../../worker/services/audit-vocabulary";
import { useAuditFacets, useAuditLog, type AuditEntry } from "../api/audit";
import { ScrollIcon } from "../components/icons";
import { QueryError } from "../components/query-error";
import { Card, PageHeader } from "../components/page";
import { EmptyState, NoMatchesState, PagedQueryView } from "../components/states";
import { ExpandableRows, HiddenHeader, Table } from "../components/table";
import { formatDateTime } from "../lib/time";
import { useDebounced } from "../lib/use-debounced";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";
import "./audit-log.css";

const RETENTION: Record<Plan, string> = { free: "7 days", team: "90 days", business: "1 year" };

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

  return (
    <div className="stack">
      <PageHeader
        title="Audit Log"
        description={`Every change made in this workspace. Entries cannot be edited or deleted and are kept for ${RETENTION[workspace.plan]} on your plan.`}
      />
      <Card flush>
        <div className="filters" role="search" aria-label="Filter the audit log">
          <FacetSelect
            id="audit-resource"
            label="Resource type"
            allLabel="All resources"
            value={resourceType}
            options={facets.data?.resourceTypes}
            labelOf={resourceLabel}
            onChange={setResourceType}
          />
          <FacetSelect
            id="audit-operation"
            label="Operation"
            allLabel="All operations"
            value={operation}
            options={facets.data?.operations}
            labelOf={operationLabel}
            onChange={setOperation}
          />
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
        <QueryError query={facets} inline title="Could not load the filter options." />
        <PagedQueryView
          query={log}
          rows={entries}
          loadingLabel="Loading the audit log…"
          errorTitle="Could not load the audit log"
          empty={
            filtered ? (
              <NoMatchesState title="No entries match these filters" onClear={clear} />
            ) : (
              <EmptyState icon={ScrollIcon} title="No activity yet">
                Changes made in this workspace will appear here.
              </EmptyState>
            )
          }
        >
          {(rows) => <AuditTable entries={rows} timeZone={tz} />}
        </PagedQueryView>
      </Card>
      <p className="subtle">Times are shown in {tz.replace(/_/g, " ")}.</p>
    </div>
  );
}

/** A filter over one facet of the log, its values by their labels; disabled until the facets have loaded. */
function FacetSelect({
  id,
  label: fieldLabel,
  allLabel,
  value,
  options,
  labelOf,
  onChange,
}: {
  id: string;
  label: string;
  allLabel: string;
  value: string;
  options: string[] | undefined;
  labelOf: (value: string) => string;
  onChange: (value: string) => void;
}) {
  const sorted = options && [...options].sort((a, b) => labelOf(a).localeCompare(labelOf(b)));
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {fieldLabel}
      </label>
      <select id={id} className="select" value={value} onChange={(e) => onChange(e.target.value)} disabled={!options}>
        <option value="">{allLabel}</option>
        {sorted?.map((v) => (
          <option key={v} value={v}>
            {labelOf(v)}
          </option>
        ))}
      </select>
    </div>
  );
}

/** The doc's columns (team__audit-log.md): Time, Actor, Resource, Operation, Summary; before/after on demand. */
function AuditTable({ entries, timeZone }: { entries: AuditEntry[]; timeZone: string }) {
  return (
    <Table
      head={
        <>
          <th scope="col">Time</th>
          <th scope="col">Actor</th>
          <th scope="col">Resource</th>
          <th scope="col">Operation</th>
          <th scope="col">Summary</th>
          <HiddenHeader label="Details" />
        </>
      }
    >
      <ExpandableRows
        rows={entries}
        rowKey={(e) => e.id}
        detailsId={(e) => `audit-${e.id}`}
        colSpan={6}
        row={(e, expandButton) => (
          <tr>
            <td className="muted nowrap">
              <time dateTime={new Date(e.at).toISOString()}>{formatDateTime(e.at, timeZone)}</time>
            </td>
            <td className="audit-actor">
              <div className="cell-primary">{e.actor.name}</div>
              <div className="cell-secondary">{e.actor.email}</div>
            </td>
            <td>
              <div>{resourceLabel(e.resourceType)}</div>
              <div className="cell-secondary mono audit-resource-id" title={e.resourceId}>
                {e.resourceId}
              </div>
            </td>
            <td>
              <span className={`badge ${OPERATION_BADGE[e.operation] ?? ""}`}>{operationLabel(e.operation)}</span>
            </td>
            <td className="audit-summary">{e.summary}</td>
            <td className="cell-actions">{(e.before !== null || e.after !== null) && expandButton("Changes")}</td>
          </tr>
        )}
        details={(e) => (
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
        )}
      />
    </Table>
  );
}
