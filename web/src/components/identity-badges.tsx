import type { DnsCheckStatus, IdentityHealth, IdentityMarker, IdentityStatus } from "../api/identities";

/** The badges of identities, shared by the Identities page and the Setup Guide. */

const STATUS: Record<IdentityStatus, { label: string; cls: string }> = {
  verified: { label: "Verified", cls: "badge-success" },
  pending: { label: "Pending", cls: "badge-warning" },
  failed: { label: "Failed", cls: "badge-danger" },
};

/** SES's VerificationStatus values (DKIM's too). */
const SES_STATUS: Record<string, { label: string; cls: string }> = {
  SUCCESS: { label: "Verified", cls: "badge-success" },
  PENDING: { label: "Pending", cls: "badge-warning" },
  TEMPORARY_FAILURE: { label: "Temporary failure", cls: "badge-warning" },
  FAILED: { label: "Failed", cls: "badge-danger" },
  NOT_STARTED: { label: "Not started", cls: "" },
};

const CHECK: Record<DnsCheckStatus, { label: string; cls: string }> = {
  ok: { label: "OK", cls: "badge-success" },
  warning: { label: "Warning", cls: "badge-warning" },
  error: { label: "Error", cls: "badge-danger" },
  pending: { label: "Pending", cls: "" },
};

const HEALTH: Record<IdentityHealth, { label: string; cls: string }> = {
  healthy: { label: "Healthy", cls: "badge-success" },
  critical: { label: "Critical", cls: "badge-danger" },
  pending: { label: "Pending", cls: "badge-warning" },
};

function StatusDot({ label, cls, title }: { label: string; cls: string; title?: string }) {
  return (
    <span className={`badge status-badge ${cls}`} title={title}>
      <span className="status-dot" aria-hidden="true" />
      {label}
    </span>
  );
}

export const IdentityStatusBadge = ({ status }: { status: IdentityStatus }) => <StatusDot {...STATUS[status]} />;

export function SesStatusBadge({ status }: { status: string }) {
  return <StatusDot {...(SES_STATUS[status] ?? { label: status, cls: "" })} />;
}

export function CheckBadge({ status, label, title }: { status: DnsCheckStatus | null; label?: string; title?: string }) {
  if (status === null) return <span className="muted">Not checked</span>;
  const c = CHECK[status];
  return <StatusDot label={label ?? c.label} cls={c.cls} title={title} />;
}

export const HealthBadge = ({ health }: { health: IdentityHealth }) => <StatusDot {...HEALTH[health]} />;

export function MarkerBadge({ marker }: { marker: IdentityMarker }) {
  if (marker === "new") return <span className="badge badge-primary" title="Found in your SES account by a sync in the last 7 days.">New</span>;
  if (marker === "detached")
    return (
      <span className="badge badge-warning" title="No longer in SES; its events are still counted until it is archived.">
        Detached
      </span>
    );
  if (marker === "archived")
    return (
      <span className="badge" title="Hidden from the list; its events are no longer counted. Nothing changed in SES.">
        Archived
      </span>
    );
  return null;
}

export const UnmanagedBadge = () => (
  <span className="badge" title="Disconnected: SendOps drops its events as unmanaged. Nothing changed in SES.">
    Unmanaged
  </span>
);
