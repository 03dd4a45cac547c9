import { useState } from "react";
import { errorMessage } from "../../api/client";
import { useApplyPreset, useCreatePreset, useDeletePreset, usePresets, type PresetView } from "../../api/notifications";
import { fieldError, FormError, TextField } from "../../components/form";
import { GuardedButton } from "../../components/guarded-button";
import { ConfirmModal } from "../../components/modal";
import { Card } from "../../components/page";
import { QueryView } from "../../components/states";
import { useToast } from "../../components/toast";
import { blockerFor } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";
import { DELIVERY_CHANNELS } from "../../../../worker/lib/notification-preferences";
import { NOTIFICATION_TYPE_KEYS } from "../../../../worker/lib/notification-types";

const TOTAL = NOTIFICATION_TYPE_KEYS.length * DELIVERY_CHANNELS.length;
const enabledCount = (p: PresetView) => Object.values(p.preferences).reduce((n, channels) => n + channels.length, 0);

/** Notifications → Presets: built-in and the workspace's own; apply one to my preferences, save mine as one. */
export function PresetsTab() {
  const scope = useWorkspace();
  const notify = useToast();
  const presets = usePresets(scope.workspace.id);
  const create = useCreatePreset(scope.workspace.id);
  const apply = useApplyPreset(scope.workspace.id);
  const remove = useDeletePreset(scope.workspace.id);
  const [name, setName] = useState("");
  const [deleting, setDeleting] = useState<PresetView | null>(null);
  // Applying one changes only my own preferences (every role); the workspace's presets are shared configuration.
  const applyBlocker = blockerFor(scope, "notifications.view", "apply presets");
  const blocker = blockerFor(scope, "notifications.manage", "create or delete presets");
  return (
    <div className="stack">
      <Card title="Presets" description="A preset sets every notification × channel toggle at once. Applying one replaces your current preferences." flush>
        <QueryView query={presets} loadingLabel="Loading presets…" errorTitle="Could not load the presets">
          {(list) => (
            <ul className="preset-list">
              {list.map((p) => (
                <li key={p.id} className="preset-item">
                  <div className="preset-text">
                    <strong>{p.name}</strong> {p.builtIn ? <span className="badge">Built-in</span> : <span className="muted">by {p.createdBy}</span>}
                    {p.description && <div className="muted">{p.description}</div>}
                    <div className="cell-secondary">
                      {enabledCount(p)} of {TOTAL} toggles on
                    </div>
                  </div>
                  <div className="preset-actions">
                    <GuardedButton
                      blocker={applyBlocker}
                      className="btn btn-sm"
                      label={`Apply ${p.name}`}
                      disabled={apply.isPending}
                      onClick={() =>
                        apply.mutate(p.id, { onSuccess: () => notify(`Applied ${p.name} to your preferences.`), onError: (err) => notify(errorMessage(err), "error") })
                      }
                    >
                      Apply
                    </GuardedButton>
                    {!p.builtIn && (
                      <GuardedButton blocker={blocker} className="btn btn-sm btn-danger-outline" label={`Delete ${p.name}`} onClick={() => setDeleting(p)}>
                        Delete
                      </GuardedButton>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </QueryView>
      </Card>
      <Card title="Save my preferences as a preset" description="Teammates can then apply the same setup in one click.">
        <form
          className="preset-form"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate(name.trim(), {
              onSuccess: (p) => {
                setName("");
                notify(`Saved the preset ${p.name}.`);
              },
            });
          }}
        >
          <TextField label="Preset name" value={name} onValueChange={setName} maxLength={60} required error={fieldError(create.error, "name")} disabled={blocker !== null} />
          <FormError error={create.error} fieldNames={["name"]} />
          <GuardedButton type="submit" blocker={blocker} className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            Save preset
          </GuardedButton>
        </form>
      </Card>
      <ConfirmModal
        open={deleting !== null}
        title={`Delete the preset ${deleting?.name ?? ""}?`}
        confirmLabel="Delete preset"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => setDeleting(null)}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notify(`Deleted ${deleting.name}.`);
              setDeleting(null);
            },
          })
        }
      >
        Members who applied it keep their preferences; only the preset goes.
      </ConfirmModal>
    </div>
  );
}
