import type { TrackingCheckStatus } from "../../../../worker/db/schema";
import type { TrackingDnsRecord, TrackingProtocol } from "../../../../worker/services/tracking-domains/rules";
import { DnsRecordList as RecordList } from "../../components/dns-record-list";
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

/** The tracking CNAME and the three DKIM CNAMEs of the subdomain's SES identity. */
export function DnsRecordList({ records }: { records: TrackingDnsRecord[] }) {
  return (
    <RecordList
      label="DNS records"
      records={records.map((r, i) => {
        const what = r.purpose === "tracking" ? "tracking" : `DKIM ${i}`;
        return { ...r, kind: r.purpose === "tracking" ? "tracking" : "DKIM", what, purpose: r.purpose === "tracking" ? "Tracking CNAME" : `DKIM signing (record ${i} of 3)` };
      })}
    />
  );
}
