/**
 * The DNS check of a domain identity (product docs domains__dns-configuration.md and
 * troubleshooting__domain-verification.md), through the DNS-over-HTTPS client: SPF present, exactly one
 * record and including amazonses.com; DMARC present and its policy; each Easy DKIM CNAME resolving to
 * its SES target. Every finding says what is wrong and how to fix it, including the provider quirks
 * (a domain appended to the record name, a relative target, a proxied or TXT record instead of a CNAME).
 * A resolver failure is the client's 503 DNS_UNAVAILABLE: nothing is stored from a half-done check.
 */
import { lookup, type DnsAnswer, type DnsEnv, type DnsRecordType } from "../../integrations/dns";
import type { VerificationStatus } from "../../db/schema";
import type { DkimRecordCheck, DnsCheck, DnsCheckStatus } from "./dns-check";
import { dkimRecordName, dkimRecordTarget, includesAmazonSes, mergedSpf, recommendedDmarc, RECOMMENDED_SPF, spfRecords } from "./records";

/** One look-up of the check: through the resolver (or another DNS-over-HTTPS answerer, e.g. the demo seed's zone). */
type Ask = (name: string, type: DnsRecordType) => Promise<DnsAnswer>;

const SEVERITY: Record<DnsCheckStatus, number> = { ok: 0, pending: 1, warning: 2, error: 3 };
/** The most severe status of a list (ok when empty). */
export const worstOf = (statuses: readonly DnsCheckStatus[]): DnsCheckStatus =>
  statuses.reduce<DnsCheckStatus>((w, s) => (SEVERITY[s] > SEVERITY[w] ? s : w), "ok");

async function checkSpf(ask: Ask, domain: string): Promise<DnsCheck["spf"]> {
  const answer = await ask(domain, "TXT");
  const records = spfRecords(answer.values);
  const merged = mergedSpf(records);
  if (records.length === 0) {
    return { status: "warning", records, message: `No SPF record at ${domain}.`, fix: `Add a TXT record at ${domain}: ${RECOMMENDED_SPF}` };
  }
  if (records.length > 1) {
    return {
      status: "error",
      records,
      message: `${records.length} SPF records at ${domain}: receivers treat more than one as a permanent error (permerror), so SPF fails for all your mail.`,
      fix: `Replace them with one TXT record: ${merged}`,
    };
  }
  const [record] = records as [string];
  if (!includesAmazonSes(record)) {
    return { status: "warning", records, message: `The SPF record does not include amazonses.com: ${record}`, fix: `Add the include to your existing record (do not publish a second one): ${merged}` };
  }
  if (/\s\+?all\s*$/i.test(record)) {
    return { status: "warning", records, message: "The SPF record ends in +all, which authorizes every server on the internet to send as you.", fix: "End it with ~all (soft fail) or -all (hard fail)." };
  }
  return { status: "ok", records, message: "SPF includes amazonses.com.", fix: null };
}

const dmarcRecords = (txts: readonly string[]) => txts.filter((t) => /^v=DMARC1\s*(;|$)/i.test(t.trim()));

function dmarcTags(record: string): Map<string, string> {
  return new Map(
    record
      .split(";")
      .map((part) => part.split("="))
      .filter((kv) => kv.length === 2)
      .map(([k, v]) => [k!.trim().toLowerCase(), v!.trim().toLowerCase()]),
  );
}

const POLICIES = ["none", "quarantine", "reject"] as const;
type Policy = (typeof POLICIES)[number];
const asPolicy = (v: string | undefined): Policy | null => (POLICIES as readonly string[]).includes(v ?? "") ? (v as Policy) : null;

/** The domain itself, then each parent down to two labels (receivers fall back to the organizational domain's record). */
const dmarcCandidates = (domain: string) => {
  const labels = domain.split(".");
  return labels.slice(0, Math.max(1, labels.length - 1)).map((_, i) => labels.slice(i).join("."));
};

async function checkDmarc(ask: Ask, domain: string): Promise<DnsCheck["dmarc"]> {
  const recommended = recommendedDmarc(domain);
  for (const candidate of dmarcCandidates(domain)) {
    const recordName = `_dmarc.${candidate}`;
    const records = dmarcRecords((await ask(recordName, "TXT")).values);
    if (!records.length) continue;
    if (records.length > 1) {
      return {
        status: "error",
        record: records[0]!,
        recordName,
        policy: null,
        message: `${records.length} DMARC records at ${recordName}: receivers ignore DMARC when there is more than one.`,
        fix: `Keep exactly one TXT record at ${recordName}, e.g. ${recommended}`,
      };
    }
    const record = records[0]!;
    const tags = dmarcTags(record);
    const inherited = candidate !== domain;
    const policy = inherited ? (asPolicy(tags.get("sp")) ?? asPolicy(tags.get("p"))) : asPolicy(tags.get("p"));
    const from = inherited ? ` (inherited from ${recordName})` : "";
    if (!policy) {
      return { status: "error", record, recordName, policy: null, message: `The DMARC record at ${recordName} has no valid p= policy, so receivers ignore it.`, fix: `Publish: ${recommended}` };
    }
    if (policy === "none") {
      return {
        status: "warning",
        record,
        recordName,
        policy,
        message: `DMARC policy is none${from}: failing mail is only reported, not quarantined or rejected.`,
        fix: "Once the reports show your legitimate mail passes DKIM or SPF, move to p=quarantine (SendOps' recommendation), then p=reject.",
      };
    }
    return { status: "ok", record, recordName, policy, message: `DMARC policy is ${policy}${from}.`, fix: null };
  }
  return { status: "warning", record: null, recordName: null, policy: null, message: `No DMARC record at _dmarc.${domain}.`, fix: `Add a TXT record at _dmarc.${domain}: ${recommended}` };
}

async function checkDkimRecord(ask: Ask, domain: string, token: string, dkimStatus: VerificationStatus | null): Promise<DkimRecordCheck> {
  const name = dkimRecordName(token, domain);
  const expected = dkimRecordTarget(token);
  const base = { name, expected };
  const answer = await ask(name, "CNAME");
  const found = answer.values[0] ?? null;
  if (found === expected) return { ...base, found, status: "ok", message: "Resolves to SES.", fix: null };
  if (found) {
    const relative = found.startsWith(`${expected}.`);
    return {
      ...base,
      found,
      status: "error",
      message: relative ? `Points to ${found}: your DNS provider treated the value as relative and appended your domain.` : `Points to ${found} instead of ${expected}.`,
      fix: relative ? `Enter the value as ${expected}. (with a trailing dot), or exactly as shown if your provider adds the dot itself.` : `Change the CNAME's value to ${expected}.`,
    };
  }
  if (answer.outcome === "none") {
    return {
      ...base,
      found,
      status: "error",
      message: "The name exists but has no CNAME record.",
      fix: "DKIM records must be CNAME records, not TXT. On Cloudflare, set the record to DNS only (grey cloud): a proxied record is answered with Cloudflare's addresses.",
    };
  }
  const doubled = await ask(`${name}.${domain}`, "CNAME");
  if (doubled.values.length) {
    return {
      ...base,
      found,
      status: "error",
      message: `Found at ${name}.${domain} instead: your DNS provider appended the domain to the name you entered.`,
      fix: `Enter only ${token}._domainkey in the Host / Name field (GoDaddy, Namecheap and others add the domain themselves).`,
    };
  }
  const waiting = dkimStatus === null || dkimStatus === "PENDING" || dkimStatus === "NOT_STARTED" || dkimStatus === "TEMPORARY_FAILURE";
  return {
    ...base,
    found,
    status: waiting ? "pending" : "error",
    message: waiting ? "Not found yet." : "Not found.",
    fix: `Add a CNAME record ${name} → ${expected}. DNS changes usually appear within minutes, sometimes up to 72 hours.`,
  };
}

function dkimSummary(records: DkimRecordCheck[], dkimStatus: VerificationStatus | null): DnsCheck["dkim"] {
  if (!records.length) {
    return { status: "pending", records, message: "SES has not reported DKIM tokens for this domain yet.", fix: "Click Refresh to read them from SES." };
  }
  const status = worstOf(records.map((r) => r.status));
  const good = records.filter((r) => r.status === "ok").length;
  const message = `${good} of ${records.length} DKIM records resolve to SES.`;
  if (status === "ok" && dkimStatus === "FAILED") {
    return { status: "warning", records, message: `${message} SES reports DKIM as failed: it stopped retrying.`, fix: "Delete and add the domain again in SendOps so SES checks the records once more." };
  }
  return { status, records, message, fix: status === "ok" ? null : "Fix each record below as described." };
}

/**
 * Runs every check of one domain (at most 8 look-ups, in parallel). `fetcher` answers the DNS-over-HTTPS
 * requests (the demo seed computes its stored checks from the demo's zone without a resolver).
 */
export async function checkDomainDns(
  env: DnsEnv,
  domain: string,
  dkimTokens: readonly string[],
  dkimStatus: VerificationStatus | null,
  at: number,
  fetcher: typeof fetch = fetch,
): Promise<DnsCheck> {
  const ask: Ask = (name, type) => lookup(env, name, type, fetcher);
  const [spf, dmarc, dkimRecords] = await Promise.all([
    checkSpf(ask, domain),
    checkDmarc(ask, domain),
    Promise.all(dkimTokens.map((t) => checkDkimRecord(ask, domain, t, dkimStatus))),
  ]);
  return { checkedAt: at, spf, dmarc, dkim: dkimSummary(dkimRecords, dkimStatus) };
}
