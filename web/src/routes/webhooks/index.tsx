import { useState } from "react";
import { Link, useNavigate } from "@tanstack/react-router";
import { useCreateWebhook, useWebhooks } from "../../api/webhooks";
import { Alert } from "../../components/alert";
import { fieldError, FormError, SubmitButton, TextField } from "../../components/form";
import { GuardedButton } from "../../components/guarded-button";
import { PlusIcon, WebhookIcon } from "../../components/icons";
import { Modal } from "../../components/modal";
import { Card, PageHeader } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { Table } from "../../components/table";
import { blockerFor } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";
import { EndpointStatusBadge, LastDelivery, SecretDialog, SubscriptionPicker, subscriptionSummary, type Subscriptions } from "./parts";
import "./webhooks.css";

/** Connections → Webhooks (docs/webhooks.md): endpoints that receive notifications as signed POSTs. */
export function WebhooksPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const navigate = useNavigate();
  const list = useWebhooks(workspace.id);
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<{ id: string; secret: string } | null>(null);
  const blocker = blockerFor(scope, "webhooks.manage", "add webhook endpoints");

  return (
    <div className="stack">
      <PageHeader
        title="Webhooks"
        description="SendOps POSTs the notifications you choose to your HTTPS endpoints, signed with HMAC-SHA256. Failed deliveries are retried after 5 and 15 minutes."
        actions={
          <GuardedButton blocker={blocker} className="btn btn-primary" onClick={() => setAdding(true)}>
            <PlusIcon size={14} />
            Add Endpoint
          </GuardedButton>
        }
      />
      {workspace.isDemo && (
        <Alert variant="locked" title="The demo workspace is read-only">
          Switch to your workspace to add or change webhook endpoints.
        </Alert>
      )}
      <Card title="Endpoints" flush description={list.data && <>Payloads carry <code>account_id</code> <span className="mono">{list.data.accountId}</span></>}>
        <QueryView
          query={list}
          loadingLabel="Loading webhook endpoints…"
          errorTitle="Could not load the webhook endpoints"
          isEmpty={(l) => l.endpoints.length === 0}
          empty={
            <EmptyState icon={WebhookIcon} title="No webhook endpoints yet">
              {blocker === null ? "Add an endpoint to feed alerts into your incident tools or automation." : "An Owner or Org Admin can add endpoints."}
            </EmptyState>
          }
        >
          {(l) => (
            <Table
              label="Webhook endpoints"
              head={
                <>
                  <th scope="col">Endpoint</th>
                  <th scope="col">Subscriptions</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last delivery</th>
                </>
              }
            >
              {l.endpoints.map((e) => (
                <tr key={e.id}>
                  <td className="cell-primary webhook-url-cell">
                    <Link to="/w/$slug/webhooks/$endpointId" params={{ slug: workspace.slug, endpointId: e.id }} className="mono webhook-url">
                      {e.url}
                    </Link>
                    {e.description && <div className="cell-secondary">{e.description}</div>}
                  </td>
                  <td>{subscriptionSummary(e)}</td>
                  <td>
                    <EndpointStatusBadge status={e.status} />
                    {e.disabledReason && <div className="cell-secondary webhook-reason">{e.disabledReason}</div>}
                  </td>
                  <td>
                    <LastDelivery last={e.lastDelivery} />
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      </Card>
      <AddEndpointDialog open={adding} onClose={() => setAdding(false)} onCreated={(id, secret) => { setAdding(false); setCreated({ id, secret }); }} />
      <SecretDialog
        secret={created?.secret ?? null}
        rotated={false}
        onClose={() => {
          const id = created?.id;
          setCreated(null);
          if (id) void navigate({ to: "/w/$slug/webhooks/$endpointId", params: { slug: workspace.slug, endpointId: id } });
        }}
      />
    </div>
  );
}

function AddEndpointDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (id: string, secret: string) => void }) {
  const { workspace } = useWorkspace();
  const create = useCreateWebhook(workspace.id);
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [subs, setSubs] = useState<Subscriptions>({ types: [], categories: [] });
  const close = () => {
    create.reset();
    setUrl("");
    setDescription("");
    setSubs({ types: [], categories: [] });
    onClose();
  };
  return (
    <Modal
      open={open}
      title="Add Endpoint"
      onClose={close}
      onSubmit={() =>
        create.mutate(
          { url: url.trim(), description: description.trim(), ...subs },
          {
            onSuccess: (r) => {
              close();
              onCreated(r.endpoint.id, r.secret);
            },
          },
        )
      }
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <SubmitButton pending={create.isPending} disabled={url.trim() === "" || subs.types.length + subs.categories.length === 0}>
            Add Endpoint
          </SubmitButton>
        </>
      }
    >
      <div className="stack-sm">
        <TextField
          label="Endpoint URL"
          hint="A publicly reachable https:// URL that answers POST with a 2xx within 10 seconds."
          value={url}
          onValueChange={setUrl}
          placeholder="https://hooks.example.com/sendops"
          inputMode="url"
          autoFocus
          required
          error={fieldError(create.error, "url")}
        />
        <TextField label="Description" hint="Optional, e.g. “PagerDuty bridge”." value={description} onValueChange={setDescription} maxLength={200} error={fieldError(create.error, "description")} />
        <SubscriptionPicker value={subs} onChange={setSubs} error={fieldError(create.error, "types")} />
        <FormError error={create.error} fieldNames={["url", "description", "types", "categories"]} />
      </div>
    </Modal>
  );
}
