import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { errorMessage } from "../../api/client";
import {
  useApplyPresetToMember,
  usePreferences,
  usePresets,
  useTeamPreferences,
  useUpdateMemberPreferences,
  useUpdatePreferences,
  type PreferenceChange,
  type PreferencesView,
} from "../../api/notifications";
import { SelectField } from "../../components/form";
import { LockIcon, UsersIcon } from "../../components/icons";
import { Card } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { useToast } from "../../components/toast";
import { blockerFor } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";
import { ROLE_LABELS } from "../../../../worker/auth/permissions";
import { DELIVERY_CHANNEL_LABELS, DELIVERY_CHANNELS, type DeliveryChannel } from "../../../../worker/lib/notification-preferences";
import { NOTIFICATION_CATEGORIES, NOTIFICATION_CATEGORY_KEYS, NOTIFICATION_TYPE_KEYS, NOTIFICATION_TYPES, type NotificationType } from "../../../../worker/lib/notification-types";
import { SEVERITY_LABELS } from "./severity";

const LOCKED_CHANNELS: readonly DeliveryChannel[] = ["in_app", "email"];

/**
 * The type × channel grid, grouped by category. Each toggle is saved as it changes (`onChange`);
 * always-delivered types show in-app and email locked on, with the reason.
 */
export function PreferenceGrid({
  view,
  onChange,
  blocker,
  who,
}: {
  view: PreferencesView;
  onChange: (change: PreferenceChange) => void;
  blocker: string | null;
  /** Names whose preferences these are in the toggles' accessible names (the Team tab). */
  who?: string;
}) {
  const locked = new Set<string>(view.locked);
  return (
    <div className="pref-grid-wrap">
      {view.locked.length > 0 && (
        <p className="pref-locked-note">
          <LockIcon size={14} /> {view.lockedReason}
        </p>
      )}
      {!view.slackConnected && (
        <p className="muted pref-slack-note">
          Slack toggles take effect once an Owner or Org Admin connects Slack under Connections → Integrations.
        </p>
      )}
      <table className="pref-grid">
        <thead>
          <tr>
            <th scope="col">Notification</th>
            {DELIVERY_CHANNELS.map((c) => (
              <th scope="col" key={c} className="pref-channel">
                {DELIVERY_CHANNEL_LABELS[c]}
              </th>
            ))}
          </tr>
        </thead>
        {NOTIFICATION_CATEGORY_KEYS.map((category) => (
          <tbody key={category}>
            <tr className="pref-category">
              <th scope="colgroup" colSpan={1 + DELIVERY_CHANNELS.length}>
                {NOTIFICATION_CATEGORIES[category].label}
              </th>
            </tr>
            {NOTIFICATION_TYPE_KEYS.filter((t) => NOTIFICATION_TYPES[t].category === category).map((type) => (
              <GridRow key={type} type={type} view={view} locked={locked.has(type)} onChange={onChange} blocker={blocker} who={who} />
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

function GridRow({
  type,
  view,
  locked,
  onChange,
  blocker,
  who,
}: {
  type: NotificationType;
  view: PreferencesView;
  locked: boolean;
  onChange: (change: PreferenceChange) => void;
  blocker: string | null;
  who?: string;
}) {
  const facts = NOTIFICATION_TYPES[type];
  return (
    <tr>
      <th scope="row" className="pref-type">
        <span className="pref-type-label">{facts.label}</span>
        <span className={`badge severity-${facts.severity}`}>{SEVERITY_LABELS[facts.severity]}</span>
      </th>
      {DELIVERY_CHANNELS.map((channel) => {
        const lockedOn = locked && LOCKED_CHANNELS.includes(channel);
        const on = lockedOn || view.preferences[type].includes(channel);
        const name = `${facts.label}: ${DELIVERY_CHANNEL_LABELS[channel]}${who ? ` for ${who}` : ""}`;
        return (
          <td key={channel} className="pref-channel" data-label={DELIVERY_CHANNEL_LABELS[channel]}>
            <input
              type="checkbox"
              aria-label={name}
              checked={on}
              disabled={lockedOn || blocker !== null}
              title={lockedOn ? view.lockedReason : (blocker ?? undefined)}
              onChange={(e) => onChange({ type, channel, enabled: e.target.checked })}
            />
          </td>
        );
      })}
    </tr>
  );
}

/** Notifications → Preferences: my own grid. */
export function PreferencesTab() {
  const scope = useWorkspace();
  const notify = useToast();
  const prefs = usePreferences(scope.workspace.id);
  const update = useUpdatePreferences(scope.workspace.id);
  // Every role sets its own preferences (the API's notifications.view); the demo stays read-only.
  const blocker = blockerFor(scope, "notifications.view", "change your notification preferences");
  return (
    <div className="stack">
      <Card title="Delivery preferences" description="Which notifications reach you, and where. Changes are saved as you make them.">
        <QueryView query={prefs} loadingLabel="Loading your preferences…" errorTitle="Could not load your preferences">
          {(view) => (
            <PreferenceGrid
              view={view}
              blocker={blocker}
              onChange={(change) => update.mutate([change], { onSuccess: () => notify("Saved."), onError: (err) => notify(errorMessage(err), "error") })}
            />
          )}
        </QueryView>
      </Card>
      {/* Alert thresholds (web/src/routes/notifications/thresholds.tsx, `AlertThresholds`) render here, below the grid. */}
    </div>
  );
}

/** Notifications → Team (Owners and Org Admins): each member's grid, changed on their behalf. */
export function TeamTab() {
  const scope = useWorkspace();
  const notify = useToast();
  const team = useTeamPreferences(scope.workspace.id, scope.can("team.view"));
  const presets = usePresets(scope.workspace.id);
  const update = useUpdateMemberPreferences(scope.workspace.id);
  const applyPreset = useApplyPresetToMember(scope.workspace.id);
  const [userId, setUserId] = useState<string>("");
  const blocker = blockerFor(scope, "team.manage", "change members' notification preferences");
  const fail = (err: unknown) => notify(errorMessage(err), "error");
  return (
    <QueryView
      query={team}
      loadingLabel="Loading the team's preferences…"
      errorTitle="Could not load the team's preferences"
      isEmpty={(members) => members.length === 0}
      empty={<EmptyState icon={UsersIcon} title="No members" />}
    >
      {(members) => {
        const member = members.find((m) => m.userId === userId) ?? members[0]!;
        return (
          <Card
            title="Team preferences"
            description={
              <>
                See and adjust what each member receives; every change is recorded in the{" "}
                <Link to="/w/$slug/audit-log" params={{ slug: scope.workspace.slug }}>
                  audit log
                </Link>
                .
              </>
            }
          >
            <div className="team-pref-controls">
              <SelectField
                label="Member"
                value={member.userId}
                onValueChange={setUserId}
                options={members.map((m) => ({ value: m.userId, label: `${m.name} (${ROLE_LABELS[m.role]})${m.customized ? "" : " — defaults"}` }))}
              />
              <SelectField
                label="Apply a preset"
                value=""
                disabled={blocker !== null || applyPreset.isPending}
                title={blocker ?? undefined}
                onValueChange={(presetId) =>
                  presetId &&
                  applyPreset.mutate({ userId: member.userId, presetId }, { onSuccess: () => notify(`Preset applied to ${member.name}.`), onError: fail })
                }
                options={[{ value: "", label: "Choose a preset…" }, ...(presets.data ?? []).map((p) => ({ value: p.id, label: p.name }))]}
              />
            </div>
            <PreferenceGrid
              view={member}
              who={member.name}
              blocker={blocker}
              onChange={(change) => update.mutate({ userId: member.userId, changes: [change] }, { onSuccess: () => notify(`Saved for ${member.name}.`), onError: fail })}
            />
          </Card>
        );
      }}
    </QueryView>
  );
}
