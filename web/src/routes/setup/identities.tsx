import { useState } from "react";
import { Link } from "@tanstack/react-router";
import { errorMessage } from "../../api/client";
import { useIdentityAction } from "../../api/identities";
import { useSetupIdentities, useSyncFromAws, useUpdateSetupProgress, type AwsAccountSyncView, type SetupConfigurationSetView, type SetupIdentityView } from "../../api/setup";
import { Alert } from "../../components/alert";
import { FormError } from "../../components/form";
import { AtSignIcon, PlusIcon, RefreshIcon } from "../../components/icons";
import { GuardedButton } from "../../components/guarded-button";
import { Card } from "../../components/page";
import { EmptyState, QueryView } from "../../components/states";
import { HiddenHeader, Table } from "../../components/table";
import { SesStatusBadge, UnmanagedBadge } from "../../components/identity-badges";
import { useToast } from "../../components/toast";
import { AddIdentityDialog } from "../identities/add-dialog";
import { PurposeBadge } from "../channels/badges";
import { blockerFor } from "../../lib/blocker";
import { formatCount } from "../../lib/format";
import { formatDateTime } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { PhaseActions } from "./parts";

function Markers({ state }: { state: SetupIdentityView["state"] }) {
  if (state === "new") return <span className="badge badge-primary">New</span>;
  if (state === "detached")
    return (
      <span className="badge badge-warning" title="No longer in SES; its events are still counted until it is archived.">
        Detached
      </span>
    );
  return null;
}

/** Connect / Disconnect: whether SendOps manages the identity (ingests its events); SES is not touched. */
function ManageButton({ row }: { row: SetupIdentityView }) {
  const scope = useWorkspace();
  const notify = useToast();
  const act = useIdentityAction(scope.workspace.id);
  const action = row.managed ? "disconnect" : "connect";
  return (
    <GuardedButton
      blocker={blockerFor(scope, "domains.manage", `${action} identities`)}
      className="btn btn-sm"
      label={`${row.managed ? "Disconnect" : "Connect"} ${row.identity}`}
      title={row.managed ? "Stop managing it in SendOps without touching SES" : "Manage it in SendOps: its events are ingested"}
      disabled={act.isPending}
      onClick={() => act.mutate({ id: row.id, action }, { onError: (err) => notify(errorMessage(err), "error") })}
    >
      {row.managed ? "Disconnect" : "Connect"}
    </GuardedButton>
  );
}

function IdentityTable({ title, rows, kind }: { title: string; rows: SetupIdentityView[]; kind: string }) {
  return (
    <Card title={title} flush>
      {rows.length ? (
        <Table label={title} head={<><th scope="col">Identity</th><th scope="col">Verification status</th><th scope="col">Managed</th><HiddenHeader label="Actions" /></>}>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>
                <span className="identity-cell">
                  <span className="cell-primary mono">{r.identity}</span>
                  <Markers state={r.state} />
                </span>
              </td>
              <td>
                <SesStatusBadge status={r.verificationStatus} />
              </td>
              <td>{r.managed ? <span className="badge badge-success">Managed</span> : <UnmanagedBadge />}</td>
              <td className="cell-actions">
                <ManageButton row={r} />
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        <EmptyState icon={AtSignIcon} title={`No ${kind} yet`}>
          Sync from AWS to import the {kind} your SES account already holds in this region.
        </EmptyState>
      )}
    </Card>
  );
}

function ConfigurationSets({ sets }: { sets: SetupConfigurationSetView[] }) {
  const { workspace } = useWorkspace();
  return (
    <Card
      title="Configuration Sets"
      description={
        <>
          Found in your SES account or created by SendOps; each one (except the stack's base set) is a channel.{" "}
          <Link to="/w/$slug/channels" params={{ slug: workspace.slug }}>
            Manage channels
          </Link>
        </>
      }
      flush
    >
      {sets.length ? (
        <Table label="Configuration Sets" head={<><th scope="col">Configuration set</th><th scope="col">Channel</th><th scope="col">Purpose</th></>}>
          {sets.map((s) => (
            <tr key={s.name}>
              <td>
                <span className="identity-cell">
                  <span className="cell-primary mono">{s.name}</span>
                  {s.origin === "discovered" && <span className="badge badge-primary">Discovered</span>}
                  {s.detached && <span className="badge badge-warning">Detached</span>}
                </span>
              </td>
              <td>
                {s.channelId ? (
                  <span className="identity-cell">
                    <Link to="/w/$slug/channels/$channelId" params={{ slug: workspace.slug, channelId: s.channelId }}>
                      {s.channelName}
                    </Link>
                    {s.isDefault && <span className="badge badge-primary">Default</span>}
                  </span>
                ) : (
                  <span className="muted">base set</span>
                )}
              </td>
              <td>
                <PurposeBadge purpose={s.purpose} />
              </td>
            </tr>
          ))}
        </Table>
      ) : (
        <EmptyState title="No configuration sets found">The stack creates sendops-events; sync from AWS once it is deployed.</EmptyState>
      )}
    </Card>
  );
}

function Account({ account }: { account: NonNullable<AwsAccountSyncView["account"]> }) {
  const unlimited = (n: number) => (n === -1 ? "unlimited" : formatCount(n));
  return (
    <dl className="kv account-kv">
      <dt>Account</dt>
      <dd>
        {account.mode === "sandbox" ? <span className="badge badge-warning">Sandbox</span> : <span className="badge badge-success">Production</span>}
        {!account.sendingEnabled && <span className="badge badge-danger">Sending disabled</span>}
        {account.enforcementStatus && account.enforcementStatus !== "HEALTHY" && <span className="badge badge-danger">{account.enforcementStatus}</span>}
        {account.reviewStatus && <span className="badge">Production access review: {account.reviewStatus}</span>}
      </dd>
      {account.quota && (
        <>
          <dt>Sending limits</dt>
          <dd>
            {unlimited(account.quota.max24HourSend)} per day · {unlimited(account.quota.maxSendRate)} per second ·{" "}
            {formatCount(account.quota.sentLast24Hours)} sent in the last 24 h
          </dd>
        </>
      )}
    </dl>
  );
}

function SyncBar({ sync }: { sync: AwsAccountSyncView }) {
  const scope = useWorkspace();
  const tz = useTimeZone();
  const start = useSyncFromAws(scope.workspace.id);
  const busy = sync.running || start.isPending;
  const blocker = blockerFor(scope, "aws.manage", "sync from AWS");
  return (
    <Card>
      <div className="stack">
        <div className="sync-status">
          <GuardedButton blocker={busy ? "A sync is running." : blocker} className="btn" onClick={() => start.mutate()}>
            {busy ? <span className="spinner" aria-hidden="true" /> : <RefreshIcon size={14} />}
            Sync from AWS
          </GuardedButton>
          <span className="muted" role="status">
            {busy ? "Syncing from AWS…" : sync.lastSyncedAt ? `Last synced ${formatDateTime(sync.lastSyncedAt, tz)}` : "Not synced yet"}
          </span>
        </div>
        <FormError error={start.error} />
        {sync.lastError && (
          <Alert variant="danger" title={`The last sync failed: ${sync.lastError.code}`} role="alert">
            {sync.lastError.message} ({formatDateTime(sync.lastError.at, tz)})
          </Alert>
        )}
        {sync.account && <Account account={sync.account} />}
      </div>
    </Card>
  );
}

/**
 * Phase 3: the identities and configuration sets SES holds for the connected account and region (from
 * the account sync), each managed or not (Connect / Disconnect), and Add Domain (the Identities page's dialog).
 */
export function IdentitiesPhase({ back, next }: { back: () => void; next: () => void }) {
  const scope = useWorkspace();
  const identities = useSetupIdentities(scope.workspace.id);
  const complete = useUpdateSetupProgress(scope.workspace.id);
  const mayRecord = !scope.workspace.isDemo && scope.can("setup.manage");
  const [adding, setAdding] = useState(false);
  const onContinue = () => (mayRecord ? complete.mutate({ complete: "identities" }, { onSuccess: next }) : next());
  return (
    <div className="stack">
      <QueryView query={identities} loadingLabel="Loading identities…" errorTitle="Could not load the identities">
        {(view) => (
          <>
            <SyncBar sync={view.sync} />
            <div className="row-between wrap">
              <p className="muted">
                Managed identities' events are ingested. Verify a new domain here or on the{" "}
                <Link to="/w/$slug/identities" params={{ slug: scope.workspace.slug }}>
                  Identities
                </Link>{" "}
                page.
              </p>
              <GuardedButton blocker={blockerFor(scope, "domains.manage", "add domains")} className="btn btn-sm" onClick={() => setAdding(true)}>
                <PlusIcon size={14} />
                Add Domain
              </GuardedButton>
            </div>
            <IdentityTable title="Domain Identities" kind="domains" rows={view.identities.filter((i) => i.kind === "domain")} />
            <IdentityTable title="Email Identities" kind="email addresses" rows={view.identities.filter((i) => i.kind === "email")} />
            <ConfigurationSets sets={view.configurationSets} />
          </>
        )}
      </QueryView>
      {adding && <AddIdentityDialog orgId={scope.workspace.id} kind="domain" region={null} onClose={() => setAdding(false)} />}
      <FormError error={complete.error} />
      <PhaseActions back={back}>
        <button type="button" className="btn btn-primary" onClick={onContinue} disabled={complete.isPending}>
          {complete.isPending && <span className="spinner" aria-hidden="true" />}
          Continue
        </button>
      </PhaseActions>
    </div>
  );
}
