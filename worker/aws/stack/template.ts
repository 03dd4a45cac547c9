/**
 * The CloudFormation template a workspace deploys (docs/aws.md, product docs aws-setup__connecting-aws.md):
 * the cross-account role SendOps assumes plus the SES → EventBridge → SendOps event pipeline, 7 resources.
 * Only `Ref`, string `Fn::Sub` and list `Fn::GetAtt` are used, so the JSON and the long-form YAML read
 * the same in any parser.
 */
import { DETAIL_TYPES, type SesEventType } from "../../services/ingest/schemas";
import { sesAccessPolicyDocument, TEMPLATE_VERSION, type PolicyScope } from "./permissions";
import { toYaml, type YamlValue } from "./yaml";

/** Physical names the stack creates; validation looks them up by these names. */
export const STACK_NAMES = {
  stack: "sendops",
  role: "SendOpsRole",
  rolePolicy: "SendOpsSESAccess",
  configurationSet: "sendops-events",
  eventDestination: "sendops-eventbridge",
  connection: "sendops-webhook",
  apiDestination: "sendops-ingest",
  eventBridgeRole: "SendOpsEventBridgeRole",
  eventBridgeRolePolicy: "SendOpsInvokeApiDestination",
  rule: "sendops-ses-events",
  ruleTarget: "sendops-ingest",
} as const;

/** The header the connection sends the ingest key in. */
export const WEBHOOK_API_KEY_HEADER = "x-api-key";
/** EventBridge's default quota per API destination (product docs: 300 invocations per second). */
export const INVOCATION_RATE_LIMIT_PER_SECOND = 300;

/** The 7 resources, in template order, with what each is for (the Setup Guide, prompt and e-mail list them). */
export const STACK_RESOURCES = [
  { logicalId: "SendOpsRole", type: "AWS::IAM::Role", name: STACK_NAMES.role, purpose: "Cross-account role SendOps assumes, with the least-privilege inline policy SendOpsSESAccess" },
  { logicalId: "SendOpsConfigSet", type: "AWS::SES::ConfigurationSet", name: STACK_NAMES.configurationSet, purpose: "SES configuration set whose events are published" },
  { logicalId: "SendOpsEventDestination", type: "AWS::SES::ConfigurationSetEventDestination", name: STACK_NAMES.eventDestination, purpose: "Routes all 10 SES event types to the default EventBridge bus" },
  { logicalId: "SendOpsConnection", type: "AWS::Events::Connection", name: STACK_NAMES.connection, purpose: `Holds the SendOps ingest key (sent as the ${WEBHOOK_API_KEY_HEADER} header)` },
  { logicalId: "SendOpsApiDestination", type: "AWS::Events::ApiDestination", name: STACK_NAMES.apiDestination, purpose: `The SendOps webhook as an HTTP POST target, at most ${INVOCATION_RATE_LIMIT_PER_SECOND} invocations per second` },
  { logicalId: "SendOpsEventBridgeRole", type: "AWS::IAM::Role", name: STACK_NAMES.eventBridgeRole, purpose: "Lets EventBridge invoke the API destination (events:InvokeApiDestination)" },
  { logicalId: "SendOpsEventRule", type: "AWS::Events::Rule", name: STACK_NAMES.rule, purpose: "Matches aws.ses events on the default bus and sends them to the API destination" },
] as const;

/** SES event type → the name `MatchingEventTypes` uses for it in CloudFormation. */
const CFN_EVENT_TYPES: Record<SesEventType, string> = {
  Send: "send",
  Reject: "reject",
  Bounce: "bounce",
  Complaint: "complaint",
  Delivery: "delivery",
  Open: "open",
  Click: "click",
  "Rendering Failure": "renderingFailure",
  DeliveryDelay: "deliveryDelay",
  Subscription: "subscription",
};
export const CFN_MATCHING_EVENT_TYPES = Object.values(CFN_EVENT_TYPES);
export const SES_DETAIL_TYPES = (Object.keys(CFN_EVENT_TYPES) as SesEventType[]).map((t) => DETAIL_TYPES[t]);

/** The rule's Description carries this marker; events:DescribeRule is how validation learns the deployed version. */
const VERSION_MARKER = "sendops-template-version=";

export function ruleDescription(version: number): string {
  return `Routes SES events to SendOps (${VERSION_MARKER}${version})`;
}

/** The template version recorded in a rule's Description, or null when it carries none. */
export function templateVersionOf(description: string | null | undefined): number | null {
  const m = description && new RegExp(`${VERSION_MARKER}(\\d+)`).exec(description);
  return m ? Number(m[1]) : null;
}

/** A workspace's values for the four stack parameters. */
export interface StackParameters {
  sendOpsAccountId: string;
  externalId: string;
  webhookUrl: string;
  webhookApiKey: string;
}

/** Parameter logical id → the StackParameters field it takes; also the order of every listing. */
export const PARAMETER_KEYS = {
  SendOpsAccountId: "sendOpsAccountId",
  ExternalId: "externalId",
  WebhookUrl: "webhookUrl",
  WebhookApiKey: "webhookApiKey",
} as const satisfies Record<string, keyof StackParameters>;
export type ParameterKey = keyof typeof PARAMETER_KEYS;

/** The parameters as CloudFormation names them, in template order. */
export function parameterList(p: StackParameters): { key: ParameterKey; value: string }[] {
  return (Object.keys(PARAMETER_KEYS) as ParameterKey[]).map((key) => ({ key, value: p[PARAMETER_KEYS[key]] }));
}

type Json = YamlValue;
type JsonObject = { [key: string]: Json };

/** A type alias, not an interface, so that it is a YamlValue as it stands (aliases carry an implicit index signature). */
export type CloudFormationTemplate = {
  AWSTemplateFormatVersion: "2010-09-09";
  Description: string;
  Metadata: JsonObject;
  Parameters: Record<ParameterKey, JsonObject>;
  Resources: Record<(typeof STACK_RESOURCES)[number]["logicalId"], { Type: string; Properties: JsonObject }>;
  Outputs: Record<"RoleARN" | "ConfigurationSetName" | "EventRuleName", { Description: string; Value: Json }>;
};

const ref = (name: string) => ({ Ref: name });
const sub = (s: string) => ({ "Fn::Sub": s });
const arnOf = (logicalId: string) => ({ "Fn::GetAtt": [logicalId, "Arn"] });

/**
 * The SendOpsRole resource: trusts SendOps' account on condition of the External ID and grants the
 * version's policy. Given CloudFormation expressions by the template, literal values by the manual snippet
 * (whose role has no stack: `scope.stack` false leaves out the stack's own statements).
 */
export function sendOpsRoleResource(principal: Json, externalId: Json, version = TEMPLATE_VERSION, scope: PolicyScope = {}) {
  return {
    Type: "AWS::IAM::Role",
    Properties: {
      RoleName: STACK_NAMES.role,
      Description: "Assumed by SendOps (cross-account, External ID required) to read and manage SES",
      AssumeRolePolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: principal },
            Action: "sts:AssumeRole",
            Condition: { StringEquals: { "sts:ExternalId": externalId } },
          },
        ],
      },
      Policies: [{ PolicyName: STACK_NAMES.rolePolicy, PolicyDocument: sesAccessPolicyDocument(version, scope) }],
    },
  };
}

const PARAMETERS: Record<ParameterKey, JsonObject> = {
  SendOpsAccountId: {
    Type: "String",
    Description: "The SendOps AWS account ID; the role's trust policy names it so SendOps can assume the role.",
    AllowedPattern: "^[0-9]{12}$",
    ConstraintDescription: "must be a 12-digit AWS account ID",
  },
  ExternalId: {
    Type: "String",
    Description: "Your workspace's External ID, required by the trust policy (prevents confused-deputy access).",
    MinLength: 2,
    MaxLength: 1224,
    AllowedPattern: "^[\\w+=,.@:/-]+$",
    ConstraintDescription: "must be the External ID shown in the SendOps Setup Guide",
  },
  WebhookUrl: {
    Type: "String",
    Description: "The SendOps event ingestion endpoint (HTTPS).",
    AllowedPattern: "^(https://\\S+|http://127\\.0\\.0\\.1(:[0-9]+)?(/\\S*)?)$",
    ConstraintDescription: "must be an https:// URL",
  },
  WebhookApiKey: {
    Type: "String",
    Description: "Your workspace's ingest key; EventBridge sends it with every event.",
    NoEcho: true,
    MinLength: 1,
    MaxLength: 512,
  },
};

const INTERFACE = {
  ParameterGroups: [
    { Label: { default: "SendOps access (cross-account IAM role)" }, Parameters: ["SendOpsAccountId", "ExternalId"] },
    { Label: { default: "Event delivery to SendOps (EventBridge API destination)" }, Parameters: ["WebhookUrl", "WebhookApiKey"] },
  ],
  ParameterLabels: {
    SendOpsAccountId: { default: "SendOps AWS account ID" },
    ExternalId: { default: "External ID" },
    WebhookUrl: { default: "Webhook URL" },
    WebhookApiKey: { default: "Webhook API key (ingest key)" },
  },
};

export interface TemplateOptions {
  /** An older version reproduces what stacks deployed from it hold (tests, the simulator). */
  version?: number;
  /** A workspace's values, set as the parameters' Defaults (its download); none for the generic template. */
  defaults?: StackParameters;
}

export function cloudFormationTemplate({ version = TEMPLATE_VERSION, defaults }: TemplateOptions = {}): CloudFormationTemplate {
  const Parameters = Object.fromEntries(
    parameterList(defaults ?? { sendOpsAccountId: "", externalId: "", webhookUrl: "", webhookApiKey: "" }).map(({ key, value }) => [
      key,
      defaults ? { ...PARAMETERS[key], Default: value } : PARAMETERS[key],
    ]),
  ) as Record<ParameterKey, JsonObject>;
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `SendOps integration (template version ${version}): the cross-account IAM role SendOps assumes and the SES to EventBridge to SendOps event pipeline.`,
    Metadata: { "AWS::CloudFormation::Interface": INTERFACE },
    Parameters,
    Resources: {
      SendOpsRole: sendOpsRoleResource(sub("arn:${AWS::Partition}:iam::${SendOpsAccountId}:root"), ref("ExternalId"), version),
      SendOpsConfigSet: {
        Type: "AWS::SES::ConfigurationSet",
        Properties: { Name: STACK_NAMES.configurationSet },
      },
      SendOpsEventDestination: {
        Type: "AWS::SES::ConfigurationSetEventDestination",
        Properties: {
          ConfigurationSetName: ref("SendOpsConfigSet"),
          EventDestination: {
            Name: STACK_NAMES.eventDestination,
            Enabled: true,
            MatchingEventTypes: CFN_MATCHING_EVENT_TYPES,
            // SES publishes to EventBridge on the default bus only.
            EventBridgeDestination: { EventBusArn: sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default") },
          },
        },
      },
      SendOpsConnection: {
        Type: "AWS::Events::Connection",
        Properties: {
          Name: STACK_NAMES.connection,
          Description: "Authenticates SES event deliveries to SendOps with the workspace's ingest key",
          AuthorizationType: "API_KEY",
          AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: WEBHOOK_API_KEY_HEADER, ApiKeyValue: ref("WebhookApiKey") } },
        },
      },
      SendOpsApiDestination: {
        Type: "AWS::Events::ApiDestination",
        Properties: {
          Name: STACK_NAMES.apiDestination,
          Description: "The SendOps event ingestion endpoint",
          ConnectionArn: arnOf("SendOpsConnection"),
          InvocationEndpoint: ref("WebhookUrl"),
          HttpMethod: "POST",
          InvocationRateLimitPerSecond: INVOCATION_RATE_LIMIT_PER_SECOND,
        },
      },
      SendOpsEventBridgeRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: STACK_NAMES.eventBridgeRole,
          Description: "Lets EventBridge deliver SES events to the SendOps API destination",
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }],
          },
          Policies: [
            {
              PolicyName: STACK_NAMES.eventBridgeRolePolicy,
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [{ Effect: "Allow", Action: "events:InvokeApiDestination", Resource: arnOf("SendOpsApiDestination") }],
              },
            },
          ],
        },
      },
      SendOpsEventRule: {
        Type: "AWS::Events::Rule",
        Properties: {
          Name: STACK_NAMES.rule,
          Description: ruleDescription(version),
          EventBusName: "default",
          State: "ENABLED",
          EventPattern: { source: ["aws.ses"], "detail-type": SES_DETAIL_TYPES },
          Targets: [{ Id: STACK_NAMES.ruleTarget, Arn: arnOf("SendOpsApiDestination"), RoleArn: arnOf("SendOpsEventBridgeRole") }],
        },
      },
    },
    Outputs: {
      RoleARN: { Description: "The ARN of the role SendOps assumes: paste it into the SendOps Setup Guide", Value: arnOf("SendOpsRole") },
      ConfigurationSetName: { Description: "The SES configuration set whose events reach SendOps", Value: ref("SendOpsConfigSet") },
      EventRuleName: { Description: "The EventBridge rule that routes SES events to SendOps", Value: ref("SendOpsEventRule") },
    },
  };
}

export function templateJson(t: CloudFormationTemplate): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

export function templateYaml(t: CloudFormationTemplate): string {
  return toYaml(t);
}
