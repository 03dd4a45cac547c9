import { DNS_PROVIDER_TIPS, type DnsCheck, type DnsRecordView, type IdentityView } from "../../api/identities";
import { CheckBadge } from "../../components/identity-badges";
import { DnsRecordList } from "../../components/dns-record-list";
import { formatDateTime } from "../../lib/time";
import { useTimeZone } from "../../lib/use-timezone";

type Finding = { status: DnsCheck["spf"]["status"]; message: string; fix: string | null };

/** The check of one recommended record: its DKIM CNAME's, or the SPF / DMARC finding. */
function findingFor(record: DnsRecordView, check: DnsCheck | null): Finding | null {
  if (!check) return null;
  if (record.type === "CNAME") return check.dkim.records.find((r) => r.name === record.name) ?? null;
  return record.name.startsWith("_dmarc.") ? check.dmarc : check.spf;
}

/**
 * A domain's records to publish (three DKIM CNAMEs, SPF, DMARC), each with copy buttons and, once a DNS
 * check ran, what is wrong with it and how to fix it. A list rather than a table, so it reads at 390 px.
 */
export function DnsRecords({ identity }: { identity: IdentityView }) {
  const tz = useTimeZone();
  const check = identity.dnsCheck;
  return (
    <div className="stack-sm">
      <p className="muted">
        {check ? `Last DNS check ${formatDateTime(check.checkedAt, tz)}.` : "Not checked yet: click Refresh once the records are published."} SES
        verifies the domain from the three DKIM records; SPF and DMARC are strongly recommended.
      </p>
      <DnsRecordList
        label={`DNS records for ${identity.identity}`}
        records={identity.records.map((r) => {
          const finding = findingFor(r, check);
          const kind = r.type === "CNAME" ? "DKIM" : r.name.startsWith("_dmarc.") ? "DMARC" : "SPF";
          return {
            ...r,
            kind,
            what: kind,
            status: check ? <CheckBadge status={finding?.status ?? "pending"} /> : undefined,
            note:
              finding && finding.status !== "ok" ? (
                <div className={`dns-finding is-${finding.status}`}>
                  <p>{finding.message}</p>
                  {finding.fix && <p className="muted">{finding.fix}</p>}
                </div>
              ) : undefined,
          };
        })}
      />
      {check && (
        <ul className="dns-summary">
          {(["dkim", "spf", "dmarc"] as const).map((k) => (
            <li key={k}>
              <strong>{k.toUpperCase()}</strong> <CheckBadge status={check[k].status} /> <span>{check[k].message}</span>
            </li>
          ))}
        </ul>
      )}
      <details className="dns-tips">
        <summary>Tips for your DNS provider</summary>
        <ul>
          {DNS_PROVIDER_TIPS.map((t) => (
            <li key={t.provider}>
              <strong>{t.provider}:</strong> {t.tip}
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}
