import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { errorMessage } from "../../api/client";
import {
  useDeleteTrackingDomain,
  useTrackingDomain,
  useUpdateTrackingDomainCdn,
  useVerifyTrackingDomain,
  type TrackingDomain,
} from "../../api/tracking-domains";
import type { TrackingCheckView } from "../../../../worker/services/tracking-domains/views";
import { Alert } from "../../components/alert";
import { fieldError, FormError, SubmitButton, TextField } from "../../components/form";
import { GuardedButton } from "../../components/guarded-button";
import { HostName } from "../../components/host-name";
import { ChevronRightIcon, RefreshIcon } from "../../components/icons";
import { CopyButton } from "../../components/ingest/copy-button";
import { ConfirmModal } from "../../components/modal";
import { Card, PageHeader } from "../../components/page";
import { QueryView } from "../../components/states";
import { useToast } from "../../components/toast";
import { blockerFor } from "../../lib/blocker";
import { formatDateTime, formatRelative } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";
import { useWorkspace } from "../../workspace";
import { DnsRecordList, ProtocolBadge, TrackingStatusBadge } from "./parts";
import "../../components/aws.css";

export function TrackingDomainPage() {
  const { workspace } = useWorkspace();
  const { id } = useParams({ from: "/authenticated/w/$slug/tracking-domains/$id" });
  const domain = useTrackingDomain(workspace.id, id);
  return (
    <div className="stack">
      <PageHeader
        title={domain.data ? <HostName name={domain.data.subdomain} /> : "Tracking domain"}
        description="Verification, configuration and DNS records of this tracking domain."
        actions={
          <Link className="btn" to="/w/$slug/tracking-domains" params={{ slug: workspace.slug }}>
            All tracking domains
          </Link>
        }
      />
      <QueryView query={domain} loadingLabel="Loading the tracking domain…" errorTitle="Could not load the tracking domain">
        {(d) => (
          <>
            <VerificationCard domain={d} />
            <ConfigurationCard key={d.cdnDomain} domain={d} />
            <Card title="DNS Records">
              <details className="disclosure">
                <summary>
                  <ChevronRightIcon size={14} />
                  Tracking CNAME and DKIM records ({d.records.length})
                </summary>
                <DnsRecordList records={d.records} />
              </details>
            </Card>
            <DangerZone domain={d} />
          </>
        )}
      </QueryView>
    </div>
  );
}

/** Seconds until `at`, re-rendered each second while it is in the future. */
function useSecondsUntil(at: number | null): number {
  const [now, setNow] = useState(() => Date.now());
  const waiting = at !== null && at > now;
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [waiting]);
  return waiting ? Math.ceil((at - now) / 1000) : 0;
}

function Half({ title, check }: { title: string; check: TrackingCheckView }) {
  const tz = useTimeZone();
  return (
    <div className="verification-half" aria-label={title} role="group">
      <h3>{title}</h3>
      <TrackingStatusBadge status={check.status} />
      <span className="muted">
        {check.verifiedAt !== null && check.status === "verified" ? (
          <span title={formatDateTime(check.verifiedAt, tz)}>Verified {formatRelative(check.verifiedAt)}</span>
        ) : (
          <span title={check.checkedAt === null ? undefined : formatDateTime(check.checkedAt, tz)}>
            {check.checkedAt === null ? "Not checked yet" : `Last checked ${formatRelative(check.checkedAt)}`}
          </span>
        )}
      </span>
      {check.checkedAt !== null && check.status === "verified" && (
        <span className="muted" title={formatDateTime(check.checkedAt, tz)}>
          Last checked {formatRelative(check.checkedAt)}
        </span>
      )}
    </div>
  );
}

function VerificationCard({ domain: d }: { domain: TrackingDomain }) {
  const scope = useWorkspace();
  const tz = useTimeZone();
  const verify = useVerifyTrackingDomain(scope.workspace.id, d.id);
  const wait = useSecondsUntil(d.verifyAvailableAt);
  const blocker = blockerFor(scope, "domains.manage", "verify tracking domains") ?? (wait > 0 ? `Verify Now is available again in ${wait} s.` : null);
  return (
    <Card
      title="Verification Status"
      description="The domain is fully active when both DNS CNAME and SES Identity are verified."
      actions={
        d.status !== "verified" && (
          <GuardedButton blocker={blocker} className="btn" disabled={verify.isPending} onClick={() => verify.mutate()}>
            <RefreshIcon size={14} />
            {wait > 0 ? `Verify Now (${wait} s)` : "Verify Now"}
          </GuardedButton>
        )
      }
    >
      <div className="stack-sm">
        <div className="verification-halves">
          <Half title="DNS CNAME" check={d.cname} />
          <Half title="SES Identity (DKIM)" check={d.identity} />
        </div>
        {d.lastError && (
          <Alert variant={d.status === "pending" ? "warning" : "danger"} title="Last check">
            {d.lastError}
          </Alert>
        )}
        <FormError error={verify.error} />
        <p className="muted">
          {d.nextCheckAt === null ? (
            "Automatic checks have stopped: nothing is verified. Fix the records, then Verify Now."
          ) : (
            <span title={formatDateTime(d.nextCheckAt, tz)}>
              {d.status === "verified" ? "Next drift check" : "Next automatic check"} {formatRelative(d.nextCheckAt)}.
            </span>
          )}
        </p>
      </div>
    </Card>
  );
}

function ConfigurationCard({ domain: d }: { domain: TrackingDomain }) {
  const scope = useWorkspace();
  const notify = useToast();
  const update = useUpdateTrackingDomainCdn(scope.workspace.id, d.id);
  const [editing, setEditing] = useState(false);
  const [cdn, setCdn] = useState(d.cdnDomain ?? "");
  const blocker = blockerFor(scope, "domains.manage", "edit tracking domains");
  const save = () =>
    update.mutate(cdn.trim(), {
      onSuccess: (v) => {
        setEditing(false);
        notify(`Saved. Point the CNAME of ${v.subdomain} to ${v.cnameTarget}.`);
      },
    });
  return (
    <Card title="Configuration">
      <dl className="kv tracking-config">
        <dt>Protocol</dt>
        <dd>
          <ProtocolBadge protocol={d.protocol} />
        </dd>
        <dt>Region</dt>
        <dd className="mono">{d.region}</dd>
        <dt>CNAME Target</dt>
        <dd>
          <HostName name={d.cnameTarget} className="mono" />
          <CopyButton text={d.cnameTarget} what="CNAME target" className="btn btn-sm" />
        </dd>
        <dt>SES Tracking Endpoint</dt>
        <dd>
          <HostName name={d.sesTrackingEndpoint} className="mono" />
        </dd>
        {d.protocol === "https" && (
          <>
            <dt>CDN Domain</dt>
            <dd>
              {editing ? (
                <form
                  className="stack-sm"
                  onSubmit={(e) => {
                    e.preventDefault();
                    save();
                  }}
                >
                  <TextField
                    label="CDN Domain"
                    hint="Changing it changes the CNAME target: update your DNS record too."
                    value={cdn}
                    onValueChange={setCdn}
                    autoFocus
                    required
                    spellCheck={false}
                    autoCapitalize="off"
                    error={fieldError(update.error, "cdnDomain")}
                  />
                  <FormError error={update.error} fieldNames={["cdnDomain"]} />
                  <div className="row">
                    <SubmitButton pending={update.isPending} disabled={cdn.trim() === "" || cdn.trim() === d.cdnDomain}>
                      Save
                    </SubmitButton>
                    <button type="button" className="btn" onClick={() => (setEditing(false), setCdn(d.cdnDomain ?? ""), update.reset())}>
                      Cancel
                    </button>
                  </div>
                </form>
              ) : (
                <>
                  <HostName name={d.cdnDomain ?? ""} className="mono" />
                  <GuardedButton blocker={blocker} className="btn btn-sm" onClick={() => setEditing(true)}>
                    Edit
                  </GuardedButton>
                </>
              )}
            </dd>
          </>
        )}
      </dl>
    </Card>
  );
}

function DangerZone({ domain: d }: { domain: TrackingDomain }) {
  const scope = useWorkspace();
  const notify = useToast();
  const navigate = useNavigate();
  const del = useDeleteTrackingDomain(scope.workspace.id, d.id);
  const [confirming, setConfirming] = useState(false);
  const blocker = blockerFor(scope, "domains.manage", "delete tracking domains");
  return (
    <Card title="Danger Zone" danger flush>
      <div className="danger-row">
        <div>
          <h3>Delete Tracking Domain</h3>
          <p>Removes the SES email identity of {d.subdomain} and this tracking domain. Tracking links that use it stop working.</p>
        </div>
        <GuardedButton
          blocker={blocker}
          className="btn btn-danger-outline"
          onClick={() => {
            del.reset();
            setConfirming(true);
          }}
        >
          Delete Tracking Domain
        </GuardedButton>
      </div>
      <ConfirmModal
        open={confirming}
        title="Delete tracking domain"
        confirmLabel="Delete Tracking Domain"
        pending={del.isPending}
        error={del.error}
        onClose={() => setConfirming(false)}
        onConfirm={() =>
          del.mutate(undefined, {
            onSuccess: (r) => {
              setConfirming(false);
              notify(r.message);
              void navigate({ to: "/w/$slug/tracking-domains", params: { slug: scope.workspace.slug } });
            },
            onError: (err) => notify(errorMessage(err), "error"),
          })
        }
      >
        <div className="stack-sm">
          <p>
            Delete <strong className="mono">{d.subdomain}</strong>? Its SES email identity is deleted too, and tracking links that use
            it stop working immediately. This cannot be undone.
          </p>
          <p>
            SendOps cannot change your DNS: afterwards, remove these {d.records.length} records at your DNS provider.
          </p>
          <ul className="hint-list mono">
            {d.records.map((r) => (
              <li key={r.name}>
                {r.type} {r.name}
              </li>
            ))}
          </ul>
        </div>
      </ConfirmModal>
    </Card>
  );
}
