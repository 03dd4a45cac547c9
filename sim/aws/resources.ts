/**
 * What deploying a stack does for each supported resource type: IAM roles (the trust policy's
 * account + sts:ExternalId become what AssumeRole checks, the inline policies' actions what the role
 * may do), SES configuration sets and their event destinations, EventBridge connections, API
 * destinations and rules with targets. A resource that already exists outside the stack is a
 * conflict, as in AWS — except roles from the configuration or the control API, which stand for the
 * role the stack would create and are taken over by it.
 */
import { randomBytes } from "node:crypto";
import { apiDestinationArn, connectionArn, deleteRule, putRule, putTargets } from "./events";
import { addEventDestination, createConfigurationSet, deleteConfigurationSet, eventDestination } from "./ses";
import type { RegionState, Role, World } from "./state";
import { AwsFault } from "./wire";

export interface DeployContext {
  world: World;
  state: RegionState;
  stackId: string;
  stackName: string;
  logicalId: string;
  now: number;
}

export interface Provisioned {
  physicalId: string;
  attributes: Record<string, string>;
  undo: () => void;
}

/** A resource failed to create: the reason CloudFormation shows. */
export class ResourceFailure extends Error {}

type Props = Record<string, any>;
type Provisioner = (props: Props, ctx: DeployContext) => Provisioned;

const generatedName = (ctx: DeployContext, max = 64) => `${ctx.stackName}-${ctx.logicalId}-${randomBytes(6).toString("hex").toUpperCase()}`.slice(-max);
const exists = (type: string, id: string) => new ResourceFailure(`Resource of type '${type}' with identifier '${id}' already exists.`);
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** SES/EventBridge validation errors become the resource's failure reason. */
function asFailure<T>(run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof AwsFault) throw new ResourceFailure(`${err.message} (Service: ${err.code}; Status Code: ${err.status})`);
    throw err;
  }
}

const iamRole: Provisioner = (p, ctx) => {
  const name = typeof p.RoleName === "string" ? p.RoleName : generatedName(ctx);
  const path = typeof p.Path === "string" ? p.Path : "/";
  const arn = `arn:aws:iam::${ctx.state.account}:role${path}${name}`;
  const existing = ctx.world.roles.get(arn);
  if (existing && existing.stackId !== null && existing.stackId !== ctx.stackId) throw exists("AWS::IAM::Role", name);
  const trust = p.AssumeRolePolicyDocument;
  if (!trust || typeof trust !== "object") throw new ResourceFailure("Property AssumeRolePolicyDocument cannot be empty.");
  const role: Role = { arn, name, account: ctx.state.account, trustedAccounts: [], trustedServices: [], externalId: null, allowedActions: [], stackId: ctx.stackId, createdAt: ctx.now };
  for (const s of list<Props>(trust.Statement)) {
    if (s.Effect !== "Allow" || !list<string>(s.Action).some((a) => /^sts:AssumeRole$/i.test(a) || a === "sts:*" || a === "*")) continue;
    for (const principal of list<string>(s.Principal?.AWS)) {
      const account = /^\d{12}$/.test(principal) ? principal : /^arn:aws[\w-]*:iam::(\d{12}):/.exec(principal)?.[1];
      if (!account) throw new ResourceFailure(`Invalid principal in policy: "AWS":"${principal}"`);
      role.trustedAccounts.push(account);
    }
    role.trustedServices.push(...list<string>(s.Principal?.Service));
    const externalId = s.Condition?.StringEquals?.["sts:ExternalId"];
    if (externalId !== undefined) role.externalId = String(list(externalId)[0]);
  }
  for (const policy of list<Props>(p.Policies)) {
    if (!policy.PolicyName || !policy.PolicyDocument) throw new ResourceFailure("Every inline policy needs a PolicyName and a PolicyDocument.");
    for (const s of list<Props>(policy.PolicyDocument.Statement)) if (s.Effect === "Allow") role.allowedActions.push(...list<string>(s.Action));
  }
  ctx.world.roles.set(arn, role);
  return {
    physicalId: name,
    attributes: { Arn: arn, RoleId: `AROA${randomBytes(8).toString("hex").toUpperCase()}` },
    undo: () => {
      if (ctx.world.roles.get(arn)?.stackId === ctx.stackId) ctx.world.roles.delete(arn);
    },
  };
};

const sesConfigurationSet: Provisioner = (p, ctx) => {
  const name = typeof p.Name === "string" ? p.Name : generatedName(ctx);
  if (ctx.state.configurationSets.has(name)) throw exists("AWS::SES::ConfigurationSet", name);
  asFailure(() =>
    createConfigurationSet(
      ctx.state,
      { ConfigurationSetName: name, TrackingOptions: p.TrackingOptions, DeliveryOptions: p.DeliveryOptions, ReputationOptions: p.ReputationOptions, SendingOptions: p.SendingOptions, SuppressionOptions: p.SuppressionOptions, VdmOptions: p.VdmOptions },
      ctx.now,
    ),
  );
  return {
    physicalId: name,
    attributes: {},
    undo: () => {
      if (ctx.state.configurationSets.has(name)) deleteConfigurationSet(ctx.state, name);
    },
  };
};

/** CloudFormation's camelCase event names (`renderingFailure`) → the API's (`RENDERING_FAILURE`). */
const apiEventType = (t: string) => t.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();

const sesEventDestination: Provisioner = (p, ctx) => {
  const setName = String(p.ConfigurationSetName ?? "");
  const d = (p.EventDestination ?? {}) as Props;
  const name = typeof d.Name === "string" ? d.Name : generatedName(ctx);
  if (!ctx.state.configurationSets.has(setName)) throw new ResourceFailure(`Configuration set ${setName} does not exist.`);
  const destination = asFailure(() => eventDestination(ctx.state, name, { ...d, MatchingEventTypes: list<string>(d.MatchingEventTypes).map(apiEventType) }));
  asFailure(() => addEventDestination(ctx.state, setName, destination));
  return {
    physicalId: randomBytes(10).toString("hex"),
    attributes: {},
    undo: () => {
      ctx.state.configurationSets.get(setName)?.destinations.delete(name);
    },
  };
};

const eventsConnection: Provisioner = (p, ctx) => {
  const name = typeof p.Name === "string" ? p.Name : generatedName(ctx);
  if (ctx.state.connections.has(name)) throw exists("AWS::Events::Connection", name);
  const auth = (p.AuthParameters ?? {}) as Props;
  const type = p.AuthorizationType;
  if (type === "OAUTH_CLIENT_CREDENTIALS") throw new ResourceFailure("AuthorizationType OAUTH_CLIENT_CREDENTIALS is not supported by the local stand-in (API_KEY and BASIC are).");
  if (type === "API_KEY" && (!auth.ApiKeyAuthParameters?.ApiKeyName || auth.ApiKeyAuthParameters.ApiKeyValue === undefined)) throw new ResourceFailure("ApiKeyAuthParameters needs ApiKeyName and ApiKeyValue.");
  if (type === "BASIC" && (!auth.BasicAuthParameters?.Username || auth.BasicAuthParameters.Password === undefined)) throw new ResourceFailure("BasicAuthParameters needs Username and Password.");
  if (type !== "API_KEY" && type !== "BASIC") throw new ResourceFailure(`Invalid AuthorizationType ${String(type)}.`);
  const arn = connectionArn(ctx.state, name);
  ctx.state.connections.set(name, {
    name,
    arn,
    description: p.Description ?? null,
    authorizationType: type,
    apiKey: type === "API_KEY" ? { name: String(auth.ApiKeyAuthParameters.ApiKeyName), value: String(auth.ApiKeyAuthParameters.ApiKeyValue) } : null,
    basic: type === "BASIC" ? { username: String(auth.BasicAuthParameters.Username), password: String(auth.BasicAuthParameters.Password) } : null,
    headerParameters: list<Props>(auth.InvocationHttpParameters?.HeaderParameters).map((h) => ({ Key: String(h.Key), Value: String(h.Value) })),
    createdAt: ctx.now,
    modifiedAt: ctx.now,
  });
  return {
    physicalId: name,
    attributes: { Arn: arn, SecretArn: `arn:aws:secretsmanager:${ctx.state.region}:${ctx.state.account}:secret:events!connection/${name}/${arn.split("/").pop()}` },
    undo: () => {
      ctx.state.connections.delete(name);
    },
  };
};

/** AWS wants https; locally the ingest endpoint is plain http on the loopback address. */
const endpointAllowed = (url: string) => /^https:\/\//.test(url) || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url);

const eventsApiDestination: Provisioner = (p, ctx) => {
  const name = typeof p.Name === "string" ? p.Name : generatedName(ctx);
  if (ctx.state.apiDestinations.has(name)) throw exists("AWS::Events::ApiDestination", name);
  if (![...ctx.state.connections.values()].some((c) => c.arn === p.ConnectionArn)) throw new ResourceFailure(`Connection ${String(p.ConnectionArn)} does not exist.`);
  if (typeof p.InvocationEndpoint !== "string" || !endpointAllowed(p.InvocationEndpoint)) throw new ResourceFailure(`Invalid InvocationEndpoint ${String(p.InvocationEndpoint)}: it must be an https URL.`);
  if (!["POST", "GET", "HEAD", "OPTIONS", "PUT", "PATCH", "DELETE"].includes(p.HttpMethod)) throw new ResourceFailure(`Invalid HttpMethod ${String(p.HttpMethod)}.`);
  const rate = p.InvocationRateLimitPerSecond === undefined ? 300 : Number(p.InvocationRateLimitPerSecond);
  if (!Number.isInteger(rate) || rate < 1) throw new ResourceFailure("InvocationRateLimitPerSecond must be at least 1.");
  const arn = apiDestinationArn(ctx.state, name);
  ctx.state.apiDestinations.set(name, { name, arn, description: p.Description ?? null, connectionArn: p.ConnectionArn, invocationEndpoint: p.InvocationEndpoint, httpMethod: p.HttpMethod, rateLimit: rate, createdAt: ctx.now, modifiedAt: ctx.now });
  return {
    physicalId: name,
    attributes: { Arn: arn },
    undo: () => {
      ctx.state.apiDestinations.delete(name);
    },
  };
};

const eventsRule: Provisioner = (p, ctx) => {
  const name = typeof p.Name === "string" ? p.Name : generatedName(ctx);
  if (ctx.state.rules.has(name)) throw exists("AWS::Events::Rule", name);
  const pattern = p.EventPattern === undefined ? undefined : typeof p.EventPattern === "string" ? p.EventPattern : JSON.stringify(p.EventPattern);
  const rule = asFailure(() => putRule(ctx.state, { Name: name, EventBusName: p.EventBusName, EventPattern: pattern, ScheduleExpression: p.ScheduleExpression, State: p.State, Description: p.Description, RoleArn: p.RoleArn }));
  if (list(p.Targets).length) {
    try {
      asFailure(() => putTargets(ctx.state, name, p.Targets));
    } catch (err) {
      ctx.state.rules.delete(name);
      throw err;
    }
  }
  return {
    physicalId: name,
    attributes: { Arn: rule.arn },
    undo: () => {
      const r = ctx.state.rules.get(name);
      if (!r) return;
      r.targets = [];
      deleteRule(ctx.state, name);
    },
  };
};

export const PROVISIONERS: Record<string, Provisioner> = {
  "AWS::IAM::Role": iamRole,
  "AWS::SES::ConfigurationSet": sesConfigurationSet,
  "AWS::SES::ConfigurationSetEventDestination": sesEventDestination,
  "AWS::Events::Connection": eventsConnection,
  "AWS::Events::ApiDestination": eventsApiDestination,
  "AWS::Events::Rule": eventsRule,
};
