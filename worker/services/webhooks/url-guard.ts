/**
 * SSRF guard for outbound webhook URLs (docs/webhooks.md#which-urls-are-accepted). A URL is checked when
 * an endpoint is saved and again before every delivery (its name may resolve elsewhere by then: DNS
 * rebinding). Every A and AAAA address of the host must be public; one private address refuses the URL.
 */
import { isDevelopment, type Env } from "../../env";
import { lookup } from "../../integrations/dns";
import { AppError } from "../../lib/errors";

/** Only in development (ENVIRONMENT, `npm start` and the tests) may a webhook point at loopback, where local receivers listen. */
export type UrlGuardEnv = Pick<Env, "ENVIRONMENT" | "DNS_RESOLVER_URL">;

const isLoopbackName = (host: string) => host === "localhost" || host.endsWith(".localhost");

/** Names that point inside a network whatever DNS says: cloud metadata services, mDNS, private-use TLDs. */
const BLOCKED_NAMES = [/^metadata$/, /^metadata\.google\.internal$/, /\.internal$/, /\.local$/, /\.localdomain$/, /\.home\.arpa$/];

function ipv4Of(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

/** 8 groups of 16 bits, or null when `host` is not an IPv6 address (brackets allowed). */
function ipv6Of(rawHost: string): number[] | null {
  const host = rawHost.replace(/^\[|\]$/g, "").toLowerCase();
  if (!host.includes(":") || !/^[0-9a-f:.]+$/.test(host)) return null;
  let tail: number[] = [];
  let head = host;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(host);
  if (v4) {
    const p = ipv4Of(v4[1]!);
    if (!p) return null;
    tail = [(p[0]! << 8) | p[1]!, (p[2]! << 8) | p[3]!];
    head = host.slice(0, -v4[1]!.length);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN)));
  const left = parse(halves[0]!);
  const right = halves.length === 2 ? parse(halves[1]!) : [];
  const fill = 8 - tail.length - left.length - right.length;
  if (halves.length === 1 && fill !== 0) return null;
  if (fill < 0) return null;
  const groups = [...left, ...Array(halves.length === 2 ? fill : 0).fill(0), ...right, ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

const inV4 = (ip: number[], base: [number, number, number, number], bits: number) => {
  const n = ((ip[0]! << 24) | (ip[1]! << 16) | (ip[2]! << 8) | ip[3]!) >>> 0;
  const b = ((base[0] << 24) | (base[1] << 16) | (base[2] << 8) | base[3]) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (n & mask) === (b & mask);
};

/** Why an IPv4 address may not receive webhooks, or null when it is public. */
function blockedV4(ip: number[], allowLoopback: boolean): string | null {
  if (inV4(ip, [127, 0, 0, 0], 8)) return allowLoopback ? null : "loopback";
  if (inV4(ip, [0, 0, 0, 0], 8)) return "unspecified";
  if (inV4(ip, [10, 0, 0, 0], 8) || inV4(ip, [172, 16, 0, 0], 12) || inV4(ip, [192, 168, 0, 0], 16)) return "private";
  if (inV4(ip, [169, 254, 0, 0], 16)) return "link-local";
  if (inV4(ip, [100, 64, 0, 0], 10)) return "carrier-grade NAT";
  if (inV4(ip, [192, 0, 0, 0], 24) || inV4(ip, [198, 18, 0, 0], 15)) return "reserved";
  if (inV4(ip, [224, 0, 0, 0], 4)) return "multicast";
  if (inV4(ip, [240, 0, 0, 0], 4)) return "reserved";
  return null;
}

function blockedV6(g: number[], allowLoopback: boolean): string | null {
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return "unspecified";
  if (zeroUpTo(7) && g[7] === 1) return allowLoopback ? null : "loopback";
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the embedded IPv4 address.
  const embedded = [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff];
  if (zeroUpTo(5) && g[5] === 0xffff) return blockedV4(embedded, allowLoopback);
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return blockedV4(embedded, allowLoopback);
  if ((g[0]! & 0xfe00) === 0xfc00) return "private";
  if ((g[0]! & 0xffc0) === 0xfe80) return "link-local";
  if ((g[0]! & 0xff00) === 0xff00) return "multicast";
  return null;
}

/** Why an IP address (v4 or v6 text) may not receive webhooks, or null when it is a public address. */
export function blockedAddressReason(address: string, allowLoopback: boolean): string | null {
  const v4 = ipv4Of(address);
  if (v4) return blockedV4(v4, allowLoopback);
  const v6 = ipv6Of(address);
  if (v6) return blockedV6(v6, allowLoopback);
  return "not an IP address";
}

export class BlockedUrlError extends AppError {
  constructor(message: string) {
    super("WEBHOOK_URL_REFUSED", 400, message, { fields: [{ field: "url", message }] });
  }
}

/** Parses and checks the URL's form (no look-ups): scheme, credentials, host name. Returns the URL. */
export function checkUrlShape(env: Pick<Env, "ENVIRONMENT">, raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BlockedUrlError("Enter an absolute URL, e.g. https://hooks.example.com/sendops.");
  }
  const dev = isDevelopment(env);
  if (url.protocol !== "https:" && !(dev && url.protocol === "http:")) {
    throw new BlockedUrlError(dev ? "The URL must use https:// (or http:// on this development instance)." : "The URL must use https://.");
  }
  if (url.username || url.password) throw new BlockedUrlError("The URL must not contain a user name or password; authenticate the request with the signature instead.");
  const host = url.hostname.toLowerCase();
  if (isLoopbackName(host) && !dev) throw new BlockedUrlError(`${host} is a loopback name; webhooks go to publicly reachable hosts.`);
  const name = BLOCKED_NAMES.find((re) => re.test(host));
  if (name) throw new BlockedUrlError(`${host} is an internal host name; webhooks go to publicly reachable hosts.`);
  return url;
}

export type ResolveResult = { ok: true; addresses: string[] } | { ok: false; reason: string };

/**
 * Resolves the URL's host (A and AAAA through the DNS client; an IP literal as is) and checks every
 * address. A resolver failure throws the DNS client's 503; a refusal is `{ ok: false, reason }`.
 */
export async function resolvePublicAddresses(env: UrlGuardEnv, url: URL, fetcher: typeof fetch = fetch): Promise<ResolveResult> {
  const dev = isDevelopment(env);
  const host = url.hostname.toLowerCase();
  let addresses: string[];
  if (ipv4Of(host) || ipv6Of(host)) addresses = [host.replace(/^\[|\]$/g, "")];
  else if (dev && isLoopbackName(host)) addresses = ["127.0.0.1"];
  else {
    const [a, aaaa] = await Promise.all([lookup(env, host, "A", fetcher), lookup(env, host, "AAAA", fetcher)]);
    addresses = [...a.values, ...aaaa.values];
    if (addresses.length === 0) return { ok: false, reason: `${host} does not resolve to any address` };
  }
  for (const address of addresses) {
    const why = blockedAddressReason(address, dev);
    if (why) return { ok: false, reason: `blocked address: ${host} resolves to ${address} (${why})` };
  }
  return { ok: true, addresses };
}

/** The check made when an endpoint is saved: a refused URL is a 400 WEBHOOK_URL_REFUSED naming the reason. */
export async function assertWebhookUrlAllowed(env: UrlGuardEnv, raw: string, fetcher: typeof fetch = fetch): Promise<string> {
  const url = checkUrlShape(env, raw);
  const result = await resolvePublicAddresses(env, url, fetcher);
  if (!result.ok) throw new BlockedUrlError(`This URL cannot receive webhooks: ${result.reason}. Use a publicly reachable host.`);
  return url.toString();
}
