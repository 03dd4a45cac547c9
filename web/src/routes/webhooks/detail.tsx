import { useState } from "react";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { errorMessage } from "../../api/client";
import {
  useDeleteWebhook,
  useResendDelivery,
  useRotateWebhookSecret,
  useSendTestEvent,
  useSetWebhookEnabled,
  useUpdateWebhook,
  useWebhook,
  type WebhookDelivery,
  type WebhookDetailPage,
} from "../../api/webhooks";
import { NOTIFICATION_TYPES, isNotificationType } from "../../../../worker/lib/notification-types";
import { Alert } from "../../components/alert";
import { fieldError, FormError, SubmitButton } from "../../components/form";
import { GuardedButton } from "../../components/guarded-button";
import { RotateIcon, SendIcon, WebhookIcon } from "../../components/icons";
import { ConfirmModal, Modal } from "../../components/modal";
import { Card, PageHeader } from "../../components/page";
import { EmptyState, LoadMore, QueryView } from "../../components/states";
import { ExpandableRows, HiddenHeader, Table } from "../../components/table";
import { useToast } from "../../components/toast";
import { blockerFor } from "../../lib/blocker";
import { formatDateTime, formatRelative } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { DeliveryStateBadge, EndpointStatusBadge, SecretDialog, SubscriptionPicker, subscriptionSummary, type Subscriptions } from "./parts";
import "./webhooks.css";

type Endpoint = WebhookDetailPage["endpoint"];

/** One endpoint: its settings and actions, and the delivery log (every attempt, with the payload sent). */
export function WebhookDetailPage() {
  const { workspace } = useWorkspace();
  const { endpointId } = useParams({ from: "/authenticated/w/$slug/webhooks/$endpointId" });
  const detail = useWebhook(workspace.id, endpointId);
  const endpoint = detail.data?.pages[0]?.endpoint;
  return (
    <div className="stack">
      <PageHeader
        title={endpoint ? <span className="webhook-title mono">{endpoint.url}</span> : "Webhook endpoint"}
        description={endpoint?.description || "Where SendOps POSTs the notifications this endpoint subscribes to."}
        actions={
          <Link className="btn" to="/w/$slug/webhooks" params={{ slug: workspace.slug }}>
            All endpoints
          </Link>
        }
      />
      <QueryView query={detail} loadingLabel="Loading the endpoint…" errorTitle="Could not load the endpoint">
        {(d) => (
          <>
            <EndpointCard endpoint={d.pages[0]!.endpoint} />
            <Card title="Delivery log" flush description="Newest first. Each delivery is tried up to 3 times: now, after 5 minutes, after another 15.">
              <DeliveryLog endpoint={d.pages[0]!.endpoint} deliveries={d.pages.flatMap((p) => p.deliveries)} />
              <LoadMore query={detail} />
            </Card>
            <DangerZone endpoint={d.pages[0]!.endpoint} />
          </>
        )}
      </QueryView>
    </div>
  );
}

function EndpointCard({ endpoint: e }: { endpoint: Endpoint }) {
  const scope = useWorkspace();
  const tz = useTimeZone();
  const notify = useToast();
  const orgId = scope.workspace.id;
  const blocker = blockerFor(scope, "webhooks.manage", "change webhook endpoints");
  const setEnabled = useSetWebhookEnabled(orgId, e.id);
  const test = useSendTestEvent(orgId, e.id);
  const rotate = useRotateWebhookSecret(orgId, e.id);
  const [editing, setEditing] = useState(false);
  const [confirmRotate, setConfirmRotate] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const enabled = e.status === "enabled";
  const testBlocker = blocker ?? (enabled ? null : "Enable the endpoint to send a test event.");
  return (
    <Card title="Endpoint">
      <div className="stack-sm">
        <div className="row webhook-actions">
          <GuardedButton
            blocker={testBlocker}
            className="btn"
            disabled={test.isPending}
            onClick={() =>
              test.mutate(undefined, {
                onSuccess: ({ delivery }) =>
                  notify(
                    delivery.state === "succeeded" ? `Test event delivered (HTTP ${delivery.lastStatusCode}).` : `Test event failed: ${delivery.lastError ?? "no answer"}. It will be retried.`,
                    delivery.state === "succeeded" ? "success" : "error",
                  ),
                onError: (err) => notify(errorMessage(err), "error"),
              })
            }
          >
            <SendIcon size={14} />
            Send test event
          </GuardedButton>
          <GuardedButton blocker={blocker} className="btn" onClick={() => { rotate.reset(); setConfirmRotate(true); }}>
            <RotateIcon size={14} />
            Rotate secret
          </GuardedButton>
          <GuardedButton
            blocker={blocker}
            className="btn"
            disabled={setEnabled.isPending}
            onClick={() =>
              setEnabled.mutate(!enabled, {
                onSuccess: () => notify(enabled ? "Endpoint disabled." : "Endpoint enabled."),
                onError: (err) => notify(errorMessage(err), "error"),
              })
            }
          >
            {enabled ? "Disable" : "Enable"}
          </GuardedButton>
        </div>
        {e.status === "auto_disabled" && e.disabledReason && (
          <Alert variant="danger" title="Disabled automatically">
            {e.disabledReason}
          </Alert>
        )}
        <dl className="webhook-facts">
          <dt>Status</dt>
          <dd>
            <EndpointStatusBadge status={e.status} />
            {e.consecutiveFailures > 0 && <span className="muted"> {e.consecutiveFailures} failed deliveries in a row (disabled at 10)</span>}
          </dd>
          <dt>Subscriptions</dt>
          <dd className="row">
            <span>{subscriptionSummary(e)}</span>
            <GuardedButton blocker={blocker} className="btn btn-sm" onClick={() => setEditing(true)}>
              Edit
            </GuardedButton>
          </dd>
          <dt>Signing secret</dt>
          <dd>
            {e.secretRotatedAt === null ? "Set at creation" : <span title={formatDateTime(e.secretRotatedAt, tz)}>Rotated {formatRelative(e.secretRotatedAt)}</span>}
            {e.previousSecretValidUntil !== null && (
              <div className="muted">The previous secret also signs until {formatDateTime(e.previousSecretValidUntil, tz)}.</div>
            )}
          </dd>
          <dt>Created</dt>
          <dd>
            {formatDateTime(e.createdAt, tz)} by {e.createdByName}
          </dd>
        </dl>
      </div>
      <EditSubscriptionsDialog endpoint={e} open={editing} onClose={() => setEditing(false)} />
      <ConfirmModal
        open={confirmRotate}
        title="Rotate signing secret"
        confirmLabel="Rotate secret"
        pending={rotate.isPending}
        error={rotate.error}
        onClose={() => setConfirmRotate(false)}
        onConfirm={() =>
          rotate.mutate(undefined, {
            onSuccess: (r) => {
              setConfirmRotate(false);
              setSecret(r.secret);
            },
          })
        }
      >
        <p>A new secret signs every request from now on. The current one keeps signing alongside it for 24 hours, so your receiver can accept either while you deploy the new one.</p>
      </ConfirmModal>
      <SecretDialog secret={secret} rotated onClose={() => setSecret(null)} />
    </Card>
  );
}

function EditSubscriptionsDialog({ endpoint: e, open, onClose }: { endpoint: Endpoint; open: boolean; onClose: () => void }) {
  const { workspace } = useWorkspace();
  const notify = useToast();
  const update = useUpdateWebhook(workspace.id, e.id);
  const [subs, setSubs] = useState<Subscriptions>({ types: e.types, categories: e.categories });
  const close = () => {
    update.reset();
    setSubs({ types: e.types, categories: e.categories });
    onClose();
  };
  return (
    <Modal
      open={open}
      title="Edit subscriptions"
      onClose={close}
      onSubmit={() =>
        update.mutate(subs, {
          onSuccess: () => {
            notify("Subscriptions saved.");
            onClose();
          },
        })
      }
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <SubmitButton pending={update.isPending} disabled={subs.types.length + subs.categories.length === 0}>
            Save
          </SubmitButton>
        </>
      }
    >
      <div className="stack-sm">
        <SubscriptionPicker value={subs} onChange={setSubs} error={fieldError(update.error, "types")} />
        <FormError error={update.error} fieldNames={["types", "categories"]} />
      </div>
    </Modal>
  );
}

const typeLabel = (t: string) => (isNotificationType(t) ? NOTIFICATION_TYPES[t].label : t);

function DeliveryLog({ endpoint, deliveries }: { endpoint: Endpoint; deliveries: WebhookDelivery[] }) {
  const scope = useWorkspace();
  const tz = useTimeZone();
  const notify = useToast();
  const resend = useResendDelivery(scope.workspace.id, endpoint.id);
  const blocker = blockerFor(scope, "webhooks.manage", "resend deliveries") ?? (endpoint.status === "enabled" ? null : "Enable the endpoint to resend deliveries.");
  if (deliveries.length === 0) {
    return (
      <EmptyState icon={WebhookIcon} title="No deliveries yet">
        Deliveries appear here when a subscribed notification is raised, or when you send a test event.
      </EmptyState>
    );
  }
  return (
    <Table
      label="Delivery log"
      className="delivery-log"
      head={
        <>
          <th scope="col">Time</th>
          <th scope="col">Notification</th>
          <th scope="col">Result</th>
          <th scope="col">Status</th>
          <th scope="col">Latency</th>
          <th scope="col">Attempts</th>
          <HiddenHeader label="Details" />
        </>
      }
    >
      <ExpandableRows
        rows={deliveries}
        rowKey={(d) => d.id}
        detailsId={(d) => `delivery-${d.id}`}
        colSpan={7}
        row={(d, expand) => {
          const last = d.log[d.log.length - 1];
          return (
            <tr>
              <td title={formatDateTime(d.createdAt, tz)}>{formatDateTime(d.createdAt, tz)}</td>
              <td>
                {typeLabel(d.notificationType)} {d.test && <span className="badge">Test</span>}
              </td>
              <td>
                <DeliveryStateBadge state={d.state} />
                {d.state === "pending" && d.nextAttemptAt !== null && d.attempts > 0 && <div className="cell-secondary">next {formatRelative(d.nextAttemptAt)}</div>}
              </td>
              <td className="mono">{last ? (last.statusCode ?? "—") : "—"}</td>
              <td>{last?.latencyMs != null ? `${last.latencyMs} ms` : "—"}</td>
              <td>{d.attempts}</td>
              <td className="cell-actions">{expand("Details")}</td>
            </tr>
          );
        }}
        details={(d) => (
          <div className="stack-sm delivery-details">
            <ol className="attempt-list" aria-label="Attempts">
              {d.log.map((a) => (
                <li key={`${a.series}-${a.attempt}`}>
                  <span className={a.ok ? "attempt-ok" : "attempt-failed"}>{a.ok ? "✓" : "✕"}</span> Attempt {a.attempt}
                  {d.series > 1 && ` (send ${a.series})`} · {formatDateTime(a.at, tz)} · {a.statusCode !== null ? `HTTP ${a.statusCode}` : a.error}
                  {a.statusCode !== null && a.error && a.error !== `HTTP ${a.statusCode}` ? ` (${a.error})` : ""}
                  {a.latencyMs !== null && ` · ${a.latencyMs} ms`}
                </li>
              ))}
              {d.log.length === 0 && <li className="muted">Not attempted yet.{d.lastError ? ` ${d.lastError}` : ""}</li>}
            </ol>
            <pre className="payload-viewer" tabIndex={0} aria-label="Payload sent">
              {JSON.stringify(JSON.parse(d.body), null, 2)}
            </pre>
            {d.state === "failed" && (
              <div>
                <GuardedButton
                  blocker={blocker}
                  className="btn btn-sm"
                  disabled={resend.isPending}
                  onClick={() =>
                    resend.mutate(d.id, {
                      onSuccess: () => notify("Delivery queued again (same payload id)."),
                      onError: (err) => notify(errorMessage(err), "error"),
                    })
                  }
                >
                  Resend
                </GuardedButton>
              </div>
            )}
          </div>
        )}
      />
    </Table>
  );
}

function DangerZone({ endpoint: e }: { endpoint: Endpoint }) {
  const scope = useWorkspace();
  const navigate = useNavigate();
  const notify = useToast();
  const remove = useDeleteWebhook(scope.workspace.id, e.id);
  const [confirming, setConfirming] = useState(false);
  const blocker = blockerFor(scope, "webhooks.manage", "delete webhook endpoints");
  return (
    <Card title="Delete endpoint" danger description="Stops all deliveries and permanently removes the endpoint with its delivery history.">
      <GuardedButton blocker={blocker} className="btn btn-danger-outline" onClick={() => { remove.reset(); setConfirming(true); }}>
        Delete endpoint
      </GuardedButton>
      <ConfirmModal
        open={confirming}
        title="Delete endpoint"
        confirmLabel="Delete endpoint"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          remove.mutate(undefined, {
            onSuccess: () => {
              notify("Endpoint deleted.");
              void navigate({ to: "/w/$slug/webhooks", params: { slug: scope.workspace.slug } });
            },
          })
        }
      >
        <p>
          Delete <strong className="mono webhook-url">{e.url}</strong> and its delivery history? This cannot be undone.
        </p>
      </ConfirmModal>
    </Card>
  );
}
