import { useState } from "react";
import { errorMessage } from "../api/client";
import { useRemoveSlack, useSaveSlack, useSlackIntegration, useTestSlack } from "../api/notifications";
import { Alert } from "../components/alert";
import { fieldError, FormError, TextField } from "../components/form";
import { GuardedButton } from "../components/guarded-button";
import { ConfirmModal } from "../components/modal";
import { Card, PageHeader } from "../components/page";
import { QueryView } from "../components/states";
import { useToast } from "../components/toast";
import { blockerFor } from "../lib/blocker";
import { formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";
import "./notifications/notifications.css";

/** Connections → Integrations: Slack's incoming webhook, where notifications members route to Slack are posted. */
export function IntegrationsPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const tz = useTimeZone();
  const notify = useToast();
  const slack = useSlackIntegration(workspace.id);
  const save = useSaveSlack(workspace.id);
  const test = useTestSlack(workspace.id);
  const remove = useRemoveSlack(workspace.id);
  const [url, setUrl] = useState("");
  const [removing, setRemoving] = useState(false);
  const blocker = blockerFor(scope, "org_settings.manage", "change integrations");

  return (
    <div className="stack">
      <PageHeader title="Integrations" description="Third-party tools SendOps posts notifications to." />
      <Card title="Slack" description="Notifications whose Slack toggle is on (Notifications → Preferences) are posted to one Slack channel through an incoming webhook.">
        <QueryView query={slack} loadingLabel="Loading the Slack integration…" errorTitle="Could not load the Slack integration">
          {(view) => (
            <div className="stack">
              {view.connected ? (
                <div className="slack-status">
                  <span className="badge badge-success">Connected</span>
                  <code className="mono slack-url">{view.webhookUrlHint}</code>
                  <span className="muted">
                    by {view.connectedBy}, {formatDateTime(view.updatedAt!, tz)}
                  </span>
                </div>
              ) : (
                <p className="muted">
                  Not connected. In Slack, add the <strong>Incoming Webhooks</strong> app to a channel and paste its webhook URL here.
                </p>
              )}
              <form
                className="slack-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  save.mutate(url.trim(), {
                    onSuccess: () => {
                      setUrl("");
                      notify("Slack webhook saved.");
                    },
                  });
                }}
              >
                <TextField
                  label={view.connected ? "Replace the webhook URL" : "Webhook URL"}
                  hint={view.loopbackAllowed ? "Development: a local stand-in such as http://127.0.0.1:8054/services/T0/B0/x is accepted too." : undefined}
                  placeholder="https://hooks.slack.com/services/T…/B…/…"
                  value={url}
                  onValueChange={setUrl}
                  type="url"
                  required
                  disabled={blocker !== null}
                  error={fieldError(save.error, "webhookUrl")}
                  autoComplete="off"
                />
                <FormError error={save.error} fieldNames={["webhookUrl"]} />
                <div className="row">
                  <GuardedButton type="submit" blocker={blocker} className="btn btn-primary" disabled={save.isPending || !url.trim()}>
                    Save
                  </GuardedButton>
                  {view.connected && (
                    <>
                      <GuardedButton
                        blocker={blocker}
                        className="btn"
                        disabled={test.isPending}
                        onClick={() =>
                          test.mutate(undefined, { onSuccess: () => notify("Test message sent to Slack."), onError: (err) => notify(errorMessage(err), "error") })
                        }
                      >
                        Send test message
                      </GuardedButton>
                      <GuardedButton blocker={blocker} className="btn btn-danger-outline" onClick={() => setRemoving(true)}>
                        Remove
                      </GuardedButton>
                    </>
                  )}
                </div>
              </form>
              {blocker !== null && !workspace.isDemo && <Alert variant="locked">Only Owners and Org Admins change integrations.</Alert>}
            </div>
          )}
        </QueryView>
      </Card>
      <ConfirmModal
        open={removing}
        title="Disconnect Slack?"
        confirmLabel="Disconnect"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => setRemoving(false)}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              setRemoving(false);
              notify("Slack disconnected.");
            },
          })
        }
      >
        SendOps stops posting to the channel. Members' Slack toggles stay as they are for when you connect again.
      </ConfirmModal>
    </div>
  );
}
