import { useCallback, useMemo, useSyncExternalStore, type KeyboardEvent } from "react";
import { getRouteApi } from "@tanstack/react-router";
import { useIsFetching, useQueryClient } from "@tanstack/react-query";
import { useMe } from "../../api/account";
import { scopeQuery, type ExportView, type ReportScope } from "../../api/reports";
import { PageHeader } from "../../components/page";
import { ChannelFilter } from "../../components/reports/channel-filter";
import { DemoSeedNotice } from "../../components/reports/demo-seed-notice";
import { DateRangePicker } from "../../components/reports/date-range-picker";
import { ExportButton, type ExportChoice } from "../../components/reports/export-button";
import { RefreshIcon } from "../../components/icons";
import { formatClock } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { DeliverabilityTab } from "./deliverability-tab";
import { EngagementTab } from "./engagement-tab";
import { MessagesTab } from "./messages-tab";
import { DEFAULT_TAB, rangeSpecOf, REPORT_TABS, type ReportsSearch, type ReportTab } from "./search";
import "../../components/reports/reports.css";

const route = getRouteApi("/authenticated/w/$slug/reports");

const TAB_LABELS: Record<ReportTab, string> = {
  messages: "Messages",
  deliverability: "Deliverability",
  engagement: "Engagement",
};

/** Changes a few search params; undefined removes one (back to its default). */
export type UpdateSearch = (patch: Partial<ReportsSearch>, opts?: { push?: boolean }) => void;

/** Reports: one page, three tabs, shared controls (range, channel, auto-refresh, export) kept in the URL. */
export function ReportsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const { workspace, can } = useWorkspace();
  const { weekStart } = useMe().user;
  const timeZone = useTimeZone();
  const queryClient = useQueryClient();
  const tab = search.tab ?? DEFAULT_TAB;

  const update = useCallback<UpdateSearch>(
    (patch, opts) => void navigate({ search: (prev) => ({ ...prev, ...patch }), replace: !opts?.push }),
    [navigate],
  );

  const scope: ReportScope = useMemo(
    () => ({
      orgId: workspace.id,
      range: rangeSpecOf(search),
      channel: search.channel,
      timeZone,
      weekStart,
      live: search.live === true,
    }),
    [workspace.id, search, timeZone, weekStart],
  );

  const fetching = useIsFetching({ queryKey: ["orgs", workspace.id] }) > 0;
  // When the figures on screen were last fetched: the newest answer among this workspace's queries.
  const updatedAt = useSyncExternalStore(
    (onChange) => queryClient.getQueryCache().subscribe(onChange),
    () => Math.max(0, ...queryClient.getQueryCache().findAll({ queryKey: ["orgs", workspace.id] }).map((q) => q.state.dataUpdatedAt)),
  );
  const refresh = () => {
    for (const area of ["reports", "messages", "events"]) void queryClient.invalidateQueries({ queryKey: ["orgs", workspace.id, area] });
  };

  const view = search.view ?? "messages";
  const choices: ExportChoice[] =
    tab === "messages"
      ? view === "events"
        ? [{ view: "events", label: "Event log" }]
        : [{ view: "messages", label: "Messages" }]
      : tab === "deliverability"
        ? [
            { view: "providers", label: "Deliverability by provider" },
            { view: "bounce-reasons", label: "Bounce reasons" },
          ]
        : [{ view: "templates", label: "Template performance" }];
  const exportQuery = (v: ExportView) => {
    const q: Record<string, string | number | undefined> = { ...scopeQuery(scope) };
    if (v === "messages") Object.assign(q, { status: search.status, recipientPrefix: search.recipient });
    if (v === "events") Object.assign(q, { types: search.types, recipientPrefix: search.eventRecipient });
    if (v === "providers") Object.assign(q, { sort: search.sort, dir: search.dir });
    return q;
  };

  const onTabKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = REPORT_TABS.indexOf(tab);
    const next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? REPORT_TABS.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const t = REPORT_TABS[(next + REPORT_TABS.length) % REPORT_TABS.length]!;
    update({ tab: t === DEFAULT_TAB ? undefined : t }, { push: true });
    document.getElementById(`report-tab-${t}`)?.focus();
  };

  return (
    <div className="reports-page">
      <PageHeader
        title="Reports"
        description="Every SES event for your managed identities: messages, deliverability and engagement."
        actions={can("reports.manage") ? <ExportButton orgId={workspace.id} choices={choices} query={exportQuery} /> : undefined}
      />

      <DemoSeedNotice />

      <div className="report-toolbar">
        <div className="report-tabs" role="tablist" aria-label="Report">
          {REPORT_TABS.map((t) => (
            <button
              key={t}
              id={`report-tab-${t}`}
              type="button"
              role="tab"
              aria-selected={tab === t}
              aria-controls="report-panel"
              tabIndex={tab === t ? 0 : -1}
              className="report-tab"
              onClick={() => update({ tab: t === DEFAULT_TAB ? undefined : t }, { push: true })}
              onKeyDown={onTabKey}
            >
              {TAB_LABELS[t]}
            </button>
          ))}
        </div>
        <div className="report-controls" role="group" aria-label="Report filters">
          <DateRangePicker
            value={scope.range}
            timeZone={timeZone}
            weekStart={weekStart}
            onChange={(r) => update({ range: r.range === "7d" ? undefined : r.range, from: r.from, to: r.to })}
          />
          <ChannelFilter orgId={workspace.id} value={search.channel} onChange={(channel) => update({ channel })} />
          <label className="switch live-switch" title="Refresh the figures every 30 seconds">
            <input
              type="checkbox"
              role="switch"
              checked={scope.live}
              onChange={(e) => update({ live: e.target.checked ? true : undefined })}
            />
            <span>Auto-refresh</span>
            {scope.live && <span className="live-dot" aria-label="on, every 30 seconds" />}
          </label>
          {scope.live && updatedAt > 0 && (
            <span className="updated-at" aria-live="off">
              Updated {formatClock(updatedAt, timeZone)}
            </span>
          )}
          <button type="button" className="btn btn-ghost btn-sm refresh-btn" onClick={refresh} aria-label="Refresh now" title="Refresh now">
            <RefreshIcon className={fetching ? "spin" : undefined} />
          </button>
        </div>
      </div>

      <div id="report-panel" role="tabpanel" aria-labelledby={`report-tab-${tab}`} className="report-panel">
        {tab === "messages" && <MessagesTab scope={scope} search={search} update={update} />}
        {tab === "deliverability" && <DeliverabilityTab scope={scope} search={search} update={update} />}
        {tab === "engagement" && <EngagementTab scope={scope} update={update} />}
      </div>
      <p className="subtle report-tz">
        Times and day boundaries in {timeZone.replace(/_/g, " ")}; weeks start on {weekStart === "monday" ? "Monday" : "Sunday"}.
      </p>
    </div>
  );
}
