/**
 * Local stand-in for AWS: STS AssumeRole (Query API, XML) and the SES v2 operations SendOps calls
 * (restJson1), on 127.0.0.1, in the real wire formats of /work/shared/aws/. It verifies every SigV4
 * signature, checks each role's trust (trusted account + External ID), issues one-hour temporary
 * credentials and requires them (with X-Amz-Security-Token) on SES calls. Each AWS account + region has
 * its own suppression list, seeded on first use with a few hundred realistic entries.
 *
 * Run: `PORT=4566 tsx sim/aws.ts` (`npm start` does, see scripts/lib/sims.ts). Configuration: the
 * defaults below, overridden by AWS_SIM_CONFIG (inline JSON, or the path of a JSON file) with the shape
 * of `AwsSimConfig`. `/__sim/…` (not AWS) lets tests set up and inspect state; see `control()`.
 */
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

/** SendOps' own IAM identity, as `npm start` and the tests configure the Worker with it. */
export const SIM_SENDOPS_ACCOUNT = "999900001111";
export const SIM_ACCESS_KEY_ID = "AKIASENDOPSLOCAL0001";
export const SIM_SECRET_ACCESS_KEY = "sendopsLocalStandInSecretKey0000000000000";

export interface SimCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** The account the key belongs to: the principal a role's trust policy must name. */
  account: string;
}

export interface SimRole {
  arn: string;
  /** The account the trust policy trusts (SendOps' account). */
  trustedAccount: string;
  /** The trust policy's sts:ExternalId condition. Absent: bound to the first External ID presented (as if the user created the role with the id SendOps showed them). */
  externalId?: string;
}

export interface AwsSimConfig {
  credentials: SimCredential[];
  roles: SimRole[];
  /** Entries a suppression list starts with the first time an account + region is used. */
  seedEntries: number;
}

export const DEFAULT_CONFIG: AwsSimConfig = {
  credentials: [{ accessKeyId: SIM_ACCESS_KEY_ID, secretAccessKey: SIM_SECRET_ACCESS_KEY, account: SIM_SENDOPS_ACCOUNT }],
  roles: [
    { arn: "arn:aws:iam::222233334444:role/SendOpsRole", trustedAccount: SIM_SENDOPS_ACCOUNT },
    { arn: "arn:aws:iam::444455556666:role/SendOpsRole", trustedAccount: SIM_SENDOPS_ACCOUNT },
  ],
  seedEntries: 400,
};

const REASONS = ["BOUNCE", "COMPLAINT"] as const;
type Reason = (typeof REASONS)[number];
interface Entry {
  reason: Reason;
  /** Epoch ms. */
  lastUpdateTime: number;
}

interface Session {
  secretAccessKey: string;
  sessionToken: string;
  account: string;
  roleArn: string;
  expiration: number;
}

interface Stats {
  assumeRole: number;
  ses: Record<string, number>;
}

const DAY = 86_400_000;
const SIGNATURE_MAX_SKEW_MS = 15 * 60_000;

class AwsFault extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 3986 encoding, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
const uriEncode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const decodeQueryPart = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
const sha256Hex = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();

/** Raw query string → decoded pairs, in order. */
function queryPairs(raw: string): [string, string][] {
  if (!raw) return [];
  return raw
    .split("&")
    .filter(Boolean)
    .map((p) => {
      const i = p.indexOf("=");
      return i === -1 ? [decodeQueryPart(p), ""] : [decodeQueryPart(p.slice(0, i)), decodeQueryPart(p.slice(i + 1))];
    });
}

interface SignedBy {
  accessKeyId: string;
  region: string;
  sessionToken: string | null;
}

/**
 * Verifies a SigV4 `Authorization` header the way AWS does for non-S3 services: the path's segments are
 * encoded twice, query pairs sorted, only the signed headers count, the payload is hashed.
 */
function verifySignature(
  req: http.IncomingMessage,
  rawPath: string,
  rawQuery: string,
  body: Buffer,
  service: "sts" | "ses",
  secretOf: (accessKeyId: string) => string | null,
): SignedBy {
  const sts = service === "sts";
  const auth = req.headers.authorization ?? "";
  const m = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) {
    throw sts
      ? new AwsFault("MissingAuthenticationToken", 403, "Request is missing Authentication Token")
      : new AwsFault("MissingAuthenticationTokenException", 403, "Missing Authentication Token");
  }
  const [, accessKeyId, date, region, signedService, signedHeaders, signature] = m as unknown as string[];
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const at = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  const mismatch = (message: string) =>
    sts ? new AwsFault("SignatureDoesNotMatch", 403, message) : new AwsFault("InvalidSignatureException", 403, message);
  if (!at || !amzDate.startsWith(date!)) throw mismatch("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP");
  const signedAt = Date.UTC(+at[1]!, +at[2]! - 1, +at[3]!, +at[4]!, +at[5]!, +at[6]!);
  if (Math.abs(Date.now() - signedAt) > SIGNATURE_MAX_SKEW_MS) throw mismatch(`Signature expired: ${amzDate} is now earlier or later than the allowed 15 minutes.`);
  if (signedService !== service) throw mismatch(`Credential should be scoped to correct service: '${service}'.`);
  const secret = secretOf(accessKeyId!);
  if (secret === null) {
    throw sts
      ? new AwsFault("InvalidClientTokenId", 403, "The security token included in the request is invalid.")
      : new AwsFault("UnrecognizedClientException", 403, "The security token included in the request is invalid.");
  }
  const names = signedHeaders!.split(";");
  if (!names.includes("host") || !names.includes("x-amz-date")) throw mismatch("'Host' and 'X-Amz-Date' must be signed.");
  if (req.headers["x-amz-security-token"] !== undefined && !names.includes("x-amz-security-token")) throw mismatch("'X-Amz-Security-Token' must be signed.");
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
    throw mismatch("The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.");
  }
  const token = req.headers["x-amz-security-token"];
  return { accessKeyId: accessKeyId!, region: region!, sessionToken: typeof token === "string" ? token : null };
}

/** A small deterministic PRNG (mulberry32) so a seeded list is the same on every run. */
function rng(seedText: string) {
  let seed = 0;
  for (const ch of seedText) seed = (Math.imul(seed, 31) + ch.charCodeAt(0)) | 0;
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST = ["james", "maria", "wei", "anna", "lukas", "sofia", "omar", "chloe", "ivan", "priya", "noah", "elena", "kenji", "fatima", "lucas", "emma", "mateo", "yuki", "olga", "daniel"];
const LAST = ["smith", "garcia", "chen", "muller", "rossi", "novak", "kowalski", "ivanova", "patel", "kim", "dubois", "silva", "jones", "tanaka", "schmidt", "nguyen"];
const DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "aol.com", "gmx.de", "web.de", "orange.fr", "libero.it", "seznam.cz", "wp.pl", "mail.ru", "qq.com", "naver.com", "example-corp.com"];

/** `count` suppressed addresses, ~80 % bounces, last updated over the past ~9 months. */
export function seedSuppressions(key: string, count: number, now = Date.now()): Map<string, Entry> {
  const next = rng(key);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]!;
  const list = new Map<string, Entry>();
  while (list.size < count) {
    const sep = pick([".", "_", ""]);
    const n = next() < 0.4 ? String(Math.floor(next() * 100)) : "";
    const email = `${pick(FIRST)}${sep}${pick(LAST)}${n}@${pick(DOMAINS)}`;
    list.set(email, { reason: next() < 0.8 ? "BOUNCE" : "COMPLAINT", lastUpdateTime: Math.floor(now - next() * 270 * DAY) });
  }
  return list;
}

function loadConfig(): AwsSimConfig {
  const raw = process.env.AWS_SIM_CONFIG;
  if (!raw) return DEFAULT_CONFIG;
  const text = raw.trim().startsWith("{") ? raw : readFileSync(raw, "utf8");
  return { ...DEFAULT_CONFIG, ...(JSON.parse(text) as Partial<AwsSimConfig>) };
}

const accountOfRole = (arn: string) => /^arn:aws:iam::(\d{12}):role\//.exec(arn)?.[1] ?? null;
const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";

export class AwsSim {
  readonly server: http.Server;
  private readonly config: AwsSimConfig;
  private readonly roles = new Map<string, SimRole>();
  private readonly sessions = new Map<string, Session>();
  private readonly lists = new Map<string, Map<string, Entry>>();
  private readonly throttles = new Map<string, number>();
  private readonly stats = new Map<string, Stats>();
  private readonly tokenKey = randomBytes(16);

  constructor(config: AwsSimConfig = DEFAULT_CONFIG) {
    this.config = config;
    for (const role of config.roles) this.roles.set(role.arn, { ...role });
    this.server = http.createServer((req, res) => {
      void this.handle(req, res);
    });
  }

  /** Listens on 127.0.0.1:`port` (0 = any free port); resolves with the base URL. */
  listen(port: number): Promise<string> {
    return new Promise((resolve) => {
      this.server.listen(port, "127.0.0.1", () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`));
    });
  }

  close(): Promise<void> {
    // Clients (workerd) keep connections alive; close them or `close()` waits for their timeout.
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private statsOf(account: string): Stats {
    let s = this.stats.get(account);
    if (!s) this.stats.set(account, (s = { assumeRole: 0, ses: {} }));
    return s;
  }

  private list(account: string, region: string): Map<string, Entry> {
    const key = `${account}:${region}`;
    let list = this.lists.get(key);
    if (!list) this.lists.set(key, (list = seedSuppressions(key, this.config.seedEntries)));
    return list;
  }

  /** True (and counts one down) while a throttle is set for the account. */
  private throttled(account: string): boolean {
    const left = this.throttles.get(account) ?? 0;
    if (left <= 0) return false;
    this.throttles.set(account, left - 1);
    return true;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? "" : url.slice(q + 1);
    try {
      if (rawPath.startsWith("/__sim/")) return this.control(req.method ?? "GET", rawPath, body, res);
      if (rawPath.startsWith("/v2/email/")) return this.ses(req, rawPath, rawQuery, body, res);
      if (rawPath === "/") return this.sts(req, rawPath, rawQuery, body, res);
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: `No route for ${req.method} ${rawPath}` }));
    } catch (err) {
      console.error("aws sim:", err);
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ message: "internal error in the AWS stand-in" }));
    }
  }

  // ---- STS ----

  private stsReply(res: http.ServerResponse, status: number, xml: string) {
    res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomUUID() }).end(xml);
  }

  private stsFault(res: http.ServerResponse, f: AwsFault) {
    this.stsReply(
      res,
      f.status,
      `<ErrorResponse xmlns="${STS_NS}">\n  <Error>\n    <Type>${f.status >= 500 ? "Receiver" : "Sender"}</Type>\n    <Code>${f.code}</Code>\n    <Message>${xmlEscape(f.message)}</Message>\n  </Error>\n  <RequestId>${randomUUID()}</RequestId>\n</ErrorResponse>\n`,
    );
  }

  private sts(req: http.IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, res: http.ServerResponse) {
    try {
      const caller = this.config.credentials;
      const signed = verifySignature(req, rawPath, rawQuery, body, "sts", (id) => caller.find((c) => c.accessKeyId === id)?.secretAccessKey ?? null);
      const principal = caller.find((c) => c.accessKeyId === signed.accessKeyId)!;
      const params = new Map([...queryPairs(rawQuery), ...(req.method === "POST" ? queryPairs(body.toString("utf8")) : [])]);
      if (params.get("Action") !== "AssumeRole") throw new AwsFault("InvalidAction", 400, `Could not find operation ${params.get("Action") ?? ""} for version ${params.get("Version") ?? ""}`);
      if (params.get("Version") !== "2011-06-15") throw new AwsFault("InvalidParameterValue", 400, "Version must be 2011-06-15.");
      this.assumeRole(res, principal, params);
    } catch (err) {
      if (err instanceof AwsFault) return this.stsFault(res, err);
      throw err;
    }
  }

  private assumeRole(res: http.ServerResponse, principal: SimCredential, params: Map<string, string>) {
    const roleArn = params.get("RoleArn");
    const sessionName = params.get("RoleSessionName");
    const externalId = params.get("ExternalId");
    const duration = Number(params.get("DurationSeconds") ?? 3600);
    if (!roleArn) throw new AwsFault("MissingParameter", 400, "The request must contain the parameter RoleArn.");
    if (!sessionName) throw new AwsFault("MissingParameter", 400, "The request must contain the parameter RoleSessionName.");
    if (roleArn.length < 20 || roleArn.length > 2048) throw new AwsFault("ValidationError", 400, "1 validation error detected: Value at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048");
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw new AwsFault("ValidationError", 400, "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
    if (externalId !== undefined && !/^[\w+=,.@:/-]{2,1224}$/.test(externalId)) throw new AwsFault("ValidationError", 400, "1 validation error detected: Value at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
    if (!Number.isInteger(duration) || duration < 900 || duration > 43_200) throw new AwsFault("ValidationError", 400, "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200");
    if (duration > 3600) throw new AwsFault("ValidationError", 400, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    const account = accountOfRole(roleArn);
    if (account) {
      this.statsOf(account).assumeRole++;
      if (this.throttled(account)) throw new AwsFault("Throttling", 400, "Rate exceeded");
    }
    const role = this.roles.get(roleArn);
    if (role && role.externalId === undefined && externalId) role.externalId = externalId;
    if (!role || role.trustedAccount !== principal.account || !externalId || role.externalId !== externalId) {
      throw new AwsFault("AccessDenied", 403, `User: arn:aws:iam::${principal.account}:user/sendops is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const accessKeyId = `ASIA${randomBytes(8).toString("hex").toUpperCase()}`;
    const session: Session = {
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(96).toString("base64")}`,
      account: account!,
      roleArn,
      expiration: Math.floor(Date.now() / 1000) * 1000 + duration * 1000,
    };
    this.sessions.set(accessKeyId, session);
    const roleName = roleArn.slice(roleArn.indexOf(":role/") + 6).split("/").pop()!;
    this.stsReply(
      res,
      200,
      `<AssumeRoleResponse xmlns="${STS_NS}">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(sessionName)}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString("hex").toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${accessKeyId}</AccessKeyId>
      <SecretAccessKey>${xmlEscape(session.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xmlEscape(session.sessionToken)}</SessionToken>
      <Expiration>${new Date(session.expiration).toISOString().replace(".000Z", "Z")}</Expiration>
    </Credentials>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>${randomUUID()}</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>
`,
    );
  }

  // ---- SES v2 ----

  private sesReply(res: http.ServerResponse, status: number, body: unknown) {
    res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": randomUUID() }).end(JSON.stringify(body));
  }

  private sesFault(res: http.ServerResponse, f: AwsFault) {
    res
      .writeHead(f.status, {
        "content-type": "application/json",
        "x-amzn-requestid": randomUUID(),
        "x-amzn-errortype": `${f.code}:http://internal.amazon.com/coral/com.amazonaws.sesv2/`,
      })
      .end(JSON.stringify({ message: f.message }));
  }

  private ses(req: http.IncomingMessage, rawPath: string, rawQuery: string, body: Buffer, res: http.ServerResponse) {
    try {
      const signed = verifySignature(req, rawPath, rawQuery, body, "ses", (id) => {
        if (this.config.credentials.some((c) => c.accessKeyId === id)) {
          throw new AwsFault("AccessDeniedException", 403, "This stand-in serves SES only to assumed roles: call sts:AssumeRole first.");
        }
        return this.sessions.get(id)?.secretAccessKey ?? null;
      });
      const session = this.sessions.get(signed.accessKeyId)!;
      if (signed.sessionToken !== session.sessionToken) throw new AwsFault("UnrecognizedClientException", 403, "The security token included in the request is invalid.");
      if (session.expiration <= Date.now()) throw new AwsFault("ExpiredTokenException", 403, "The security token included in the request is expired");
      const stats = this.statsOf(session.account);
      const op = this.sesOperation(req.method ?? "GET", rawPath);
      stats.ses[op.name] = (stats.ses[op.name] ?? 0) + 1;
      if (this.throttled(session.account)) throw new AwsFault("TooManyRequestsException", 429, "Too Many Requests");
      const list = this.list(session.account, signed.region);
      this.sesReply(res, 200, op.run(list, new URLSearchParams(rawQuery), body));
    } catch (err) {
      if (err instanceof AwsFault) return this.sesFault(res, err);
      throw err;
    }
  }

  private sesOperation(method: string, rawPath: string): { name: string; run: (list: Map<string, Entry>, q: URLSearchParams, body: Buffer) => unknown } {
    const addr = /^\/v2\/email\/suppression\/addresses\/([^/]+)$/.exec(rawPath);
    const email = addr ? decodeURIComponent(addr[1]!) : "";
    const missing = () => new AwsFault("NotFoundException", 404, `Email address ${email} does not exist on your suppression list.`);
    if (method === "GET" && rawPath === "/v2/email/account") return { name: "GetAccount", run: () => this.account() };
    if (method === "GET" && rawPath === "/v2/email/suppression/addresses") return { name: "ListSuppressedDestinations", run: (list, q) => this.listPage(list, q) };
    if (method === "PUT" && rawPath === "/v2/email/suppression/addresses") {
      return {
        name: "PutSuppressedDestination",
        run: (list, _q, body) => {
          const input = JSON.parse(body.toString("utf8") || "{}") as { EmailAddress?: string; Reason?: string };
          if (!input.EmailAddress || !REASONS.includes(input.Reason as Reason)) throw new AwsFault("BadRequestException", 400, "EmailAddress and Reason (BOUNCE or COMPLAINT) are required.");
          list.set(input.EmailAddress.toLowerCase(), { reason: input.Reason as Reason, lastUpdateTime: Date.now() });
          return {};
        },
      };
    }
    if (method === "GET" && addr) {
      return {
        name: "GetSuppressedDestination",
        run: (list) => {
          const e = list.get(email.toLowerCase());
          if (!e) throw missing();
          return { SuppressedDestination: { EmailAddress: email.toLowerCase(), Reason: e.reason, LastUpdateTime: e.lastUpdateTime / 1000, Attributes: { MessageId: `0100018f${randomBytes(8).toString("hex")}-000000`, FeedbackId: randomUUID() } } };
        },
      };
    }
    if (method === "DELETE" && addr) {
      return {
        name: "DeleteSuppressedDestination",
        run: (list) => {
          if (!list.delete(email.toLowerCase())) throw missing();
          return {};
        },
      };
    }
    throw new AwsFault("UnknownOperationException", 404, `The stand-in does not implement ${method} ${rawPath}.`);
  }

  private account() {
    return {
      DedicatedIpAutoWarmupEnabled: false,
      EnforcementStatus: "HEALTHY",
      ProductionAccessEnabled: true,
      SendQuota: { Max24HourSend: 50000.0, MaxSendRate: 14.0, SentLast24Hours: 1234.0 },
      SendingEnabled: true,
      SuppressionAttributes: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
      Details: { MailType: "TRANSACTIONAL", WebsiteURL: "https://example.com", ContactLanguage: "EN", ReviewDetails: { Status: "GRANTED", CaseId: "1234567890" } },
      VdmAttributes: { VdmEnabled: "DISABLED" },
    };
  }

  /** NextToken: the last address of the page and the filter it belongs to, with a MAC so it is opaque and unforgeable. */
  private token(after: string, filter: string): string {
    const payload = Buffer.from(JSON.stringify({ a: after, f: filter })).toString("base64url");
    return `${payload}.${createHmac("sha256", this.tokenKey).update(payload).digest("base64url").slice(0, 22)}`;
  }

  private untoken(token: string, filter: string): string {
    const [payload, mac] = token.split(".");
    const invalid = new AwsFault("InvalidNextTokenException", 400, "The NextToken provided is invalid.");
    if (!payload || !mac || createHmac("sha256", this.tokenKey).update(payload).digest("base64url").slice(0, 22) !== mac) throw invalid;
    const parsed = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { a: string; f: string };
    if (parsed.f !== filter) throw invalid;
    return parsed.a;
  }

  private listPage(list: Map<string, Entry>, q: URLSearchParams) {
    const reasons = q.getAll("Reason");
    for (const r of reasons) if (!REASONS.includes(r as Reason)) throw new AwsFault("BadRequestException", 400, `Invalid Reason: ${r}. Valid values: BOUNCE, COMPLAINT.`);
    const date = (name: string) => {
      const v = q.get(name);
      if (v === null) return null;
      const t = Date.parse(v);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(t)) throw new AwsFault("BadRequestException", 400, `${name} must be an ISO-8601 date-time.`);
      return t;
    };
    const start = date("StartDate");
    const end = date("EndDate");
    const size = q.has("PageSize") ? Number(q.get("PageSize")) : 1000;
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw new AwsFault("BadRequestException", 400, "PageSize must be between 1 and 1000.");
    const filter = JSON.stringify([reasons.slice().sort(), start, end]);
    const after = q.get("NextToken") ? this.untoken(q.get("NextToken")!, filter) : null;
    const matching = [...list.entries()]
      .filter(([email, e]) => (after === null || email > after) && (!reasons.length || reasons.includes(e.reason)) && (start === null || e.lastUpdateTime >= start) && (end === null || e.lastUpdateTime < end))
      .sort(([a], [b]) => (a < b ? -1 : 1));
    const page = matching.slice(0, size);
    return {
      SuppressedDestinationSummaries: page.map(([email, e]) => ({ EmailAddress: email, Reason: e.reason, LastUpdateTime: e.lastUpdateTime / 1000 })),
      NextToken: matching.length > size ? this.token(page[page.length - 1]![0], filter) : null,
    };
  }

  // ---- Control (not AWS): tests set up and inspect state here ----

  /**
   * `PUT /__sim/roles` {arn, trustedAccount, externalId?}: create or replace a role.
   * `PUT /__sim/accounts/<account>/<region>/suppressions` {entries: SES summaries}: replace a list.
   * `GET /__sim/accounts/<account>/<region>/suppressions`: the list, as SES summaries sorted by address.
   * `POST /__sim/accounts/<account>/throttle` {count}: the next `count` calls for the account are throttled.
   * `GET /__sim/accounts/<account>/stats`: AssumeRole calls and SES calls per operation.
   */
  private control(method: string, rawPath: string, body: Buffer, res: http.ServerResponse): void {
    const input = body.length ? (JSON.parse(body.toString("utf8")) as Record<string, any>) : {};
    const reply = (status: number, value: unknown) => {
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
    };
    if (method === "PUT" && rawPath === "/__sim/roles") {
      this.roles.set(input.arn, { arn: input.arn, trustedAccount: input.trustedAccount, externalId: input.externalId });
      return reply(200, { ok: true });
    }
    const list = /^\/__sim\/accounts\/(\d{12})\/([a-z0-9-]+)\/suppressions$/.exec(rawPath);
    if (list && method === "PUT") {
      const entries = new Map<string, Entry>();
      for (const e of input.entries as { EmailAddress: string; Reason: Reason; LastUpdateTime: number }[]) {
        entries.set(e.EmailAddress.toLowerCase(), { reason: e.Reason, lastUpdateTime: Math.round(e.LastUpdateTime * 1000) });
      }
      this.lists.set(`${list[1]}:${list[2]}`, entries);
      return reply(200, { count: entries.size });
    }
    if (list && method === "GET") {
      const entries = [...this.list(list[1]!, list[2]!).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
      return reply(200, { entries: entries.map(([email, e]) => ({ EmailAddress: email, Reason: e.reason, LastUpdateTime: e.lastUpdateTime / 1000 })) });
    }
    const account = /^\/__sim\/accounts\/(\d{12})\/(throttle|stats)$/.exec(rawPath);
    if (account?.[2] === "throttle" && method === "POST") {
      this.throttles.set(account[1]!, Number(input.count ?? 1));
      return reply(200, { ok: true });
    }
    if (account?.[2] === "stats" && method === "GET") return reply(200, this.statsOf(account[1]!));
    return reply(404, { message: `No control route ${method} ${rawPath}` });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sim = new AwsSim(loadConfig());
  const url = await sim.listen(Number(process.env.PORT ?? 4566));
  console.log(`AWS stand-in (STS + SES v2) listening on ${url}`);
}
