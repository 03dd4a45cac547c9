import type { ReactNode } from "react";
import {
  AUTO_PAUSE_NOTE,
  AUTO_VALIDATION_COST_NOTE,
  AUTO_VALIDATION_LABELS,
  AUTO_VALIDATION_LEVELS,
  MAX_DELIVERY_OPTIONS,
  SUPPRESSION_REASONS,
  TLS_POLICIES,
  TLS_POLICY_LABELS,
  TRACKING_COST_NOTE,
  type ChannelSettings,
} from "../../../../worker/lib/channels";

export const SUPPRESSION_REASON_LABELS: Record<(typeof SUPPRESSION_REASONS)[number], string> = { BOUNCE: "Bounces", COMPLAINT: "Complaints" };

/** One setting row: what it is, what it does, its control. */
function SettingRow({ title, help, children }: { title: string; help: ReactNode; children: ReactNode }) {
  return (
    <div className="setting-row">
      <div>
        <h3>{title}</h3>
        <p className="muted">{help}</p>
      </div>
      <div className="setting-control">{children}</div>
    </div>
  );
}

/**
 * The channel settings (product docs channels__managing-channels.md, and SendOps's auto-pause), as controls. The wizard edits
 * a draft with them; the detail page saves each change as it is made. `blocker` disables them all with
 * its reason; `busy` disables them while a change is saved.
 */
export function SettingsControls({
  settings,
  onChange,
  blocker,
  busy,
}: {
  settings: ChannelSettings;
  onChange: (patch: Partial<ChannelSettings>) => void;
  blocker: string | null;
  busy?: boolean;
}) {
  const disabled = blocker !== null || busy;
  const title = blocker ?? undefined;
  const reasons = settings.suppressedReasons;
  return (
    <div className="settings-list">
      <SettingRow title="Sending" help="When disabled, SES rejects every email sent through this channel's configuration set.">
        <label className="switch" title={title}>
          <input type="checkbox" role="switch" aria-label="Sending enabled" checked={settings.sendingEnabled} disabled={disabled} onChange={(e) => onChange({ sendingEnabled: e.target.checked })} />
          <span>{settings.sendingEnabled ? "Enabled" : "Disabled"}</span>
        </label>
      </SettingRow>
      <SettingRow title="TLS policy" help="Require: deliver only over TLS. Optional: try TLS, fall back to an unencrypted connection.">
        <div className="segmented" role="radiogroup" aria-label="TLS policy" title={title}>
          {TLS_POLICIES.map((p) => (
            <label key={p}>
              <input type="radio" name="tls-policy" value={p} checked={settings.tlsPolicy === p} disabled={disabled} onChange={() => onChange({ tlsPolicy: p })} />
              {TLS_POLICY_LABELS[p]}
            </label>
          ))}
        </div>
      </SettingRow>
      <SettingRow title="Max delivery duration" help="How long SES keeps trying to deliver a message before giving up.">
        <select
          className="select"
          aria-label="Max delivery duration"
          title={title}
          value={settings.maxDeliverySeconds}
          disabled={disabled}
          onChange={(e) => onChange({ maxDeliverySeconds: Number(e.target.value) as ChannelSettings["maxDeliverySeconds"] })}
        >
          {MAX_DELIVERY_OPTIONS.map((o) => (
            <option key={o.seconds} value={o.seconds}>
              {o.label}
            </option>
          ))}
        </select>
      </SettingRow>
      <SettingRow title="Auto validation" help={<>SES checks addresses before sending and drops those likely to bounce. {AUTO_VALIDATION_COST_NOTE}</>}>
        <div className="segmented" role="radiogroup" aria-label="Auto validation" title={title}>
          {AUTO_VALIDATION_LEVELS.map((level) => (
            <label key={level}>
              <input type="radio" name="auto-validation" value={level} checked={settings.autoValidation === level} disabled={disabled} onChange={() => onChange({ autoValidation: level })} />
              {AUTO_VALIDATION_LABELS[level]}
            </label>
          ))}
        </div>
      </SettingRow>
      <SettingRow title="Suppression override" help="Override the account-level suppression list with this channel's own reasons.">
        <div className="stack-sm">
          <label className="switch" title={title}>
            <input
              type="checkbox"
              role="switch"
              aria-label="Suppression override"
              checked={reasons !== null}
              disabled={disabled}
              onChange={(e) => onChange({ suppressedReasons: e.target.checked ? [...SUPPRESSION_REASONS] : null })}
            />
            <span>{reasons === null ? "Account-level list" : "Override"}</span>
          </label>
          {reasons !== null && (
            <div className="row" role="group" aria-label="Suppress addresses that">
              {SUPPRESSION_REASONS.map((r) => (
                <label key={r} className="checkbox" title={title}>
                  <input
                    type="checkbox"
                    checked={reasons.includes(r)}
                    disabled={disabled}
                    onChange={(e) => onChange({ suppressedReasons: e.target.checked ? SUPPRESSION_REASONS.filter((x) => x === r || reasons.includes(x)) : reasons.filter((x) => x !== r) })}
                  />
                  {SUPPRESSION_REASON_LABELS[r]}
                </label>
              ))}
            </div>
          )}
        </div>
      </SettingRow>
      <SettingRow title="Tracking" help={<>Open and click tracking for every identity on this channel. {TRACKING_COST_NOTE}</>}>
        <label className="switch" title={title}>
          <input type="checkbox" role="switch" aria-label="Tracking" checked={settings.trackingEnabled} disabled={disabled} onChange={(e) => onChange({ trackingEnabled: e.target.checked })} />
          <span>{settings.trackingEnabled ? "On" : "Off"}</span>
        </label>
      </SettingRow>
      <SettingRow title="Auto-pause" help={AUTO_PAUSE_NOTE}>
        <label className="switch" title={title}>
          <input type="checkbox" role="switch" aria-label="Auto-pause" checked={settings.autoPause} disabled={disabled} onChange={(e) => onChange({ autoPause: e.target.checked })} />
          <span>{settings.autoPause ? "On" : "Off"}</span>
        </label>
      </SettingRow>
    </div>
  );
}

/** The settings in words (the wizard's review). */
export function settingsSummary(s: ChannelSettings): [string, string][] {
  return [
    ["Sending", s.sendingEnabled ? "Enabled" : "Disabled"],
    ["TLS policy", TLS_POLICY_LABELS[s.tlsPolicy]],
    ["Max delivery duration", MAX_DELIVERY_OPTIONS.find((o) => o.seconds === s.maxDeliverySeconds)?.label ?? `${s.maxDeliverySeconds} s`],
    ["Auto validation", AUTO_VALIDATION_LABELS[s.autoValidation]],
    [
      "Suppression override",
      s.suppressedReasons === null ? "Off (account-level list)" : s.suppressedReasons.length ? s.suppressedReasons.map((r) => SUPPRESSION_REASON_LABELS[r]).join(", ") : "Nothing suppressed",
    ],
    ["Tracking", s.trackingEnabled ? "On" : "Off"],
    ["Auto-pause", s.autoPause ? "On" : "Off"],
  ];
}
