import { useEffect, useState } from "react";
import { Link } from "@tanstack/react-router";
import {
  CONFIGURABLE_RULES,
  detectPreset,
  MAX_EVENTS,
  MAX_WINDOW_DAYS,
  MIN_EVENTS,
  MIN_WINDOW_DAYS,
  PRESETS,
  presetRules,
  REASONS,
  reasonLabel,
  rulesSchema,
  sameRules,
  type ConfigurableRule,
  type PresetName,
  type Rules,
} from "../../../worker/classification/rules";
import { usePreview, useRules, useSaveRules, type Preview, type RulesView } from "../api/undeliverable";
import { Alert } from "../components/alert";
import { FormError } from "../components/form";
import { GuardedButton } from "../components/guarded-button";
import { LockIcon } from "../components/icons";
import { Modal } from "../components/modal";
import { Card, PageHeader } from "../components/page";
import { QueryError, queryFailure, type QueryLike } from "../components/query-error";
import { QueryView } from "../components/states";
import { useToast } from "../components/toast";
import { blockerFor } from "../lib/blocker";
import { useDebounced } from "../lib/use-debounced";
import { useWorkspace } from "../workspace";

const PRESET_INFO: Record<PresetName | "custom", { label: string; text: string }> = {
  strict: { label: "Strict", text: "Locked rules only: permanent bounces, complaints, rejects." },
  standard: { label: "Standard", text: "Locked rules + repeated transient bounces (3 in 30 days). The default." },
  aggressive: { label: "Aggressive", text: "Standard + undetermined (2 in 14 days) + soft-bounce accumulation (5 in 14 days)." },
  custom: { label: "Custom", text: "Your own thresholds: the knobs below match no profile." },
};

const RULE_INFO: Record<ConfigurableRule, { title: string; counts: string }> = {
  repeated_transient: {
    title: "Repeated transient bounces",
    counts: "Transient bounces with sub-type General (accept-then-NDR receivers such as Mimecast, Office 365, Proofpoint).",
  },
  undetermined: { title: "Undetermined bounces", counts: "Bounces SES could not classify (bounce type Undetermined)." },
  soft_bounce_accumulation: {
    title: "Soft-bounce accumulation",
    counts: "Transient MailboxFull, MessageTooLarge, ContentRejected or AttachmentRejected. ChannelLimitExceeded never counts.",
  },
};

const LOCKED = [
  { title: "Permanent bounces", text: "Any sub-type (NoEmail, General, Suppressed, OnAccountSuppressionList, …)." },
  { title: "Complaints", text: "Required for compliance (CAN-SPAM, CASL, GDPR)." },
  { title: "Rejects", text: "SES already refused the send." },
];

export function UndeliverableRulesPage() {
  const { workspace } = useWorkspace();
  const rules = useRules(workspace.id);
  // Owned here, not by the editor: a save remounts the editor (new version), and the save's own
  // callbacks must survive that.
  const notify = useToast();
  const save = useSaveRules(workspace.id, (r) => notify(`Rules saved (version ${r.version}).`));
  return (
    <div className="stack">
      <PageHeader
        title="Classification Rules"
        description="Which bounce, complaint and reject signals put an address on the Undeliverable list."
        actions={
          <Link className="btn" to="/w/$slug/undeliverable" params={{ slug: workspace.slug }}>
            Back to the list
          </Link>
        }
      />
      <QueryView query={rules} loadingLabel="Loading the rules…" errorTitle="Could not load the rules">
        {(saved) => <RulesEditor key={saved.version} saved={saved} save={save} />}
      </QueryView>
    </div>
  );
}

type Draft = Record<ConfigurableRule, { enabled: boolean; events: string; windowDays: string }>;

const toDraft = (r: Rules): Draft =>
  Object.fromEntries(
    CONFIGURABLE_RULES.map((k) => [k, { enabled: r[k].enabled, events: String(r[k].events), windowDays: String(r[k].windowDays) }]),
  ) as Draft;

/** The draft as rules, or the first problem per field. */
function parseDraft(d: Draft): { rules: Rules | null; errors: Record<string, string> } {
  const candidate = Object.fromEntries(
    CONFIGURABLE_RULES.map((k) => [k, { enabled: d[k].enabled, events: Number(d[k].events || NaN), windowDays: Number(d[k].windowDays || NaN) }]),
  );
  const parsed = rulesSchema.safeParse(candidate);
  if (parsed.success) return { rules: parsed.data, errors: {} };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.join(".");
    errors[key] ??= issue.code === "invalid_type" ? "Enter a whole number." : issue.message;
  }
  return { rules: null, errors };
}

function RulesEditor({ saved, save }: { saved: RulesView; save: ReturnType<typeof useSaveRules> }) {
  const scope = useWorkspace();
  const { workspace } = scope;
  const blocker = blockerFor(scope, "undeliverable.configure", "change classification rules");
  const [draft, setDraft] = useState<Draft>(() => toDraft(saved.rules));
  const [pendingPreset, setPendingPreset] = useState<PresetName | null>(null);

  const { rules: candidate, errors } = parseDraft(draft);
  const dirty = candidate === null || !sameRules(candidate, saved.rules);
  const preset = candidate ? detectPreset(candidate) : "custom";
  // Re-fire the preview shortly after the knobs stop moving (well within the ~300 ms the docs promise).
  const previewRules = useDebounced(candidate, 150);
  const preview = usePreview(workspace.id, previewRules);

  useEffect(() => {
    if (!dirty) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const applyPreset = (name: PresetName) => {
    setDraft(toDraft(presetRules(name)));
    setPendingPreset(null);
  };
  const pickPreset = (name: PresetName) => {
    if (dirty) setPendingPreset(name);
    else applyPreset(name);
  };
  const setKnob = (rule: ConfigurableRule, patch: Partial<Draft[ConfigurableRule]>) =>
    setDraft((d) => ({ ...d, [rule]: { ...d[rule], ...patch } }));

  const onSave = () => candidate && save.mutate(candidate);

  return (
    <>
      {blocker && (
        <Alert variant="locked" title="View only">
          {blocker} You can explore the knobs and the preview; nothing is saved.
        </Alert>
      )}
      <div className="row" style={{ alignItems: "flex-start", gap: "1.5rem", flexWrap: "wrap" }}>
        <div className="stack grow" style={{ minWidth: "22rem", flexBasis: "34rem" }}>
          <Card title="Profile" description="Picking a profile resets every configurable rule to its defaults.">
            <div className="segmented" role="radiogroup" aria-label="Profile">
              {[...PRESETS, "custom" as const].map((p) => (
                <label key={p} title={PRESET_INFO[p].text}>
                  <input
                    type="radio"
                    name="preset"
                    value={p}
                    checked={preset === p}
                    disabled={p === "custom"}
                    onChange={() => p !== "custom" && pickPreset(p)}
                  />
                  {PRESET_INFO[p].label}
                </label>
              ))}
            </div>
            <p className="field-hint" data-testid="preset-text">
              {PRESET_INFO[preset].text}
            </p>
          </Card>

          <Card title="Always on" description="These rules cannot be disabled.">
            <ul className="stack-sm" style={{ listStyle: "none", margin: 0, padding: 0 }}>
              {LOCKED.map((l) => (
                <li key={l.title} className="row">
                  <LockIcon size={14} aria-label="Locked" />
                  <span>
                    <strong>{l.title}</strong> <span className="muted">— {l.text}</span>
                  </span>
                </li>
              ))}
            </ul>
          </Card>

          {CONFIGURABLE_RULES.map((rule) => (
            <Card key={rule} title={RULE_INFO[rule].title} description={RULE_INFO[rule].counts}>
              <div className="stack-sm">
                <label className="switch">
                  <input
                    type="checkbox"
                    role="switch"
                    aria-label={`${RULE_INFO[rule].title} on`}
                    checked={draft[rule].enabled}
                    onChange={(e) => setKnob(rule, { enabled: e.target.checked })}
                  />
                  <span>{draft[rule].enabled ? "On" : "Off"}</span>
                </label>
                <div className="form-grid">
                  <KnobField
                    id={`${rule}-events`}
                    label="Events"
                    min={MIN_EVENTS}
                    max={MAX_EVENTS}
                    value={draft[rule].events}
                    error={errors[`${rule}.events`]}
                    onChange={(v) => setKnob(rule, { events: v })}
                  />
                  <KnobField
                    id={`${rule}-window`}
                    label="Within (days)"
                    min={MIN_WINDOW_DAYS}
                    max={MAX_WINDOW_DAYS}
                    value={draft[rule].windowDays}
                    error={errors[`${rule}.windowDays`]}
                    onChange={(v) => setKnob(rule, { windowDays: v })}
                  />
                </div>
              </div>
            </Card>
          ))}

          <div className="form-actions">
            <span className="field-hint">
              Saved version <span className="mono">{saved.version}</span>
              {saved.updatedBy && <> by {saved.updatedBy}</>}
            </span>
            <button
              type="button"
              className="btn"
              disabled={!dirty}
              onClick={() => {
                setDraft(toDraft(saved.rules));
                save.reset();
              }}
            >
              Discard changes
            </button>
            <GuardedButton blocker={blocker} className="btn btn-primary" disabled={!dirty || candidate === null || save.isPending} onClick={onSave}>
              {save.isPending && <span className="spinner" aria-hidden="true" />}
              Save rules
            </GuardedButton>
          </div>
          <FormError error={save.error} />
        </div>

        <div className="stack" style={{ flexBasis: "20rem", position: "sticky", top: "1rem" }}>
          <PreviewPanel
            preview={preview.data}
            computing={!queryFailure(preview) && (candidate === null || preview.isFetching || !preview.data)}
            query={preview}
          />
        </div>
      </div>

      <Modal
        open={pendingPreset !== null}
        title="Discard unsaved changes?"
        onClose={() => setPendingPreset(null)}
        onSubmit={() => pendingPreset && applyPreset(pendingPreset)}
        footer={
          <>
            <button type="button" className="btn" onClick={() => setPendingPreset(null)}>
              Keep editing
            </button>
            <button type="submit" className="btn btn-primary">
              Apply {pendingPreset && PRESET_INFO[pendingPreset].label}
            </button>
          </>
        }
      >
        <p>Picking a profile resets every configurable rule to that profile's defaults. Your unsaved changes will be lost.</p>
      </Modal>
    </>
  );
}

function KnobField(props: { id: string; label: string; min: number; max: number; value: string; error?: string; onChange: (v: string) => void }) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={props.id}>
        {props.label}
      </label>
      <input
        id={props.id}
        className="input"
        type="number"
        inputMode="numeric"
        min={props.min}
        max={props.max}
        step={1}
        value={props.value}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={props.error ? `${props.id}-error` : undefined}
        onChange={(e) => props.onChange(e.target.value)}
      />
      {props.error ? (
        <span className="field-error" id={`${props.id}-error`}>
          {props.error}
        </span>
      ) : (
        <span className="field-hint">
          {props.min}–{props.max}
        </span>
      )}
    </div>
  );
}

function PreviewPanel({ preview, computing, query }: { preview: Preview | undefined; computing: boolean; query: QueryLike }) {
  return (
    <Card title="Live preview" description="Read-only: nothing changes until you save.">
      <div className="stack-sm" aria-live="polite" data-testid="preview">
        {computing && <p className="subtle">Computing…</p>}
        <QueryError query={query} inline title="The preview failed; your saved rules are unaffected." />
        {preview && (
          <>
            <div className="row-between">
              <span>Current list size</span>
              <strong data-testid="preview-current">{preview.currentSize.toLocaleString()}</strong>
            </div>
            <div className="row-between">
              <span>With these rules</span>
              <strong data-testid="preview-candidate">{preview.candidateSize.toLocaleString()}</strong>
            </div>
            <div className="row-between">
              <span>Change</span>
              <span data-testid="preview-delta">
                <span className="badge badge-danger">+{preview.added.toLocaleString()}</span>{" "}
                <span className="badge badge-success">−{preview.removed.toLocaleString()}</span>
              </span>
            </div>
            <h3 className="field-label">Breakdown</h3>
            <ul className="stack-sm" style={{ listStyle: "none", margin: 0, padding: 0 }}>
              {REASONS.map((r) => (
                <li key={r} className="row-between">
                  <span className="muted">{reasonLabel(r, null)}</span>
                  <span>{preview.breakdown[r].toLocaleString()}</span>
                </li>
              ))}
            </ul>
            {preview.sampleAdditions.length > 0 && (
              <details>
                <summary>Show sample additions</summary>
                <ul className="stack-sm" style={{ listStyle: "none", margin: "0.5rem 0 0", padding: 0 }}>
                  {preview.sampleAdditions.map((s) => (
                    <li key={s.email} className="row-between">
                      <span className="mono">{s.email}</span>
                      <span className="muted">
                        {s.events.toLocaleString()} events · {reasonLabel(s.reason, null)}
                      </span>
                    </li>
                  ))}
                </ul>
              </details>
            )}
          </>
        )}
      </div>
    </Card>
  );
}
