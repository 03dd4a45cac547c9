import { useState, type FormEvent } from "react";
import { useAlertThresholds, useSaveChannelThresholds, useSaveIdentityThresholds, useSaveWorkspaceThresholds } from "../../api/alerts";
import { errorMessage } from "../../api/client";
import { Card } from "../../components/page";
import { FormError, SubmitButton, TextField } from "../../components/form";
import { QueryView } from "../../components/states";
import { useToast } from "../../components/toast";
import { useBlocker } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";
import { ALERT_RATES, RATE_LABELS, VOLUME_LABELS, type AlertThresholds as Thresholds } from "../../../../worker/lib/alert-thresholds";
import type { ThresholdsView } from "../../../../worker/services/alerts/thresholds";
import "./thresholds.css";

type Draft = Record<"bounceWarning" | "bounceCritical" | "complaintWarning" | "complaintCritical" | "minVolume", string>;

const draftOf = (t: Thresholds): Draft => ({
  bounceWarning: String(t.bounce.warning),
  bounceCritical: String(t.bounce.critical),
  complaintWarning: String(t.complaint.warning),
  complaintCritical: String(t.complaint.critical),
  minVolume: String(t.minVolume),
});

const thresholdsOf = (d: Draft): Thresholds => ({
  bounce: { warning: Number(d.bounceWarning), critical: Number(d.bounceCritical) },
  complaint: { warning: Number(d.complaintWarning), critical: Number(d.complaintCritical) },
  minVolume: Number(d.minVolume),
});

/** An identity whose sending domain's overrides are shown (its domain's identities share them). */
interface IdentityScope {
  id: string;
  domain: string;
}

/**
 * Alert thresholds (docs/alerts.md): the workspace's bounce and complaint levels and minimum volume, or —
 * with `channelId` — that channel's overrides, or — with `identity` — its sending domain's. Warning raises
 * the rate alert (and, for a channel, "health degraded"); critical pauses a channel that opted in to
 * auto-pause. Owners and Org Admins change them; everyone else sees them.
 */
export function AlertThresholds({ channelId, identity }: { channelId?: string; identity?: IdentityScope }) {
  const { workspace } = useWorkspace();
  const query = useAlertThresholds(workspace.id);
  return (
    <Card
      title="Alert thresholds"
      description={
        channelId
          ? "This channel's bounce and complaint alert levels. Without an override it follows the workspace's."
          : identity
            ? `The bounce and complaint alert levels of the sending domain ${identity.domain}, shared by its identities. Without an override it follows the workspace's.`
            : "When SendOps raises bounce and complaint alerts, for the workspace and every channel and sending domain without an override of its own."
      }
    >
      <QueryView query={query} loadingLabel="Loading the alert thresholds…" errorTitle="Could not load the alert thresholds">
        {(view) => <ThresholdsForm view={view} channelId={channelId} identity={identity} />}
      </QueryView>
    </Card>
  );
}

function ThresholdsForm({ view, channelId, identity }: { view: ThresholdsView; channelId?: string; identity?: IdentityScope }) {
  const { workspace } = useWorkspace();
  const notify = useToast();
  const blocker = useBlocker("alerts.configure", "change alert thresholds");
  const scoped = channelId ? view.channels.find((c) => c.channelId === channelId) : identity ? view.domains.find((d) => d.domain === identity.domain) : undefined;
  const overridable = channelId !== undefined || identity !== undefined;
  const initial = scoped?.effective ?? view.workspace;
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const [override, setOverride] = useState(scoped !== undefined);
  const saveWorkspace = useSaveWorkspaceThresholds(workspace.id);
  const saveChannel = useSaveChannelThresholds(workspace.id, channelId ?? "");
  const saveIdentity = useSaveIdentityThresholds(workspace.id, identity?.id ?? "");
  const mutation = channelId ? saveChannel : identity ? saveIdentity : saveWorkspace;
  const editable = blocker === null && (!overridable || override);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = thresholdsOf(draft);
    const done = { onSuccess: () => notify("Alert thresholds saved.", "success"), onError: (err: unknown) => notify(errorMessage(err), "error") };
    if (channelId) saveChannel.mutate(override ? t : {}, done);
    else if (identity) saveIdentity.mutate(override ? t : {}, done);
    else saveWorkspace.mutate(t, done);
  };
  const field = (name: keyof Draft, label: string, hint: string, step: string) => (
    <TextField
      label={label}
      hint={hint}
      type="number"
      inputMode="decimal"
      step={step}
      min={name === "minVolume" ? 1 : 0.01}
      max={name === "minVolume" ? undefined : 100}
      required
      value={draft[name]}
      disabled={!editable}
      title={blocker ?? undefined}
      onValueChange={(v) => setDraft((d) => ({ ...d, [name]: v }))}
    />
  );

  return (
    <form className="stack alert-thresholds" onSubmit={submit} aria-label="Alert thresholds">
      {overridable && (
        <label className="switch" title={blocker ?? undefined}>
          <input
            type="checkbox"
            role="switch"
            aria-label="Override the workspace's thresholds"
            checked={override}
            disabled={blocker !== null}
            onChange={(e) => {
              setOverride(e.target.checked);
              if (!e.target.checked) setDraft(draftOf(view.workspace));
            }}
          />
          <span>{override ? (channelId ? "This channel's own thresholds" : "This sending domain's own thresholds") : "Following the workspace's thresholds"}</span>
        </label>
      )}
      {ALERT_RATES.map((rate) => (
        <fieldset key={rate} className="stack-sm">
          <legend>{RATE_LABELS[rate]}</legend>
          <div className="row wrap">
            {field(`${rate}Warning`, "Warning (%)", `Alert at this ${RATE_LABELS[rate].toLowerCase()}. Default ${view.defaults[rate].warning}%.`, "0.01")}
            {field(`${rate}Critical`, "Critical (%)", `Auto-pause opted-in channels. Default ${view.defaults[rate].critical}%.`, "0.01")}
          </div>
        </fieldset>
      ))}
      {field(
        "minVolume",
        "Minimum volume",
        `A rate is judged only over at least this many ${VOLUME_LABELS.bounce} (bounce rate) or ${VOLUME_LABELS.complaint} (complaint rate) in 24 hours. Default ${view.defaults.minVolume}.`,
        "1",
      )}
      <FormError error={mutation.error} />
      {blocker === null && (
        <div className="row">
          <SubmitButton pending={mutation.isPending}>Save thresholds</SubmitButton>
        </div>
      )}
      {blocker !== null && <p className="muted">{blocker}</p>}
    </form>
  );
}
