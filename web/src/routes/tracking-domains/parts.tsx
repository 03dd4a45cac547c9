import type { TrackingCheckStatus } from "../../../../worker/db/schema";
import type { TrackingDnsRecord, TrackingProtocol } from "../../../../worker/services/tracking-domains/rules";
import { CopyButton } from "../../components/ingest/copy-button";
import "./tracking-domains.css";

const STATUS: Record<TrackingCheckStatus, { label: string; cls: string; title: string }> = {
  pending: { label: "Pending", cls: "badge-warning", title: "Waiting for the DNS records to be detected; checked automatically." },
  verified: { label: "Verified", cls: "badge-success", title: "The records have been confirmed." },
  failed: { label: "Failed", cls: "badge-danger", title: "Timed out after 7 days, or SES reported a failure." },
  invalid: { label: "Invalid", cls: "badge-danger", title: "The CNAME was verified but now points to a different target." },
};

export function TrackingStatusBadge({ status }: { status: TrackingCheckStatus }) {
  const s = STATUS[status];
  return (
    <span className={`badge status-badge ${s.cls}`} title={s.title}>
      <span className="status-dot" aria-hidden="true" />
      {s.label}
    </span>
  );
}

export function ProtocolBadge({ protocol }: { protocol: TrackingProtocol }) {
  return <span className={`badge${protocol === "https" ? " badge-primary" : ""}`}>{protocol.toUpperCase()}</span>;
}

/** The records to add at the DNS provider, each name and value with its own copy button (no table: it fits 390 px). */
export function DnsRecordList({ records }: { records: TrackingDnsRecord[] }) {
  return (
    <ul className="dns-records" aria-label="DNS records">
      {records.map((r, i) => (
        <li key={r.name} className="dns-record">
          <div className="dns-record-head">
            <span className="badge">{r.type}</span>
            <span className="muted">{r.purpose === "tracking" ? "Tracking CNAME" : `DKIM ${i}`}</span>
          </div>
          <dl className="dns-record-fields">
            <dt>Name</dt>
            <dd>
              <code>{r.name}</code>
              <CopyButton text={r.name} what={`${r.purpose === "tracking" ? "tracking" : `DKIM ${i}`} record name`} className="btn btn-sm" />
            </dd>
            <dt>Value</dt>
            <dd>
              <code>{r.value}</code>
              <CopyButton text={r.value} what={`${r.purpose === "tracking" ? "tracking" : `DKIM ${i}`} record value`} className="btn btn-sm" />
            </dd>
          </dl>
        </li>
      ))}
    </ul>
  );
}
