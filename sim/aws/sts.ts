/** STS (Query API, XML): AssumeRole with the role's trust policy, and GetCallerIdentity. */
import { randomBytes } from "node:crypto";
import { authorize } from "./iam";
import type { Call, Runtime } from "./runtime";
import { accountOfRole } from "./state";
import { AwsFault, xmlEscape } from "./wire";

export const STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/";

/** Runs one STS action; returns the inner XML of its `<…Result>`. */
export function stsAction(rt: Runtime, call: Call, params: Map<string, string>): { action: string; result: string } {
  const action = params.get("Action") ?? "";
  if (params.get("Version") !== "2011-06-15") throw new AwsFault("InvalidParameterValue", 400, "Version must be 2011-06-15.");
  if (action === "AssumeRole") return { action, result: assumeRole(rt, call, params) };
  if (action === "GetCallerIdentity") {
    const userId = call.caller.arn.includes(":assumed-role/") ? `AROA${call.caller.accessKeyId.slice(4, 20)}:${call.caller.arn.split("/").pop()}` : `AIDA${call.caller.accessKeyId.slice(-16).toUpperCase()}`;
    return { action, result: `    <Arn>${xmlEscape(call.caller.arn)}</Arn>\n    <UserId>${xmlEscape(userId)}</UserId>\n    <Account>${call.caller.account}</Account>\n` };
  }
  throw new AwsFault("InvalidAction", 400, `Could not find operation ${action} for version ${params.get("Version") ?? ""}`);
}

function assumeRole(rt: Runtime, call: Call, params: Map<string, string>): string {
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
    rt.stats(account).assumeRole++;
    if (rt.throttled(account)) throw new AwsFault("Throttling", 400, "Rate exceeded");
  }
  authorize(call.caller, "sts:AssumeRole", roleArn, "AccessDenied");
  const denied = new AwsFault("AccessDenied", 403, `User: ${call.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  const role = rt.world.roles.get(roleArn);
  if (!role || !role.trustedAccounts.includes(call.caller.account)) throw denied;
  if (role.externalId === "bind-first") {
    if (!externalId) throw denied;
    role.externalId = externalId;
  }
  if (role.externalId !== null && role.externalId !== externalId) throw denied;
  const session = rt.principals.issue(role, sessionName, Math.floor(rt.now() / 1000) * 1000 + duration * 1000);
  return `    <AssumedRoleUser>
      <Arn>arn:aws:sts::${role.account}:assumed-role/${xmlEscape(role.name)}/${xmlEscape(sessionName)}</Arn>
      <AssumedRoleId>AROA${randomBytes(8).toString("hex").toUpperCase()}:${xmlEscape(sessionName)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>${session.accessKeyId}</AccessKeyId>
      <SecretAccessKey>${xmlEscape(session.secretAccessKey)}</SecretAccessKey>
      <SessionToken>${xmlEscape(session.sessionToken)}</SessionToken>
      <Expiration>${new Date(session.expiration).toISOString().replace(".000Z", "Z")}</Expiration>
    </Credentials>
`;
}
