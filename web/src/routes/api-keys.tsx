import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { errorMessage } from "../api/client";
import { useApiKeys, useCreateApiKey, useRevokeApiKey, type ApiKey, type CreatedApiKey } from "../api/api-keys";
import { CopyIcon, KeyIcon } from "../components/icons";
import { Alert } from "../components/alert";
import { fieldError, FormError, SubmitButton, TextField } from "../components/form";
import { GuardedButton } from "../components/guarded-button";
import { ConfirmModal, Modal } from "../components/modal";
import { Card, PageHeader } from "../components/page";
import { EmptyState, QueryView } from "../components/states";
import { HiddenHeader, Table } from "../components/table";
import { useToast } from "../components/toast";
import { blockerFor } from "../lib/blocker";
import { formatDate, formatDateTime } from "../lib/time";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";

const NAME_MAX = 100;

/** Settings → API Keys: keys for the public /v1 API. The secret is shown once, right after creation. */
export function ApiKeysPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const tz = useTimeZone();
  const notify = useToast();
  const keys = useApiKeys(workspace.id);
  const create = useCreateApiKey(workspace.id);
  const revoke = useRevokeApiKey(workspace.id);
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const blocker = blockerFor(scope, "org_settings.manage", "create or revoke API keys");

  const openCreate = () => {
    create.reset();
    setName("");
    setCreated(null);
    setCreating(true);
  };
  const closeCreate = () => {
    setCreating(false);
    setCreated(null);
  };

  return (
    <div className="stack">
      <PageHeader
        title="API Keys"
        description={
          <>
            Keys for the read-only SendOps API, for your backends (never a browser). A key reads everything in{" "}
            {workspace.name}. See the <Link to="/w/$slug/api-reference" params={{ slug: workspace.slug }}>API reference</Link>.
          </>
        }
        actions={
          <GuardedButton blocker={blocker} className="btn btn-primary" onClick={openCreate}>
            <KeyIcon size={14} />
            Create API key
          </GuardedButton>
        }
      />
      {workspace.isDemo && (
        <Alert variant="locked" title="The demo workspace is read-only">
          Switch to your workspace to create API keys.
        </Alert>
      )}
      <Card title="Keys" flush>
        <QueryView
          query={keys}
          loadingLabel="Loading API keys…"
          errorTitle="Could not load the API keys"
          isEmpty={(list) => list.length === 0}
          empty={
            <EmptyState icon={KeyIcon} title="No API keys yet">
              {blocker === null ? "Create a key for each system that reads SendOps data." : "An Owner or Org Admin can create keys."}
            </EmptyState>
          }
        >
          {(list) => (
            <Table
              head={
                <>
                  <th scope="col">Name</th>
                  <th scope="col">Key</th>
                  <th scope="col">Created</th>
                  <th scope="col">Last used</th>
                  <th scope="col">Status</th>
                  <HiddenHeader label="Actions" />
                </>
              }
            >
              {list.map((k) => (
                <tr key={k.id}>
                  <td className="cell-primary">{k.name}</td>
                  <td className="mono">{k.keyPrefix}…</td>
                  <td>
                    <div>{formatDate(k.createdAt, tz)}</div>
                    <div className="cell-secondary">by {k.createdByName}</div>
                  </td>
                  <td className="muted">{k.lastUsedAt === null ? "Never" : formatDateTime(k.lastUsedAt, tz)}</td>
                  <td>
                    {k.revokedAt === null ? (
                      <span className="badge badge-success">Active</span>
                    ) : (
                      <span className="badge badge-danger" title={formatDateTime(k.revokedAt, tz)}>
                        Revoked
                      </span>
                    )}
                  </td>
                  <td className="cell-actions">
                    {k.revokedAt === null && (
                      <GuardedButton
                        blocker={blocker}
                        className="btn btn-sm btn-danger-outline"
                        label={`Revoke ${k.name}`}
                        onClick={() => {
                          revoke.reset();
                          setRevoking(k);
                        }}
                      >
                        Revoke
                      </GuardedButton>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          )}
        </QueryView>
      </Card>

      <Modal
        open={creating}
        title={created ? "API key created" : "Create API key"}
        onClose={closeCreate}
        onSubmit={() => {
          if (created) closeCreate();
          else create.mutate({ name: name.trim() }, { onSuccess: setCreated });
        }}
        footer={
          created ? (
            <button type="submit" className="btn btn-primary">
              Done
            </button>
          ) : (
            <>
              <button type="button" className="btn" onClick={closeCreate}>
                Cancel
              </button>
              <SubmitButton pending={create.isPending} disabled={name.trim() === ""}>
                Create key
              </SubmitButton>
            </>
          )
        }
      >
        {created ? (
          <SecretReveal created={created} onCopied={() => notify("Copied the key.")} />
        ) : (
          <div className="stack-sm">
            <TextField
              label="Name"
              hint="The system that will use it, e.g. “Billing backend”."
              value={name}
              onValueChange={setName}
              maxLength={NAME_MAX}
              autoFocus
              required
              error={fieldError(create.error, "name")}
            />
            <FormError error={create.error} fieldNames={["name"]} />
          </div>
        )}
      </Modal>

      <ConfirmModal
        open={revoking !== null}
        title="Revoke API key"
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        error={revoke.error}
        onClose={() => setRevoking(null)}
        onConfirm={() =>
          revoking &&
          revoke.mutate(revoking.id, {
            onSuccess: () => {
              notify(`${revoking.name} was revoked.`);
              setRevoking(null);
            },
            onError: (err) => notify(errorMessage(err), "error"),
          })
        }
      >
        <p>
          Revoke <strong>{revoking?.name}</strong> (<span className="mono">{revoking?.keyPrefix}…</span>)? Requests made with it
          are refused from now on. This cannot be undone.
        </p>
      </ConfirmModal>
    </div>
  );
}

function SecretReveal({ created, onCopied }: { created: CreatedApiKey; onCopied: () => void }) {
  const [copyFailed, setCopyFailed] = useState(false);
  const copy = () =>
    navigator.clipboard.writeText(created.secret).then(onCopied, () => setCopyFailed(true));
  return (
    <div className="stack-sm">
      <Alert variant="warning" title="Copy this key now">
        This is the only time it is shown. SendOps stores only a hash of it; if you lose it, create a new key.
      </Alert>
      <div className="input-group">
        <input
          className="input mono"
          readOnly
          value={created.secret}
          aria-label={`Secret of ${created.apiKey.name}`}
          onFocus={(e) => e.currentTarget.select()}
        />
        <button type="button" className="btn" onClick={() => void copy()}>
          <CopyIcon size={14} />
          Copy
        </button>
      </div>
      {copyFailed && <p className="field-error">The browser did not allow copying; select the key and copy it by hand.</p>}
      <p className="muted">
        Use it from your backend as <code>Authorization: Bearer {created.apiKey.keyPrefix}…</code>
      </p>
    </div>
  );
}
