/**
 * The DNS records a domain identity needs (product docs domains__dns-configuration.md): the three Easy
 * DKIM CNAMEs SES generated, SPF (merged into the domain's existing record when there is one: a domain
 * may publish only one) and DMARC. Pure, shared with the dashboard.
 */

export const AMAZON_SES_SPF_INCLUDE = "include:amazonses.com";
export const RECOMMENDED_SPF = `v=spf1 ${AMAZON_SES_SPF_INCLUDE} ~all`;
export const recommendedDmarc = (domain: string) => `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`;

export const dkimRecordName = (token: string, domain: string) => `${token}._domainkey.${domain}`;
export const dkimRecordTarget = (token: string) => `${token}.dkim.amazonses.com`;

export interface DnsRecordView {
  type: "CNAME" | "TXT";
  name: string;
  value: string;
  purpose: string;
  /** SPF and DMARC are recommended; the DKIM CNAMEs are what SES verifies. */
  required: boolean;
}

const isSpf = (txt: string) => /^v=spf1(\s|$)/i.test(txt.trim());
export const spfRecords = (txts: readonly string[]) => txts.filter(isSpf);
const terms = (record: string) => record.trim().split(/\s+/).slice(1);
const isAll = (term: string) => /^[-~?+]?all$/i.test(term);
export const includesAmazonSes = (record: string) => terms(record).some((t) => t.toLowerCase() === AMAZON_SES_SPF_INCLUDE);

/**
 * The one SPF record the domain should publish: the recommended record when it has none; otherwise its
 * existing record(s) merged into one (each mechanism once, the first record's `all` last) with
 * `include:amazonses.com` added before the `all`.
 */
export function mergedSpf(existing: readonly string[]): string {
  const records = spfRecords(existing);
  if (!records.length) return RECOMMENDED_SPF;
  const seen = new Set<string>();
  const mechanisms: string[] = [];
  let all: string | null = null;
  for (const term of records.flatMap(terms)) {
    if (isAll(term)) {
      all ??= term;
      continue;
    }
    if (seen.has(term.toLowerCase())) continue;
    seen.add(term.toLowerCase());
    mechanisms.push(term);
  }
  if (!seen.has(AMAZON_SES_SPF_INCLUDE)) mechanisms.push(AMAZON_SES_SPF_INCLUDE);
  return ["v=spf1", ...mechanisms, all ?? "~all"].join(" ");
}

/** The records to publish, in the order the dashboard lists them. */
export function recommendedRecords(domain: string, dkimTokens: readonly string[], existingSpf: readonly string[]): DnsRecordView[] {
  return [
    ...dkimTokens.map((t, i) => ({
      type: "CNAME" as const,
      name: dkimRecordName(t, domain),
      value: dkimRecordTarget(t),
      purpose: `DKIM signing (record ${i + 1} of ${dkimTokens.length})`,
      required: true,
    })),
    {
      type: "TXT",
      name: domain,
      value: mergedSpf(existingSpf),
      purpose: spfRecords(existingSpf).length ? "SPF (replaces your existing SPF record: a domain may have only one)" : "SPF",
      required: false,
    },
    { type: "TXT", name: `_dmarc.${domain}`, value: recommendedDmarc(domain), purpose: "DMARC", required: false },
  ];
}

/** The provider quirks of troubleshooting__domain-verification.md, shown as help next to the records. */
export const DNS_PROVIDER_TIPS: readonly { provider: string; tip: string }[] = [
  { provider: "Cloudflare", tip: "Set the DKIM CNAMEs to DNS only (grey cloud). The proxy (orange cloud) rewrites the record and breaks DKIM verification." },
  { provider: "GoDaddy", tip: "Enter only the part before your domain in the Host field (e.g. {token}._domainkey): GoDaddy appends the domain itself." },
  { provider: "Namecheap", tip: "Like GoDaddy: enter only the subdomain part in the Host field." },
  { provider: "Route 53", tip: "Route 53 treats values as fully qualified names; a trailing dot on the target ({token}.dkim.amazonses.com.) is fine there." },
  { provider: "Any provider", tip: "If the provider adds a trailing dot to values itself, do not add one: a double dot (example.com..) fails." },
];
