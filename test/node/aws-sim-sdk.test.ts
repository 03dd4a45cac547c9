/**
 * Fidelity of the AWS stand-in (sim/aws.ts): the official AWS SDK v3 clients drive every operation
 * SendOps and the Setup Guide use, and must parse every answer — results as values, modeled errors as
 * the SDK's typed exceptions. SendEmail's events must reach an API destination as EventBridge sends
 * them, shaped like the SES event fixtures (test/fixtures/ses-events, copies of the real formats); a stack deployed from a template written here must
 * produce a role STS and SES enforce.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import http from "node:http";
import type { AddressInfo } from "node:net";
import {
  AlreadyExistsException as CfnAlreadyExists,
  CloudFormationClient,
  CreateStackCommand,
  DeleteStackCommand,
  DescribeStackDriftDetectionStatusCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceDriftsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  DetectStackDriftCommand,
  InsufficientCapabilitiesException,
  UpdateStackCommand,
  ValidateTemplateCommand,
} from "@aws-sdk/client-cloudformation";
import {
  DeleteRuleCommand,
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceNotFoundException,
} from "@aws-sdk/client-eventbridge";
import {
  AlreadyExistsException,
  BadRequestException,
  CreateConfigurationSetCommand,
  CreateConfigurationSetEventDestinationCommand,
  CreateEmailIdentityCommand,
  CreateEmailTemplateCommand,
  DeleteEmailTemplateCommand,
  GetEmailTemplateCommand,
  ListEmailTemplatesCommand,
  UpdateEmailTemplateCommand,
  DeleteConfigurationSetCommand,
  DeleteConfigurationSetEventDestinationCommand,
  DeleteEmailIdentityCommand,
  DeleteSuppressedDestinationCommand,
  GetAccountCommand,
  GetConfigurationSetCommand,
  GetConfigurationSetEventDestinationsCommand,
  GetEmailIdentityCommand,
  GetSuppressedDestinationCommand,
  LimitExceededException,
  ListConfigurationSetsCommand,
  ListContactListsCommand,
  ListEmailIdentitiesCommand,
  ListSuppressedDestinationsCommand,
  MessageRejected,
  NotFoundException,
  PutConfigurationSetDeliveryOptionsCommand,
  PutConfigurationSetReputationOptionsCommand,
  PutConfigurationSetSendingOptionsCommand,
  PutConfigurationSetSuppressionOptionsCommand,
  PutConfigurationSetTrackingOptionsCommand,
  PutEmailIdentityConfigurationSetAttributesCommand,
  PutSuppressedDestinationCommand,
  SendEmailCommand,
  SESv2Client,
  UpdateConfigurationSetEventDestinationCommand,
} from "@aws-sdk/client-sesv2";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsSim, DEFAULT_CONFIG, SIM_ACCESS_KEY_ID, SIM_SECRET_ACCESS_KEY, SIM_SENDOPS_ACCOUNT } from "../../sim/aws";
import { DnsSim } from "../../sim/dns";
import { SENDOPS_POLICY_ACTIONS } from "../../sim/aws/sendops-stack";

/** A key for a fresh account the tests deploy their own stack into (the demo account has one already). */
const ADMIN = { accessKeyId: "AKIASTACKADMIN000001", secretAccessKey: "stackAdminSecret000000000000000000000000", account: "333344445555", userName: "admin", allowedActions: ["*"] };
/** A key for the account whose stack the drift detection tests change. */
const DRIFT_ADMIN = { accessKeyId: "AKIADRIFTADMIN000001", secretAccessKey: "driftAdminSecret00000000000000000000000", account: "555566667777", userName: "admin", allowedActions: ["*"] };
const TEST_KEY = { accessKeyId: "test", secretAccessKey: "test" };
const SENDOPS_KEY = { accessKeyId: SIM_ACCESS_KEY_ID, secretAccessKey: SIM_SECRET_ACCESS_KEY };
const REGION = "us-east-1";
type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

let sim: AwsSim;
let endpoint: string;
/** The stand-in's clock runs `skew` ms ahead of the real one (identity verification is read against it). */
let skew = 0;

const config = (credentials: Credentials) => ({ endpoint, region: REGION, credentials, maxAttempts: 1 });
const ses = (c: Credentials) => new SESv2Client(config(c));
const events = (c: Credentials) => new EventBridgeClient(config(c));
const cfn = (c: Credentials) => new CloudFormationClient(config(c));
const sts = (c: Credentials) => new STSClient(config(c));

beforeAll(async () => {
  sim = new AwsSim(
    { ...DEFAULT_CONFIG, credentials: [...DEFAULT_CONFIG.credentials, ADMIN, DRIFT_ADMIN], outcomeDelayMs: 100, delivery: { attempts: 3, backoffMs: 50, timeoutMs: 2000 } },
    { now: () => Date.now() + skew },
  );
  endpoint = await sim.listen(0);
});
afterAll(async () => {
  await sim?.close();
});

async function assume(roleArn: string, externalId: string): Promise<Credentials> {
  const out = await sts(SENDOPS_KEY).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "sendops-fidelity", ExternalId: externalId, DurationSeconds: 3600 }));
  return { accessKeyId: out.Credentials!.AccessKeyId!, secretAccessKey: out.Credentials!.SecretAccessKey!, sessionToken: out.Credentials!.SessionToken! };
}

const control = async (path: string, method = "GET", json?: unknown) => {
  const res = await fetch(`${endpoint}/__sim${path}`, { method, headers: json === undefined ? {} : { "content-type": "application/json" }, body: json === undefined ? undefined : JSON.stringify(json) });
  return { status: res.status, body: (await res.json()) as any };
};

/** The SendOps template of PLAN.md, as a workspace's YAML download writes it (long-form intrinsics). */
function sendopsTemplate(version: number, sesActions: string[]) {
  const detailTypes = Object.values(JSON.parse(readFileSync(fileURLToPath(new URL("../fixtures/ses-events/detail-types.json", import.meta.url)), "utf8")).eventTypeToDetailType as Record<string, string>);
  const list = (xs: string[], indent: string) => xs.map((x) => `${indent}- ${JSON.stringify(x)}`).join("\n");
  return `AWSTemplateFormatVersion: "2010-09-09"
Description: SendOps integration (fidelity test)
Parameters:
  SendOpsAccountId:
    Type: String
    AllowedPattern: "^\\\\d{12}$"
  ExternalId:
    Type: String
  WebhookUrl:
    Type: String
  WebhookApiKey:
    Type: String
    NoEcho: true
Resources:
  SendOpsRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: SendOpsRole
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              AWS:
                Fn::Sub: "arn:\${AWS::Partition}:iam::\${SendOpsAccountId}:root"
            Action: sts:AssumeRole
            Condition:
              StringEquals:
                sts:ExternalId:
                  Ref: ExternalId
      Policies:
        - PolicyName: SendOpsSESAccess
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action:
${list(sesActions, "                  ")}
                Resource: "*"
              - Effect: Allow
                Action:
                  - events:DescribeRule
                  - events:ListTargetsByRule
                Resource:
                  Fn::Sub: "arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/sendops-ses-events"
  SendOpsConfigSet:
    Type: AWS::SES::ConfigurationSet
    Properties:
      Name: sendops-events
  SendOpsEventDestination:
    Type: AWS::SES::ConfigurationSetEventDestination
    Properties:
      ConfigurationSetName:
        Ref: SendOpsConfigSet
      EventDestination:
        Name: sendops-eventbridge
        Enabled: true
        MatchingEventTypes:
${list(["send", "reject", "bounce", "complaint", "delivery", "open", "click", "renderingFailure", "deliveryDelay", "subscription"], "          ")}
        EventBridgeDestination:
          EventBusArn:
            Fn::Sub: "arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:event-bus/default"
  SendOpsConnection:
    Type: AWS::Events::Connection
    Properties:
      Name: sendops-webhook
      AuthorizationType: API_KEY
      AuthParameters:
        ApiKeyAuthParameters:
          ApiKeyName: x-api-key
          ApiKeyValue:
            Ref: WebhookApiKey
  SendOpsApiDestination:
    Type: AWS::Events::ApiDestination
    Properties:
      Name: sendops-ingest
      ConnectionArn:
        Fn::GetAtt: [SendOpsConnection, Arn]
      InvocationEndpoint:
        Ref: WebhookUrl
      HttpMethod: POST
      InvocationRateLimitPerSecond: 300
  SendOpsEventBridgeRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: SendOpsEventBridgeRole
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Service: events.amazonaws.com
            Action: sts:AssumeRole
      Policies:
        - PolicyName: SendOpsInvokeApiDestination
          PolicyDocument:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Action: events:InvokeApiDestination
                Resource:
                  Fn::GetAtt: [SendOpsApiDestination, Arn]
  SendOpsEventRule:
    Type: AWS::Events::Rule
    Properties:
      Name: sendops-ses-events
      Description: "SendOps SES events (sendops-template-version=${version})"
      EventBusName: default
      State: ENABLED
      EventPattern:
        source:
          - aws.ses
        detail-type:
${list(detailTypes, "          ")}
      Targets:
        - Id: sendops-ingest
          Arn:
            Fn::GetAtt: [SendOpsApiDestination, Arn]
          RoleArn:
            Fn::GetAtt: [SendOpsEventBridgeRole, Arn]
Outputs:
  RoleARN:
    Value:
      Fn::GetAtt: [SendOpsRole, Arn]
  ConfigurationSetName:
    Value:
      Ref: SendOpsConfigSet
  EventRuleName:
    Value:
      Ref: SendOpsEventRule
`;
}

const V2_ACTIONS = ["ses:GetAccount", "ses:ListEmailIdentities", "ses:GetEmailIdentity", "ses:ListConfigurationSets", "ses:GetConfigurationSet", "ses:ListEmailTemplates", "ses:ListContactLists", "ses:PutConfigurationSetDeliveryOptions", "ses:SendEmail"];
const V1_ACTIONS = V2_ACTIONS.filter((a) => !["ses:ListContactLists", "ses:PutConfigurationSetDeliveryOptions", "ses:ListEmailTemplates"].includes(a));

describe("STS", () => {
  it("AssumeRole binds a default role to the first External ID; GetCallerIdentity names the caller", async () => {
    const creds = await assume("arn:aws:iam::222233334444:role/SendOpsRole", "ext-fidelity-1");
    expect(creds.accessKeyId).toMatch(/^ASIA/);
    await expect(assume("arn:aws:iam::222233334444:role/SendOpsRole", "ext-fidelity-other")).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
    expect(await sts(creds).send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: "222233334444", Arn: "arn:aws:sts::222233334444:assumed-role/SendOpsRole/sendops-fidelity" });
    expect(await sts(TEST_KEY).send(new GetCallerIdentityCommand({}))).toMatchObject({ Account: "111122223333", Arn: "arn:aws:iam::111122223333:user/test" });
    await expect(sts({ accessKeyId: "AKIANOBODY0000000000", secretAccessKey: "x" }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "InvalidClientTokenId" });
  });
});

describe("SES v2 with an assumed role in the sandbox account 222233334444", () => {
  let role: Credentials;
  beforeAll(async () => {
    role = await assume("arn:aws:iam::222233334444:role/SendOpsRole", "ext-fidelity-1");
  });

  it("GetAccount reports the sandbox", async () => {
    const account = await ses(role).send(new GetAccountCommand({}));
    expect(account).toMatchObject({ ProductionAccessEnabled: false, SendingEnabled: true, EnforcementStatus: "HEALTHY", SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 } });
    expect(account.Details).toBeUndefined();
    await control("/accounts/222233334444/us-east-1/account", "PUT", { reviewStatus: "PENDING" });
    expect((await ses(role).send(new GetAccountCommand({}))).Details?.ReviewDetails?.Status).toBe("PENDING");
  });

  it("identities: list (paged), create with DKIM tokens, PENDING → SUCCESS after the delay, default configuration set, delete", async () => {
    const first = await ses(role).send(new ListEmailIdentitiesCommand({ PageSize: 1 }));
    expect(first.EmailIdentities).toEqual([{ IdentityType: "DOMAIN", IdentityName: "mail.northwind.test", SendingEnabled: true, VerificationStatus: "SUCCESS" }]);
    const second = await ses(role).send(new ListEmailIdentitiesCommand({ PageSize: 1, NextToken: first.NextToken }));
    expect(second.EmailIdentities?.[0]).toMatchObject({ IdentityType: "EMAIL_ADDRESS", IdentityName: "ops@northwind.test" });
    expect(second.NextToken).toBeUndefined();

    const created = await ses(role).send(new CreateEmailIdentityCommand({ EmailIdentity: "news.northwind.test", Tags: [{ Key: "team", Value: "growth" }] }));
    expect(created).toMatchObject({ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, DkimAttributes: { Status: "PENDING", SigningEnabled: true } });
    expect(created.DkimAttributes!.Tokens).toHaveLength(3);
    await expect(ses(role).send(new CreateEmailIdentityCommand({ EmailIdentity: "news.northwind.test" }))).rejects.toBeInstanceOf(AlreadyExistsException);
    await expect(ses(role).send(new CreateEmailIdentityCommand({ EmailIdentity: "not a domain" }))).rejects.toBeInstanceOf(BadRequestException);
    expect(await ses(role).send(new GetEmailIdentityCommand({ EmailIdentity: "news.northwind.test" }))).toMatchObject({ VerificationStatus: "PENDING", Tags: [{ Key: "team", Value: "growth" }] });
    skew += 61_000;
    const verified = await ses(role).send(new GetEmailIdentityCommand({ EmailIdentity: "news.northwind.test" }));
    expect(verified).toMatchObject({ VerificationStatus: "SUCCESS", VerifiedForSendingStatus: true, DkimAttributes: { Status: "SUCCESS", Tokens: created.DkimAttributes!.Tokens } });

    const email = await ses(role).send(new CreateEmailIdentityCommand({ EmailIdentity: "billing@northwind.test" }));
    expect(email.IdentityType).toBe("EMAIL_ADDRESS");
    expect((await control("/accounts/222233334444/us-east-1/identities/billing%40northwind.test/verify", "POST", { status: "FAILED" })).body.VerificationStatus).toBe("FAILED");
    expect((await ses(role).send(new GetEmailIdentityCommand({ EmailIdentity: "billing@northwind.test" }))).VerificationStatus).toBe("FAILED");

    await expect(ses(role).send(new PutEmailIdentityConfigurationSetAttributesCommand({ EmailIdentity: "news.northwind.test", ConfigurationSetName: "nope" }))).rejects.toBeInstanceOf(NotFoundException);
    await ses(role).send(new DeleteEmailIdentityCommand({ EmailIdentity: "billing@northwind.test" }));
    await expect(ses(role).send(new GetEmailIdentityCommand({ EmailIdentity: "billing@northwind.test" }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(ses(role).send(new DeleteEmailIdentityCommand({ EmailIdentity: "billing@northwind.test" }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it("configuration sets: every option round-trips, names are checked, the five Put…Options, list and delete", async () => {
    await ses(role).send(
      new CreateConfigurationSetCommand({
        ConfigurationSetName: "northwind-transactional",
        TrackingOptions: { CustomRedirectDomain: "track.northwind.test", HttpsPolicy: "REQUIRE" },
        DeliveryOptions: { TlsPolicy: "REQUIRE", MaxDeliverySeconds: 600 },
        ReputationOptions: { ReputationMetricsEnabled: true },
        SendingOptions: { SendingEnabled: true },
        SuppressionOptions: { SuppressedReasons: ["BOUNCE"], ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "HIGH" } } } },
        Tags: [{ Key: "owner", Value: "sendops" }],
      }),
    );
    expect(await ses(role).send(new GetConfigurationSetCommand({ ConfigurationSetName: "northwind-transactional" }))).toMatchObject({
      ConfigurationSetName: "northwind-transactional",
      TrackingOptions: { CustomRedirectDomain: "track.northwind.test", HttpsPolicy: "REQUIRE" },
      DeliveryOptions: { TlsPolicy: "REQUIRE", MaxDeliverySeconds: 600 },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SendingOptions: { SendingEnabled: true },
      SuppressionOptions: { SuppressedReasons: ["BOUNCE"], ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "HIGH" } } } },
      Tags: [{ Key: "owner", Value: "sendops" }],
    });
    await expect(ses(role).send(new CreateConfigurationSetCommand({ ConfigurationSetName: "northwind-transactional" }))).rejects.toBeInstanceOf(AlreadyExistsException);
    await expect(ses(role).send(new CreateConfigurationSetCommand({ ConfigurationSetName: "bad name!" }))).rejects.toBeInstanceOf(BadRequestException);
    await expect(ses(role).send(new CreateConfigurationSetCommand({ ConfigurationSetName: "x", DeliveryOptions: { MaxDeliverySeconds: 10 } }))).rejects.toBeInstanceOf(BadRequestException);

    const name = { ConfigurationSetName: "northwind-transactional" };
    await ses(role).send(new PutConfigurationSetTrackingOptionsCommand({ ...name, CustomRedirectDomain: "click.northwind.test", HttpsPolicy: "OPTIONAL" }));
    await ses(role).send(new PutConfigurationSetDeliveryOptionsCommand({ ...name, TlsPolicy: "OPTIONAL", SendingPoolName: "pool-a" }));
    await ses(role).send(new PutConfigurationSetReputationOptionsCommand({ ...name, ReputationMetricsEnabled: false }));
    await ses(role).send(new PutConfigurationSetSendingOptionsCommand({ ...name, SendingEnabled: false }));
    await ses(role).send(new PutConfigurationSetSuppressionOptionsCommand({ ...name, SuppressedReasons: ["BOUNCE", "COMPLAINT"], ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "MANAGED" } } } }));
    expect((await ses(role).send(new GetConfigurationSetCommand(name))).SuppressionOptions).toEqual({
      SuppressedReasons: ["BOUNCE", "COMPLAINT"],
      ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "MANAGED" } } },
    });
    // A Put replaces the whole block: the reasons alone leave Auto Validation unset.
    await ses(role).send(new PutConfigurationSetSuppressionOptionsCommand({ ...name, SuppressedReasons: ["BOUNCE", "COMPLAINT"] }));
    expect(await ses(role).send(new GetConfigurationSetCommand(name))).toMatchObject({
      TrackingOptions: { CustomRedirectDomain: "click.northwind.test", HttpsPolicy: "OPTIONAL" },
      DeliveryOptions: { TlsPolicy: "OPTIONAL", SendingPoolName: "pool-a" },
      ReputationOptions: { ReputationMetricsEnabled: false },
      SendingOptions: { SendingEnabled: false },
      SuppressionOptions: { SuppressedReasons: ["BOUNCE", "COMPLAINT"] },
    });
    expect((await ses(role).send(new GetConfigurationSetCommand(name))).SuppressionOptions?.ValidationOptions).toBeUndefined();
    await ses(role).send(new PutConfigurationSetSuppressionOptionsCommand({ ...name, ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "DISABLED" } } }));
    expect((await ses(role).send(new GetConfigurationSetCommand(name))).SuppressionOptions).toEqual({ ValidationOptions: { ConditionThreshold: { ConditionThresholdEnabled: "DISABLED" } } });
    const badThresholds: unknown[] = [{ ConditionThreshold: { ConditionThresholdEnabled: "ON" } }, { ConditionThreshold: { ConditionThresholdEnabled: "ENABLED", OverallConfidenceThreshold: { ConfidenceVerdictThreshold: "LOW" } } }, {}];
    for (const ValidationOptions of badThresholds) {
      await expect(ses(role).send(new PutConfigurationSetSuppressionOptionsCommand({ ...name, ValidationOptions } as never))).rejects.toBeInstanceOf(BadRequestException);
      await expect(ses(role).send(new CreateConfigurationSetCommand({ ConfigurationSetName: "northwind-invalid", SuppressionOptions: { ValidationOptions } } as never))).rejects.toBeInstanceOf(BadRequestException);
    }
    const missing = { ConfigurationSetName: "nope" };
    for (const command of [
      new PutConfigurationSetSendingOptionsCommand({ ...missing, SendingEnabled: true }),
      new PutConfigurationSetTrackingOptionsCommand({ ...missing, CustomRedirectDomain: "t.northwind.test" }),
      new PutConfigurationSetDeliveryOptionsCommand({ ...missing, TlsPolicy: "REQUIRE" }),
      new PutConfigurationSetReputationOptionsCommand({ ...missing, ReputationMetricsEnabled: true }),
      new PutConfigurationSetSuppressionOptionsCommand({ ...missing, SuppressedReasons: [] }),
      new DeleteConfigurationSetCommand(missing),
      new GetConfigurationSetEventDestinationsCommand(missing),
    ]) {
      await expect(ses(role).send(command as never), command.constructor.name).rejects.toBeInstanceOf(NotFoundException);
    }

    await ses(role).send(new CreateConfigurationSetCommand({ ConfigurationSetName: "northwind-marketing" }));
    expect((await ses(role).send(new ListConfigurationSetsCommand({}))).ConfigurationSets).toEqual(["northwind-marketing", "northwind-transactional"]);
    await ses(role).send(new PutEmailIdentityConfigurationSetAttributesCommand({ EmailIdentity: "mail.northwind.test", ConfigurationSetName: "northwind-marketing" }));
    expect((await ses(role).send(new GetEmailIdentityCommand({ EmailIdentity: "mail.northwind.test" }))).ConfigurationSetName).toBe("northwind-marketing");
    await ses(role).send(new DeleteConfigurationSetCommand({ ConfigurationSetName: "northwind-marketing" }));
    expect((await ses(role).send(new GetEmailIdentityCommand({ EmailIdentity: "mail.northwind.test" }))).ConfigurationSetName).toBeUndefined();
    await expect(ses(role).send(new GetConfigurationSetCommand({ ConfigurationSetName: "northwind-marketing" }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it("event destinations: create, get, update, delete; one destination type, the default bus only, at most 10", async () => {
    const name = { ConfigurationSetName: "northwind-transactional" };
    const bus = "arn:aws:events:us-east-1:222233334444:event-bus/default";
    await ses(role).send(new CreateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "to-eventbridge", EventDestination: { Enabled: true, MatchingEventTypes: ["SEND", "DELIVERY"], EventBridgeDestination: { EventBusArn: bus } } }));
    expect((await ses(role).send(new GetConfigurationSetEventDestinationsCommand(name))).EventDestinations).toEqual([
      { Name: "to-eventbridge", Enabled: true, MatchingEventTypes: ["SEND", "DELIVERY"], EventBridgeDestination: { EventBusArn: bus } },
    ]);
    await ses(role).send(new UpdateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "to-eventbridge", EventDestination: { Enabled: false, MatchingEventTypes: ["BOUNCE"], EventBridgeDestination: { EventBusArn: bus } } }));
    expect((await ses(role).send(new GetConfigurationSetEventDestinationsCommand(name))).EventDestinations?.[0]).toMatchObject({ Enabled: false, MatchingEventTypes: ["BOUNCE"] });
    await expect(ses(role).send(new CreateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "to-eventbridge", EventDestination: { MatchingEventTypes: ["SEND"], EventBridgeDestination: { EventBusArn: bus } } }))).rejects.toBeInstanceOf(AlreadyExistsException);
    await expect(
      ses(role).send(new CreateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "custom-bus", EventDestination: { MatchingEventTypes: ["SEND"], EventBridgeDestination: { EventBusArn: "arn:aws:events:us-east-1:222233334444:event-bus/mine" } } })),
    ).rejects.toBeInstanceOf(BadRequestException);
    await expect(
      ses(role).send(
        new CreateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "two", EventDestination: { MatchingEventTypes: ["SEND"], EventBridgeDestination: { EventBusArn: bus }, SnsDestination: { TopicArn: "arn:aws:sns:us-east-1:222233334444:t" } } }),
      ),
    ).rejects.toBeInstanceOf(BadRequestException);
    for (let i = 1; i < 10; i++) {
      await ses(role).send(new CreateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: `sns-${i}`, EventDestination: { MatchingEventTypes: ["SEND"], SnsDestination: { TopicArn: `arn:aws:sns:us-east-1:222233334444:t${i}` } } }));
    }
    await expect(ses(role).send(new CreateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "eleventh", EventDestination: { MatchingEventTypes: ["SEND"], SnsDestination: { TopicArn: "arn:aws:sns:us-east-1:222233334444:t11" } } }))).rejects.toBeInstanceOf(
      LimitExceededException,
    );
    await ses(role).send(new DeleteConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "sns-1" }));
    await expect(ses(role).send(new DeleteConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "sns-1" }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(ses(role).send(new UpdateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "sns-1", EventDestination: { MatchingEventTypes: ["SEND"], EventBridgeDestination: { EventBusArn: bus } } }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(ses(role).send(new CreateConfigurationSetEventDestinationCommand({ ConfigurationSetName: "nope", EventDestinationName: "x", EventDestination: { MatchingEventTypes: ["SEND"], EventBridgeDestination: { EventBusArn: bus } } }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(ses(role).send(new CreateConfigurationSetEventDestinationCommand({ ...name, EventDestinationName: "no-types", EventDestination: { MatchingEventTypes: [], EventBridgeDestination: { EventBusArn: bus } } }))).rejects.toBeInstanceOf(BadRequestException);
    expect((await ses(role).send(new GetConfigurationSetEventDestinationsCommand(name))).EventDestinations).toHaveLength(9);
  });

  it("contact lists, email templates and the suppression list", async () => {
    expect(await ses(role).send(new ListContactListsCommand({}))).toMatchObject({ ContactLists: [] });
    await ses(role).send(new CreateEmailTemplateCommand({ TemplateName: "welcome_v1", TemplateContent: { Subject: "Hi {{name}}", Text: "Welcome" } }));
    await expect(ses(role).send(new CreateEmailTemplateCommand({ TemplateName: "welcome_v1", TemplateContent: { Text: "x" } }))).rejects.toBeInstanceOf(AlreadyExistsException);
    await ses(role).send(new UpdateEmailTemplateCommand({ TemplateName: "welcome_v1", TemplateContent: { Subject: "Hello {{name}}", Html: "<p>Welcome</p>" } }));
    expect((await ses(role).send(new GetEmailTemplateCommand({ TemplateName: "welcome_v1" }))).TemplateContent).toEqual({ Subject: "Hello {{name}}", Html: "<p>Welcome</p>" });
    const templates = (await ses(role).send(new ListEmailTemplatesCommand({ PageSize: 10 }))).TemplatesMetadata!;
    expect(templates.map((t) => t.TemplateName)).toEqual(["welcome_v1"]);
    expect(templates[0]!.CreatedTimestamp).toBeInstanceOf(Date);
    await ses(role).send(new DeleteEmailTemplateCommand({ TemplateName: "welcome_v1" }));
    await expect(ses(role).send(new GetEmailTemplateCommand({ TemplateName: "welcome_v1" }))).rejects.toBeInstanceOf(NotFoundException);
    const page = await ses(role).send(new ListSuppressedDestinationsCommand({ Reasons: ["COMPLAINT"], PageSize: 3, StartDate: new Date(Date.now() - 400 * 86_400_000) }));
    expect(page.SuppressedDestinationSummaries).toHaveLength(3);
    expect(page.SuppressedDestinationSummaries!.every((s) => s.Reason === "COMPLAINT" && s.LastUpdateTime instanceof Date)).toBe(true);
    expect(page.NextToken).toBeTruthy();
    // SendOps' policy never adds entries (it has no ses:PutSuppressedDestination); the account's owner may.
    await control("/roles/actions", "PUT", { arn: "arn:aws:iam::222233334444:role/SendOpsRole", allowedActions: [...SENDOPS_POLICY_ACTIONS, "ses:PutSuppressedDestination"] });
    await ses(role).send(new PutSuppressedDestinationCommand({ EmailAddress: "gone@northwind.test", Reason: "BOUNCE" }));
    const suppressed = (await ses(role).send(new GetSuppressedDestinationCommand({ EmailAddress: "gone@northwind.test" }))).SuppressedDestination;
    expect(suppressed).toMatchObject({ EmailAddress: "gone@northwind.test", Reason: "BOUNCE" });
    // SES's id shape: "01", the time in ms as 14 hex digits, then a UUID.
    expect(suppressed?.Attributes?.MessageId).toMatch(/^0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$/);
    await ses(role).send(new DeleteSuppressedDestinationCommand({ EmailAddress: "gone@northwind.test" }));
    await expect(ses(role).send(new GetSuppressedDestinationCommand({ EmailAddress: "gone@northwind.test" }))).rejects.toBeInstanceOf(NotFoundException);
  });

  it("SendEmail: verified From, sandbox recipients, the configuration set; the quota counts real recipients", async () => {
    const simple = { Simple: { Subject: { Data: "Hello" }, Body: { Text: { Data: "Hi there" } } } };
    await expect(ses(role).send(new SendEmailCommand({ FromEmailAddress: "ops@unverified.test", Destination: { ToAddresses: ["success@simulator.amazonses.com"] }, Content: simple }))).rejects.toMatchObject({
      name: "MessageRejected",
      message: "Email address is not verified. The following identities failed the check in region US-EAST-1: ops@unverified.test",
    });
    const rejected = ses(role).send(new SendEmailCommand({ FromEmailAddress: "Northwind <hello@mail.northwind.test>", Destination: { ToAddresses: ["someone@example.org"] }, Content: simple }));
    await expect(rejected).rejects.toBeInstanceOf(MessageRejected);
    await expect(rejected).rejects.toThrow("The following identities failed the check in region US-EAST-1: someone@example.org");
    await expect(ses(role).send(new SendEmailCommand({ FromEmailAddress: "hello@mail.northwind.test", Destination: { ToAddresses: ["ops@northwind.test"] }, Content: simple, ConfigurationSetName: "nope" }))).rejects.toBeInstanceOf(NotFoundException);
    const sent = await ses(role).send(new SendEmailCommand({ FromEmailAddress: "hello@mail.northwind.test", Destination: { ToAddresses: ["ops@northwind.test", "success+a@simulator.amazonses.com"] }, Content: simple }));
    expect(sent.MessageId).toMatch(/^0100[0-9a-f]{12}-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}-000000$/);
    expect((await ses(role).send(new GetAccountCommand({}))).SendQuota?.SentLast24Hours).toBe(1);
    const outbox = (await control("/outbox.json?account=222233334444")).body.mails;
    // The id carries the send time (in ms, hex digits 3–16), as SES's do.
    expect(parseInt(sent.MessageId!.slice(2, 16), 16)).toBe(outbox[0].sentAt);
    expect(outbox[0]).toMatchObject({ messageId: sent.MessageId, from: "hello@mail.northwind.test", to: ["ops@northwind.test", "success+a@simulator.amazonses.com"], subject: "Hello", text: "Hi there" });
  });

  it("a role's policy decides: a missing action is AccessDeniedException in SES's and EventBridge's formats", async () => {
    const arn = "arn:aws:iam::222233334444:role/SendOpsRole";
    expect((await control("/roles/actions", "PUT", { arn, allowedActions: ["ses:Get*", "events:ListTargetsByRule"] })).status).toBe(200);
    expect((await ses(role).send(new GetAccountCommand({}))).ProductionAccessEnabled).toBe(false);
    await expect(ses(role).send(new ListContactListsCommand({}))).rejects.toMatchObject({
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 403 },
      message: expect.stringMatching(/^User: arn:aws:sts::222233334444:assumed-role\/SendOpsRole\/sendops-fidelity is not authorized to perform: ses:ListContactLists on resource: /),
    });
    await expect(events(role).send(new DescribeRuleCommand({ Name: "sendops-ses-events" }))).rejects.toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining("is not authorized to perform: events:DescribeRule on resource: arn:aws:events:us-east-1:222233334444:rule/sendops-ses-events"),
    });
    await expect(events(role).send(new ListTargetsByRuleCommand({ Rule: "sendops-ses-events" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(ses(SENDOPS_KEY).send(new GetAccountCommand({}))).rejects.toMatchObject({ name: "AccessDeniedException" });
  });
});

describe("EventBridge with the test/test key (demo account 111122223333)", () => {
  it("the demo's deployed stack: rule, targets, API destination, connection", async () => {
    const rule = await events(TEST_KEY).send(new DescribeRuleCommand({ Name: "sendops-ses-events" }));
    expect(rule).toMatchObject({ Name: "sendops-ses-events", Arn: "arn:aws:events:us-east-1:111122223333:rule/sendops-ses-events", State: "ENABLED", EventBusName: "default" });
    expect(rule.Description).toContain("sendops-template-version=");
    expect(JSON.parse(rule.EventPattern!)["detail-type"]).toHaveLength(10);
    const targets = (await events(TEST_KEY).send(new ListTargetsByRuleCommand({ Rule: "sendops-ses-events" }))).Targets!;
    expect(targets).toEqual([{ Id: "sendops-ingest", Arn: expect.stringMatching(/^arn:aws:events:us-east-1:111122223333:api-destination\/sendops-ingest\/[0-9a-f-]{36}$/), RoleArn: "arn:aws:iam::111122223333:role/SendOpsEventBridgeRole" }]);
    const destination = await events(TEST_KEY).send(new DescribeApiDestinationCommand({ Name: "sendops-ingest" }));
    expect(destination).toMatchObject({ ApiDestinationArn: targets[0]!.Arn, InvocationEndpoint: "http://127.0.0.1:8787/ingest/eventbridge", HttpMethod: "POST", InvocationRateLimitPerSecond: 300, ApiDestinationState: "ACTIVE" });
    expect(destination.CreationTime).toBeInstanceOf(Date);
    const connection = await events(TEST_KEY).send(new DescribeConnectionCommand({ Name: "sendops-webhook" }));
    expect(connection).toMatchObject({ ConnectionArn: destination.ConnectionArn, AuthorizationType: "API_KEY", ConnectionState: "AUTHORIZED", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key" } } });
    await expect(events(TEST_KEY).send(new DescribeConnectionCommand({ Name: "nope" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(events(TEST_KEY).send(new DescribeApiDestinationCommand({ Name: "nope" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it("PutRule, PutTargets, ListRules, ListTargetsByRule, RemoveTargets, DeleteRule", async () => {
    const eb = events(TEST_KEY);
    const { RuleArn } = await eb.send(new PutRuleCommand({ Name: "fidelity-rule", EventPattern: JSON.stringify({ source: ["aws.ses"] }), Description: "test" }));
    expect(RuleArn).toBe("arn:aws:events:us-east-1:111122223333:rule/fidelity-rule");
    await expect(eb.send(new PutRuleCommand({ Name: "no-pattern" }))).rejects.toMatchObject({ name: "ValidationException" });
    await expect(eb.send(new PutRuleCommand({ Name: "bad-pattern", EventPattern: "[1]" }))).rejects.toMatchObject({ name: "InvalidEventPatternException" });
    expect(await eb.send(new PutTargetsCommand({ Rule: "fidelity-rule", Targets: [{ Id: "t1", Arn: "arn:aws:sqs:us-east-1:111122223333:q" }] }))).toMatchObject({ FailedEntryCount: 0, FailedEntries: [] });
    const listed = await eb.send(new ListRulesCommand({ NamePrefix: "fidelity-" }));
    expect(listed.Rules).toEqual([{ Name: "fidelity-rule", Arn: RuleArn, EventPattern: '{"source":["aws.ses"]}', State: "ENABLED", Description: "test", EventBusName: "default" }]);
    expect((await eb.send(new ListTargetsByRuleCommand({ Rule: "fidelity-rule" }))).Targets).toEqual([{ Id: "t1", Arn: "arn:aws:sqs:us-east-1:111122223333:q" }]);
    await expect(eb.send(new DeleteRuleCommand({ Name: "fidelity-rule" }))).rejects.toMatchObject({ name: "ValidationException" });
    await eb.send(new RemoveTargetsCommand({ Rule: "fidelity-rule", Ids: ["t1"] }));
    await eb.send(new DeleteRuleCommand({ Name: "fidelity-rule" }));
    await expect(eb.send(new DescribeRuleCommand({ Name: "fidelity-rule" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(eb.send(new PutTargetsCommand({ Rule: "fidelity-rule", Targets: [{ Id: "t1", Arn: "arn:aws:sqs:us-east-1:111122223333:q" }] }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

/** A local HTTP endpoint standing in for SendOps' ingest: records what the API destination posts; the first request gets a 500. */
async function receiver() {
  const received: { headers: http.IncomingHttpHeaders; body: any }[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (requests++ === 0) return res.writeHead(500).end();
      received.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ingest/eventbridge`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const fixture = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/ses-events/${name}.json`, import.meta.url)), "utf8"));
const keys = (o: object) => Object.keys(o).sort();

describe("CloudFormation: the SendOps stack in account 333344445555", () => {
  let hook: Awaited<ReturnType<typeof receiver>>;
  const parameters = (externalId: string) => [
    { ParameterKey: "SendOpsAccountId", ParameterValue: SIM_SENDOPS_ACCOUNT },
    { ParameterKey: "ExternalId", ParameterValue: externalId },
    { ParameterKey: "WebhookUrl", ParameterValue: hook.url },
    { ParameterKey: "WebhookApiKey", ParameterValue: "ingest-key-333" },
  ];
  beforeAll(async () => {
    hook = await receiver();
  });
  afterAll(async () => {
    await hook?.close();
  });

  it("checks capabilities and parameters, deploys, describes (NoEcho masked), and ValidateTemplate reads the template", async () => {
    const cf = cfn(ADMIN);
    const v1 = sendopsTemplate(1, V1_ACTIONS);
    await expect(cf.send(new CreateStackCommand({ StackName: "sendops", TemplateBody: v1, Parameters: parameters("ext-333") }))).rejects.toBeInstanceOf(InsufficientCapabilitiesException);
    await expect(cf.send(new CreateStackCommand({ StackName: "sendops", TemplateBody: v1, Parameters: parameters("ext-333").slice(0, 3), Capabilities: ["CAPABILITY_NAMED_IAM"] }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "Parameters: [WebhookApiKey] must have values",
    });
    const { StackId } = await cf.send(new CreateStackCommand({ StackName: "sendops", TemplateBody: v1, Parameters: parameters("ext-333"), Capabilities: ["CAPABILITY_NAMED_IAM"] }));
    expect(StackId).toMatch(/^arn:aws:cloudformation:us-east-1:333344445555:stack\/sendops\/[0-9a-f-]{36}$/);
    await expect(cf.send(new CreateStackCommand({ StackName: "sendops", TemplateBody: v1, Parameters: parameters("ext-333"), Capabilities: ["CAPABILITY_NAMED_IAM"] }))).rejects.toBeInstanceOf(CfnAlreadyExists);

    const [stack] = (await cf.send(new DescribeStacksCommand({ StackName: "sendops" }))).Stacks!;
    expect(stack).toMatchObject({ StackName: "sendops", StackId, StackStatus: "CREATE_COMPLETE", Capabilities: ["CAPABILITY_NAMED_IAM"] });
    expect(stack!.Parameters).toContainEqual({ ParameterKey: "WebhookApiKey", ParameterValue: "****" });
    expect(stack!.Parameters).toContainEqual({ ParameterKey: "ExternalId", ParameterValue: "ext-333" });
    expect(Object.fromEntries(stack!.Outputs!.map((o) => [o.OutputKey, o.OutputValue]))).toEqual({ RoleARN: "arn:aws:iam::333344445555:role/SendOpsRole", ConfigurationSetName: "sendops-events", EventRuleName: "sendops-ses-events" });
    const resources = (await cf.send(new DescribeStackResourcesCommand({ StackName: "sendops" }))).StackResources!;
    expect(resources.map((r) => [r.LogicalResourceId, r.ResourceType, r.ResourceStatus]).sort()).toEqual(
      [
        ["SendOpsApiDestination", "AWS::Events::ApiDestination", "CREATE_COMPLETE"],
        ["SendOpsConfigSet", "AWS::SES::ConfigurationSet", "CREATE_COMPLETE"],
        ["SendOpsConnection", "AWS::Events::Connection", "CREATE_COMPLETE"],
        ["SendOpsEventBridgeRole", "AWS::IAM::Role", "CREATE_COMPLETE"],
        ["SendOpsEventDestination", "AWS::SES::ConfigurationSetEventDestination", "CREATE_COMPLETE"],
        ["SendOpsEventRule", "AWS::Events::Rule", "CREATE_COMPLETE"],
        ["SendOpsRole", "AWS::IAM::Role", "CREATE_COMPLETE"],
      ].sort(),
    );
    const validated = await cf.send(new ValidateTemplateCommand({ TemplateBody: v1 }));
    expect(validated.Parameters!.map((p) => [p.ParameterKey, p.NoEcho])).toEqual([
      ["SendOpsAccountId", false],
      ["ExternalId", false],
      ["WebhookUrl", false],
      ["WebhookApiKey", true],
    ]);
    expect(validated.Capabilities).toEqual(["CAPABILITY_NAMED_IAM"]);
    await expect(cf.send(new ValidateTemplateCommand({ TemplateBody: "Resources: [" }))).rejects.toMatchObject({ name: "ValidationError" });
  });

  it("the deployed role: AssumeRole needs its External ID; the version-1 policy lacks ses:ListContactLists until UpdateStack", async () => {
    const arn = "arn:aws:iam::333344445555:role/SendOpsRole";
    await expect(assume(arn, "ext-wrong")).rejects.toMatchObject({ name: "AccessDenied" });
    const role = await assume(arn, "ext-333");
    expect((await ses(role).send(new GetAccountCommand({}))).ProductionAccessEnabled).toBe(true);
    await expect(ses(role).send(new ListContactListsCommand({}))).rejects.toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining("ses:ListContactLists") });
    expect((await events(role).send(new DescribeRuleCommand({ Name: "sendops-ses-events" }))).Description).toContain("sendops-template-version=1");

    const cf = cfn(ADMIN);
    await expect(cf.send(new UpdateStackCommand({ StackName: "sendops", TemplateBody: sendopsTemplate(1, V1_ACTIONS), Parameters: parameters("ext-333"), Capabilities: ["CAPABILITY_NAMED_IAM"] }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "No updates are to be performed.",
    });
    await cf.send(
      new UpdateStackCommand({
        StackName: "sendops",
        TemplateBody: sendopsTemplate(2, V2_ACTIONS),
        Parameters: parameters("ext-333").map((p) => (p.ParameterKey === "WebhookApiKey" ? { ParameterKey: p.ParameterKey, UsePreviousValue: true } : p)),
        Capabilities: ["CAPABILITY_NAMED_IAM"],
      }),
    );
    expect((await cf.send(new DescribeStacksCommand({ StackName: "sendops" }))).Stacks![0]!.StackStatus).toBe("UPDATE_COMPLETE");
    expect(await ses(role).send(new ListContactListsCommand({}))).toMatchObject({ ContactLists: [] });
    expect((await events(role).send(new DescribeRuleCommand({ Name: "sendops-ses-events" }))).Description).toContain("sendops-template-version=2");
  });

  it("SendEmail to the mailbox simulator: Send, Delivery, Bounce, Complaint, DeliveryDelay reach the API destination as EventBridge sends them", async () => {
    expect((await control("/accounts/333344445555/us-east-1/identities", "POST", { identity: "mail.fabrikam.test" })).status).toBe(200);
    const role = await assume("arn:aws:iam::333344445555:role/SendOpsRole", "ext-333");
    const messageIds: Record<string, string> = {};
    for (const to of ["success@simulator.amazonses.com", "bounce@simulator.amazonses.com", "complaint@simulator.amazonses.com", "ooto@simulator.amazonses.com"]) {
      const out = await ses(role).send(
        new SendEmailCommand({
          FromEmailAddress: "Fabrikam <hello@mail.fabrikam.test>",
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: `To ${to}` }, Body: { Text: { Data: "text" }, Html: { Data: "<p>html</p>" } }, Headers: [{ Name: "X-Ref", Value: "r1" }] } },
          EmailTags: [
            { Name: "tenant", Value: "t_7c1f" },
            { Name: "campaign", Value: "welcome-series" },
          ],
          ConfigurationSetName: "sendops-events",
        }),
      );
      messageIds[to] = out.MessageId!;
    }
    const want = 4 /* Send */ + 3 /* Delivery */ + 1 /* Bounce */ + 1 /* Complaint */ + 1; /* DeliveryDelay */
    const deadline = Date.now() + 10_000;
    while (hook.received.length < want && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(hook.received).toHaveLength(want);

    for (const { headers } of hook.received) {
      expect(headers).toMatchObject({
        "x-api-key": "ingest-key-333",
        "user-agent": "Amazon/EventBridge/ApiDestinations",
        "content-type": "application/json; charset=utf-8",
        range: "bytes=0-1048575",
        "accept-encoding": "gzip,deflate",
        connection: "close",
      });
    }
    const byType = (type: string, to: string) => hook.received.map((r) => r.body).find((e) => e.detail.eventType === type && e.detail.mail.messageId === messageIds[to]);
    const cases: [string, string, string, string][] = [
      ["Send", "success@simulator.amazonses.com", "send", "send"],
      ["Delivery", "success@simulator.amazonses.com", "delivery", "delivery"],
      ["Bounce", "bounce@simulator.amazonses.com", "bounce-permanent-general", "bounce"],
      ["Delivery", "complaint@simulator.amazonses.com", "delivery", "delivery"],
      ["Complaint", "complaint@simulator.amazonses.com", "complaint", "complaint"],
      ["DeliveryDelay", "ooto@simulator.amazonses.com", "delivery-delay", "deliveryDelay"],
      ["Delivery", "ooto@simulator.amazonses.com", "delivery", "delivery"],
    ];
    for (const [type, to, fixtureName, key] of cases) {
      const event = byType(type, to);
      const f = fixture(fixtureName);
      expect(event, `${type} for ${to}`).toBeDefined();
      expect(keys(event)).toEqual(keys(f));
      expect(keys(event.detail)).toEqual(keys(f.detail));
      expect(keys(event.detail.mail)).toEqual(keys(f.detail.mail));
      expect(keys(event.detail.mail.commonHeaders)).toEqual(keys(f.detail.mail.commonHeaders));
      expect(keys(event.detail.mail.tags)).toEqual(keys(f.detail.mail.tags));
      expect(keys(event.detail[key])).toEqual(keys(f.detail[key]));
      expect(event).toMatchObject({ version: "0", source: "aws.ses", "detail-type": f["detail-type"], account: "333344445555", region: "us-east-1", resources: ["arn:aws:ses:us-east-1:333344445555:configuration-set/sendops-events"] });
      expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(event.detail.mail).toMatchObject({
        source: "hello@mail.fabrikam.test",
        sourceArn: "arn:aws:ses:us-east-1:333344445555:identity/mail.fabrikam.test",
        sendingAccountId: "333344445555",
        destination: [to],
        commonHeaders: { from: ["Fabrikam <hello@mail.fabrikam.test>"], to: [to], subject: `To ${to}` },
        tags: { "ses:configuration-set": ["sendops-events"], "ses:from-domain": ["mail.fabrikam.test"], "ses:caller-identity": ["SendOpsRole"], "ses:source-ip": ["127.0.0.1"], tenant: ["t_7c1f"] },
      });
      expect(event.detail.mail.headers).toContainEqual({ name: "X-Ref", value: "r1" });
    }
    expect(byType("Bounce", "bounce@simulator.amazonses.com").detail.bounce).toMatchObject({ bounceType: "Permanent", bounceSubType: "General", bouncedRecipients: [{ emailAddress: "bounce@simulator.amazonses.com" }] });
    expect(byType("DeliveryDelay", "ooto@simulator.amazonses.com").detail.deliveryDelay).toMatchObject({ delayType: "MailboxFull", delayedRecipients: [{ emailAddress: "ooto@simulator.amazonses.com", status: "4.2.2" }] });
    expect(byType("Complaint", "complaint@simulator.amazonses.com").detail.complaint).toMatchObject({ complaintSubType: null, complainedRecipients: [{ emailAddress: "complaint@simulator.amazonses.com" }] });
    // The endpoint's first answer was a 500: EventBridge retried that event.
    const deliveries = (await control("/accounts/333344445555/us-east-1")).body.deliveries as { attempts: number; outcome: string }[];
    expect(deliveries.filter((d) => d.attempts === 2 && d.outcome === "200")).toHaveLength(1);
    expect(deliveries.every((d) => d.outcome === "200")).toBe(true);
  });

  it("a failing resource rolls the stack back; DeleteStack removes what the stack created", async () => {
    const cf = cfn(ADMIN);
    const conflicting = `Resources:\n  Set:\n    Type: AWS::SES::ConfigurationSet\n    Properties:\n      Name: sendops-events\n`;
    await cf.send(new CreateStackCommand({ StackName: "conflict", TemplateBody: conflicting }));
    expect((await cf.send(new DescribeStacksCommand({ StackName: "conflict" }))).Stacks![0]).toMatchObject({ StackStatus: "ROLLBACK_COMPLETE", StackStatusReason: expect.stringContaining("[Set]") });
    const failed = (await cf.send(new DescribeStackEventsCommand({ StackName: "conflict" }))).StackEvents!.find((e) => e.ResourceStatus === "CREATE_FAILED");
    expect(failed?.ResourceStatusReason).toBe("Resource of type 'AWS::SES::ConfigurationSet' with identifier 'sendops-events' already exists.");
    const unsupported = `{"Resources":{"Set":{"Type":"AWS::SES::ConfigurationSet","Properties":{"Name":"made-then-rolled-back"}},"Bucket":{"Type":"AWS::S3::Bucket","DependsOn":"Set"}}}`;
    await cf.send(new CreateStackCommand({ StackName: "unsupported", TemplateBody: unsupported }));
    const resources = (await cf.send(new DescribeStackResourcesCommand({ StackName: "unsupported" }))).StackResources!;
    expect(resources.find((r) => r.LogicalResourceId === "Bucket")).toMatchObject({ ResourceStatus: "CREATE_FAILED", ResourceStatusReason: expect.stringContaining("AWS::S3::Bucket") });
    expect(resources.find((r) => r.LogicalResourceId === "Set")?.ResourceStatus).toBe("DELETE_COMPLETE");
    await expect(ses(ADMIN).send(new GetConfigurationSetCommand({ ConfigurationSetName: "made-then-rolled-back" }))).rejects.toBeInstanceOf(NotFoundException);

    await cf.send(new DeleteStackCommand({ StackName: "sendops" }));
    await expect(cf.send(new DescribeStacksCommand({ StackName: "sendops" }))).rejects.toMatchObject({ name: "ValidationError", message: "Stack with id sendops does not exist" });
    await expect(events(ADMIN).send(new DescribeRuleCommand({ Name: "sendops-ses-events" }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(ses(ADMIN).send(new GetConfigurationSetCommand({ ConfigurationSetName: "sendops-events" }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(assume("arn:aws:iam::333344445555:role/SendOpsRole", "ext-333")).rejects.toMatchObject({ name: "AccessDenied" });
  });
});

describe("identity verification as SES does it: Easy DKIM through DNS (sim/dns), email addresses through the mailed link", () => {
  const HOUR = 3_600_000;
  let verifySim: AwsSim;
  let dns: DnsSim;
  let base: string;
  /** This stand-in's clock runs `ahead` ms ahead; the clients sign with the same offset, as the SDK's clock-skew correction would. */
  let ahead = 0;
  const client = () => new SESv2Client({ endpoint: base, region: "eu-west-1", credentials: TEST_KEY, maxAttempts: 1, systemClockOffset: ahead });
  const get = (name: string) => client().send(new GetEmailIdentityCommand({ EmailIdentity: name }));
  const publish = (tokens: string[], domain: string, target = (t: string) => `${t}.dkim.amazonses.com`) => {
    for (const t of tokens) dns.records.put(`${t}._domainkey.${domain}`, "CNAME", [target(t)]);
  };

  beforeAll(async () => {
    dns = new DnsSim();
    const dnsUrl = await dns.listen(0);
    verifySim = new AwsSim(DEFAULT_CONFIG, { now: () => Date.now() + ahead, dnsResolverUrl: `${dnsUrl}/dns-query` });
    base = await verifySim.listen(0);
  });
  afterAll(async () => {
    await verifySim?.close();
    await dns?.close();
  });

  it("a domain stays PENDING until its three DKIM CNAMEs resolve to SES, then SUCCESS; records gone → TEMPORARY_FAILURE, FAILED 72 hours later", async () => {
    const created = await client().send(new CreateEmailIdentityCommand({ EmailIdentity: "shop.example.org" }));
    expect(created).toMatchObject({ IdentityType: "DOMAIN", VerifiedForSendingStatus: false, DkimAttributes: { Status: "PENDING", SigningEnabled: true, SigningAttributesOrigin: "AWS_SES" } });
    const tokens = created.DkimAttributes!.Tokens!;
    expect(tokens).toHaveLength(3);
    const pending = await get("shop.example.org");
    expect(pending).toMatchObject({ VerificationStatus: "PENDING", VerifiedForSendingStatus: false, DkimAttributes: { Status: "PENDING", Tokens: tokens }, VerificationInfo: { ErrorType: "HOST_NOT_FOUND" } });
    expect(pending.VerificationInfo?.LastCheckedTimestamp).toBeInstanceOf(Date);
    expect(pending.VerificationInfo?.LastSuccessTimestamp).toBeUndefined();

    // Two right, one pointing at the domain itself (the provider appended the zone): still pending, and why.
    publish(tokens.slice(0, 2), "shop.example.org");
    publish(tokens.slice(2), "shop.example.org", (t) => `${t}.dkim.amazonses.com.shop.example.org`);
    expect(await get("shop.example.org")).toMatchObject({ VerificationStatus: "PENDING", VerificationInfo: { ErrorType: "INVALID_VALUE" } });
    dns.records.put(`${tokens[2]}._domainkey.shop.example.org`, "CNAME", []);
    dns.records.put(`${tokens[2]}._domainkey.shop.example.org`, "TXT", ["not a cname"]);
    expect((await get("shop.example.org")).VerificationInfo?.ErrorType).toBe("TYPE_NOT_FOUND");
    dns.records.put(`${tokens[2]}._domainkey.shop.example.org`, "TXT", []);
    publish(tokens.slice(2), "shop.example.org");

    const verified = await get("shop.example.org");
    expect(verified).toMatchObject({
      IdentityType: "DOMAIN",
      VerificationStatus: "SUCCESS",
      VerifiedForSendingStatus: true,
      DkimAttributes: { SigningEnabled: true, Status: "SUCCESS", Tokens: tokens, SigningAttributesOrigin: "AWS_SES", NextSigningKeyLength: "RSA_2048_BIT", CurrentSigningKeyLength: "RSA_2048_BIT" },
      MailFromAttributes: { BehaviorOnMxFailure: "USE_DEFAULT_VALUE" },
      Policies: {},
      Tags: [],
    });
    expect(verified.VerificationInfo?.ErrorType).toBeUndefined();
    expect(verified.VerificationInfo?.LastSuccessTimestamp).toBeInstanceOf(Date);
    expect(verified.DkimAttributes?.LastKeyGenerationTimestamp).toBeInstanceOf(Date);

    dns.records.put(`${tokens[1]}._domainkey.shop.example.org`, "CNAME", []);
    ahead += HOUR;
    expect(await get("shop.example.org")).toMatchObject({ VerificationStatus: "TEMPORARY_FAILURE", VerifiedForSendingStatus: false, DkimAttributes: { Status: "TEMPORARY_FAILURE" }, VerificationInfo: { ErrorType: "HOST_NOT_FOUND" } });
    publish(tokens, "shop.example.org");
    expect((await get("shop.example.org")).VerificationStatus).toBe("SUCCESS");
    dns.records.put(`${tokens[1]}._domainkey.shop.example.org`, "CNAME", []);
    expect((await get("shop.example.org")).VerificationStatus).toBe("TEMPORARY_FAILURE");
    ahead += 72 * HOUR;
    expect((await get("shop.example.org")).DkimAttributes?.Status).toBe("FAILED");
    // SES stops looking at a failed identity: the records coming back change nothing.
    publish(tokens, "shop.example.org");
    expect(await get("shop.example.org")).toMatchObject({ VerificationStatus: "FAILED", DkimAttributes: { Status: "FAILED" } });
  });

  it("ListEmailIdentities looks the records up too; a domain without them for 72 hours is FAILED; a resolver that cannot answer changes nothing", async () => {
    const a = await client().send(new CreateEmailIdentityCommand({ EmailIdentity: "a.example.net" }));
    await client().send(new CreateEmailIdentityCommand({ EmailIdentity: "b.example.net" }));
    publish(a.DkimAttributes!.Tokens!, "a.example.net");
    const statuses = async () => Object.fromEntries(((await client().send(new ListEmailIdentitiesCommand({}))).EmailIdentities ?? []).map((i) => [i.IdentityName, i.VerificationStatus]));
    expect(await statuses()).toMatchObject({ "a.example.net": "SUCCESS", "b.example.net": "PENDING" });
    expect((await client().send(new ListEmailIdentitiesCommand({ PageSize: 10 }))).EmailIdentities?.find((i) => i.IdentityName === "a.example.net")).toEqual({ IdentityType: "DOMAIN", IdentityName: "a.example.net", SendingEnabled: true, VerificationStatus: "SUCCESS" });
    ahead += 72 * HOUR;
    expect(await statuses()).toMatchObject({ "a.example.net": "SUCCESS", "b.example.net": "FAILED" });

    // The control API's verdict replaces DNS for that identity.
    const view = async () => ((await (await fetch(`${base}/__sim/accounts/111122223333/eu-west-1`)).json()) as { identities: { identity: string; verifiedBy: string; status: string }[] }).identities;
    expect((await view()).find((i) => i.identity === "a.example.net")).toMatchObject({ verifiedBy: "dns", status: "SUCCESS" });
    await fetch(`${base}/__sim/accounts/111122223333/eu-west-1/identities/a.example.net/verify`, { method: "POST", body: JSON.stringify({ status: "TEMPORARY_FAILURE" }) });
    expect(await get("a.example.net")).toMatchObject({ VerificationStatus: "TEMPORARY_FAILURE", DkimAttributes: { Status: "TEMPORARY_FAILURE" } });
    expect((await view()).find((i) => i.identity === "a.example.net")).toMatchObject({ verifiedBy: "time", status: "TEMPORARY_FAILURE" });

    await client().send(new CreateEmailIdentityCommand({ EmailIdentity: "c.example.net" }));
    await dns.close();
    expect(await get("c.example.net")).toMatchObject({ VerificationStatus: "PENDING", VerificationInfo: { ErrorType: "DNS_SERVER_ERROR" } });
    expect(await get("b.example.net")).toMatchObject({ VerificationStatus: "FAILED" });
  });

  it("an email address gets SES's verification mail; its link verifies it; unclicked for 24 hours it is FAILED", async () => {
    const outbox = async (to: string) => ((await (await fetch(`${base}/__sim/outbox.json?account=111122223333`)).json()) as { mails: { from: string; to: string[]; subject: string; text: string; region: string }[] }).mails.filter((m) => m.to.includes(to));
    expect(await client().send(new CreateEmailIdentityCommand({ EmailIdentity: "Owner@example.org" }))).toMatchObject({ IdentityType: "EMAIL_ADDRESS", VerifiedForSendingStatus: false });
    const [mail] = await outbox("Owner@example.org");
    expect(mail).toMatchObject({ from: "no-reply-aws@amazon.com", subject: "Amazon Web Services – Email Address Verification Request in region Europe (Ireland)", region: "eu-west-1" });
    expect((await get("Owner@example.org")).VerificationStatus).toBe("PENDING");
    const link = /(http:\/\/\S+\/__sim\/verify-email\?token=[0-9a-f]+)/.exec(mail!.text)![1]!;
    expect(new URL(link).origin).toBe(base);
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("You have successfully verified Owner@example.org");
    expect(await get("Owner@example.org")).toMatchObject({ VerificationStatus: "SUCCESS", VerifiedForSendingStatus: true, DkimAttributes: { Status: "NOT_STARTED", Tokens: [] } });
    expect((await fetch(link)).status).toBe(200);
    expect((await fetch(`${base}/__sim/verify-email?token=0000`)).status).toBe(404);
    // The outbox page shows the link as a link.
    expect(await (await fetch(`${base}/__sim/outbox?account=111122223333`)).text()).toContain(`<a href="${link}">`);

    await client().send(new CreateEmailIdentityCommand({ EmailIdentity: "late@example.org" }));
    const lateLink = /(http:\/\/\S+)/.exec((await outbox("late@example.org"))[0]!.text)![1]!;
    ahead += 24 * HOUR;
    expect((await get("late@example.org")).VerificationStatus).toBe("FAILED");
    expect((await fetch(lateLink)).status).toBe(410);
    expect((await get("late@example.org")).VerificationStatus).toBe("FAILED");
  });

  it("names SES refuses (BadRequestException) and names that exist, in any case (AlreadyExistsException)", async () => {
    for (const name of ["-shop.example.org", "shop_.example.org", "localhost", "a..b.example.org", "two@at@example.org", "x".repeat(64) + ".example.org"]) {
      await expect(client().send(new CreateEmailIdentityCommand({ EmailIdentity: name })), name).rejects.toBeInstanceOf(BadRequestException);
    }
    await client().send(new CreateEmailIdentityCommand({ EmailIdentity: "dup.example.org" }));
    await expect(client().send(new CreateEmailIdentityCommand({ EmailIdentity: "DUP.example.org" }))).rejects.toMatchObject({ name: "AlreadyExistsException", message: "Email identity DUP.example.org already exist." });
    await client().send(new DeleteEmailIdentityCommand({ EmailIdentity: "dup.example.org" }));
    await expect(get("dup.example.org")).rejects.toBeInstanceOf(NotFoundException);
    await expect(client().send(new PutEmailIdentityConfigurationSetAttributesCommand({ EmailIdentity: "dup.example.org", ConfigurationSetName: "sesmail-x" }))).rejects.toBeInstanceOf(NotFoundException);
  });
});

describe("CloudFormation drift detection, read by the AWS SDK (account 555566667777)", () => {
  it("DetectStackDrift, DescribeStackDriftDetectionStatus and DescribeStackResourceDrifts in the SDK's shapes; AccessDenied without the permission", async () => {
    const { cloudFormationTemplate, templateJson } = await import("../../worker/aws/stack/template");
    const cf = cfn(DRIFT_ADMIN);
    await cf.send(
      new CreateStackCommand({
        StackName: "sendops",
        TemplateBody: templateJson(cloudFormationTemplate()),
        Parameters: [
          { ParameterKey: "SendOpsAccountId", ParameterValue: SIM_SENDOPS_ACCOUNT },
          { ParameterKey: "ExternalId", ParameterValue: "ext-555" },
          { ParameterKey: "WebhookUrl", ParameterValue: "http://127.0.0.1:9/ingest" },
          { ParameterKey: "WebhookApiKey", ParameterValue: "k" },
        ],
        Capabilities: ["CAPABILITY_NAMED_IAM"],
      }),
    );
    expect((await control("/accounts/555566667777/us-east-1/stacks/sendops/drift", "PUT", { resources: { SendOpsApiDestination: "MODIFIED" } })).status).toBe(200);
    expect((await control("/accounts/555566667777/us-east-1/stacks/sendops/drift", "PUT", { resources: { Nope: "MODIFIED" } })).status).toBe(400);
    const { StackDriftDetectionId } = await cf.send(new DetectStackDriftCommand({ StackName: "sendops" }));
    const status = await cf.send(new DescribeStackDriftDetectionStatusCommand({ StackDriftDetectionId }));
    expect(status).toMatchObject({ StackDriftDetectionId, DetectionStatus: "DETECTION_COMPLETE", StackDriftStatus: "DRIFTED", DriftedStackResourceCount: 1 });
    expect(status.StackId).toMatch(/^arn:aws:cloudformation:us-east-1:555566667777:stack\/sendops\//);
    expect(status.Timestamp).toBeInstanceOf(Date);
    const drifts = await cf.send(new DescribeStackResourceDriftsCommand({ StackName: "sendops", StackResourceDriftStatusFilters: ["MODIFIED", "DELETED"] }));
    expect(drifts.StackResourceDrifts!.map((d) => [d.LogicalResourceId, d.ResourceType, d.StackResourceDriftStatus, d.PhysicalResourceId])).toEqual([
      ["SendOpsApiDestination", "AWS::Events::ApiDestination", "MODIFIED", "sendops-ingest"],
    ]);
    expect((await cf.send(new DescribeStacksCommand({ StackName: "sendops" }))).Stacks![0]!.DriftInformation).toMatchObject({ StackDriftStatus: "DRIFTED" });
    await expect(cf.send(new DescribeStackResourceDriftsCommand({ StackName: "sendops", StackResourceDriftStatusFilters: ["CHANGED" as never] }))).rejects.toMatchObject({ name: "ValidationError" });
    // SendOps' own key may only assume roles: CloudFormation's AccessDenied, as the SDK names it.
    await expect(cfn(SENDOPS_KEY).send(new DetectStackDriftCommand({ StackName: "sendops" }))).rejects.toMatchObject({ name: "AccessDenied", $metadata: { httpStatusCode: 403 } });
  });
});
