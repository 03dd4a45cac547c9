/**
 * EventBridge (JSON 1.1, `X-Amz-Target: AWSEvents.<Op>`): rules and targets on the default bus, API
 * destinations and connections, and the bus itself — an event put on it goes to every ENABLED rule
 * whose pattern matches, and each API destination target gets it as EventBridge sends it
 * (EVENTBRIDGE.md headers, the connection's auth header). Delivery retries 401, 407, 409, 429, 5xx,
 * timeouts and network errors: `delivery.attempts` attempts in all, backoff `delivery.backoffMs`
 * doubling (200, 400, 800 ms by default), `delivery.timeoutMs` (5 s) per attempt. The invocation rate
 * limit is not enforced.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { authorize } from "./iam";
import type { Call, Runtime } from "./runtime";
import type { ApiDestination, Connection, RegionState, Rule, Target } from "./state";
import { AwsFault } from "./wire";

const NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const validation = (message: string) => new AwsFault("ValidationException", 400, message);
const notFound = (message: string) => new AwsFault("ResourceNotFoundException", 400, message);
const epoch = (ms: number) => ms / 1000;

export const ruleArn = (state: RegionState, name: string) => `arn:aws:events:${state.region}:${state.account}:rule/${name}`;
export const connectionArn = (state: RegionState, name: string) => `arn:aws:events:${state.region}:${state.account}:connection/${name}/${randomUUID()}`;
export const apiDestinationArn = (state: RegionState, name: string) => `arn:aws:events:${state.region}:${state.account}:api-destination/${name}/${randomUUID()}`;

/** Only the default bus exists; it may be named or given by ARN. */
function checkBus(state: RegionState, bus: unknown) {
  if (bus === undefined || bus === "default" || bus === `arn:aws:events:${state.region}:${state.account}:event-bus/default`) return;
  throw notFound(`Event bus ${String(bus)} does not exist.`);
}

function existingRule(state: RegionState, name: unknown): Rule {
  const rule = state.rules.get(String(name));
  if (!rule) throw notFound(`Rule ${String(name)} does not exist on EventBus default.`);
  return rule;
}

interface Operation {
  /** The resource the IAM check names. */
  resource: (state: RegionState, input: Record<string, any>) => string;
  run: (state: RegionState, input: Record<string, any>, rt: Runtime) => unknown;
}

const anyResource = () => "*";
const ruleResource = (field: string) => (state: RegionState, input: Record<string, any>) => ruleArn(state, String(input[field] ?? ""));

/** Validates PutRule's input and creates or replaces the rule (also what AWS::Events::Rule does). */
export function putRule(state: RegionState, input: Record<string, any>): Rule {
  checkBus(state, input.EventBusName);
  if (typeof input.Name !== "string" || !NAME.test(input.Name)) throw validation(`1 validation error detected: Value '${String(input.Name)}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+`);
  if (input.EventPattern === undefined && input.ScheduleExpression === undefined) throw validation("Parameter(s) EventPattern or ScheduleExpression must be specified.");
  if (input.EventPattern !== undefined) {
    let pattern: unknown;
    try {
      pattern = JSON.parse(String(input.EventPattern));
    } catch {
      pattern = null;
    }
    if (!pattern || typeof pattern !== "object" || Array.isArray(pattern)) throw new AwsFault("InvalidEventPatternException", 400, "Event pattern is not valid. Reason: Filter is not an object");
  }
  if (input.State !== undefined && !["ENABLED", "DISABLED"].includes(input.State)) throw validation(`1 validation error detected: Value '${String(input.State)}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`);
  const existing = state.rules.get(input.Name);
  const rule: Rule = {
    name: input.Name,
    arn: ruleArn(state, input.Name),
    eventPattern: input.EventPattern ?? null,
    scheduleExpression: input.ScheduleExpression ?? null,
    state: input.State ?? "ENABLED",
    description: input.Description ?? null,
    roleArn: input.RoleArn ?? null,
    targets: existing?.targets ?? [],
  };
  state.rules.set(rule.name, rule);
  return rule;
}

/** Adds or replaces targets by Id (at most 5 per rule). */
export function putTargets(state: RegionState, ruleName: string, targets: unknown): { FailedEntryCount: number; FailedEntries: unknown[] } {
  const rule = existingRule(state, ruleName);
  if (!Array.isArray(targets) || !targets.length) throw validation("Targets must contain at least one target.");
  for (const t of targets as Target[]) {
    if (typeof t?.Id !== "string" || !NAME.test(t.Id)) throw validation(`Invalid target Id ${String(t?.Id)}.`);
    if (typeof t.Arn !== "string" || !t.Arn.startsWith("arn:")) throw validation(`Invalid target Arn ${String(t.Arn)}.`);
  }
  const next = [...rule.targets.filter((t) => !(targets as Target[]).some((n) => n.Id === t.Id)), ...(targets as Target[])];
  if (next.length > 5) throw new AwsFault("LimitExceededException", 400, "The requested resource exceeds the maximum number allowed.");
  rule.targets = next;
  return { FailedEntryCount: 0, FailedEntries: [] };
}

export function deleteRule(state: RegionState, name: string) {
  const rule = state.rules.get(name);
  if (rule?.targets.length) throw validation("Rule can't be deleted since it has targets.");
  state.rules.delete(name);
}

const ruleView = (rule: Rule) => ({
  Name: rule.name,
  Arn: rule.arn,
  EventPattern: rule.eventPattern ?? undefined,
  ScheduleExpression: rule.scheduleExpression ?? undefined,
  State: rule.state,
  Description: rule.description ?? undefined,
  RoleArn: rule.roleArn ?? undefined,
  EventBusName: "default",
});

function page<T>(rt: Runtime, items: T[], keyOf: (t: T) => string, input: Record<string, any>, filter: string) {
  const limit = input.Limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw validation("Limit must be between 1 and 100.");
  return rt.tokens.page(items, keyOf, limit, input.NextToken, filter, () => validation("The NextToken provided is invalid."));
}

function connectionByName(state: RegionState, name: unknown): Connection {
  const c = state.connections.get(String(name));
  if (!c) throw notFound(`Failed to describe the connection(s). Connection '${String(name)}' does not exist.`);
  return c;
}

function apiDestinationByName(state: RegionState, name: unknown): ApiDestination {
  const d = state.apiDestinations.get(String(name));
  if (!d) throw notFound(`Failed to describe the api-destination(s). An api-destination '${String(name)}' does not exist.`);
  return d;
}

const OPERATIONS: Record<string, Operation> = {
  DescribeRule: {
    resource: ruleResource("Name"),
    run: (state, input) => {
      checkBus(state, input.EventBusName);
      return { ...ruleView(existingRule(state, input.Name)), CreatedBy: state.account };
    },
  },
  ListRules: {
    resource: anyResource,
    run: (state, input, rt) => {
      checkBus(state, input.EventBusName);
      const prefix = String(input.NamePrefix ?? "");
      const { page: rules, next } = page(rt, [...state.rules.values()].filter((r) => r.name.startsWith(prefix)), (r) => r.name, input, `rules:${prefix}`);
      return { Rules: rules.map(ruleView), NextToken: next ?? undefined };
    },
  },
  PutRule: { resource: ruleResource("Name"), run: (state, input) => ({ RuleArn: putRule(state, input).arn }) },
  DeleteRule: {
    resource: ruleResource("Name"),
    run: (state, input) => {
      checkBus(state, input.EventBusName);
      deleteRule(state, String(input.Name));
      return {};
    },
  },
  PutTargets: {
    resource: ruleResource("Rule"),
    run: (state, input) => {
      checkBus(state, input.EventBusName);
      return putTargets(state, String(input.Rule), input.Targets);
    },
  },
  RemoveTargets: {
    resource: ruleResource("Rule"),
    run: (state, input) => {
      checkBus(state, input.EventBusName);
      const rule = existingRule(state, input.Rule);
      if (!Array.isArray(input.Ids) || !input.Ids.length) throw validation("Ids must contain at least one target id.");
      rule.targets = rule.targets.filter((t) => !(input.Ids as string[]).includes(t.Id));
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
  },
  ListTargetsByRule: {
    resource: ruleResource("Rule"),
    run: (state, input, rt) => {
      checkBus(state, input.EventBusName);
      const rule = existingRule(state, input.Rule);
      const { page: targets, next } = page(rt, rule.targets, (t) => t.Id, input, `targets:${rule.name}`);
      return { Targets: targets, NextToken: next ?? undefined };
    },
  },
  DescribeApiDestination: {
    resource: (state, input) => state.apiDestinations.get(String(input.Name))?.arn ?? "*",
    run: (state, input) => {
      const d = apiDestinationByName(state, input.Name);
      return {
        ApiDestinationArn: d.arn,
        Name: d.name,
        Description: d.description ?? undefined,
        ApiDestinationState: "ACTIVE",
        ConnectionArn: d.connectionArn,
        InvocationEndpoint: d.invocationEndpoint,
        HttpMethod: d.httpMethod,
        InvocationRateLimitPerSecond: d.rateLimit,
        CreationTime: epoch(d.createdAt),
        LastModifiedTime: epoch(d.modifiedAt),
      };
    },
  },
  DescribeConnection: {
    resource: (state, input) => state.connections.get(String(input.Name))?.arn ?? "*",
    run: (state, input) => {
      const c = connectionByName(state, input.Name);
      return {
        ConnectionArn: c.arn,
        Name: c.name,
        Description: c.description ?? undefined,
        ConnectionState: "AUTHORIZED",
        AuthorizationType: c.authorizationType,
        SecretArn: `arn:aws:secretsmanager:${state.region}:${state.account}:secret:events!connection/${c.name}/${c.arn.split("/").pop()}`,
        // Secrets are never returned, only the header name / user name.
        AuthParameters: {
          ...(c.apiKey ? { ApiKeyAuthParameters: { ApiKeyName: c.apiKey.name } } : {}),
          ...(c.basic ? { BasicAuthParameters: { Username: c.basic.username } } : {}),
          ...(c.headerParameters.length ? { InvocationHttpParameters: { HeaderParameters: c.headerParameters.map((h) => ({ Key: h.Key, Value: h.Value, IsValueSecret: false })) } } : {}),
        },
        CreationTime: epoch(c.createdAt),
        LastModifiedTime: epoch(c.modifiedAt),
        LastAuthorizedTime: epoch(c.createdAt),
      };
    },
  },
};

/** Runs one EventBridge operation for `X-Amz-Target: AWSEvents.<name>`. */
export function eventsOperation(rt: Runtime, call: Call, state: RegionState, target: string, body: Buffer): { name: string; run: () => unknown } {
  const name = target.startsWith("AWSEvents.") ? target.slice("AWSEvents.".length) : "";
  const op = OPERATIONS[name];
  if (!op) throw new AwsFault("UnknownOperationException", 400, `The stand-in does not implement ${target || "(no X-Amz-Target)"}.`);
  let input: Record<string, any>;
  try {
    input = body.length ? (JSON.parse(body.toString("utf8")) as Record<string, any>) : {};
  } catch {
    throw new AwsFault("SerializationException", 400, "Start of structure or map found where not expected.");
  }
  return {
    name,
    run: () => {
      authorize(call.caller, `events:${name}`, op.resource(state, input));
      return op.run(state, input, rt);
    },
  };
}

// ---- the bus ----

/** EventBridge pattern matching: literal lists, nested objects, and the prefix / anything-but / exists operators. */
export function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, want]) => {
    const have = event[key];
    if (Array.isArray(want)) {
      const values = Array.isArray(have) ? have : [have];
      return want.some((w) => {
        if (w !== null && typeof w === "object") {
          const op = w as Record<string, unknown>;
          if ("exists" in op) return op.exists ? have !== undefined : have === undefined;
          if ("prefix" in op) return values.some((v) => typeof v === "string" && v.startsWith(String(op.prefix)));
          if ("anything-but" in op) {
            const but = Array.isArray(op["anything-but"]) ? (op["anything-but"] as unknown[]) : [op["anything-but"]];
            return have !== undefined && values.every((v) => !but.includes(v));
          }
          return false;
        }
        return values.includes(w);
      });
    }
    return want !== null && typeof want === "object" && have !== null && typeof have === "object" && matches(want as Record<string, unknown>, have as Record<string, unknown>);
  });
}

const RETRIED = (status: number) => status === 401 || status === 407 || status === 409 || status === 429 || status >= 500;

/** One HTTP attempt as an API destination makes it; resolves with the status (or throws on network errors and timeouts). */
function invoke(url: URL, method: string, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? https : http).request(url, { method, headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("timeout", () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(body);
  });
}

async function deliver(rt: Runtime, state: RegionState, rule: Rule, target: Target, destination: ApiDestination, event: Record<string, unknown>) {
  const connection = [...state.connections.values()].find((c) => c.arn === destination.connectionArn);
  const headers: Record<string, string> = {};
  // Target header parameters, then the connection's (connection values win), then what EventBridge always sets.
  const targetHeaders = (target.HttpParameters as { HeaderParameters?: Record<string, string> } | undefined)?.HeaderParameters ?? {};
  for (const [key, value] of Object.entries(targetHeaders)) headers[key.toLowerCase()] = value;
  for (const h of connection?.headerParameters ?? []) headers[h.Key.toLowerCase()] = h.Value;
  if (connection?.apiKey) headers[connection.apiKey.name.toLowerCase()] = connection.apiKey.value;
  if (connection?.basic) headers.authorization = `Basic ${Buffer.from(`${connection.basic.username}:${connection.basic.password}`).toString("base64")}`;
  Object.assign(headers, {
    "user-agent": "Amazon/EventBridge/ApiDestinations",
    "content-type": "application/json; charset=utf-8",
    range: "bytes=0-1048575",
    "accept-encoding": "gzip,deflate",
    connection: "close",
  });
  const body = JSON.stringify(event);
  const { attempts, backoffMs, timeoutMs } = rt.config.delivery;
  let outcome = "";
  let attempt = 0;
  while (attempt < attempts) {
    attempt++;
    try {
      const status = await invoke(new URL(destination.invocationEndpoint), destination.httpMethod, headers, body, timeoutMs);
      outcome = String(status);
      if (!RETRIED(status)) break;
    } catch (err) {
      outcome = (err as Error).message;
    }
    if (attempt < attempts) await new Promise((r) => setTimeout(r, backoffMs * 2 ** (attempt - 1)));
  }
  state.deliveries.push({ eventId: String(event.id), event, detailType: String(event["detail-type"]), rule: rule.name, target: target.Id, endpoint: destination.invocationEndpoint, attempts: attempt, outcome, at: rt.now() });
  if (state.deliveries.length > 500) state.deliveries.shift();
}

/** Puts an event on the default bus: every ENABLED rule whose pattern matches sends it to its API destination targets. */
export function publish(rt: Runtime, state: RegionState, event: Record<string, unknown>) {
  for (const rule of state.rules.values()) {
    if (rule.state !== "ENABLED" || rule.eventPattern === null || !matches(JSON.parse(rule.eventPattern) as Record<string, unknown>, event)) continue;
    for (const target of rule.targets) {
      const destination = [...state.apiDestinations.values()].find((d) => d.arn === target.Arn);
      // Other target types (Lambda, SQS, …) have nothing behind them here.
      if (destination) void deliver(rt, state, rule, target, destination, event);
    }
  }
}
