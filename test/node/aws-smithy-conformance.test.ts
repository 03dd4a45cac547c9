/**
 * Every request our own AWS clients build, checked against the official Smithy models in
 * test/fixtures/aws-models (copies of the official models, read at test time): method and URI of the operation's `smithy.api#http` trait
 * (labels filled and percent-encoded), host and SigV4 signing name of the service, every required input
 * member present, every query parameter and body member (at any depth) a member of the model's input
 * shape under the model's name, and every value we send of the model's type, enum, length, pattern and
 * range. `fetch` is stubbed: nothing leaves the process.
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SES_EVENT_TYPES, SesClient } from "../../worker/aws/ses";
import * as sts from "../../worker/aws/sts";

type Json = Record<string, any>;
interface Shape {
  type: string;
  traits?: Json;
  members?: Record<string, { target: string; traits?: Json }>;
  member?: { target: string; traits?: Json };
  value?: { target: string; traits?: Json };
  input?: { target: string };
  version?: string;
  operations?: { target: string }[];
}

// The official Smithy models (test/fixtures/aws-models/SOURCE.txt), copied into the repository.
const MODELS = fileURLToPath(new URL("../fixtures/aws-models/", import.meta.url));

/** A Smithy JSON AST model: its shapes, its service shape and namespace. */
function loadModel(file: string) {
  const path = `${MODELS}${file}`;
  if (!existsSync(path)) throw new Error(`Smithy model ${path} is missing: the conformance test needs it.`);
  const shapes = JSON.parse(readFileSync(path, "utf8")).shapes as Record<string, Shape>;
  const [serviceId, service] = Object.entries(shapes).find(([, s]) => s.type === "service")!;
  const ns = serviceId.slice(0, serviceId.indexOf("#") + 1);
  return {
    shapes,
    ns,
    service,
    signingName: service.traits!["aws.auth#sigv4"].name as string,
    endpointPrefix: service.traits!["aws.api#service"].endpointPrefix as string,
    operations: new Set(service.operations!.map((o) => o.target.slice(ns.length))),
  };
}
type Model = ReturnType<typeof loadModel>;

const sesv2 = loadModel("sesv2-2019-09-27.json");
const stsModel = loadModel("sts-2011-06-15.json");

const PRELUDE: Record<string, string> = {
  "smithy.api#String": "string",
  "smithy.api#Boolean": "boolean",
  "smithy.api#PrimitiveBoolean": "boolean",
  "smithy.api#Integer": "integer",
  "smithy.api#PrimitiveInteger": "integer",
  "smithy.api#Long": "long",
  "smithy.api#PrimitiveLong": "long",
  "smithy.api#Double": "double",
  "smithy.api#Timestamp": "timestamp",
  "smithy.api#Document": "document",
};

function shapeOf(model: Model, target: string): Shape {
  const shape = model.shapes[target] ?? (PRELUDE[target] ? { type: PRELUDE[target]! } : undefined);
  if (!shape) throw new Error(`shape ${target} is not in the model`);
  return shape;
}

const HTTP_BINDINGS = ["smithy.api#httpLabel", "smithy.api#httpQuery", "smithy.api#httpQueryParams", "smithy.api#httpHeader", "smithy.api#httpPrefixHeaders", "smithy.api#httpPayload"];
const isBodyMember = (traits: Json = {}) => !HTTP_BINDINGS.some((t) => t in traits);
const isRequired = (traits: Json = {}) => "smithy.api#required" in traits;

/**
 * Checks one value against a shape: type, enum, length, pattern, range; structures member by member
 * (unknown names and missing required members reported). `wire` says how scalars arrive: JSON values in
 * a body, strings in a query. Problems go to `out`, each prefixed with the value's path.
 */
function checkValue(model: Model, target: string, memberTraits: Json, value: unknown, at: string, wire: "json" | "query", out: string[]): void {
  const shape = shapeOf(model, target);
  const traits = { ...shape.traits, ...memberTraits };
  const isInt = shape.type === "integer" || shape.type === "long" || shape.type === "short" || shape.type === "byte";
  const numeric = isInt || shape.type === "double" || shape.type === "float";
  const length = (n: number) => {
    const l = traits["smithy.api#length"];
    if (l && ((l.min !== undefined && n < l.min) || (l.max !== undefined && n > l.max))) out.push(`${at}: length ${n} outside ${JSON.stringify(l)}`);
  };
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return void out.push(`${at}: expected an object for ${target}`);
      checkMembers(model, shape, value as Json, at, out);
      return;
    }
    case "union": {
      const set = Object.entries(value as Json).filter(([, v]) => v !== undefined && v !== null);
      if (set.length !== 1) out.push(`${at}: a union (${target}) takes exactly one member, got ${set.length}`);
      checkMembers(model, shape, value as Json, at, out);
      return;
    }
    case "list": {
      if (!Array.isArray(value)) return void out.push(`${at}: expected a list for ${target}`);
      length(value.length);
      value.forEach((v, i) => checkValue(model, shape.member!.target, shape.member!.traits ?? {}, v, `${at}[${i}]`, wire, out));
      return;
    }
    case "map": {
      if (typeof value !== "object" || value === null) return void out.push(`${at}: expected a map for ${target}`);
      for (const [k, v] of Object.entries(value)) checkValue(model, shape.value!.target, {}, v, `${at}.${k}`, wire, out);
      return;
    }
    case "enum": {
      const allowed = Object.values(shape.members!).map((m) => m.traits!["smithy.api#enumValue"]);
      if (!allowed.includes(value)) out.push(`${at}: ${JSON.stringify(value)} is not one of ${target}'s values ${allowed.join(", ")}`);
      return;
    }
    case "string": {
      if (typeof value !== "string") return void out.push(`${at}: expected a string for ${target}`);
      length(value.length);
      const pattern = traits["smithy.api#pattern"];
      if (pattern && !new RegExp(pattern).test(value)) out.push(`${at}: ${JSON.stringify(value)} does not match ${pattern}`);
      return;
    }
    case "boolean":
      if (wire === "json" ? typeof value !== "boolean" : value !== "true" && value !== "false") out.push(`${at}: expected a boolean`);
      return;
    case "timestamp":
      // restJson1 bodies: epoch seconds; query strings: ISO-8601 date-time.
      if (wire === "json" ? typeof value !== "number" : typeof value !== "string" || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) {
        out.push(`${at}: ${JSON.stringify(value)} is not a ${wire === "json" ? "epoch-seconds number" : "ISO-8601 date-time"}`);
      }
      return;
    case "document":
      return;
    default: {
      if (!numeric) return void out.push(`${at}: unhandled shape type ${shape.type} (${target})`);
      const n = wire === "json" ? value : typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
      if (typeof n !== "number" || Number.isNaN(n) || (isInt && !Number.isInteger(n))) return void out.push(`${at}: ${JSON.stringify(value)} is not a ${shape.type}`);
      const r = traits["smithy.api#range"];
      if (r && ((r.min !== undefined && n < r.min) || (r.max !== undefined && n > r.max))) out.push(`${at}: ${n} outside ${JSON.stringify(r)}`);
    }
  }
}

/** A structure's JSON members: names per the model (`jsonName` or member name), required ones present. */
function checkMembers(model: Model, shape: Shape, value: Json, at: string, out: string[]): void {
  const byWireName = new Map(Object.entries(shape.members ?? {}).map(([name, m]) => [m.traits?.["smithy.api#jsonName"] ?? name, m]));
  for (const [key, v] of Object.entries(value)) {
    const member = byWireName.get(key);
    if (!member) out.push(`${at}.${key}: not a member of the model's shape`);
    else if (v === null) out.push(`${at}.${key}: null sent (leave the member out instead)`);
    else checkValue(model, member.target, member.traits ?? {}, v, `${at}.${key}`, "json", out);
  }
  for (const [name, m] of byWireName) if (isRequired(m.traits) && value[name] === undefined) out.push(`${at}.${name}: required, missing`);
}

/** The RFC 3986 form of a path label: unreserved characters bare, everything else %XX. */
const RFC3986_SEGMENT = /^(?:[A-Za-z0-9\-._~]|%[0-9A-F]{2})+$/;

/** What a signed request must show of the service: regional host, SigV4 credential scope. */
function checkService(model: Model, req: Request, region: string, out: string[]): void {
  const url = new URL(req.url);
  if (url.host !== `${model.endpointPrefix}.${region}.amazonaws.com`) out.push(`host ${url.host} is not ${model.endpointPrefix}.${region}.amazonaws.com`);
  const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(req.headers.get("authorization") ?? "");
  if (!scope) out.push("no SigV4 Authorization header");
  else if (scope[1] !== region || scope[2] !== model.signingName) out.push(`signed for ${scope[1]}/${scope[2]}, the model says ${region}/${model.signingName}`);
}

interface Captured {
  request: Request;
  body: string;
}

/** A restJson1 request against its operation: http trait, labels, query, headers, body. */
function checkRestJson(model: Model, op: string, c: Captured, region: string, labels: Record<string, string>): string[] {
  const out: string[] = [];
  if (!model.operations.has(op)) return [`${op} is not an operation of the service`];
  const opShape = shapeOf(model, model.ns + op);
  const http = opShape.traits!["smithy.api#http"] as { method: string; uri: string };
  const input = opShape.input ? shapeOf(model, opShape.input.target) : { type: "structure", members: {} };
  const members = Object.entries(input.members ?? {});
  const url = new URL(c.request.url);
  checkService(model, c.request, region, out);
  if (c.request.method !== http.method) out.push(`method ${c.request.method}, the model says ${http.method}`);

  const [pathPattern, literalQuery] = http.uri.split("?");
  const want = pathPattern!.split("/");
  const got = url.pathname.split("/");
  const seenLabels = new Set<string>();
  if (want.length !== got.length) out.push(`path ${url.pathname} does not fit ${http.uri}`);
  else {
    want.forEach((seg, i) => {
      const raw = got[i]!;
      const m = /^\{(\w+)\}$/.exec(seg);
      if (!m) return void (seg !== raw && out.push(`path ${url.pathname} does not fit ${http.uri} at "${raw}"`));
      const member = input.members?.[m[1]!];
      if (!member || !("smithy.api#httpLabel" in (member.traits ?? {}))) return void out.push(`{${m[1]}} is not an httpLabel member`);
      if (!RFC3986_SEGMENT.test(raw)) out.push(`label {${m[1]}} "${raw}" is not percent-encoded per RFC 3986`);
      const value = decodeURIComponent(raw);
      if (labels[m[1]!] !== undefined && value !== labels[m[1]!]) out.push(`label {${m[1]}} is ${JSON.stringify(value)}, expected ${JSON.stringify(labels[m[1]!])}`);
      checkValue(model, member.target, member.traits ?? {}, value, `{${m[1]}}`, "query", out);
      seenLabels.add(m[1]!);
    });
  }
  for (const pair of literalQuery ? literalQuery.split("&") : []) {
    const [k, v = ""] = pair.split("=");
    if (url.searchParams.get(k!) !== v) out.push(`literal query ${pair} of ${http.uri} missing`);
  }

  const queryMembers = new Map(members.filter(([, m]) => m.traits?.["smithy.api#httpQuery"]).map(([name, m]) => [m.traits!["smithy.api#httpQuery"] as string, { name, ...m }]));
  for (const key of new Set(url.searchParams.keys())) {
    if (literalQuery?.split("&").some((p) => p.split("=")[0] === key)) continue;
    const member = queryMembers.get(key);
    if (!member) {
      out.push(`query parameter ${key} is not an httpQuery member`);
      continue;
    }
    const values = url.searchParams.getAll(key);
    const shape = shapeOf(model, member.target);
    if (shape.type === "list") checkValue(model, member.target, member.traits ?? {}, values, `?${key}`, "query", out);
    else if (values.length > 1) out.push(`query parameter ${key} repeated, the model's ${shape.type} takes one`);
    else checkValue(model, member.target, member.traits ?? {}, values[0], `?${key}`, "query", out);
  }

  const bodyMembers = members.filter(([, m]) => isBodyMember(m.traits));
  let body: Json = {};
  if (!c.body) {
    if (bodyMembers.some(([, m]) => isRequired(m.traits))) out.push("no body, but the input has required body members");
  } else if (bodyMembers.length === 0) {
    out.push(`a body sent, but ${op} has no body members`);
  } else {
    if (!/^application\/json\b/.test(c.request.headers.get("content-type") ?? "")) out.push(`content-type ${c.request.headers.get("content-type")}, expected application/json`);
    body = JSON.parse(c.body) as Json;
    checkMembers(model, { type: "structure", members: Object.fromEntries(bodyMembers) }, body, "body", out);
  }

  for (const [name, m] of members) {
    if (!isRequired(m.traits)) continue;
    const t = m.traits!;
    if ("smithy.api#httpLabel" in t && !seenLabels.has(name)) out.push(`required label {${name}} not in the path`);
    if (t["smithy.api#httpQuery"] && !url.searchParams.has(t["smithy.api#httpQuery"])) out.push(`required query ${t["smithy.api#httpQuery"]} missing`);
    if (t["smithy.api#httpHeader"] && !c.request.headers.has(t["smithy.api#httpHeader"])) out.push(`required header ${t["smithy.api#httpHeader"]} missing`);
  }
  return out;
}

/**
 * An awsQuery request (STS): form-encoded POST to `/` with `Action` and the service's `Version`; every
 * other parameter a member of the input (lists as `Name.member.N`, structures as `Name.Member`).
 */
function checkAwsQuery(model: Model, op: string, c: Captured, region: string): string[] {
  const out: string[] = [];
  if (!model.operations.has(op)) return [`${op} is not an operation of the service`];
  checkService(model, c.request, region, out);
  if (c.request.method !== "POST" || new URL(c.request.url).pathname !== "/") out.push(`${c.request.method} ${new URL(c.request.url).pathname}, awsQuery is POST /`);
  if (!/^application\/x-www-form-urlencoded\b/.test(c.request.headers.get("content-type") ?? "")) out.push(`content-type ${c.request.headers.get("content-type")}`);
  const params = new URLSearchParams(c.body);
  if (params.get("Action") !== op) out.push(`Action=${params.get("Action")}, expected ${op}`);
  if (params.get("Version") !== model.service.version) out.push(`Version=${params.get("Version")}, the model's is ${model.service.version}`);
  const tree: Json = {};
  for (const [key, value] of params) {
    if (key === "Action" || key === "Version") continue;
    const path = key.split(".");
    let node = tree;
    path.slice(0, -1).forEach((p) => (node = node[p] ??= {}));
    node[path.at(-1)!] = value;
  }
  const input = shapeOf(model, shapeOf(model, model.ns + op).input!.target);
  checkQueryStructure(model, input, tree, "params", out);
  return out;
}

function checkQueryStructure(model: Model, shape: Shape, tree: Json, at: string, out: string[]): void {
  const byQueryName = new Map(
    Object.entries(shape.members ?? {}).map(([name, m]) => [m.traits?.["aws.protocols#awsQueryName"] ?? m.traits?.["smithy.api#xmlName"] ?? name, m]),
  );
  for (const [key, v] of Object.entries(tree)) {
    const member = byQueryName.get(key);
    if (!member) {
      out.push(`${at}.${key}: not a member of the model's input`);
      continue;
    }
    const target = shapeOf(model, member.target);
    if (target.type === "structure") checkQueryStructure(model, target, v, `${at}.${key}`, out);
    else if (target.type === "list") {
      const items = Object.entries((v as Json).member ?? {}).sort(([a], [b]) => Number(a) - Number(b));
      items.forEach(([n, item], i) => {
        if (Number(n) !== i + 1) out.push(`${at}.${key}.member.${n}: list indexes run 1, 2, …`);
        const itemShape = shapeOf(model, target.member!.target);
        if (itemShape.type === "structure") checkQueryStructure(model, itemShape, item as Json, `${at}.${key}[${n}]`, out);
        else checkValue(model, target.member!.target, {}, item, `${at}.${key}[${n}]`, "query", out);
      });
    } else checkValue(model, member.target, member.traits ?? {}, v, `${at}.${key}`, "query", out);
  }
  for (const [name, m] of byQueryName) if (isRequired(m.traits) && tree[name] === undefined) out.push(`${at}.${name}: required, missing`);
}

// ---------------------------------------------------------------------------------------------------

const REGION = "eu-west-1";
const CREDS = { accessKeyId: "ASIAEXAMPLEKEYID1234", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", sessionToken: "IQoJb3JpZ2luX2VjEXAMPLE" };
const ENV = { AWS_ENDPOINT_URL: "" };
/** Labels with characters that need encoding (`+`, `@`, `!`). */
const IDENTITY = "ops+alerts!@example.com";
const CONFIG_SET = "acme-transactional";
const DESTINATION = "sendops-eventbridge";
const BUS = "arn:aws:events:eu-west-1:222233334444:event-bus/default";

let captured: Captured[] = [];
let answers: unknown[] = [];

beforeEach(() => {
  captured = [];
  vi.stubGlobal("fetch", async (input: Request) => {
    captured.push({ request: input, body: await input.clone().text() });
    const answer = answers.shift() ?? {};
    const isXml = typeof answer === "string";
    return new Response(isXml ? answer : JSON.stringify(answer), { status: 200, headers: { "content-type": isXml ? "text/xml" : "application/json" } });
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
});

interface SesCase {
  /** The SesClient method, and what this call of it shows. */
  method: string;
  variant?: string;
  op: string;
  call: (ses: SesClient) => Promise<unknown>;
  /** The stubbed answers, one per request (`{}` once they run out). */
  answers?: Json[];
  /** Requests the call must make (pagination). */
  requests?: number;
  labels?: Record<string, string>;
}

const identityPage = (name: string, nextToken?: string) => ({
  EmailIdentities: [{ IdentityType: "DOMAIN", IdentityName: name, SendingEnabled: true, VerificationStatus: "SUCCESS" }],
  ...(nextToken ? { NextToken: nextToken } : {}),
});
const dkim = { SigningEnabled: true, Status: "PENDING", Tokens: ["a1", "b2", "c3"] };

const SES_CASES: SesCase[] = [
  { method: "getAccount", op: "GetAccount", call: (s) => s.getAccount(), answers: [{ SendingEnabled: true, ProductionAccessEnabled: false }] },
  {
    method: "listEmailIdentities",
    variant: "two pages",
    op: "ListEmailIdentities",
    call: (s) => s.listEmailIdentities(),
    answers: [identityPage("a.example.com", "tok/2+=="), identityPage("b.example.com")],
    requests: 2,
  },
  { method: "getEmailIdentity", op: "GetEmailIdentity", call: (s) => s.getEmailIdentity(IDENTITY), labels: { EmailIdentity: IDENTITY }, answers: [{ IdentityType: "EMAIL_ADDRESS", VerificationStatus: "PENDING" }] },
  {
    method: "createEmailIdentity",
    variant: "with configuration set and tags",
    op: "CreateEmailIdentity",
    call: (s) => s.createEmailIdentity("mail.example.com", { configurationSetName: CONFIG_SET, tags: [{ key: "env", value: "prod" }] }),
    answers: [{ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, DkimAttributes: dkim }],
  },
  { method: "createEmailIdentity", variant: "bare", op: "CreateEmailIdentity", call: (s) => s.createEmailIdentity(IDENTITY), answers: [{ IdentityType: "EMAIL_ADDRESS" }] },
  { method: "deleteEmailIdentity", op: "DeleteEmailIdentity", call: (s) => s.deleteEmailIdentity(IDENTITY), labels: { EmailIdentity: IDENTITY } },
  {
    method: "putEmailIdentityConfigurationSet",
    variant: "set",
    op: "PutEmailIdentityConfigurationSetAttributes",
    call: (s) => s.putEmailIdentityConfigurationSet(IDENTITY, CONFIG_SET),
    labels: { EmailIdentity: IDENTITY },
  },
  {
    method: "putEmailIdentityConfigurationSet",
    variant: "clear",
    op: "PutEmailIdentityConfigurationSetAttributes",
    call: (s) => s.putEmailIdentityConfigurationSet(IDENTITY, null),
    labels: { EmailIdentity: IDENTITY },
  },
  {
    method: "listConfigurationSets",
    variant: "two pages",
    op: "ListConfigurationSets",
    call: (s) => s.listConfigurationSets(),
    answers: [{ ConfigurationSets: ["a"], NextToken: "next-1" }, { ConfigurationSets: ["b"] }],
    requests: 2,
  },
  {
    method: "getConfigurationSet",
    op: "GetConfigurationSet",
    call: (s) => s.getConfigurationSet(CONFIG_SET),
    labels: { ConfigurationSetName: CONFIG_SET },
    answers: [{ ConfigurationSetName: CONFIG_SET, SendingOptions: { SendingEnabled: true } }],
  },
  {
    method: "createConfigurationSet",
    variant: "every option",
    op: "CreateConfigurationSet",
    call: (s) =>
      s.createConfigurationSet({
        name: CONFIG_SET,
        trackingOptions: { customRedirectDomain: "track.example.com", httpsPolicy: "REQUIRE_OPEN_ONLY" },
        deliveryOptions: { tlsPolicy: "REQUIRE", sendingPoolName: "pool-1", maxDeliverySeconds: 600 },
        reputationOptions: { reputationMetricsEnabled: true },
        sendingOptions: { sendingEnabled: true },
        suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
        tags: [{ key: "owner", value: "sendops" }],
      }),
  },
  { method: "createConfigurationSet", variant: "name only", op: "CreateConfigurationSet", call: (s) => s.createConfigurationSet({ name: CONFIG_SET }) },
  { method: "deleteConfigurationSet", op: "DeleteConfigurationSet", call: (s) => s.deleteConfigurationSet(CONFIG_SET), labels: { ConfigurationSetName: CONFIG_SET } },
  {
    method: "putConfigurationSetTrackingOptions",
    op: "PutConfigurationSetTrackingOptions",
    call: (s) => s.putConfigurationSetTrackingOptions(CONFIG_SET, { customRedirectDomain: "track.example.com", httpsPolicy: "OPTIONAL" }),
    labels: { ConfigurationSetName: CONFIG_SET },
  },
  {
    method: "putConfigurationSetSendingOptions",
    op: "PutConfigurationSetSendingOptions",
    call: (s) => s.putConfigurationSetSendingOptions(CONFIG_SET, { sendingEnabled: false }),
    labels: { ConfigurationSetName: CONFIG_SET },
  },
  {
    method: "putConfigurationSetDeliveryOptions",
    op: "PutConfigurationSetDeliveryOptions",
    call: (s) => s.putConfigurationSetDeliveryOptions(CONFIG_SET, { tlsPolicy: "OPTIONAL", sendingPoolName: "pool-1", maxDeliverySeconds: 50400 }),
    labels: { ConfigurationSetName: CONFIG_SET },
  },
  {
    method: "putConfigurationSetSuppressionOptions",
    op: "PutConfigurationSetSuppressionOptions",
    call: (s) => s.putConfigurationSetSuppressionOptions(CONFIG_SET, { suppressedReasons: ["BOUNCE"] }),
    labels: { ConfigurationSetName: CONFIG_SET },
  },
  {
    method: "putConfigurationSetReputationOptions",
    op: "PutConfigurationSetReputationOptions",
    call: (s) => s.putConfigurationSetReputationOptions(CONFIG_SET, { reputationMetricsEnabled: true }),
    labels: { ConfigurationSetName: CONFIG_SET },
  },
  {
    method: "getConfigurationSetEventDestinations",
    op: "GetConfigurationSetEventDestinations",
    call: (s) => s.getConfigurationSetEventDestinations(CONFIG_SET),
    labels: { ConfigurationSetName: CONFIG_SET },
    answers: [{ EventDestinations: [{ Name: DESTINATION, Enabled: true, MatchingEventTypes: ["SEND"], EventBridgeDestination: { EventBusArn: BUS } }] }],
  },
  {
    method: "createConfigurationSetEventDestination",
    op: "CreateConfigurationSetEventDestination",
    call: (s) => s.createConfigurationSetEventDestination(CONFIG_SET, { name: DESTINATION, enabled: true, matchingEventTypes: SES_EVENT_TYPES, eventBusArn: BUS }),
    labels: { ConfigurationSetName: CONFIG_SET },
  },
  {
    method: "updateConfigurationSetEventDestination",
    op: "UpdateConfigurationSetEventDestination",
    call: (s) => s.updateConfigurationSetEventDestination(CONFIG_SET, { name: DESTINATION, enabled: false, matchingEventTypes: ["DELIVERY", "BOUNCE"], eventBusArn: BUS }),
    labels: { ConfigurationSetName: CONFIG_SET, EventDestinationName: DESTINATION },
  },
  {
    method: "deleteConfigurationSetEventDestination",
    op: "DeleteConfigurationSetEventDestination",
    call: (s) => s.deleteConfigurationSetEventDestination(CONFIG_SET, DESTINATION),
    labels: { ConfigurationSetName: CONFIG_SET, EventDestinationName: DESTINATION },
  },
  { method: "listContactLists", variant: "page size", op: "ListContactLists", call: (s) => s.listContactLists(1), answers: [{ ContactLists: [{ ContactListName: "news", LastUpdatedTimestamp: 1715600000 }], NextToken: "more" }] },
  { method: "listContactLists", variant: "default page", op: "ListContactLists", call: (s) => s.listContactLists() },
  {
    method: "listEmailTemplates",
    variant: "page size",
    op: "ListEmailTemplates",
    call: (s) => s.listEmailTemplates(1),
    answers: [{ TemplatesMetadata: [{ TemplateName: "welcome_v3", CreatedTimestamp: 1715600000.123 }], NextToken: "more" }],
  },
  { method: "listEmailTemplates", variant: "default page", op: "ListEmailTemplates", call: (s) => s.listEmailTemplates() },
  {
    method: "sendEmail",
    variant: "text, html, configuration set, tags",
    op: "SendEmail",
    call: (s) =>
      s.sendEmail({
        from: "Acme <notifications@mail.example.com>",
        to: ["jane.doe@example.net", "john@example.net"],
        subject: "Welcome",
        text: "Hello",
        html: "<p>Hello</p>",
        configurationSetName: CONFIG_SET,
        tags: [{ name: "tenant", value: "t_7c1f" }],
      }),
    answers: [{ MessageId: "0100018f7a2b9c3d-000000" }],
  },
  {
    method: "sendEmail",
    variant: "text only",
    op: "SendEmail",
    call: (s) => s.sendEmail({ from: "no-reply@sendops.local", to: ["a@example.net"], subject: "S", text: "T" }),
    answers: [{ MessageId: "0100018f7a2b9c3d-000001" }],
  },
  {
    method: "listSuppressedDestinations",
    variant: "every filter",
    op: "ListSuppressedDestinations",
    call: (s) => s.listSuppressedDestinations({ reasons: ["BOUNCE", "COMPLAINT"], startDate: Date.UTC(2024, 4, 1), endDate: Date.UTC(2024, 4, 14, 9, 21, 5), nextToken: "abc+/=", pageSize: 50 }),
  },
  { method: "listSuppressedDestinations", variant: "defaults", op: "ListSuppressedDestinations", call: (s) => s.listSuppressedDestinations() },
  {
    method: "getSuppressedDestination",
    op: "GetSuppressedDestination",
    call: (s) => s.getSuppressedDestination(IDENTITY),
    labels: { EmailAddress: IDENTITY },
    answers: [{ SuppressedDestination: { EmailAddress: IDENTITY, Reason: "BOUNCE", LastUpdateTime: 1715600000 } }],
  },
  { method: "deleteSuppressedDestination", op: "DeleteSuppressedDestination", call: (s) => s.deleteSuppressedDestination(IDENTITY), labels: { EmailAddress: IDENTITY } },
];

describe("SES v2 (restJson1) requests of SesClient vs sesv2-2019-09-27.json", () => {
  it.each(SES_CASES.map((c) => [`${c.op} ← SesClient.${c.method}${c.variant ? ` (${c.variant})` : ""}`, c] as const))("%s", async (_name, c) => {
    answers = [...(c.answers ?? [])];
    await c.call(new SesClient(ENV, CREDS, REGION));
    expect(captured).toHaveLength(c.requests ?? 1);
    for (const request of captured) expect(checkRestJson(sesv2, c.op, request, REGION, c.labels ?? {})).toEqual([]);
  });

  it("covers every public SesClient method, each against an operation of the model", () => {
    const methods = Object.getOwnPropertyNames(SesClient.prototype).filter((n) => n !== "constructor");
    expect(new Set(SES_CASES.map((c) => c.method))).toEqual(new Set(methods));
    for (const c of SES_CASES) expect(sesv2.operations.has(c.op), c.op).toBe(true);
  });

  /** A request written by hand, checked against `op`. */
  const check = (op: string, method: string, path: string, body?: Json) => {
    const request = new Request(`https://email.${REGION}.amazonaws.com${path}`, {
      method,
      headers: { "content-type": "application/json", authorization: `AWS4-HMAC-SHA256 Credential=AKID/20240514/${REGION}/ses/aws4_request` },
      body: body && JSON.stringify(body),
    });
    return checkRestJson(sesv2, op, { request, body: body ? JSON.stringify(body) : "" }, REGION, {});
  };

  it("reports what it should: a wrong member name, a missing required member, a bad enum, an unencoded label", () => {
    expect(check("CreateEmailIdentity", "POST", "/v2/email/identities", { emailIdentity: "x.example.com" })).toEqual([
      "body.emailIdentity: not a member of the model's shape",
      "body.EmailIdentity: required, missing",
    ]);
    expect(check("PutConfigurationSetDeliveryOptions", "PUT", "/v2/email/configuration-sets/cs/delivery-options", { TlsPolicy: "ALWAYS", MaxDeliverySeconds: 60 })).toEqual([
      'body.TlsPolicy: "ALWAYS" is not one of com.amazonaws.sesv2#TlsPolicy\'s values REQUIRE, OPTIONAL',
      'body.MaxDeliverySeconds: 60 outside {"min":300,"max":50400}',
    ]);
    expect(check("GetEmailIdentity", "GET", "/v2/email/identities/a@b.example")).toEqual(['label {EmailIdentity} "a@b.example" is not percent-encoded per RFC 3986']);
    expect(check("DeleteEmailIdentity", "GET", "/v2/email/identities/x")).toEqual(["method GET, the model says DELETE"]);
  });

  it("knows Auto Validation (SuppressionOptions.ValidationOptions, added to the fixture): the Channels page's requests will be checked against it", () => {
    const validation = { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "MANAGED" } } };
    expect(check("PutConfigurationSetSuppressionOptions", "PUT", `/v2/email/configuration-sets/${CONFIG_SET}/suppression-options`, { SuppressedReasons: ["BOUNCE"], ValidationOptions: validation })).toEqual([]);
    expect(check("CreateConfigurationSet", "POST", "/v2/email/configuration-sets", { ConfigurationSetName: CONFIG_SET, SuppressionOptions: { ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "DISABLED" } } } })).toEqual([]);
    expect(
      check("PutConfigurationSetSuppressionOptions", "PUT", `/v2/email/configuration-sets/${CONFIG_SET}/suppression-options`, {
        ValidationOptions: { ConditionThreshold: { OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "LOW" } } },
      }),
    ).toEqual([
      'body.ValidationOptions.ConditionThreshold.OverallConfidenceThreshold.ConfidenceVerdictThreshold: "LOW" is not one of com.amazonaws.sesv2#SuppressionConfidenceVerdictThreshold\'s values MEDIUM, HIGH, MANAGED',
      "body.ValidationOptions.ConditionThreshold.ConditionThresholdEnabled: required, missing",
    ]);
  });
});

const STS_SESSION = { region: REGION, roleArn: "arn:aws:iam::222233334444:role/SendOpsRole", externalId: "ext-9f2c:abc/1", sessionName: "sendops-org_01H+x=y,z.@-" };
const STS_ANSWER = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<AssumedRoleUser><Arn>arn:aws:sts::222233334444:assumed-role/SendOpsRole/s</Arn></AssumedRoleUser>
<Credentials><AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>
</AssumeRoleResult></AssumeRoleResponse>`;

/** sts.ts exports that build no request of their own: the Query XML parsing CloudFormation's client shares, the credential cache. */
const STS_NOT_REQUESTS = ["xmlText", "queryError", "forgetCredentials"];
const STS_CASES: { fn: string; op: string; call: () => Promise<unknown> }[] = [
  { fn: "assumeRole", op: "AssumeRole", call: () => sts.assumeRole(ENV, CREDS, STS_SESSION) },
  { fn: "assumeRoleCached", op: "AssumeRole", call: () => sts.assumeRoleCached(ENV, CREDS, `conformance-${Date.now()}`, { ...STS_SESSION, durationSeconds: 900 }) },
];

describe("STS (awsQuery) requests vs sts-2011-06-15.json", () => {
  it.each(STS_CASES.map((c) => [`${c.op} ← sts.${c.fn}`, c] as const))("%s", async (_name, c) => {
    answers = [STS_ANSWER];
    await c.call();
    expect(captured).toHaveLength(1);
    expect(checkAwsQuery(stsModel, c.op, captured[0]!, REGION)).toEqual([]);
  });

  it("covers every exported function of sts.ts that calls STS", () => {
    const fns = Object.entries(sts).filter(([, v]) => typeof v === "function").map(([k]) => k);
    expect(new Set([...STS_CASES.map((c) => c.fn), ...STS_NOT_REQUESTS])).toEqual(new Set(fns));
  });

  it("reports an unknown parameter, a missing required one and a value out of range", () => {
    const body = "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A222233334444%3Arole%2FR&Externalid=x1&DurationSeconds=60";
    const request = new Request(`https://sts.${REGION}.amazonaws.com/`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `AWS4-HMAC-SHA256 Credential=AKID/20240514/${REGION}/sts/aws4_request` },
      body,
    });
    expect(checkAwsQuery(stsModel, "AssumeRole", { request, body }, REGION)).toEqual([
      "params.Externalid: not a member of the model's input",
      'params.DurationSeconds: 60 outside {"min":900,"max":43200}',
      "params.RoleSessionName: required, missing",
    ]);
  });
});
