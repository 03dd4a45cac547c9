/**
 * DNS look-ups for the identity and tracking-domain checks, through a DNS-over-HTTPS resolver's JSON API
 * (`DNS_RESOLVER_URL`: cloudflare-dns.com/dns-query in production, sim/dns locally). Answers are what a
 * recursive resolver sees: a CNAME chain is followed, and TXT character-strings come back unquoted and
 * joined (a long SPF record split into several strings is one value).
 */
import type { Env } from "../env";
import { AppError } from "../lib/errors";

export type DnsRecordType = "TXT" | "CNAME" | "MX" | "A" | "AAAA";
const TYPE_NUMBERS: Record<DnsRecordType, number> = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28 };

/** `found`: records of the type at the name; `none`: the name exists without them (NODATA); `nxdomain`: no such name. */
export interface DnsAnswer {
  outcome: "found" | "none" | "nxdomain";
  /** The records of the asked type (after following CNAMEs), names without the trailing dot. */
  values: string[];
  /** The CNAME chain followed, in order (targets without the trailing dot). */
  aliases: string[];
}

interface DohJson {
  Status: number;
  Answer?: { name: string; type: number; data: string }[];
}

const RCODE_NXDOMAIN = 3;
const TIMEOUT_MS = 5_000;

const stripDot = (s: string) => s.replace(/\.$/, "").toLowerCase();

/** `"v=spf1 " "include:amazonses.com ~all"` → `v=spf1 include:amazonses.com ~all` (RFC 7208 §3.3). */
export function joinTxt(data: string): string {
  const parts = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, "$1"));
  return parts.length ? parts.join("") : data;
}

export type DnsEnv = Pick<Env, "DNS_RESOLVER_URL">;

/** One look-up; a resolver that cannot answer (network, SERVFAIL, bad reply) is a 503 DNS_UNAVAILABLE. */
export async function lookup(env: DnsEnv, name: string, type: DnsRecordType, fetcher: typeof fetch = fetch): Promise<DnsAnswer> {
  const url = new URL(env.DNS_RESOLVER_URL);
  url.searchParams.set("name", name);
  url.searchParams.set("type", type);
  let body: DohJson;
  try {
    const res = await fetcher(url, { headers: { accept: "application/dns-json" }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = (await res.json()) as DohJson;
  } catch (err) {
    throw new AppError("DNS_UNAVAILABLE", 503, `The DNS resolver could not be asked for ${type} ${name}: ${(err as Error).message}. Try again in a minute.`, null, { "Retry-After": "30" });
  }
  if (body.Status === RCODE_NXDOMAIN) return { outcome: "nxdomain", values: [], aliases: [] };
  if (body.Status !== 0) {
    throw new AppError("DNS_UNAVAILABLE", 503, `The DNS resolver answered ${type} ${name} with error code ${body.Status}. Try again in a minute.`, null, { "Retry-After": "30" });
  }
  const answers = body.Answer ?? [];
  const aliases = answers.filter((a) => a.type === TYPE_NUMBERS.CNAME).map((a) => stripDot(a.data));
  const values = answers
    .filter((a) => a.type === TYPE_NUMBERS[type])
    .map((a) => (type === "TXT" ? joinTxt(a.data) : type === "CNAME" || type === "MX" ? stripDot(a.data) : a.data));
  return { outcome: values.length ? "found" : "none", values, aliases };
}
