import { useState } from "react";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import {
  useArchiveChannel,
  useChannel,
  useDeleteChannel,
  useEventDestinations,
  useRenameChannel,
  useRetryChannelSync,
  useSetDefaultChannel,
  useUpdateChannelSettings,
  type Channel,
} from "../../api/channels";
import { errorMessage } from "../../api/client";
import { Alert } from "../../components/alert";
import { CodeBlock } from "../../components/code-block";
import { fieldError, FormError, SubmitButton, TextField } from "../../components/form";
import { GuardedButton } from "../../components/guarded-button";
import { RefreshIcon } from "../../components/icons";
import { ConfirmModal, Modal } from "../../components/modal";
import { Card, PageHeader } from "../../components/page";
import { LoadingState, QueryView } from "../../components/states";
import { QueryError } from "../../components/query-error";
import { Table } from "../../components/table";
import { useToast } from "../../components/toast";
import { blockerFor } from "../../lib/blocker";
import { formatDateTime } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { CHANNEL_NAME_MAX, configurationSetHeader, configurationSetNameFor, type ChannelSettings } from "../../../../worker/lib/channels";
import { PurposeBadge, StateBadges, StatusBadge, SyncBadge } from "./badges";
import { SettingsControls } from "./settings-controls";
import { AlertThresholds } from "../notifications/thresholds";
import "./channels.css";

/** A channel: its configuration set, settings (each pushed to SES as it changes), integration header, default, danger zone. */
export function ChannelDetailPage() {
  const { workspace } = useWorkspace();
  const { channelId } = useParams({ from: "/authenticated/w/$slug/channels/$channelId" });
  const channel = useChannel(workspace.id, channelId);
  return (
    <div className="stack">
      <p>
        <Link to="/w/$slug/channels" params={{ slug: workspace.slug }}>
          ← Channels
        </Link>
      </p>
      <QueryView query={channel} loadingLabel="Loading the channel…" errorTitle="Could not load the channel">
        {(c) => <ChannelDetail channel={c} />}
      </QueryView>
    </div>
  );
}

function ChannelDetail({ channel: c }: { channel: Channel }) {
  const scope = useWorkspace();
  const orgId = scope.workspace.id;
  const tz = useTimeZone();
  const notify = useToast();
  const blocker = blockerFor(scope, "channels.manage", "change channels");
  const live = c.detachedAt === null && c.archivedAt === null;
  const update = useUpdateChannelSettings(orgId, c.id);
  const retry = useRetryChannelSync(orgId, c.id);
  const makeDefault = useSetDefaultChannel(orgId, c.id);
  const archive = useArchiveChannel(orgId, c.id);
  const [confirmDisable, setConfirmDisable] = useState(false);

  const save = (patch: Partial<ChannelSettings>) =>
    update.mutate(patch, {
      onSuccess: (after) => notify(after.syncStatus === "synced" ? "Saved and pushed to SES." : "Saved, but SES did not accept it. See the error above.", after.syncStatus === "synced" ? "success" : "error"),
      onError: (err) => notify(errorMessage(err), "error"),
    });
  const onChange = (patch: Partial<ChannelSettings>) => (patch.sendingEnabled === false ? setConfirmDisable(true) : save(patch));

  return (
    <>
      <PageHeader
        title={c.name}
        description={
          <span className="row channel-header">
            <span className="mono">{c.configurationSetName}</span>
            <PurposeBadge purpose={c.purpose} />
            <StatusBadge channel={c} />
            <SyncBadge channel={c} />
            <StateBadges channel={c} />
          </span>
        }
      />
      {c.syncStatus === "error" && c.syncError && (
        <div className="alert alert-danger sync-error" role="alert">
          <div className="grow">
            <div className="alert-title">The last change did not reach SES ({c.syncError.code})</div>
            <p>{c.syncError.message}</p>
            <p className="muted">{formatDateTime(c.syncError.at, tz)}</p>
          </div>
          <GuardedButton blocker={blocker} className="btn" disabled={retry.isPending} onClick={() => retry.mutate(undefined, { onError: (err) => notify(errorMessage(err), "error") })}>
            {retry.isPending ? <span className="spinner" aria-hidden="true" /> : <RefreshIcon size={14} />}
            Retry Sync
          </GuardedButton>
        </div>
      )}
      {!live && (
        <Alert variant="warning" title={c.archivedAt !== null ? "Archived" : "Detached"}>
          The configuration set {c.configurationSetName} is no longer in your SES account, so this channel cannot change. Archive hides it from the list; nothing in SES changes.
        </Alert>
      )}

      <Card title="Settings" description="Each setting is saved on its own and pushed to the SES configuration set at once.">
        {c.settings ? (
          <SettingsControls settings={c.settings} onChange={onChange} blocker={blocker ?? (live ? null : "The configuration set is gone from SES.")} busy={update.isPending} />
        ) : (
          <p className="muted">SendOps has not read this configuration set's settings yet: the next account sync (Sync from AWS) reads them from SES.</p>
        )}
      </Card>

      <AlertThresholds channelId={c.id} />

      {live && <EventDestinations orgId={orgId} channel={c} />}

      <Card title="Integration" description="Send with this header (SES API or SMTP) to route a message through this channel; it overrides the identity's channel.">
        <div className="stack-sm">
          <CodeBlock code={configurationSetHeader(c.configurationSetName)} what="the header" label="Header" wrap />
          {c.isDefault && <p className="muted">This is the default channel: identities without a channel of their own use its configuration set.</p>}
        </div>
      </Card>

      <Card title="Default Channel">
        {c.isDefault ? (
          <p className="row">
            <span className="badge badge-primary">Default</span>
            <span className="muted">New identities use this channel's configuration set, and a deleted channel's identities move to it.</span>
          </p>
        ) : (
          <div className="row-between">
            <p className="muted">Emails from identities without a channel will use the default channel.</p>
            <GuardedButton
              blocker={blocker ?? (live ? null : "A detached channel cannot be the default.")}
              className="btn"
              disabled={makeDefault.isPending}
              onClick={() => makeDefault.mutate(undefined, { onSuccess: () => notify(`${c.name} is now the default channel.`), onError: (err) => notify(errorMessage(err), "error") })}
            >
              Set as Default
            </GuardedButton>
          </div>
        )}
      </Card>

      {c.detachedAt !== null && (
        <Card title={c.archivedAt !== null ? "Restore" : "Archive"}>
          <div className="row-between">
            <p className="muted">{c.archivedAt !== null ? "Show this channel in the list again." : "Hide this detached channel from the list. Nothing in SES changes; you can restore it later."}</p>
            <GuardedButton
              blocker={blocker}
              className="btn"
              disabled={archive.isPending}
              onClick={() => archive.mutate(c.archivedAt === null, { onError: (err) => notify(errorMessage(err), "error") })}
            >
              {c.archivedAt !== null ? "Restore" : "Archive"}
            </GuardedButton>
          </div>
        </Card>
      )}

      <DangerZone channel={c} blocker={blocker} />

      <ConfirmModal
        open={confirmDisable}
        title="Disable sending"
        confirmLabel="Disable sending"
        pending={update.isPending}
        error={null}
        onClose={() => setConfirmDisable(false)}
        onConfirm={() => {
          setConfirmDisable(false);
          save({ sendingEnabled: false });
        }}
      >
        <p>
          SES will reject every email sent through <span className="mono">{c.configurationSetName}</span> until sending is enabled again. Applications using
          this channel will get errors.
        </p>
      </ConfirmModal>
    </>
  );
}

function EventDestinations({ orgId, channel }: { orgId: string; channel: Channel }) {
  const q = useEventDestinations(orgId, channel.id, true);
  const configured = q.data?.source === "sendops";
  return (
    <Card
      title="Event destinations"
      description={
        configured
          ? "As SendOps configured them: the demo's sample SES account cannot be read from this instance."
          : "Where SES publishes this channel's events. SendOps configures its EventBridge destination for you."
      }
      flush
    >
      {q.isPending ? (
        <LoadingState label="Reading from SES…" />
      ) : q.isError ? (
        <QueryError query={q} title="Could not read the event destinations from SES" />
      ) : q.data.eventDestinations.length === 0 ? (
        <p className="card-body muted">None: SES publishes no events for this channel. Retry Sync adds SendOps' destination.</p>
      ) : (
        <Table
          label="Event destinations"
          head={
            <>
              <th scope="col">Name</th>
              <th scope="col">Destination</th>
              <th scope="col">Events</th>
              <th scope="col">State</th>
            </>
          }
        >
          {q.data.eventDestinations.map((d) => (
            <tr key={d.name}>
              <td className="cell-primary">
                {d.name} {d.managed && <span className="badge badge-primary">SendOps</span>}
              </td>
              <td className="mono wrap">{d.eventBridgeBusArn ?? "Other (not EventBridge)"}</td>
              <td>{d.matchingEventTypes.map((e) => e.toLowerCase().replace(/_/g, " ")).join(", ")}</td>
              <td>{d.enabled ? <span className="badge badge-success">Enabled</span> : <span className="badge">Disabled</span>}</td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  );
}

function DangerZone({ channel: c, blocker }: { channel: Channel; blocker: string | null }) {
  const { workspace } = useWorkspace();
  const notify = useToast();
  const navigate = useNavigate();
  const rename = useRenameChannel(workspace.id, c.id);
  const del = useDeleteChannel(workspace.id, c.id);
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [name, setName] = useState(c.name);
  const newSet = configurationSetNameFor(name);
  const defaultReason = c.isDefault ? "The default channel cannot be renamed or deleted. Set another channel as default first." : null;
  return (
    <section className="card card-danger" aria-labelledby="channel-danger-zone">
      <div className="card-header">
        <h2 id="channel-danger-zone">Danger Zone</h2>
      </div>
      <div className="danger-row">
        <div>
          <h3>Rename channel</h3>
          <p>A name with a new slug creates a new configuration set, moves the identities to it and deletes the old one.</p>
        </div>
        <GuardedButton
          blocker={blocker ?? defaultReason ?? (c.detachedAt !== null ? "A detached channel cannot be renamed." : null)}
          className="btn btn-danger-outline"
          onClick={() => {
            rename.reset();
            setName(c.name);
            setRenaming(true);
          }}
        >
          Rename
        </GuardedButton>
      </div>
      <div className="danger-row">
        <div>
          <h3>Delete channel</h3>
          <p>Deletes the configuration set in SES; its identities move to the default channel.</p>
        </div>
        <GuardedButton
          blocker={blocker ?? defaultReason}
          className="btn btn-danger-outline"
          onClick={() => {
            del.reset();
            setDeleting(true);
          }}
        >
          Delete Channel
        </GuardedButton>
      </div>

      <Modal
        open={renaming}
        title="Rename channel"
        onClose={() => setRenaming(false)}
        onSubmit={() =>
          rename.mutate(name.trim(), {
            onSuccess: (after) => {
              notify(`Renamed to ${after.name} (${after.configurationSetName}).`);
              setRenaming(false);
            },
          })
        }
        footer={
          <>
            <button type="button" className="btn" onClick={() => setRenaming(false)}>
              Cancel
            </button>
            <SubmitButton pending={rename.isPending} variant="danger" disabled={name.trim() === "" || name.trim() === c.name}>
              Rename
            </SubmitButton>
          </>
        }
      >
        <div className="stack-sm">
          <TextField label="New name" value={name} onValueChange={setName} maxLength={CHANNEL_NAME_MAX} autoFocus required error={fieldError(rename.error, "name")} />
          {name.trim() !== "" && newSet !== c.configurationSetName && (
            <Alert variant="warning" title="Integrations using the old header will break">
              The configuration set becomes <span className="mono">{newSet}</span>; <span className="mono">{c.configurationSetName}</span> is deleted. Anything that sends with{" "}
              <span className="mono">{configurationSetHeader(c.configurationSetName)}</span> gets an error from SES until it uses the new name.
            </Alert>
          )}
          <FormError error={rename.error} fieldNames={["name"]} />
        </div>
      </Modal>

      <ConfirmModal
        open={deleting}
        title="Delete channel"
        confirmLabel="Delete Channel"
        pending={del.isPending}
        error={del.error}
        onClose={() => setDeleting(false)}
        onConfirm={() =>
          del.mutate(undefined, {
            onSuccess: (r) => {
              const n = r.identitiesMoved.length;
              notify(`Deleted ${c.name}${n ? `; ${n} identit${n === 1 ? "y" : "ies"} moved to the default channel` : ""}.`);
              void navigate({ to: "/w/$slug/channels", params: { slug: workspace.slug } });
            },
          })
        }
      >
        <p>
          Delete <strong>{c.name}</strong> and its SES configuration set <span className="mono">{c.configurationSetName}</span>? Identities assigned to it move to the
          default channel. This cannot be undone.
        </p>
      </ConfirmModal>
    </section>
  );
}
