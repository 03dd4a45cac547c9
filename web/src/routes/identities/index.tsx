import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { errorMessage } from "../../api/client";
import {
  useAssignChannel,
  useDeleteIdentity,
  useIdentities,
  useIdentityAction,
  type IdentitiesView,
  type IdentityAction,
  type IdentityView,
} from "../../api/identities";
import { ActionMenu, MenuAction } from "../../components/action-menu";
import { Alert } from "../../components/alert";
import { AtSignIcon, ChevronRightIcon, GlobeIcon, PlusIcon, RefreshIcon } from "../../components/icons";
import { Guarded, GuardedButton } from "../../components/guarded-button";
import { HostName } from "../../components/host-name";
import { CheckBadge, HealthBadge, IdentityStatusBadge, MarkerBadge, SesStatusBadge, UnmanagedBadge } from "../../components/identity-badges";
import { ConfirmModal } from "../../components/modal";
import { Card, PageHeader } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { HiddenHeader, Table } from "../../components/table";
import { useToast } from "../../components/toast";
import { blockerFor } from "../../lib/blocker";
import { useWorkspace } from "../../workspace";
import { AddIdentityDialog } from "./add-dialog";
import { DnsRecords } from "./dns-records";
import "./identities.css";

const ACTION_DONE: Record<IdentityAction, string> = {
  refresh: "refreshed",
  archive: "archived",
  restore: "restored",
  connect: "connected: its events are ingested again",
  disconnect: "disconnected: its events are no longer ingested",
};

interface RowProps {
  identity: IdentityView;
  view: IdentitiesView;
  blocker: string | null;
}

/** The name (a link to the identity's page) and its badges; a domain's row also toggles its DNS records below the table. */
function Identity({ identity, records }: { identity: IdentityView; records?: { shown: boolean; toggle: () => void } }) {
  const { workspace } = useWorkspace();
  return (
    <>
      <span className="identity-cell">
        {identity.archivedAt === null ? (
          <Link to="/w/$slug/identities/$identityId" params={{ slug: workspace.slug, identityId: identity.id }} className="cell-primary">
            <HostName name={identity.identity} className="mono" />
          </Link>
        ) : (
          <HostName name={identity.identity} className="cell-primary mono" />
        )}
        <MarkerBadge marker={identity.marker} />
        {identity.disconnectedAt !== null && <UnmanagedBadge />}
      </span>
      {records && (
        <button type="button" className="btn-link expand-btn identity-records" aria-expanded={records.shown} onClick={records.toggle}>
          <ChevronRightIcon size={14} />
          DNS records
        </button>
      )}
    </>
  );
}

/**
 * The dropdown lists the channels an identity can be put on (view.channels: not archived, not detached).
 * An identity still on a detached channel, or on a configuration set that is no channel, shows it as a
 * disabled option, so the select never claims a choice SES does not hold.
 */
function ChannelSelect({ identity, view, blocker }: RowProps) {
  const scope = useWorkspace();
  const notify = useToast();
  const assign = useAssignChannel(scope.workspace.id);
  const current = identity.channel;
  const listed = current !== null && view.channels.some((c) => c.id === current.id);
  const reason = blocker ?? (!view.awsConnected ? "Connect AWS to assign channels." : identity.detachedAt !== null ? "No longer in SES." : null);
  const select = (tipId?: string) => (
    <select
      className="select"
      aria-label={`Channel of ${identity.identity}`}
      aria-describedby={tipId}
      title={tipId ? undefined : (current?.name ?? identity.configurationSetName ?? undefined)}
      value={current?.id ?? (identity.configurationSetName === null ? "" : "__other")}
      disabled={reason !== null || assign.isPending}
      onChange={(e) =>
        assign.mutate(
          { id: identity.id, channelId: e.target.value || null },
          {
            onSuccess: (v) => notify(v.channel ? `${v.identity} now sends through ${v.channel.name}.` : `${v.identity} has no channel now.`),
            onError: (err) => notify(errorMessage(err), "error"),
          },
        )
      }
    >
      <option value="">No channel</option>
      {current === null && identity.configurationSetName !== null && (
        <option value="__other" disabled>
          {identity.configurationSetName} (not a channel)
        </option>
      )}
      {current !== null && !listed && (
        <option value={current.id} disabled>
          {current.name} (detached)
        </option>
      )}
      {view.channels.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name}
          {c.isDefault ? " (default)" : ""}
        </option>
      ))}
    </select>
  );
  return reason === null ? select() : <Guarded blocker={reason}>{select}</Guarded>;
}

/** A row's actions: Refresh as an icon, the rest in the row's menu, so the table fits its card at desktop widths. */
function Actions({ identity, view, blocker, onDelete }: RowProps & { onDelete: () => void }) {
  const scope = useWorkspace();
  const notify = useToast();
  const act = useIdentityAction(scope.workspace.id);
  const busy = act.isPending ? act.variables?.action : null;
  const sesBlocker = blocker ?? (view.awsConnected ? null : "Connect AWS first: this calls SES.");
  const run = (action: IdentityAction) =>
    act.mutate(
      { id: identity.id, action },
      { onSuccess: (v) => notify(`${v.identity} ${ACTION_DONE[action]}.`), onError: (err) => notify(errorMessage(err), "error") },
    );
  return (
    <span className="identity-actions">
      <GuardedButton blocker={sesBlocker} className="btn btn-sm btn-icon" label={`Refresh ${identity.identity}`} title="Refresh: check the status with SES (and the DNS records)" disabled={busy !== null} onClick={() => run("refresh")}>
        {busy === "refresh" ? <span className="spinner" aria-hidden="true" /> : <RefreshIcon size={14} />}
      </GuardedButton>
      <ActionMenu label={`More actions for ${identity.identity}`}>
        {identity.archivedAt !== null ? (
          <MenuAction blocker={blocker} disabled={busy !== null} title="Show it in the list again" onSelect={() => run("restore")}>
            Restore
          </MenuAction>
        ) : (
          identity.detachedAt !== null && (
            <MenuAction blocker={blocker} disabled={busy !== null} title="Hide it; nothing changes in SES" onSelect={() => run("archive")}>
              Archive
            </MenuAction>
          )
        )}
        {identity.disconnectedAt !== null ? (
          <MenuAction blocker={blocker} disabled={busy !== null} title="Manage it again: its events are ingested" onSelect={() => run("connect")}>
            Connect
          </MenuAction>
        ) : (
          <MenuAction blocker={blocker} disabled={busy !== null} title="Stop managing it without touching SES" onSelect={() => run("disconnect")}>
            Disconnect
          </MenuAction>
        )}
        <MenuAction blocker={sesBlocker} danger title="Delete it from SES and SendOps (asks first)" onSelect={onDelete}>
          Delete from SES…
        </MenuAction>
      </ActionMenu>
    </span>
  );
}

function DomainTable({ view, blocker, onDelete, onAdd }: { view: IdentitiesView; blocker: string | null; onDelete: (i: IdentityView) => void; onAdd: () => void }) {
  const [shown, setShown] = useState<string | null>(null);
  const selected = view.domains.find((d) => d.id === shown) ?? null;
  if (!view.domains.length) {
    return (
      <EmptyState icon={GlobeIcon} title="No domains yet" action={<AddButton blocker={blocker} view={view} onClick={onAdd} label="Add Domain" />}>
        Add the domain you send from: SES gives three DKIM records to publish, and SendOps checks SPF and DMARC too.
      </EmptyState>
    );
  }
  return (
    <>
      <Table
        label="Domain Identities"
        className="identities-table"
        head={
          <>
            <th scope="col">Domain</th>
            <th scope="col">Status</th>
            <th scope="col">DKIM</th>
            <th scope="col">SPF</th>
            <th scope="col">DMARC</th>
            <th scope="col">Channel</th>
            <th scope="col">Health</th>
            <HiddenHeader label="Actions" />
          </>
        }
      >
        {view.domains.map((d) => (
          <tr key={d.id} aria-selected={d.id === shown || undefined}>
            <td className="cell-name">
              <Identity identity={d} records={{ shown: d.id === shown, toggle: () => setShown(d.id === shown ? null : d.id) }} />
            </td>
            <td>
              <IdentityStatusBadge status={d.status} />
            </td>
            <td>{d.dkimStatus ? <SesStatusBadge status={d.dkimStatus} /> : <span className="muted">—</span>}</td>
            <td>
              <CheckBadge status={d.dnsCheck?.spf.status ?? null} title={d.dnsCheck?.spf.message} />
            </td>
            <td>
              <CheckBadge status={d.dnsCheck?.dmarc.status ?? null} label={d.dnsCheck?.dmarc.policy ? `p=${d.dnsCheck.dmarc.policy}` : undefined} title={d.dnsCheck?.dmarc.message} />
            </td>
            <td>
              <ChannelSelect identity={d} view={view} blocker={blocker} />
            </td>
            <td>{d.health && <HealthBadge health={d.health} />}</td>
            <td className="cell-actions">
              <Actions identity={d} view={view} blocker={blocker} onDelete={() => onDelete(d)} />
            </td>
          </tr>
        ))}
      </Table>
      {selected && (
        <div className="identity-detail" role="region" aria-label={`DNS records for ${selected.identity}`}>
          <div className="row-between wrap">
            <h3>DNS records for {selected.identity}</h3>
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => setShown(null)}>
              Close
            </button>
          </div>
          <DnsRecords identity={selected} />
        </div>
      )}
    </>
  );
}

function EmailTable({ view, blocker, onDelete, onAdd }: { view: IdentitiesView; blocker: string | null; onDelete: (i: IdentityView) => void; onAdd: () => void }) {
  if (!view.emails.length) {
    return (
      <EmptyState icon={AtSignIcon} title="No email identities yet" action={<AddButton blocker={blocker} view={view} onClick={onAdd} label="Add Email Identity" />}>
        Verify single addresses for quick tests, sandbox sending or domains whose DNS you do not control.
      </EmptyState>
    );
  }
  return (
    <Table
      label="Email Identities"
      className="identities-table"
      head={
        <>
          <th scope="col">Email Address</th>
          <th scope="col">Domain</th>
          <th scope="col">Status</th>
          <th scope="col">Channel</th>
          <HiddenHeader label="Actions" />
        </>
      }
    >
      {view.emails.map((e) => (
        <tr key={e.id}>
          <td className="cell-name">
            <Identity identity={e} />
          </td>
          <td className="cell-name">
            <HostName name={e.domain} className="mono" />
          </td>
          <td>
            <IdentityStatusBadge status={e.status} />
          </td>
          <td>
            <ChannelSelect identity={e} view={view} blocker={blocker} />
          </td>
          <td className="cell-actions">
            <Actions identity={e} view={view} blocker={blocker} onDelete={() => onDelete(e)} />
          </td>
        </tr>
      ))}
    </Table>
  );
}

function AddButton({ blocker, view, onClick, label }: { blocker: string | null; view: IdentitiesView; onClick: () => void; label: string }) {
  return (
    <GuardedButton blocker={blocker ?? (view.awsConnected ? null : "Connect AWS first: SES creates the identity.")} className="btn btn-primary btn-sm" onClick={onClick}>
      <PlusIcon size={14} />
      {label}
    </GuardedButton>
  );
}

/**
 * Identities (Infrastructure): the workspace's domain and email identities in its SES account, with
 * their verification, DNS checks, channel and lifecycle (docs/identities.md).
 */
export function IdentitiesPage() {
  const scope = useWorkspace();
  const { workspace } = scope;
  const notify = useToast();
  const [archived, setArchived] = useState(false);
  const [adding, setAdding] = useState<"domain" | "email" | null>(null);
  const [deleting, setDeleting] = useState<IdentityView | null>(null);
  const identities = useIdentities(workspace.id, archived);
  const remove = useDeleteIdentity(workspace.id);
  const blocker = blockerFor(scope, "domains.manage", "change identities");
  const view = identities.data;

  return (
    <div className="stack">
      <PageHeader
        title="Identities"
        description="The domains and email addresses you send from, in your SES account. SendOps ingests the events of managed identities."
        actions={
          <label className="switch">
            <input type="checkbox" role="switch" checked={archived} onChange={(e) => setArchived(e.target.checked)} />
            <span>Show archived{view && view.archivedCount > 0 ? ` (${view.archivedCount})` : ""}</span>
          </label>
        }
      />
      {workspace.isDemo && (
        <Alert variant="locked" title="The demo workspace is read-only">
          Switch to your workspace to add or change identities.
        </Alert>
      )}
      {view && !view.awsConnected && !workspace.isDemo && (
        <Alert variant="warning" title="AWS is not connected">
          Adding, refreshing and deleting identities call SES through your AWS connection.{" "}
          <Link to="/w/$slug/setup" params={{ slug: workspace.slug }}>
            Open the Setup Guide
          </Link>{" "}
          to connect it.
        </Alert>
      )}
      <QueryView query={identities} loadingLabel="Loading identities…" errorTitle="Could not load the identities">
        {(v) => (
          <>
            <Card title="Domain Identities" description={v.region ? `In SES ${v.region}. A domain is verified once its DKIM records are.` : undefined} actions={v.domains.length > 0 && <AddButton blocker={blocker} view={v} onClick={() => setAdding("domain")} label="Add Domain" />} flush>
              <DomainTable view={v} blocker={blocker} onDelete={setDeleting} onAdd={() => setAdding("domain")} />
            </Card>
            <Card title="Email Identities" actions={v.emails.length > 0 && <AddButton blocker={blocker} view={v} onClick={() => setAdding("email")} label="Add Email Identity" />} flush>
              <EmailTable view={v} blocker={blocker} onDelete={setDeleting} onAdd={() => setAdding("email")} />
              <div className="card-body">
                <Alert title="Limitations of email identities">
                  An address has no DKIM signature of its own unless its domain is verified with DKIM too: its mail is signed with SES's
                  default domain. Once you verify the whole domain, the address's own verification still works but is redundant.
                </Alert>
              </div>
            </Card>
          </>
        )}
      </QueryView>

      {adding && <AddIdentityDialog orgId={workspace.id} kind={adding} region={view?.region ?? null} onClose={() => setAdding(null)} />}

      <ConfirmModal
        open={deleting !== null}
        title={`Delete ${deleting?.kind === "email" ? "email identity" : "domain"}`}
        confirmLabel="Delete from SES"
        pending={remove.isPending}
        error={remove.error}
        onClose={() => {
          remove.reset();
          setDeleting(null);
        }}
        onConfirm={() =>
          deleting &&
          remove.mutate(deleting.id, {
            onSuccess: () => {
              notify(`${deleting.identity} was deleted from SES.`);
              setDeleting(null);
            },
          })
        }
      >
        <p>
          This deletes <strong className="mono">{deleting?.identity}</strong> from your AWS SES account{view?.region ? ` in ${view.region}` : ""}, not just from
          SendOps. Mail from it stops being accepted by SES, and this cannot be undone.
        </p>
        <p className="muted">To stop managing it in SendOps without touching SES, Disconnect it instead.</p>
      </ConfirmModal>
    </div>
  );
}
