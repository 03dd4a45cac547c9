/** Reaching a channel's configuration set: the workspace's SES client, and AWS failures in words. */
import type { Env } from "../../env";
import { AwsError } from "../../aws/common";
import { AppError } from "../../lib/errors";
import { accountOf, explainAwsError, sesForOrg } from "../aws-connection";
import type { ChannelTarget } from "./ses-settings";

export async function channelTarget(env: Env, orgId: string): Promise<ChannelTarget> {
  const { ses, connection } = await sesForOrg(env, orgId);
  return { ses, region: connection.region!, account: accountOf(connection.roleArn)! };
}

/** A failed SES call (or a failure to reach SES at all) as the channel records it; null for anything else. */
export function failureOf(err: unknown, env: Env, region: string): { code: string; message: string } | null {
  if (err instanceof AwsError) return { code: err.code, message: explainAwsError(err, env, region) };
  if (err instanceof AppError && (err.code === "AWS_ERROR" || err.code === "AWS_NOT_CONNECTED")) {
    return { code: String((err.details as { awsCode?: string } | null)?.awsCode ?? err.code), message: err.message };
  }
  return null;
}

/** An SES refusal while serving a request: 502 AWS_ERROR with AWS's error name and what to do about it. */
export function sesRefused(err: unknown, env: Env, region: string): unknown {
  if (!(err instanceof AwsError)) return err;
  return new AppError("AWS_ERROR", 502, explainAwsError(err, env, region), { awsCode: err.code, awsStatus: err.status });
}
