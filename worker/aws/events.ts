/**
 * EventBridge (awsJson1.1, SigV4 name `events`; /work/shared/aws/EVENTBRIDGE.md): the reads validation
 * makes of the stack's rule. Every call is `POST /` naming the operation in `X-Amz-Target`; errors carry
 * their name in `__type` (`com.amazonaws.events#ResourceNotFoundException`).
 */
import { AwsClient } from "aws4fetch";
import type { Env } from "../env";
import { awsEndpoint, awsJson, retryThrottled, type AwsCredentials } from "./common";

export interface EventRule {
  name: string;
  arn: string;
  state: "ENABLED" | "DISABLED" | string;
  description: string | null;
  /** The pattern as EventBridge stores it: a JSON string. */
  eventPattern: string | null;
}

export interface RuleTarget {
  id: string;
  arn: string;
  roleArn: string | null;
}

type Json = Record<string, any>;

const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

export class EventBridgeClient {
  readonly #client: AwsClient;
  readonly #base: string;

  constructor(env: Pick<Env, "AWS_ENDPOINT_URL">, creds: AwsCredentials, readonly region: string) {
    this.#client = new AwsClient({ ...creds, service: "events", region, retries: 0 });
    this.#base = awsEndpoint(env, "events", region);
  }

  /** One signed call (undefined members are left out); a non-2xx answer is an AwsError, throttling is retried. */
  #call<T = Json>(operation: string, input: Json): Promise<T> {
    return retryThrottled(async () => {
      const request = await this.#client.sign(`${this.#base}/`, {
        method: "POST",
        headers: { "x-amz-target": `AWSEvents.${operation}`, "content-type": "application/x-amz-json-1.1" },
        body: JSON.stringify(input),
      });
      return awsJson<T>("events", request);
    });
  }

  async describeRule(name: string, eventBusName = "default"): Promise<EventRule> {
    const r = await this.#call("DescribeRule", { Name: name, EventBusName: eventBusName });
    return {
      name: String(r.Name),
      arn: String(r.Arn),
      state: String(r.State),
      description: str(r.Description),
      eventPattern: str(r.EventPattern),
    };
  }

  /** Every target of the rule, following NextToken. */
  async listTargetsByRule(name: string, eventBusName = "default"): Promise<RuleTarget[]> {
    const targets: RuleTarget[] = [];
    let nextToken: string | null = null;
    do {
      const page: Json = await this.#call("ListTargetsByRule", { Rule: name, EventBusName: eventBusName, NextToken: nextToken ?? undefined });
      for (const t of Array.isArray(page.Targets) ? (page.Targets as Json[]) : []) {
        targets.push({ id: String(t.Id), arn: String(t.Arn), roleArn: str(t.RoleArn) });
      }
      nextToken = str(page.NextToken) || null;
    } while (nextToken);
    return targets;
  }
}
