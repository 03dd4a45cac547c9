import { describe, expect, it } from "vitest";
import { EventBridgeClient } from "../worker/aws/events";
import { SesClient } from "../worker/aws/ses";
import {
  assistantPrompt,
  cloudFormationTemplate,
  createStackCommand,
  delegateEmail,
  launchStackUrl,
  manualRoleCloudFormation,
  manualRoleTerraform,
  missingActions,
  NEVER_ACCESSED_SERVICES,
  PERMISSION_CATEGORIES,
  permissionCategories,
  policyActions,
  roleConsoleUrl,
  sesAccessPolicyDocument,
  stackUpdateUrl,
  TEMPLATE_VERSION,
  templateHistory,
  templateJson,
  templateVersionOf,
  templateYaml,
  type StackParameters,
} from "../worker/aws/stack";

/** The values of /work/shared/aws/events/detail-types.json `eventTypeToDetailType` (copied, not imported). */
const DETAIL_TYPES = [
  "Email Sent",
  "Email Delivered",
  "Email Bounced",
  "Email Complaint Received",
  "Email Rejected",
  "Email Opened",
  "Email Clicked",
  "Email Delivery Delayed",
  "Email Rendering Failed",
  "Email Subscribed",
];

/** The docs' list (aws-setup__connecting-aws.md, Method 2), category by category. */
const DOCUMENTED = {
  "Account & Identities": ["GetAccount", "GetSendQuota", "GetSendStatistics", "ListEmailIdentities", "GetEmailIdentity", "CreateEmailIdentity", "DeleteEmailIdentity", "SendEmail"],
  "Configuration Sets": [
    "ListConfigurationSets",
    "GetConfigurationSet",
    "CreateConfigurationSet",
    "DeleteConfigurationSet",
    "PutConfigurationSetTrackingOptions",
    "PutConfigurationSetReputationOptions",
    "PutConfigurationSetSendingOptions",
    "PutConfigurationSetDeliveryOptions",
    "PutConfigurationSetSuppressionOptions",
    "PutEmailIdentityConfigurationSetAttributes",
    "CreateConfigurationSetEventDestination",
    "UpdateConfigurationSetEventDestination",
    "DeleteConfigurationSetEventDestination",
  ],
  "Email Templates": ["CreateEmailTemplate", "UpdateEmailTemplate", "DeleteEmailTemplate", "GetEmailTemplate", "ListEmailTemplates"],
  "Suppression List": ["ListSuppressedDestinations", "DeleteSuppressedDestination"],
  "Resource Tagging": ["TagResource", "UntagResource"],
  EventBridge: ["events:DescribeRule", "events:ListTargetsByRule"],
} as Record<string, string[]>;
const ADDED_IN_V2 = ["ses:ListContactLists", "ses:PutConfigurationSetDeliveryOptions", "ses:ListEmailTemplates"];
/** Drift detection: the three CloudFormation actions and reads of the stack's IAM roles, connection and API destination. */
const ADDED_IN_V3 = [
  "cloudformation:DetectStackDrift",
  "cloudformation:DescribeStackResourceDrifts",
  "cloudformation:DescribeStackDriftDetectionStatus",
  "iam:GetRole",
  "iam:ListRolePolicies",
  "iam:GetRolePolicy",
  "iam:ListAttachedRolePolicies",
  "events:DescribeConnection",
  "events:DescribeApiDestination",
];
const STACK_STATEMENTS = ["DriftDetection", "DriftDetectionStatus", "StackResourcesReadOnly"];

const params: StackParameters = {
  sendOpsAccountId: "999900001111",
  externalId: "sendops-0123456789abcdef0123456789abcdef",
  webhookUrl: "https://app.example.com/ingest/ses?source=eventbridge&x=a b",
  webhookApiKey: "sik_k3y+with/odd=chars&'#",
};
const TEMPLATE_URL = "https://app.example.com/cloudformation/sendops-v2.yaml?x=1&y=2";

type Obj = Record<string, any>;
const template = () => cloudFormationTemplate() as unknown as Obj;
const rolePolicyActions = (t: Obj): string[] =>
  (t.Resources.SendOpsRole.Properties.Policies[0].PolicyDocument.Statement as Obj[]).flatMap((s) => s.Action as string[]);

describe("the CloudFormation template", () => {
  it("has exactly the 7 documented resources, with their types and physical names", () => {
    const r = template().Resources;
    expect(Object.fromEntries(Object.entries(r as Obj).map(([id, res]) => [id, res.Type]))).toEqual({
      SendOpsRole: "AWS::IAM::Role",
      SendOpsConfigSet: "AWS::SES::ConfigurationSet",
      SendOpsEventDestination: "AWS::SES::ConfigurationSetEventDestination",
      SendOpsConnection: "AWS::Events::Connection",
      SendOpsApiDestination: "AWS::Events::ApiDestination",
      SendOpsEventBridgeRole: "AWS::IAM::Role",
      SendOpsEventRule: "AWS::Events::Rule",
    });
    expect(r.SendOpsRole.Properties.RoleName).toBe("SendOpsRole");
    expect(r.SendOpsRole.Properties.Policies.map((p: Obj) => p.PolicyName)).toEqual(["SendOpsSESAccess"]);
    expect(r.SendOpsConfigSet.Properties.Name).toBe("sendops-events");
    expect(r.SendOpsEventDestination.Properties.EventDestination.Name).toBe("sendops-eventbridge");
    expect(r.SendOpsEventDestination.Properties.EventDestination.Enabled).toBe(true);
    expect(r.SendOpsConnection.Properties.Name).toBe("sendops-webhook");
    expect(r.SendOpsApiDestination.Properties.Name).toBe("sendops-ingest");
    expect(r.SendOpsEventBridgeRole.Properties.RoleName).toBe("SendOpsEventBridgeRole");
    expect(r.SendOpsEventRule.Properties.Name).toBe("sendops-ses-events");
  });

  it("trusts SendOps' account only with the External ID", () => {
    const [statement, ...rest] = template().Resources.SendOpsRole.Properties.AssumeRolePolicyDocument.Statement;
    expect(rest).toEqual([]);
    expect(statement).toEqual({
      Effect: "Allow",
      Principal: { AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::${SendOpsAccountId}:root" } },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } } },
    });
  });

  it("has the 4 parameters (NoEcho on the key only) and the 3 outputs", () => {
    const t = template();
    expect(Object.keys(t.Parameters)).toEqual(["SendOpsAccountId", "ExternalId", "WebhookUrl", "WebhookApiKey"]);
    expect(Object.entries(t.Parameters as Obj).filter(([, p]) => p.NoEcho).map(([k]) => k)).toEqual(["WebhookApiKey"]);
    expect(Object.values(t.Parameters as Obj).every((p) => p.Type === "String" && !("Default" in p))).toBe(true);
    expect(Object.fromEntries(Object.entries(t.Outputs as Obj).map(([k, o]) => [k, o.Value]))).toEqual({
      RoleARN: { "Fn::GetAtt": ["SendOpsRole", "Arn"] },
      ConfigurationSetName: { Ref: "SendOpsConfigSet" },
      EventRuleName: { Ref: "SendOpsEventRule" },
    });
    const labels = t.Metadata["AWS::CloudFormation::Interface"].ParameterLabels;
    expect(Object.keys(labels)).toEqual(Object.keys(t.Parameters));
    expect(t.Description).toMatch(/SendOps.*version 3/);
  });

  it("sets each parameter's Default to the workspace's value in its download", () => {
    const t = cloudFormationTemplate({ defaults: params }) as unknown as Obj;
    expect(Object.fromEntries(Object.entries(t.Parameters as Obj).map(([k, p]) => [k, p.Default]))).toEqual({
      SendOpsAccountId: params.sendOpsAccountId,
      ExternalId: params.externalId,
      WebhookUrl: params.webhookUrl,
      WebhookApiKey: params.webhookApiKey,
    });
    expect(t.Parameters.WebhookApiKey.NoEcho).toBe(true);
  });

  it("accepts the workspace's values with its own parameter patterns and refuses bad ones", () => {
    const p = template().Parameters;
    const ok = (key: string, value: string) => new RegExp(p[key].AllowedPattern).test(value);
    expect(ok("SendOpsAccountId", "999900001111")).toBe(true);
    expect(ok("SendOpsAccountId", "99990000111")).toBe(false);
    expect(ok("ExternalId", params.externalId)).toBe(true);
    expect(ok("ExternalId", "has space")).toBe(false);
    expect(ok("WebhookUrl", "https://app.sendops.dev/ingest/ses")).toBe(true);
    expect(ok("WebhookUrl", "http://127.0.0.1:8787/ingest/ses")).toBe(true);
    expect(ok("WebhookUrl", "http://example.com/ingest/ses")).toBe(false);
  });

  it("routes all 10 SES event types: event destination, rule pattern, API destination at 300/s", () => {
    const r = template().Resources;
    expect(r.SendOpsEventDestination.Properties.EventDestination.MatchingEventTypes).toEqual([
      "send",
      "reject",
      "bounce",
      "complaint",
      "delivery",
      "open",
      "click",
      "renderingFailure",
      "deliveryDelay",
      "subscription",
    ]);
    expect(r.SendOpsEventDestination.Properties.EventDestination.EventBridgeDestination.EventBusArn).toEqual({
      "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default",
    });
    const rule = r.SendOpsEventRule.Properties;
    expect(rule.EventPattern.source).toEqual(["aws.ses"]);
    expect([...rule.EventPattern["detail-type"]].sort()).toEqual([...DETAIL_TYPES].sort());
    expect(rule.EventPattern["detail-type"]).toHaveLength(10);
    expect([rule.EventBusName, rule.State]).toEqual(["default", "ENABLED"]);
    expect(rule.Targets).toEqual([
      { Id: "sendops-ingest", Arn: { "Fn::GetAtt": ["SendOpsApiDestination", "Arn"] }, RoleArn: { "Fn::GetAtt": ["SendOpsEventBridgeRole", "Arn"] } },
    ]);
    expect(r.SendOpsApiDestination.Properties).toMatchObject({
      InvocationEndpoint: { Ref: "WebhookUrl" },
      HttpMethod: "POST",
      InvocationRateLimitPerSecond: 300,
      ConnectionArn: { "Fn::GetAtt": ["SendOpsConnection", "Arn"] },
    });
    expect(r.SendOpsConnection.Properties).toMatchObject({
      AuthorizationType: "API_KEY",
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: { Ref: "WebhookApiKey" } } },
    });
    expect(r.SendOpsEventBridgeRole.Properties.Policies[0].PolicyDocument.Statement).toEqual([
      { Effect: "Allow", Action: "events:InvokeApiDestination", Resource: { "Fn::GetAtt": ["SendOpsApiDestination", "Arn"] } },
    ]);
  });

  it("marks the template version in the rule's Description, where DescribeRule finds it", () => {
    const description = template().Resources.SendOpsEventRule.Properties.Description;
    expect(description).toContain(`sendops-template-version=${TEMPLATE_VERSION}`);
    expect(templateVersionOf(description)).toBe(TEMPLATE_VERSION);
    const v1 = cloudFormationTemplate({ version: 1 }) as unknown as Obj;
    expect(templateVersionOf(v1.Resources.SendOpsEventRule.Properties.Description)).toBe(1);
    expect(templateVersionOf("A rule someone made by hand")).toBeNull();
    expect(templateVersionOf(null)).toBeNull();
  });

  it("uses only Ref, string Fn::Sub and list Fn::GetAtt, all pointing at things the template defines", () => {
    const t = template();
    const known = new Set([...Object.keys(t.Parameters), ...Object.keys(t.Resources), "AWS::Partition", "AWS::Region", "AWS::AccountId", "AWS::StackName"]);
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) return v.forEach(walk);
      if (!v || typeof v !== "object") return;
      for (const [k, val] of Object.entries(v)) {
        if (k.startsWith("Fn::") || k === "Ref") {
          expect(["Ref", "Fn::Sub", "Fn::GetAtt"]).toContain(k);
          if (k === "Ref") expect(known.has(val as string)).toBe(true);
          if (k === "Fn::GetAtt") expect(Object.keys(t.Resources)).toContain((val as string[])[0]);
          if (k === "Fn::Sub") for (const [, name] of (val as string).matchAll(/\$\{([^}]+)\}/g)) expect(known.has(name!)).toBe(true);
        } else walk(val);
      }
    };
    walk(t);
  });

  it("serialises to 2-space JSON and long-form YAML without short tags", () => {
    const t = cloudFormationTemplate({ defaults: params });
    const json = templateJson(t);
    expect(JSON.parse(json)).toEqual(t);
    expect(json).toContain('\n  "Resources": {');
    const yaml = templateYaml(t);
    expect(yaml).not.toMatch(/!(Ref|Sub|GetAtt)/);
    expect(yaml).toContain("Fn::GetAtt:");
    expect(yaml).toContain('AllowedPattern: "^[0-9]{12}$"');
    expect(yaml).toContain('Default: "999900001111"');
    expect(yaml).toContain('Resource: "*"');
  });
});

describe("the permission catalog", () => {
  it("holds the docs' six categories and actions, plus the actions validation and the suppression list call, and the stack's drift detection", () => {
    const cats = permissionCategories();
    expect(cats.map((c) => [c.name, c.permissions.length])).toEqual([
      ["Account & Identities", 9],
      ["Configuration Sets", 14],
      ["Email Templates", 5],
      ["Suppression List", 3],
      ["Resource Tagging", 2],
      ["EventBridge", 2],
      ["Drift Detection", 2],
      ["Drift Detection Status", 1],
      ["Stack Resources (read-only)", 6],
    ]);
    for (const c of cats.filter((c) => !STACK_STATEMENTS.includes(c.sid))) {
      const documented = DOCUMENTED[c.name]!.map((a) => (a.includes(":") ? a : `ses:${a}`));
      const extra = c.permissions.map((p) => p.action).filter((a) => !documented.includes(a));
      expect(c.permissions.map((p) => p.action)).toEqual(expect.arrayContaining(documented));
      expect(extra).toEqual(
        { "Account & Identities": ["ses:ListContactLists"], "Configuration Sets": ["ses:GetConfigurationSetEventDestinations"], "Suppression List": ["ses:GetSuppressedDestination"] }[
          c.name
        ] ?? [],
      );
      for (const p of c.permissions) expect(p.why.length).toBeGreaterThan(10);
      expect(c.sid).toMatch(/^[A-Za-z0-9]+$/);
    }
    expect(cats.filter((c) => STACK_STATEMENTS.includes(c.sid)).flatMap((c) => c.permissions.map((p) => p.action))).toEqual(ADDED_IN_V3);
    const all = policyActions();
    expect(new Set(all).size).toBe(all.length);
    expect(NEVER_ACCESSED_SERVICES).toEqual(["EC2", "S3", "RDS", "Lambda", "Billing", "IAM (write)", "CloudWatch Logs"]);
  });

  it("grants exactly the catalog in the role's policy, one statement per category, the stack's own scoped to the stack and its resources", () => {
    const actions = rolePolicyActions(template());
    expect(actions).toEqual(PERMISSION_CATEGORIES.flatMap((c) => c.permissions.map((p) => p.action)));
    const statements = template().Resources.SendOpsRole.Properties.Policies[0].PolicyDocument.Statement as Obj[];
    expect(statements.map((s) => s.Sid)).toEqual(PERMISSION_CATEGORIES.map((c) => c.sid));
    expect(statements.every((s) => s.Effect === "Allow")).toBe(true);
    expect(statements.filter((s) => s.Resource !== "*").map((s) => s.Sid)).toEqual(["DriftDetection", "StackResourcesReadOnly"]);
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.DriftDetection.Resource).toEqual([{ "Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*" }]);
    // Each resource the template names, by its physical name (STACK_NAMES), and nothing else.
    const r = template().Resources;
    expect(bySid.StackResourcesReadOnly.Resource).toEqual([
      { "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${r.SendOpsRole.Properties.RoleName}` },
      { "Fn::Sub": `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${r.SendOpsEventBridgeRole.Properties.RoleName}` },
      { "Fn::Sub": `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:connection/${r.SendOpsConnection.Properties.Name}/*` },
      { "Fn::Sub": `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:api-destination/${r.SendOpsApiDestination.Properties.Name}/*` },
    ]);
    // The stack's resources are what drift detection must read: IAM roles, the connection, the API destination (rule and SES reads are in the other statements).
    expect(actions.every((a) => /^(ses|events|cloudformation|iam):[A-Z][A-Za-z]+$/.test(a))).toBe(true);
    expect(actions.filter((a) => a.startsWith("iam:")).every((a) => /^iam:(Get|List)/.test(a))).toBe(true);
  });

  it("allows every SES and EventBridge operation SendOps' clients can call", () => {
    // A client method is named after its operation, except where the name says what the call is for.
    const actionOf: Record<string, string> = { putEmailIdentityConfigurationSet: "PutEmailIdentityConfigurationSetAttributes" };
    const operations = (prefix: string, proto: object) =>
      Object.getOwnPropertyNames(proto)
        .filter((m) => m !== "constructor")
        .map((m) => `${prefix}:${actionOf[m] ?? m[0]!.toUpperCase() + m.slice(1)}`);
    const called = [...operations("ses", SesClient.prototype), ...operations("events", EventBridgeClient.prototype)];
    expect(called).toContain("ses:GetSuppressedDestination");
    expect(called.filter((a) => !policyActions().includes(a))).toEqual([]);
  });

  it("keeps the version history: version 1 lacks the 3 actions version 2 added, version 2 the 9 of drift detection", () => {
    expect(TEMPLATE_VERSION).toBe(3);
    expect(templateHistory().map((h) => h.version)).toEqual([1, 2, 3]);
    expect(templateHistory()[1]!.added.sort()).toEqual([...ADDED_IN_V2].sort());
    expect(templateHistory()[2]!.added.sort()).toEqual([...ADDED_IN_V3].sort());
    expect(missingActions(1).sort()).toEqual([...ADDED_IN_V2, ...ADDED_IN_V3].sort());
    expect(missingActions(2).sort()).toEqual([...ADDED_IN_V3].sort());
    expect(missingActions(TEMPLATE_VERSION)).toEqual([]);
    const v1 = rolePolicyActions(cloudFormationTemplate({ version: 1 }) as unknown as Obj);
    const v2 = rolePolicyActions(cloudFormationTemplate({ version: 2 }) as unknown as Obj);
    expect(v2.filter((a) => !v1.includes(a)).sort()).toEqual([...ADDED_IN_V2].sort());
    expect(policyActions().filter((a) => !v2.includes(a)).sort()).toEqual([...ADDED_IN_V3].sort());
    expect(v1.filter((a) => !policyActions().includes(a))).toEqual([]);
    expect(policyActions(1)).toEqual(v1);
    expect(policyActions(2)).toEqual(v2);
    expect((cloudFormationTemplate({ version: 2 }) as unknown as Obj).Resources.SendOpsRole.Properties.Policies[0].PolicyDocument.Statement.every((s: Obj) => s.Resource === "*")).toBe(true);
    expect(() => policyActions(4)).toThrow(RangeError);
    expect(() => missingActions(0)).toThrow(RangeError);
  });
});

describe("manual setup snippets", () => {
  it("write the workspace's account and External ID into the CloudFormation role", () => {
    const yaml = manualRoleCloudFormation(params);
    expect(yaml.startsWith("SendOpsRole:\n  Type: AWS::IAM::Role\n")).toBe(true);
    expect(yaml).toContain("AWS: arn:aws:iam::999900001111:root\n");
    expect(yaml).toContain(`sts:ExternalId: ${params.externalId}`);
    expect(yaml).toContain("PolicyName: SendOpsSESAccess");
    for (const a of policyActions(TEMPLATE_VERSION, { stack: false })) expect(yaml).toContain(`- ${a}\n`);
    // A manually created role has no stack: no drift detection, no reads of stack resources.
    expect(yaml).not.toContain("cloudformation:");
    expect(yaml).not.toContain("iam:GetRole");
    expect(yaml).not.toContain("Fn::Sub");
  });

  it("write them into Terraform: the role with jsonencode'd trust policy and the inline policy", () => {
    const tf = manualRoleTerraform({ ...params, externalId: "ext-${danger}-%{x}" });
    expect(tf).toContain('resource "aws_iam_role" "sendops" {');
    expect(tf).toContain('  name        = "SendOpsRole"');
    expect(tf).toContain("  assume_role_policy = jsonencode({");
    expect(tf).toContain('AWS = "arn:aws:iam::999900001111:root"');
    expect(tf).toContain('"sts:ExternalId" = "ext-$${danger}-%%{x}"');
    expect(tf).toContain('resource "aws_iam_role_policy" "sendops_ses_access" {');
    expect(tf).toContain("  role = aws_iam_role.sendops.id");
    expect(tf).toContain('  name = "SendOpsSESAccess"');
    for (const a of policyActions(TEMPLATE_VERSION, { stack: false })) expect(tf).toContain(`"${a}",`);
    expect(tf).not.toContain("cloudformation:");
    expect(sesAccessPolicyDocument(TEMPLATE_VERSION, { stack: false }).Statement).toHaveLength(6);
    expect(sesAccessPolicyDocument().Statement).toHaveLength(9);
  });
});

describe("links, command, prompt and e-mail", () => {
  it("launch URL opens quick-create with the template, stack name and the 4 parameters, all round-tripping", () => {
    const url = new URL(launchStackUrl({ region: "eu-west-1", templateUrl: TEMPLATE_URL, parameters: params }));
    expect(url.origin).toBe("https://eu-west-1.console.aws.amazon.com");
    expect(url.pathname).toBe("/cloudformation/home");
    expect(url.searchParams.get("region")).toBe("eu-west-1");
    const [route, query] = url.hash.slice(1).split("?");
    expect(route).toBe("/stacks/quickcreate");
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({
      templateURL: TEMPLATE_URL,
      stackName: "sendops",
      param_SendOpsAccountId: params.sendOpsAccountId,
      param_ExternalId: params.externalId,
      param_WebhookUrl: params.webhookUrl,
      param_WebhookApiKey: params.webhookApiKey,
    });
  });

  it("update URL opens the stack's update wizard with the new template", () => {
    const url = new URL(stackUpdateUrl({ region: "us-east-2", templateUrl: TEMPLATE_URL }));
    expect(url.host).toBe("us-east-2.console.aws.amazon.com");
    const [route, query] = url.hash.slice(1).split("?");
    expect(route).toBe("/stacks/update/template");
    expect(Object.fromEntries(new URLSearchParams(query))).toEqual({ stackId: "sendops", templateURL: TEMPLATE_URL });
    expect(roleConsoleUrl("arn:aws:iam::123456789012:role/path/SendOpsRole")).toBe("https://console.aws.amazon.com/iam/home#/roles/details/SendOpsRole");
  });

  it("create-stack command carries region, stack name, template, IAM capability and the 4 parameters", () => {
    const cmd = createStackCommand({ region: "eu-west-1", templateUrl: TEMPLATE_URL, parameters: params });
    expect(cmd.startsWith("aws cloudformation create-stack \\\n")).toBe(true);
    expect(cmd).toContain("--region eu-west-1");
    expect(cmd).toContain("--stack-name sendops");
    expect(cmd).toContain(`--template-url '${TEMPLATE_URL}'`);
    expect(cmd).toContain("--capabilities CAPABILITY_NAMED_IAM");
    expect(cmd).toContain("ParameterKey=SendOpsAccountId,ParameterValue=999900001111");
    expect(cmd).toContain(`'ParameterKey=WebhookApiKey,ParameterValue=sik_k3y+with/odd=chars&'\\''#'`);
    const local = createStackCommand({ region: "us-east-1", templateFile: "sendops.yaml", parameters: params, endpointUrl: "http://127.0.0.1:4566" });
    expect(local).toContain("--endpoint-url http://127.0.0.1:4566");
    expect(local).toContain("--template-body file://sendops.yaml");
  });

  it("assistant prompt holds the command, the 7 resources, the wait and the RoleARN query", () => {
    const prompt = assistantPrompt({ region: "eu-west-1", templateUrl: TEMPLATE_URL, parameters: params, workspaceName: "Acme" });
    expect(prompt).toContain(createStackCommand({ region: "eu-west-1", templateUrl: TEMPLATE_URL, parameters: params }));
    for (const name of ["SendOpsRole", "sendops-events", "sendops-eventbridge", "sendops-webhook", "sendops-ingest", "SendOpsEventBridgeRole", "sendops-ses-events"]) {
      expect(prompt).toContain(name);
    }
    expect(prompt).toContain("aws cloudformation wait stack-create-complete --region eu-west-1 --stack-name sendops");
    expect(prompt).toContain("describe-stacks --region eu-west-1 --stack-name sendops --query");
    expect(prompt).toContain("RoleARN");
  });

  it("delegate e-mail has the deploy link, the command, the values and the way back to the Setup Guide", () => {
    const input = {
      workspaceName: "Acme <Prod>",
      inviterName: "Ann",
      inviterEmail: "ann@example.com",
      note: "Could you run this?",
      region: "eu-west-1",
      templateUrl: TEMPLATE_URL,
      parameters: params,
      setupGuideUrl: "https://app.example.com/w/acme/setup?phase=aws",
    };
    const mail = delegateEmail(input);
    expect(mail.subject).toBe("Ann asked you to connect AWS to SendOps (Acme <Prod>)");
    const launch = launchStackUrl({ region: "eu-west-1", templateUrl: TEMPLATE_URL, parameters: params });
    expect(mail.text).toContain(launch);
    expect(mail.text).toContain(createStackCommand({ region: "eu-west-1", templateUrl: TEMPLATE_URL, parameters: params }));
    for (const v of Object.values(params)) expect(mail.text).toContain(v);
    expect(mail.text).toContain("Could you run this?");
    expect(mail.text).toContain(input.setupGuideUrl);
    expect(mail.text).toContain("sendops-ses-events");
    expect(mail.html).toContain(`href="${launch.replace(/&/g, "&amp;").replace(/'/g, "&#39;")}"`);
    expect(mail.html).toContain("Acme &lt;Prod&gt;");
    expect(mail.html).not.toContain("<Prod>");
    expect(mail.html).toContain(`href="${input.setupGuideUrl}"`);
  });
});
