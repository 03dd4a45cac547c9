import type { Env } from "../env";

/** Long-term keys (SendOps' own, `AKIA…`) or temporary ones from AssumeRole (`ASIA…` + session token). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * A failed AWS call: `code` is the AWS error name (`AccessDenied`, `NotFoundException`,
 * `TooManyRequestsException`, …) exactly as AWS sends it; `status` its HTTP status (0 when AWS could
 * not be reached at all).
 */
export class AwsError extends Error {
  constructor(
    readonly service: "sts" | "ses",
    readonly code: string,
    readonly status: number,
    message: string,
    readonly requestId: string | null = null,
  ) {
    super(message);
    this.name = "AwsError";
  }

  /** Throttling: STS says `Throttling` (400), SES `TooManyRequestsException` (429). */
  get throttled(): boolean {
    return this.status === 429 || this.code === "Throttling" || this.code === "ThrottlingException" || this.code === "TooManyRequestsException";
  }
}

/**
 * The base URL of an AWS service in a region: the real regional endpoint, or the single local stand-in
 * (sim/aws.ts) that `AWS_ENDPOINT_URL` names, which answers both STS and SES.
 */
export function awsEndpoint(env: Pick<Env, "AWS_ENDPOINT_URL">, prefix: "sts" | "email", region: string): string {
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
export async function awsFetch(service: "sts" | "ses", request: Request): Promise<Response> {
  try {
    return await fetch(request);
  } catch (err) {
    const host = new URL(request.url).host;
    throw new AwsError(service, "NetworkError", 0, `Could not reach ${host}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
