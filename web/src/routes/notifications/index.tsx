import { useNavigate, useSearch } from "@tanstack/react-router";
import { blockerFor } from "../../lib/blocker";
import { Alert } from "../../components/alert";
import { PageHeader } from "../../components/page";
import { Tabs } from "../../components/tabs";
import { useWorkspace } from "../../workspace";
import { InboxTab } from "./inbox";
import { PreferencesTab, TeamTab } from "./preferences";
import { PresetsTab } from "./presets";
import "./notifications.css";

export const NOTIFICATION_TABS = ["inbox", "preferences", "presets", "team"] as const;
export type NotificationTab = (typeof NOTIFICATION_TABS)[number];

export const validateNotificationsSearch = (search: Record<string, unknown>): { tab?: NotificationTab } =>
  NOTIFICATION_TABS.includes(search.tab as NotificationTab) && search.tab !== "inbox" ? { tab: search.tab as NotificationTab } : {};

const LABELS: Record<NotificationTab, string> = { inbox: "Inbox", preferences: "Preferences", presets: "Presets", team: "Team" };

/** Notifications: Inbox, Preferences, Presets and (Owners and Org Admins) Team. */
export function NotificationsPage() {
  const scope = useWorkspace();
  const { tab = "inbox" } = useSearch({ from: "/authenticated/w/$slug/notifications" });
  const navigate = useNavigate({ from: "/w/$slug/notifications" });
  const tabs = NOTIFICATION_TABS.filter((t) => t !== "team" || scope.can("team.view")).map((id) => ({ id, label: LABELS[id] }));
  const current = tabs.some((t) => t.id === tab) ? tab : "inbox";
  return (
    <div className="stack">
      <PageHeader title="Notifications" description="Alerts about deliverability, your SES account, channels, templates, billing and your team — and how each reaches you." />
      {scope.workspace.isDemo && (
        <Alert variant="locked" title="The demo workspace is read-only">
          Its inbox is yours to read and mark; switch to your workspace to change preferences and presets.
        </Alert>
      )}
      {!scope.workspace.isDemo && !scope.can("notifications.own_preferences") && (
        <Alert variant="locked" title="Your role is read-only">
          {blockerFor(scope, "notifications.own_preferences", "change their notification preferences")} You can read your inbox and see your preferences and the presets.
        </Alert>
      )}
      <Tabs label="Notifications" tabs={tabs} value={current} onChange={(t) => void navigate({ search: t === "inbox" ? {} : { tab: t }, replace: true })}>
        {current === "inbox" && <InboxTab />}
        {current === "preferences" && <PreferencesTab />}
        {current === "presets" && <PresetsTab />}
        {current === "team" && <TeamTab />}
      </Tabs>
    </div>
  );
}
