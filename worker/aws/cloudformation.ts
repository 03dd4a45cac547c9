/**
 * CloudFormation drift detection (Query API 2010-05-15, SigV4 name `cloudformation`): DetectStackDrift,
 * DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts. SigV4-signed form POSTs answered in
 * XML, read with `xmlText` like STS; errors are `<ErrorResponse>` documents (AccessDenied, ValidationError).
 */
import { AwsClient } from "aws4fetch";
import type { Env } from "../env";
import { AwsError, awsEndpoint, awsFetch, retryThrottled, type AwsCredentials } from "./common";
import { queryError, xmlText } from "./sts";

export type DetectionStatus = "DETECTION_IN_PROGRESS" | "DETECTION_COMPLETE" | "DETECTION_FAILED";
export type StackDriftStatus = "DRIFTED" | "IN_SYNC" | "UNKNOWN" | "NOT_CHECKED";

export interface DriftDetectionStatus {
  stackId: string;
  detectionId: string;
  detectionStatus: DetectionStatus;
  /** Why the detection has its status (e.g. the resources it could not read); null when AWS gives none. */
  reason: string | null;
  /** Absent while the detection runs. */
  stackDriftStatus: StackDriftStatus | null;
  /** Null until the detection completes. */
  driftedResourceCount: number | null;
}

export interface ResourceDrift {
  logicalId: string;
  resourceType: string;
  physicalId: string | null;
  status: "MODIFIED" | "DELETED" | "IN_SYNC" | "NOT_CHECKED" | "UNKNOWN";
}

/** Inner XML of every `<tag>` element at one level (callers strip nested lists of the same tag first). */
function elements(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]!);
}

/** A StackResourceDrift's nested lists (property differences, physical id context) also hold `<member>`s. */
const NESTED_LISTS = /<(PropertyDifferences|PhysicalResourceIdContext)>[\s\S]*?<\/\1>/g;

export class CloudFormationClient {
  readonly #client: AwsClient;
  readonly #base: string;

  constructor(env: Pick<Env, "AWS_ENDPOINT_URL">, creds: AwsCredentials, readonly region: string) {
    this.#client = new AwsClient({ ...creds, service: "cloudformation", region, retries: 0 });
    this.#base = awsEndpoint(env, "cloudformation", region);
  }

  /** One signed call; the inner XML of its `<…Result>`, an AwsError for a non-2xx answer; throttling is retried. */
  #call(action: string, params: Record<string, string>): Promise<string> {
    const body = new URLSearchParams({ Action: action, Version: "2010-05-15", ...params }).toString();
    return retryThrottled(async () => {
      const request = await this.#client.sign(`${this.#base}/`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
        body,
      });
      const res = await awsFetch("cloudformation", request);
      const xml = await res.text();
      if (!res.ok) throw queryError("cloudformation", "CloudFormation", res.status, xml);
      // Raw (entities not decoded): each leaf is decoded once, by xmlText.
      const result = elements(xml, `${action}Result`)[0];
      if (result === undefined) throw new AwsError("cloudformation", "MalformedResponse", res.status, `CloudFormation answered ${action} without a result.`, xmlText(xml, "RequestId"));
      return result;
    });
  }

  /** Starts drift detection on the stack (name or id); its StackDriftDetectionId. */
  async detectStackDrift(stackName: string): Promise<string> {
    const id = xmlText(await this.#call("DetectStackDrift", { StackName: stackName }), "StackDriftDetectionId");
    if (!id) throw new AwsError("cloudformation", "MalformedResponse", 200, "CloudFormation answered DetectStackDrift without a StackDriftDetectionId.");
    return id;
  }

  async describeStackDriftDetectionStatus(detectionId: string): Promise<DriftDetectionStatus> {
    const r = await this.#call("DescribeStackDriftDetectionStatus", { StackDriftDetectionId: detectionId });
    const count = xmlText(r, "DriftedStackResourceCount");
    return {
      stackId: xmlText(r, "StackId") ?? "",
      detectionId: xmlText(r, "StackDriftDetectionId") ?? detectionId,
      detectionStatus: (xmlText(r, "DetectionStatus") ?? "DETECTION_IN_PROGRESS") as DetectionStatus,
      reason: xmlText(r, "DetectionStatusReason"),
      stackDriftStatus: xmlText(r, "StackDriftStatus") as StackDriftStatus | null,
      driftedResourceCount: count === null ? null : Number(count),
    };
  }

  /** The latest detection's resources in the given drift statuses (default: those changed or deleted outside the stack), following NextToken. */
  async describeStackResourceDrifts(stackName: string, statuses: readonly ResourceDrift["status"][] = ["MODIFIED", "DELETED"]): Promise<ResourceDrift[]> {
    const filters = Object.fromEntries(statuses.map((s, i) => [`StackResourceDriftStatusFilters.member.${i + 1}`, s]));
    const drifts: ResourceDrift[] = [];
    let nextToken: string | null = null;
    do {
      const page: string = await this.#call("DescribeStackResourceDrifts", { StackName: stackName, ...filters, ...(nextToken ? { NextToken: nextToken } : {}) });
      const list = elements(page.replace(NESTED_LISTS, ""), "StackResourceDrifts")[0] ?? "";
      for (const m of elements(list, "member")) {
        drifts.push({
          logicalId: xmlText(m, "LogicalResourceId") ?? "",
          resourceType: xmlText(m, "ResourceType") ?? "",
          physicalId: xmlText(m, "PhysicalResourceId"),
          status: (xmlText(m, "StackResourceDriftStatus") ?? "UNKNOWN") as ResourceDrift["status"],
        });
      }
      nextToken = xmlText(page, "NextToken") || null;
    } while (nextToken);
    return drifts;
  }
}
