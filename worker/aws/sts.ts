/**
 * STS AssumeRole (Query API 2011-06-15; /work/shared/aws/STS.md): SigV4-signed form POST, XML answer.
 * Workers have no DOM parser, so the few tags we need are read with `xmlText`.
 */
import { AwsClient } from "aws4fetch";
import type { Env } from "../env";
import { AwsError, awsEndpoint, awsFetch, retryThrottled, type AwsCredentials, type AwsService } from "./common";

export interface AssumeRoleInput {
  region: string;
  roleArn: string;
  externalId: string;
  /** 2–64 chars of `[\w+=,.@-]`; shows in the customer's CloudTrail. */
  sessionName: string;
  durationSeconds?: number;
}

export interface TemporaryCredentials extends Required<AwsCredentials> {
  /** Epoch ms. */
  expiration: number;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
  assumedRoleArn: string;
}

const XML_ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

/** The text of the first `<tag>` element in `xml` (entities decoded), or null. */
export function xmlText(xml: string, tag: string): string | null {
  const m = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
  if (!m) return null;
  return m[1]!.trim().replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return XML_ENTITIES[e] ?? whole;
  });
}

/** A Query-API `<ErrorResponse>` (STS, CloudFormation; or anything else that is not a success) as an AwsError. */
export function queryError(service: AwsService, who: string, status: number, xml: string): AwsError {
  const code = xmlText(xml, "Code") ?? (status >= 500 ? "InternalFailure" : "UnknownError");
  const message = xmlText(xml, "Message") ?? `${who} answered HTTP ${status}.`;
  return new AwsError(service, code, status, message, xmlText(xml, "RequestId"));
}

export async function assumeRole(env: Pick<Env, "AWS_ENDPOINT_URL">, creds: AwsCredentials, input: AssumeRoleInput): Promise<TemporaryCredentials> {
  const client = new AwsClient({ ...creds, service: "sts", region: input.region, retries: 0 });
  const body = new URLSearchParams({
    Action: "AssumeRole",
    Version: "2011-06-15",
    RoleArn: input.roleArn,
    RoleSessionName: input.sessionName,
    ExternalId: input.externalId,
    DurationSeconds: String(input.durationSeconds ?? 3600),
  }).toString();
  return retryThrottled(async () => {
    const request = await client.sign(`${awsEndpoint(env, "sts", input.region)}/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body,
    });
    const res = await awsFetch("sts", request);
    const xml = await res.text();
    if (!res.ok) throw queryError("sts", "STS", res.status, xml);
    const accessKeyId = xmlText(xml, "AccessKeyId");
    const secretAccessKey = xmlText(xml, "SecretAccessKey");
    const sessionToken = xmlText(xml, "SessionToken");
    const expiration = Date.parse(xmlText(xml, "Expiration") ?? "");
    if (!accessKeyId || !secretAccessKey || !sessionToken || Number.isNaN(expiration)) {
      throw new AwsError("sts", "MalformedResponse", res.status, "STS answered without complete credentials.", xmlText(xml, "RequestId"));
    }
    return { accessKeyId, secretAccessKey, sessionToken, expiration, assumedRoleArn: xmlText(xml, "Arn") ?? "" };
  });
}

/** Cached credentials are used until this long before they expire (AssumeRole gives one hour). */
export const CREDENTIALS_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Temporary credentials per cache key (the caller's org + role + external id), kept in this isolate.
 * Only settled credentials are cached, never a pending call: a promise started by one request must not
 * be awaited by another (workerd ties I/O to the request that began it). Concurrent cold callers each
 * call AssumeRole once; a failed call is not cached.
 */
const cache = new Map<string, TemporaryCredentials>();

export async function assumeRoleCached(
  env: Pick<Env, "AWS_ENDPOINT_URL">,
  creds: AwsCredentials,
  key: string,
  input: AssumeRoleInput,
  now = Date.now(),
): Promise<TemporaryCredentials> {
  const hit = cache.get(key);
  if (hit && hit.expiration - CREDENTIALS_REFRESH_MARGIN_MS > now) return hit;
  const fresh = await assumeRole(env, creds, input);
  cache.set(key, fresh);
  return fresh;
}

/** Drops every cached credential whose key starts with `prefix` (e.g. an org that disconnected). */
export function forgetCredentials(prefix: string): void {
  for (const key of cache.keys()) if (key.startsWith(prefix)) cache.delete(key);
}
