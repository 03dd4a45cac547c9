import { useState } from "react";
import { useCreateChannel, type Channel } from "../../api/channels";
import { fieldError, FormError, SubmitButton, TextField } from "../../components/form";
import { Modal } from "../../components/modal";
import type { ChannelPurpose } from "../../../../worker/db/schema";
import {
  CHANNEL_CONFIGURATION_SET_PREFIX,
  CHANNEL_NAME_MAX,
  CHANNEL_PURPOSE_LABELS,
  configurationSetNameFor,
  PURPOSE_PRESETS,
  type ChannelSettings,
} from "../../../../worker/lib/channels";
import { SettingsControls, settingsSummary } from "./settings-controls";

const PURPOSE_HELP: Record<ChannelPurpose, string> = {
  default: "General-purpose channel for all email types",
  transactional: "Password resets, receipts, and system notifications",
  marketing: "Newsletters, promotions, and campaigns",
  onboarding: "Welcome emails and activation flows",
  custom: "Custom channel with manual configuration",
};

const PURPOSES = Object.keys(CHANNEL_PURPOSE_LABELS) as ChannelPurpose[];
const STEPS = ["Details", "Settings", "Review"] as const;

/** New Channel: Details (name, purpose) → Settings (pre-filled by the purpose) → Review → Create Channel. */
export function NewChannelWizard({ orgId, open, onClose, onCreated }: { orgId: string; open: boolean; onClose: () => void; onCreated: (c: Channel) => void }) {
  const create = useCreateChannel(orgId);
  const [step, setStep] = useState(0);
  const [name, setName] = useState("");
  const [purpose, setPurpose] = useState<ChannelPurpose>("custom");
  const [settings, setSettings] = useState<ChannelSettings>(PURPOSE_PRESETS.custom);
  const [presetOf, setPresetOf] = useState<ChannelPurpose>("custom");
  const setName_ = configurationSetNameFor(name);
  const nameProblem = name.trim() !== "" && setName_ === CHANNEL_CONFIGURATION_SET_PREFIX ? "Use at least one letter or digit." : undefined;

  const close = () => {
    onClose();
    setStep(0);
    setName("");
    setPurpose("custom");
    setSettings(PURPOSE_PRESETS.custom);
    setPresetOf("custom");
    create.reset();
  };
  const next = () => {
    if (step === 0) {
      // A new purpose pre-fills its settings; coming back with the same purpose keeps the edits.
      if (presetOf !== purpose) {
        setSettings(PURPOSE_PRESETS[purpose]);
        setPresetOf(purpose);
      }
      setStep(1);
    } else if (step === 1) setStep(2);
    else create.mutate({ name: name.trim(), purpose, settings }, { onSuccess: (c) => (close(), onCreated(c)) });
  };

  return (
    <Modal
      open={open}
      title={`New Channel · ${STEPS[step]}`}
      onClose={close}
      onSubmit={next}
      footer={
        <>
          {step > 0 ? (
            <button type="button" className="btn" onClick={() => setStep(step - 1)}>
              Back
            </button>
          ) : (
            <button type="button" className="btn" onClick={close}>
              Cancel
            </button>
          )}
          <SubmitButton pending={create.isPending} disabled={name.trim() === "" || nameProblem !== undefined}>
            {step === 2 ? "Create Channel" : "Next"}
          </SubmitButton>
        </>
      }
    >
      <ol className="wizard-steps" aria-label="Steps">
        {STEPS.map((s, i) => (
          <li key={s} aria-current={i === step ? "step" : undefined} className={i <= step ? "done" : undefined}>
            {s}
          </li>
        ))}
      </ol>
      {step === 0 && (
        <div className="stack-sm">
          <TextField
            label="Name"
            value={name}
            onValueChange={setName}
            maxLength={CHANNEL_NAME_MAX}
            autoFocus
            required
            hint={
              <>
                SES configuration set: <span className="mono">{name.trim() ? setName_ : `${CHANNEL_CONFIGURATION_SET_PREFIX}…`}</span>
              </>
            }
            error={fieldError(create.error, "name", nameProblem)}
          />
          <fieldset className="purpose-options">
            <legend className="field-label">Purpose</legend>
            {PURPOSES.map((p) => (
              <label key={p} className="checkbox">
                <input type="radio" name="purpose" value={p} checked={purpose === p} onChange={() => setPurpose(p)} />
                <span>
                  <strong>{CHANNEL_PURPOSE_LABELS[p]}</strong> <span className="muted">— {PURPOSE_HELP[p]}</span>
                </span>
              </label>
            ))}
          </fieldset>
        </div>
      )}
      {step === 1 && (
        <div className="stack-sm">
          <p className="muted">Pre-filled for {CHANNEL_PURPOSE_LABELS[purpose]}. Adjust any of them before creating the channel.</p>
          <SettingsControls settings={settings} onChange={(patch) => setSettings({ ...settings, ...patch })} blocker={null} />
        </div>
      )}
      {step === 2 && (
        <div className="stack-sm">
          <dl className="review-list">
            <dt>Name</dt>
            <dd>{name.trim()}</dd>
            <dt>Purpose</dt>
            <dd>{CHANNEL_PURPOSE_LABELS[purpose]}</dd>
            <dt>SES config set</dt>
            <dd className="mono">{setName_}</dd>
            {settingsSummary(settings).map(([k, v]) => (
              <div key={k} className="review-pair">
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          <p className="muted">Creates the configuration set in your AWS account, with an EventBridge event destination for SendOps.</p>
          <FormError error={create.error} fieldNames={[]} />
        </div>
      )}
    </Modal>
  );
}
