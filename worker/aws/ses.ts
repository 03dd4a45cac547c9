/**
 * SES API v2 (restJson1, SigV4 name `ses`; /work/shared/aws/SESV2.md): the operations SendOps calls with
 * the temporary credentials of a customer's role. Timestamps in bodies are epoch seconds; this module
 * hands out epoch milliseconds.
 */
import { AwsClient } from "aws4fetch";
import type { Env } from "../env";
import { AwsError, awsEndpoint, awsFetch, retryThrottled, type AwsCredentials } from "./common";

export const SUPPRESSION_REASONS = ["BOUNCE", "COMPLAINT"] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** ListSuppressedDestinations takes at most this many entries per page. */
export const SUPPRESSION_PAGE_MAX = 1000;

export interface SesAccount {
  sendingEnabled: boolean;
  productionAccessEnabled: boolean;
  enforcementStatus: string | null;
  sendQuota: { max24HourSend: number; maxSendRate: number; sentLast24Hours: number } | null;
  suppressedReasons: SuppressionReason[];
}

export interface SuppressedDestination {
  email: string;
  reason: SuppressionReason;
  /** Epoch ms. */
  lastUpdateTime: number;
}

export interface SuppressionPage {
  entries: SuppressedDestination[];
  nextToken: string | null;
}

export interface ListSuppressionsInput {
  reasons?: readonly SuppressionReason[];
  /** Epoch ms; sent as ISO-8601 (query parameters carry date-times as strings). */
  startDate?: number;
  endDate?: number;
  nextToken?: string | null;
  pageSize?: number;
}

/** The error name of a restJson1 error: header, else body `code`, else `__type`, without namespace or URI. */
function errorCode(res: Response, body: Record<string, unknown>): string {
  const raw = res.headers.get("x-amzn-ErrorType") ?? (typeof body.code === "string" ? body.code : null) ?? (typeof body.__type === "string" ? body.__type : null);
  if (!raw) return res.status >= 500 ? "InternalFailure" : "UnknownError";
  const name = raw.split(":")[0]!;
  return name.slice(name.lastIndexOf("#") + 1);
}

const toMs = (epochSeconds: unknown) => Math.round(Number(epochSeconds) * 1000);

function asDestination(raw: Record<string, unknown>): SuppressedDestination {
  return { email: String(raw.EmailAddress), reason: raw.Reason as SuppressionReason, lastUpdateTime: toMs(raw.LastUpdateTime) };
}

export class SesClient {
  private readonly client: AwsClient;
  private readonly base: string;

  constructor(env: Pick<Env, "AWS_ENDPOINT_URL">, creds: AwsCredentials, readonly region: string) {
    this.client = new AwsClient({ ...creds, service: "ses", region, retries: 0 });
    this.base = awsEndpoint(env, "email", region);
  }

  /** One signed call; a non-2xx answer becomes an AwsError, throttling is retried. */
  private call<T>(method: string, path: string, query?: URLSearchParams, json?: unknown): Promise<T> {
    return retryThrottled(async () => {
      const url = `${this.base}${path}${query?.size ? `?${query}` : ""}`;
      const request = await this.client.sign(url, {
        method,
        headers: json === undefined ? {} : { "content-type": "application/json" },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const res = await awsFetch("ses", request);
      const text = await res.text();
      let body: Record<string, unknown> = {};
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        if (res.ok) throw new AwsError("ses", "MalformedResponse", res.status, "SES answered with a body that is not JSON.");
      }
      if (!res.ok) {
        const message = typeof body.message === "string" ? body.message : typeof body.Message === "string" ? body.Message : `SES answered HTTP ${res.status}.`;
        throw new AwsError("ses", errorCode(res, body), res.status, message, res.headers.get("x-amzn-RequestId"));
      }
      return body as T;
    });
  }

  async getAccount(): Promise<SesAccount> {
    const a = await this.call<Record<string, any>>("GET", "/v2/email/account");
    return {
      sendingEnabled: a.SendingEnabled === true,
      productionAccessEnabled: a.ProductionAccessEnabled === true,
      enforcementStatus: typeof a.EnforcementStatus === "string" ? a.EnforcementStatus : null,
      sendQuota: a.SendQuota
        ? { max24HourSend: Number(a.SendQuota.Max24HourSend), maxSendRate: Number(a.SendQuota.MaxSendRate), sentLast24Hours: Number(a.SendQuota.SentLast24Hours) }
        : null,
      suppressedReasons: Array.isArray(a.SuppressionAttributes?.SuppressedReasons) ? a.SuppressionAttributes.SuppressedReasons : [],
    };
  }

  async listSuppressedDestinations(input: ListSuppressionsInput = {}): Promise<SuppressionPage> {
    const q = new URLSearchParams();
    for (const r of input.reasons ?? []) q.append("Reason", r);
    if (input.startDate !== undefined) q.set("StartDate", new Date(input.startDate).toISOString());
    if (input.endDate !== undefined) q.set("EndDate", new Date(input.endDate).toISOString());
    if (input.nextToken) q.set("NextToken", input.nextToken);
    q.set("PageSize", String(Math.min(input.pageSize ?? SUPPRESSION_PAGE_MAX, SUPPRESSION_PAGE_MAX)));
    const page = await this.call<{ SuppressedDestinationSummaries?: Record<string, unknown>[]; NextToken?: string | null }>(
      "GET",
      "/v2/email/suppression/addresses",
      q,
    );
    return { entries: (page.SuppressedDestinationSummaries ?? []).map(asDestination), nextToken: page.NextToken || null };
  }

  async getSuppressedDestination(email: string): Promise<SuppressedDestination> {
    const r = await this.call<{ SuppressedDestination: Record<string, unknown> }>("GET", `/v2/email/suppression/addresses/${encodeURIComponent(email)}`);
    return asDestination(r.SuppressedDestination);
  }

  /** Removes the address from the account-level list; NotFoundException (404) when it is not on it. */
  async deleteSuppressedDestination(email: string): Promise<void> {
    await this.call("DELETE", `/v2/email/suppression/addresses/${encodeURIComponent(email)}`);
  }
}
