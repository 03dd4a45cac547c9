import type { Env } from "../env";

/** Long-term keys (SendOps' own, `AKIA…`) or temporary ones from AssumeRole (`ASIA…` + session token). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** The AWS services SendOps calls, by their SigV4 signing names. */
export type AwsService = "sts" | "ses" | "events" | "cloudformation";

const SERVICE_NAMES: Record<AwsService, string> = { sts: "STS", ses: "SES", events: "EventBridge", cloudformation: "CloudFormation" };

/**
 * A failed AWS call: `code` is the AWS error name (`AccessDenied`, `NotFoundException`,
 * `TooManyRequestsException`, …) exactly as AWS sends it; `status` its HTTP status (0 when AWS could
 * not be reached at all).
 */
export class AwsError extends Error {
  constructor(
    readonly service: AwsService,
    readonly code: string,
    readonly status: number,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = "AwsError";
  }

  /** Throttling: STS says `Throttling` (400), SES `TooManyRequestsException` (429), EventBridge `ThrottlingException` (400). */
  get throttled(): boolean {
    return this.status === 429 || this.code === "Throttling" || this.code === "ThrottlingException" || this.code === "TooManyRequestsException";
  }
}

/**
 * The base URL of an AWS service in a region: the real regional endpoint, or the single local stand-in
 * (sim/aws.ts) that `AWS_ENDPOINT_URL` names, which answers STS, SES and EventBridge alike (it tells them
 * apart by the signature's credential scope).
 */
export function awsEndpoint(env: Pick<Env, "AWS_ENDPOINT_URL">, prefix: "sts" | "email" | "events" | "cloudformation", region: string): string {
  if (env.AWS_ENDPOINT_URL) return env.AWS_ENDPOINT_URL.replace(/\/+$/, "");
  return `https://${prefix}.${region}.amazonaws.com`;
}

/** Retries of a throttled call, and the first delay (doubled each time, with jitter). */
const THROTTLE_RETRIES = 3;
const THROTTLE_BASE_MS = 200;

/** Runs `call`, retrying a few times with exponential backoff while AWS answers that it is throttling. */
export async function retryThrottled<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof AwsError) || !err.throttled || attempt >= THROTTLE_RETRIES) throw err;
      const delay = THROTTLE_BASE_MS * 2 ** attempt;
      await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * delay));
    }
  }
}

/** `fetch`, with a network failure turned into an AwsError that names the endpoint. */
export async function awsFetch(service: AwsService, request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (err) {
    const host = new URL(request.url).host;
    throw new AwsError(service, "NetworkError", 0, `Could not reach ${host}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The error name of a JSON-protocol error (restJson1 and awsJson1.1): the `x-amzn-ErrorType` header, else
 * body `code`, else `__type`; without the namespace (`com.amazonaws.events#`) or the URI after `:`.
 */
function jsonErrorCode(res: Response, body: Record<string, unknown>): string {
  const raw = res.headers.get("x-amzn-ErrorType") ?? (typeof body.code === "string" ? body.code : null) ?? (typeof body.__type === "string" ? body.__type : null);
  if (!raw) return res.status >= 500 ? "InternalFailure" : "UnknownError";
  const name = raw.split(":")[0]!;
  return name.slice(name.lastIndexOf("#") + 1);
}

/** Sends a signed request to a JSON-protocol service; its JSON answer, or an AwsError for a non-2xx one. */
export async function awsJson<T>(service: AwsService, request: Request): Promise<T> {
  const res = await awsFetch(service, request);
  const who = SERVICE_NAMES[service];
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    if (res.ok) throw new AwsError(service, "MalformedResponse", res.status, `${who} answered with a body that is not JSON.`);
  }
  if (!res.ok) {
    const message = typeof body.message === "string" ? body.message : typeof body.Message === "string" ? body.Message : `${who} answered HTTP ${res.status}.`;
    throw new AwsError(service, jsonErrorCode(res, body), res.status, message, res.headers.get("x-amzn-RequestId"));
  }
  return body as T;
}
