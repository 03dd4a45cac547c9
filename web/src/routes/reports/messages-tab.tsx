import { useEffect, useId, useState, type ReactNode } from "react";
import { useEventLog, useMessages, type EventRow, type MessageRow, type ReportScope } from "../../api/reports";
import { ApiError } from "../../api/client";
import { SearchIcon } from "../../components/icons";
import { QueryError, queryFailure, type QueryLike } from "../../components/query-error";
import { EmptyState, LoadMore, NoMatchesState } from "../../components/states";
import { EVENT_TYPES, EventBadge, MESSAGE_STATUS_OPTIONS, StatusBadge } from "../../components/reports/status-badge";
import { formatDuration } from "../../lib/format";
import { formatDateTime, formatStamp } from "../../lib/time";
import { useDebounced } from "../../lib/use-debounced";
import { useWorkspace } from "../../workspace";
import { MessageDrawer } from "./message-detail";
import type { UpdateSearch } from "./index";
import type { MessageView, ReportsSearch } from "./search";

/** Messages tab: the Messages list and the Event Log, sharing the page's range and channel. */
export function MessagesTab({ scope, search, update }: { scope: ReportScope; search: ReportsSearch; update: UpdateSearch }) {
  const view: MessageView = search.view ?? "messages";
  return (
    <div className="stack">
      <div className="segmented" role="radiogroup" aria-label="View">
        {(
          [
            ["messages", "Messages"],
            ["events", "Event Log"],
          ] as const
        ).map(([v, label]) => (
          <label key={v}>
            <input
              type="radio"
              name="messages-view"
              checked={view === v}
              onChange={() => update({ view: v === "messages" ? undefined : v }, { push: true })}
            />
            {label}
          </label>
        ))}
      </div>
      {view === "messages" ? <MessagesList scope={scope} search={search} update={update} /> : <EventLog scope={scope} search={search} update={update} />}
      <MessageDrawer orgId={scope.orgId} id={search.message} live={scope.live} timeZone={scope.timeZone} onClose={() => update({ message: undefined })} />
    </div>
  );
}

/** A search box whose value reaches the URL once typing pauses. */
function RecipientSearch({ value, onChange, id }: { value: string | undefined; onChange: (v: string | undefined) => void; id: string }) {
  const [text, setText] = useState(value ?? "");
  const debounced = useDebounced(text.trim(), 400);
  useEffect(() => setText(value ?? ""), [value]);
  useEffect(() => {
    if ((debounced || undefined) !== value) onChange(debounced || undefined);
    // Only a pause in typing pushes the value; `value` changing from outside resets the text above.
  }, [debounced]);
  return (
    <div className="field search-field">
      <label className="field-label" htmlFor={id}>
        Recipient
      </label>
      <div className="input-icon">
        <SearchIcon />
        <input
          id={id}
          className="input"
          type="search"
          inputMode="email"
          autoComplete="off"
          spellCheck={false}
          placeholder="An address or its beginning, e.g. jane"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </div>
    </div>
  );
}

function ListBody<T>({
  query,
  rows,
  filtered,
  searched,
  clear,
  emptyTitle,
  emptyText,
  children,
  loadingLabel,
}: {
  query: QueryLike;
  rows: readonly T[];
  filtered: boolean;
  /** The recipient search, when one is applied. */
  searched: string | undefined;
  clear: () => void;
  emptyTitle: string;
  emptyText: ReactNode;
  children: ReactNode;
  loadingLabel: string;
}) {
  if (queryFailure(query)) {
    const title = query.error instanceof ApiError && query.error.status === 403 ? "Not allowed" : "Could not load this list";
    return <QueryError query={query} title={title} />;
  }
  if (query.isPending)
    return (
      <div className="table-skeleton" role="status" aria-label={loadingLabel}>
        {Array.from({ length: 8 }, (_, i) => (
          <div key={i} className="skeleton" />
        ))}
      </div>
    );
  if (!rows.length)
    return filtered ? (
      <NoMatchesState title="Nothing matches these filters" onClear={clear}>
        {searched ? `No recipient address starts with “${searched}” in this range. ` : ""}Try a longer date range, another channel or
        fewer filters.
      </NoMatchesState>
    ) : (
      <EmptyState title={emptyTitle}>{emptyText}</EmptyState>
    );
  return <>{children}</>;
}

function Time({ at, timeZone }: { at: number; timeZone: string }) {
  return (
    <time dateTime={new Date(at).toISOString()} title={formatDateTime(at, timeZone)}>
      {formatStamp(at, timeZone)}
    </time>
  );
}

/** The key moments after sending, as compact chips: what happened and when (relative to the send). */
function Milestones({ m }: { m: MessageRow }) {
  const after = (at: number) => formatDuration(Math.max(0, at - m.sentAt));
  const chips: [string, string, string][] = [];
  if (m.deliveredAt !== null) chips.push(["ok", "Delivered", m.latencyMs !== null ? formatDuration(m.latencyMs) : after(m.deliveredAt)]);
  if (m.firstOpenAt !== null) chips.push(["info", "Opened", after(m.firstOpenAt)]);
  if (m.firstClickAt !== null) chips.push(["info", "Clicked", after(m.firstClickAt)]);
  if (m.bouncedAt !== null) chips.push(["bad", "Bounced", after(m.bouncedAt)]);
  if (m.complainedAt !== null) chips.push(["warn", "Complained", after(m.complainedAt)]);
  if (m.rejectedAt !== null) chips.push(["bad", "Rejected", after(m.rejectedAt)]);
  if (!chips.length) return <span className="subtle">Awaiting events</span>;
  return (
    <ul className="milestones" aria-label="Events after sending">
      {chips.map(([tone, label, when]) => (
        <li key={label} className={`milestone milestone-${tone}`}>
          {label} <span>+{when}</span>
        </li>
      ))}
    </ul>
  );
}

function MessagesList({ scope, search, update }: { scope: ReportScope; search: ReportsSearch; update: UpdateSearch }) {
  const { can } = useWorkspace();
  const canSearch = can("recipient_search.view");
  const ids = useId();
  const recipient = canSearch ? search.recipient : undefined;
  const status = MESSAGE_STATUS_OPTIONS.some((o) => o.value === search.status) ? search.status : undefined;
  const list = useMessages(scope, { status, recipientPrefix: recipient });
  const rows = list.data?.pages.flatMap((p) => p.messages) ?? [];
  const open = (id: string) => update({ message: id }, { push: true });

  return (
    <section className={`card${list.isPlaceholderData ? " is-stale" : ""}`} aria-label="Messages">
      <div className="list-filters" role="search" aria-label="Filter messages">
        <div className="field">
          <label className="field-label" htmlFor={`${ids}-status`}>
            Status
          </label>
          <select id={`${ids}-status`} className="select" value={status ?? ""} onChange={(e) => update({ status: e.target.value || undefined })}>
            <option value="">All statuses</option>
            {MESSAGE_STATUS_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {canSearch && <RecipientSearch id={`${ids}-recipient`} value={search.recipient} onChange={(v) => update({ recipient: v })} />}
      </div>
      <ListBody
        query={list}
        rows={rows}
        filtered={Boolean(status || recipient)}
        searched={recipient}
        clear={() => update({ status: undefined, recipient: undefined })}
        emptyTitle="No messages in this range"
        emptyText="Messages appear here as SES reports events for your managed identities."
        loadingLabel="Loading messages"
      >
        <div className="table-wrap">
          <table className="table report-table clickable-rows">
            <caption className="sr-only">Messages, newest first. Choose a recipient to open the message's timeline.</caption>
            <thead>
              <tr>
                <th scope="col">Status</th>
                <th scope="col">Recipient</th>
                <th scope="col">Subject</th>
                <th scope="col">Sent</th>
                <th scope="col">After sending</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => (
                <tr key={m.id} onClick={() => open(m.id)} className={search.message === m.id ? "selected" : undefined}>
                  <td>
                    <StatusBadge status={m.status} />
                  </td>
                  <td className="cell-recipient">
                    <button type="button" className="row-link" onClick={(e) => (e.stopPropagation(), open(m.id))}>
                      {m.recipient}
                    </button>
                    <div className="cell-secondary">
                      {m.provider}
                      {m.channel && ` · ${m.channel.name}`}
                    </div>
                  </td>
                  <td className="cell-clip">
                    <div className="cell-subject">{m.subject ?? <span className="subtle">(no subject)</span>}</div>
                    {m.template && <div className="cell-secondary">{m.template}</div>}
                  </td>
                  <td className="muted nowrap">
                    <Time at={m.sentAt} timeZone={scope.timeZone} />
                  </td>
                  <td>
                    <Milestones m={m} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <LoadMore query={list} />
      </ListBody>
    </section>
  );
}

function EventLog({ scope, search, update }: { scope: ReportScope; search: ReportsSearch; update: UpdateSearch }) {
  const { can } = useWorkspace();
  const canSearch = can("recipient_search.view");
  const ids = useId();
  const known = new Set<string>(EVENT_TYPES.map((e) => e.type));
  const types = (search.types ?? "").split(",").filter((t) => known.has(t));
  const recipient = canSearch ? search.eventRecipient : undefined;
  const log = useEventLog(scope, { types, recipientPrefix: recipient });
  const rows = log.data?.pages.flatMap((p) => p.events) ?? [];

  const toggle = (type: string) => {
    const next = types.includes(type) ? types.filter((t) => t !== type) : [...types, type];
    update({ types: next.length ? next.join(",") : undefined });
  };

  return (
    <section className={`card${log.isPlaceholderData ? " is-stale" : ""}`} aria-label="Event log">
      <div className="list-filters" role="search" aria-label="Filter events">
        <fieldset className="type-filter">
          <legend className="field-label">Event types</legend>
          <div className="chips">
            {EVENT_TYPES.map((e) => (
              <button key={e.type} type="button" className="chip" aria-pressed={types.includes(e.type)} onClick={() => toggle(e.type)}>
                {e.label}
              </button>
            ))}
            {types.length > 0 && (
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => update({ types: undefined })}>
                All types
              </button>
            )}
          </div>
        </fieldset>
        {canSearch && <RecipientSearch id={`${ids}-recipient`} value={search.eventRecipient} onChange={(v) => update({ eventRecipient: v })} />}
      </div>
      <ListBody
        query={log}
        rows={rows}
        filtered={Boolean(types.length || recipient)}
        searched={recipient}
        clear={() => update({ types: undefined, eventRecipient: undefined })}
        emptyTitle="No events in this range"
        emptyText="Every SES event for your managed identities appears here, newest first."
        loadingLabel="Loading events"
      >
        <div className="table-wrap">
          <table className="table report-table clickable-rows">
            <caption className="sr-only">Events, newest first. Choose a recipient to open the message's timeline.</caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Recipient</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((e: EventRow) => (
                <tr key={e.id} onClick={() => update({ message: e.messageId }, { push: true })}>
                  <td className="muted nowrap">
                    <Time at={e.at} timeZone={scope.timeZone} />
                  </td>
                  <td>
                    <EventBadge type={e.type} />
                  </td>
                  <td className="cell-recipient">
                    <button
                      type="button"
                      className="row-link"
                      onClick={(ev) => (ev.stopPropagation(), update({ message: e.messageId }, { push: true }))}
                    >
                      {e.recipient}
                    </button>
                    <div className="cell-secondary">
                      {e.provider}
                      {e.channel && ` · ${e.channel.name}`}
                    </div>
                  </td>
                  <td className="cell-clip">
                    <div className="cell-summary">{e.summary}</div>
                    {e.template && <div className="cell-secondary">{e.template}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <LoadMore query={log} />
      </ListBody>
    </section>
  );
}
