import { useState } from "react";
import { useNavigate } from "@tanstack/react-router";
import { errorMessage } from "../../api/client";
import { useInbox, useMarkAllRead, useMarkNotifications, type InboxFilters, type InboxItem } from "../../api/notifications";
import { SelectField } from "../../components/form";
import { BellIcon } from "../../components/icons";
import { Card } from "../../components/page";
import { EmptyState, NoMatchesState, PagedQueryView } from "../../components/states";
import { useToast } from "../../components/toast";
import { formatDateTime, formatStamp } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { NOTIFICATION_CATEGORIES, NOTIFICATION_CATEGORY_KEYS, NOTIFICATION_SEVERITIES, NOTIFICATION_TYPES } from "../../../../worker/lib/notification-types";
import { SEVERITY_LABELS } from "./severity";

const NO_FILTERS: InboxFilters = { category: "", severity: "" };

/** Notifications → Inbox: newest first; a click marks it read and opens its page. */
export function InboxTab() {
  const { workspace } = useWorkspace();
  const tz = useTimeZone();
  const notify = useToast();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<InboxFilters>(NO_FILTERS);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const inbox = useInbox(workspace.id, filters);
  const mark = useMarkNotifications(workspace.id);
  const markAll = useMarkAllRead(workspace.id);
  const rows = inbox.data?.pages.flatMap((p) => p.data) ?? [];
  const unread = inbox.data?.pages[0]?.unread ?? 0;
  const filtered = filters.category !== "" || filters.severity !== "";

  const fail = (err: unknown) => notify(errorMessage(err), "error");
  const open = (n: InboxItem) => {
    if (n.readAt === null) mark.mutate({ ids: [n.id], read: true }, { onError: fail });
    void navigate({ href: `/w/${workspace.slug}/${n.link}` });
  };
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const markSelected = (read: boolean) =>
    mark.mutate({ ids: [...selected], read }, { onSuccess: () => setSelected(new Set()), onError: fail });

  return (
    <Card flush>
      <div className="inbox-toolbar">
        <div className="inbox-filters" role="search" aria-label="Filter notifications">
          <SelectField
            label="Category"
            value={filters.category}
            onValueChange={(v) => setFilters((f) => ({ ...f, category: v as InboxFilters["category"] }))}
            options={[{ value: "", label: "All categories" }, ...NOTIFICATION_CATEGORY_KEYS.map((c) => ({ value: c, label: NOTIFICATION_CATEGORIES[c].label }))]}
          />
          <SelectField
            label="Severity"
            value={filters.severity}
            onValueChange={(v) => setFilters((f) => ({ ...f, severity: v as InboxFilters["severity"] }))}
            options={[{ value: "", label: "All severities" }, ...NOTIFICATION_SEVERITIES.map((s) => ({ value: s, label: SEVERITY_LABELS[s] }))]}
          />
        </div>
        <div className="inbox-actions">
          {selected.size > 0 ? (
            <>
              <span className="muted">{selected.size} selected</span>
              <button type="button" className="btn btn-sm" onClick={() => markSelected(true)} disabled={mark.isPending}>
                Mark read
              </button>
              <button type="button" className="btn btn-sm" onClick={() => markSelected(false)} disabled={mark.isPending}>
                Mark unread
              </button>
            </>
          ) : (
            <span className="muted" aria-live="polite">
              {unread === 0 ? "All read" : `${unread} unread`}
            </span>
          )}
          <button type="button" className="btn btn-sm" onClick={() => markAll.mutate(undefined, { onError: fail })} disabled={unread === 0 || markAll.isPending}>
            Mark all read
          </button>
        </div>
      </div>
      <PagedQueryView
        query={inbox}
        rows={rows}
        loadingLabel="Loading notifications…"
        errorTitle="Could not load your notifications"
        empty={
          filtered ? (
            <NoMatchesState title="No notifications match these filters" onClear={() => setFilters(NO_FILTERS)} />
          ) : (
            <EmptyState icon={BellIcon} title="No notifications yet">
              Alerts about this workspace appear here as SendOps raises them.
            </EmptyState>
          )
        }
      >
        {(list) => (
          <ul className="inbox-list" aria-label="Notifications">
            {list.map((n) => (
              <li key={n.id} className={`inbox-item${n.readAt === null ? " unread" : ""}`}>
                <input
                  type="checkbox"
                  className="inbox-check"
                  aria-label={`Select ${n.title}`}
                  checked={selected.has(n.id)}
                  onChange={() => toggle(n.id)}
                />
                <button type="button" className="inbox-open" onClick={() => open(n)}>
                  <span className="inbox-dot" aria-hidden="true" />
                  {n.readAt === null && <span className="sr-only">Unread:</span>}
                  <span className="inbox-text">
                    <span className="inbox-title">{n.title}</span>
                    <span className="inbox-body">{n.body}</span>
                    <span className="inbox-meta">
                      <span className={`badge severity-${n.severity}`}>{SEVERITY_LABELS[n.severity]}</span>
                      <span>{NOTIFICATION_CATEGORIES[n.category].label}</span>
                      <span>·</span>
                      <span>{NOTIFICATION_TYPES[n.type].label}</span>
                    </span>
                  </span>
                  <time className="inbox-time" dateTime={new Date(n.createdAt).toISOString()} title={formatDateTime(n.createdAt, tz)}>
                    {formatStamp(n.createdAt, tz)}
                  </time>
                </button>
              </li>
            ))}
          </ul>
        )}
      </PagedQueryView>
    </Card>
  );
}
