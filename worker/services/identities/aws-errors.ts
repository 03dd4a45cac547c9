import type { Env } from "../../env";
import { AwsError } from "../../aws/common";
import { AppError } from "../../lib/errors";
import { explainAwsError } from "../aws-connection";

/**
 * An SES refusal while serving an identity action: 502 AWS_ERROR with the explanation users read
 * (explainAwsError) and the AWS error name in `details.awsCode`; throttling that outlasted the client's
 * retries is a 503 to try again. Anything else is rethrown as it is.
 */
export function identityAwsError(err: unknown, env: Env, region: string): unknown {
  if (!(err instanceof AwsError)) return err;
  const message = explainAwsError(err, env, region);
  const details = { awsCode: err.code, awsStatus: err.status };
  if (err.throttled) return new AppError("AWS_THROTTLED", 503, message, details, { "Retry-After": "30" });
  return new AppError("AWS_ERROR", 502, message, details);
}

export const isNotFound = (err: unknown) => err instanceof AwsError && err.code === "NotFoundException";
export const isAlreadyExists = (err: unknown) => err instanceof AwsError && err.code === "AlreadyExistsException";
