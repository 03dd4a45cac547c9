/**
 * The wire level shared by the four services: SigV4 verification, the error type every operation
 * throws, and the answer formats (Query XML for STS/CloudFormation, restJson1 for SES, JSON 1.1 for
 * EventBridge) exactly as AWS writes them.
 */
import { createHash, createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import type http from "node:http";

export type Service = "sts" | "ses" | "events" | "cloudformation";
export const SERVICES: readonly Service[] = ["sts", "ses", "events", "cloudformation"];

/** An AWS error: the service's error name, HTTP status and message. */
export class AwsFault extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const decodeQueryPart = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
export const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Raw query string (or form body) → decoded pairs, in order. */
export function queryPairs(raw: string): [string, string][] {
  if (!raw) return [];
  return raw
    .split("&")
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf("=");
      return i === -1 ? [decodeQueryPart(p), ""] : [decodeQueryPart(p.slice(0, i)), decodeQueryPart(p.slice(i + 1))];
    });
}

/** Query-API services (form parameters in, XML out) and JSON services name their auth errors differently. */
const isQuery = (service: Service) => service === "sts" || service === "cloudformation";

export const authFaults = {
  missing: (service: Service) =>
    isQuery(service) ? new AwsFault("MissingAuthenticationToken", 403, "Request is missing Authentication Token") : new AwsFault("MissingAuthenticationTokenException", 403, "Missing Authentication Token"),
  mismatch: (service: Service, message: string) => (isQuery(service) ? new AwsFault("SignatureDoesNotMatch", 403, message) : new AwsFault("InvalidSignatureException", 403, message)),
  unknownKey: (service: Service) =>
    isQuery(service)
      ? new AwsFault("InvalidClientTokenId", 403, "The security token included in the request is invalid.")
      : new AwsFault("UnrecognizedClientException", 403, "The security token included in the request is invalid."),
  expired: (service: Service) => new AwsFault("ExpiredTokenException", isQuery(service) ? 400 : 403, "The security token included in the request is expired"),
};

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/;

/** The service a request is signed for (its credential scope), or null when it is not signed. */
export function signedService(req: http.IncomingMessage): string | null {
  return AUTH.exec(req.headers.authorization ?? "")?.[4] ?? null;
}

export interface SignedBy {
  accessKeyId: string;
  region: string;
  sessionToken: string | null;
}

const SIGNATURE_MAX_SKEW_MS = 15 * 60_000;

/**
 * Verifies a SigV4 `Authorization` header the way AWS does for non-S3 services: the path's segments are
 * encoded twice, query pairs sorted, only the signed headers count, the payload is hashed.
 */
export function verifySignature(
  req: http.IncomingMessage,
  rawPath: string,
  rawQuery: string,
  body: Buffer,
  service: Service,
  secretOf: (accessKeyId: string) => string | null,
  now: number,
): SignedBy {
  const m = AUTH.exec(req.headers.authorization ?? "");
  if (!m) throw authFaults.missing(service);
  const [, accessKeyId, date, region, scopeService, signedHeaders, signature] = m as unknown as string[];
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const at = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!at || !amzDate.startsWith(date!)) throw authFaults.mismatch(service, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP");
  const signedAt = Date.UTC(+at[1]!, +at[2]! - 1, +at[3]!, +at[4]!, +at[5]!, +at[6]!);
  if (Math.abs(now - signedAt) > SIGNATURE_MAX_SKEW_MS) throw authFaults.mismatch(service, `Signature expired: ${amzDate} is now earlier or later than the allowed 15 minutes.`);
  if (scopeService !== service) throw authFaults.mismatch(service, `Credential should be scoped to correct service: '${service}'.`);
  const secret = secretOf(accessKeyId!);
  if (secret === null) throw authFaults.unknownKey(service);
  const names = signedHeaders!.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) throw authFaults.mismatch(service, "'Host' and 'X-Amz-Date' must be signed.");
  if (req.headers["x-amz-security-token"] !== undefined && !names.includes("x-amz-security-token")) throw authFaults.mismatch(service, "'X-Amz-Security-Token' must be signed.");
  const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n] ?? "").trim().replace(/\s+/g, " ")}\n`).join("");
  const canonicalUri = rawPath.split("/").map(uriEncode).join("/");
  const canonicalQuery = queryPairs(rawQuery)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([k1, v1], [k2, v2]) => (k1 < k2 ? -1 : k1 > k2 ? 1 : v1 < v2 ? -1 : v1 > v2 ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join("&");
  const payloadHash = String(req.headers["x-amz-content-sha256"] ?? sha256Hex(body));
  const canonicalRequest = [req.method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service), "aws4_request");
  const expected = createHmac("sha256", key).update(stringToSign).digest();
  if (!timingSafeEqual(expected, Buffer.from(signature!, "hex"))) {
    throw authFaults.mismatch(service, "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
  }
  const token = req.headers["x-amz-security-token"];
  return { accessKeyId: accessKeyId!, region: region!, sessionToken: typeof token === "string" ? token : null };
}

/** Query-API XML: `<XResponse xmlns><XResult>…</XResult><ResponseMetadata>…` (no Result element when the operation has no output). */
export function queryReply(res: http.ServerResponse, ns: string, action: string, resultXml: string | null) {
  const requestId = randomUUID();
  const result = resultXml === null ? "" : `  <${action}Result>\n${resultXml}  </${action}Result>\n`;
  res
    .writeHead(200, { "content-type": "text/xml", "x-amzn-requestid": requestId })
    .end(`<${action}Response xmlns="${ns}">\n${result}  <ResponseMetadata>\n    <RequestId>${requestId}</RequestId>\n  </ResponseMetadata>\n</${action}Response>\n`);
}

export function queryFault(res: http.ServerResponse, ns: string, f: AwsFault) {
  const requestId = randomUUID();
  res
    .writeHead(f.status, { "content-type": "text/xml", "x-amzn-requestid": requestId })
    .end(
      `<ErrorResponse xmlns="${ns}">\n  <Error>\n    <Type>${f.status >= 500 ? "Receiver" : "Sender"}</Type>\n    <Code>${f.code}</Code>\n    <Message>${xmlEscape(f.message)}</Message>\n  </Error>\n  <RequestId>${requestId}</RequestId>\n</ErrorResponse>\n`,
    );
}

/**
 * A value as Query-API XML: objects become elements, arrays `<member>` lists, Dates ISO-8601;
 * undefined and null members are left out, as AWS does.
 */
export function toXml(value: Record<string, unknown>, indent = "    "): string {
  let out = "";
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) {
      if (!v.length) continue;
      const members = v.map((m) => (typeof m === "object" && m !== null ? `${indent}  <member>\n${toXml(m as Record<string, unknown>, `${indent}    `)}${indent}  </member>\n` : `${indent}  <member>${scalar(m)}</member>\n`));
      out += `${indent}<${key}>\n${members.join("")}${indent}</${key}>\n`;
    } else if (v instanceof Date) out += `${indent}<${key}>${v.toISOString()}</${key}>\n`;
    else if (typeof v === "object") out += `${indent}<${key}>\n${toXml(v as Record<string, unknown>, `${indent}  `)}${indent}</${key}>\n`;
    else out += `${indent}<${key}>${scalar(v)}</${key}>\n`;
  }
  return out;
}
const scalar = (v: unknown) => (v instanceof Date ? v.toISOString() : xmlEscape(String(v)));

/** restJson1 (SES v2): the body as JSON; errors name themselves in `x-amzn-ErrorType`. */
export function restJsonReply(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": randomUUID() }).end(JSON.stringify(body));
}

export function restJsonFault(res: http.ServerResponse, f: AwsFault) {
  res
    .writeHead(f.status, { "content-type": "application/json", "x-amzn-requestid": randomUUID(), "x-amzn-errortype": `${f.code}:http://internal.amazon.com/coral/com.amazonaws.sesv2/` })
    .end(JSON.stringify({ message: f.message }));
}

/** JSON 1.1 (EventBridge): errors carry their name in `__type`. */
export function json11Reply(res: http.ServerResponse, body: unknown) {
  res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() }).end(JSON.stringify(body));
}

export function json11Fault(res: http.ServerResponse, f: AwsFault) {
  res.writeHead(f.status, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": randomUUID() }).end(JSON.stringify({ __type: f.code, message: f.message }));
}

/** A paging token: the position after which the next page starts, MAC-protected and tied to its filter. */
export class PageTokens {
  constructor(private readonly key: Buffer) {}

  issue(after: string, filter: string): string {
    const payload = Buffer.from(JSON.stringify({ a: after, f: filter })).toString("base64url");
    return `${payload}.${this.mac(payload)}`;
  }

  /** The position, or null when the token is forged or belongs to another filter. */
  read(token: string, filter: string): string | null {
    const [payload, mac] = token.split(".");
    if (!payload || !mac || this.mac(payload) !== mac) return null;
    const parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { a: string; f: string };
    return parsed.f === filter ? parsed.a : null;
  }

  /** One page of `keys` (sorted) after the token's position; `invalid` is thrown for a bad token. */
  page<T>(items: readonly T[], keyOf: (item: T) => string, size: number, token: string | null | undefined, filter: string, invalid: () => AwsFault): { page: T[]; next: string | null } {
    const after = token ? this.read(token, filter) : null;
    if (token && after === null) throw invalid();
    const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
    const rest = after === null ? sorted : sorted.filter((i) => keyOf(i) > after);
    const page = rest.slice(0, size);
    return { page, next: rest.length > size ? this.issue(keyOf(page[page.length - 1]!), filter) : null };
  }

  private mac(payload: string) {
    return createHmac("sha256", this.key).update(payload).digest("base64url").slice(0, 22);
  }
}
