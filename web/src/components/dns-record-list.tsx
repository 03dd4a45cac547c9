import type { ReactNode } from "react";
import { CopyButton } from "./ingest/copy-button";
import "./dns-record-list.css";

export interface DnsRecordItem {
  type: string;
  name: string;
  value: string;
  /** What the record is for, e.g. "DKIM signing (record 1 of 3)". */
  purpose: string;
  /** How the copy buttons name it: "Copy the <what> record name". */
  what: string;
  /** A short kind the tests and styles can select on (DKIM, SPF, DMARC, tracking). */
  kind: string;
  /** Its check's badge, when one ran. */
  status?: ReactNode;
  /** What is wrong with it and how to fix it. */
  note?: ReactNode;
}

function CopyField({ label, value, what }: { label: string; value: string; what: string }) {
  return (
    <div className="dns-field">
      <span className="dns-field-label">{label}</span>
      <code className="dns-field-value">{value}</code>
      <CopyButton text={value} what={what} className="btn btn-sm" />
    </div>
  );
}

/**
 * DNS records to publish at the customer's DNS provider (an identity's DKIM/SPF/DMARC, a tracking
 * domain's CNAMEs), name and value each with a copy button. A list rather than a table, so it reads at 390 px.
 */
export function DnsRecordList({ records, label }: { records: readonly DnsRecordItem[]; label: string }) {
  return (
    <ul className="dns-records" aria-label={label}>
      {records.map((r) => (
        <li key={`${r.type} ${r.name}`} className="dns-record" data-record={r.kind}>
          <div className="dns-record-head">
            <span className="badge mono">{r.type}</span>
            <span className="cell-primary">{r.purpose}</span>
            {r.status}
          </div>
          <CopyField label="Name" value={r.name} what={`${r.what} record name`} />
          <CopyField label="Value" value={r.value} what={`${r.what} record value`} />
          {r.note}
        </li>
      ))}
    </ul>
  );
}
