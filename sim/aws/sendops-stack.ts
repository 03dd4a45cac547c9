/**
 * The SendOps CloudFormation stack as the stand-in seeds it into the demo account (PLAN: 7 resources,
 * 4 parameters, 3 outputs), and the permission policy's actions, which are also what a configured role
 * may do by default. The Worker's own template generator is the product's source; this copy only
 * gives the local demo account the resources a deployed stack would have.
 */

/** The SendOps policy (template version 2): read and manage SES, send the test mail, read the rule. */
export const SENDOPS_POLICY_ACTIONS = [
  "ses:GetAccount",
  "ses:GetSendQuota",
  "ses:GetSendStatistics",
  "ses:ListEmailIdentities",
  "ses:GetEmailIdentity",
  "ses:ListConfigurationSets",
  "ses:GetConfigurationSet",
  "ses:GetConfigurationSetEventDestinations",
  "ses:GetEmailTemplate",
  "ses:ListEmailTemplates",
  "ses:ListContactLists",
  "ses:ListSuppressedDestinations",
  "ses:GetSuppressedDestination",
  "ses:PutSuppressedDestination",
  "ses:DeleteSuppressedDestination",
  "ses:CreateEmailIdentity",
  "ses:DeleteEmailIdentity",
  "ses:PutEmailIdentityConfigurationSetAttributes",
  "ses:CreateConfigurationSet",
  "ses:DeleteConfigurationSet",
  "ses:PutConfigurationSetTrackingOptions",
  "ses:PutConfigurationSetReputationOptions",
  "ses:PutConfigurationSetSendingOptions",
  "ses:PutConfigurationSetDeliveryOptions",
  "ses:PutConfigurationSetSuppressionOptions",
  "ses:CreateConfigurationSetEventDestination",
  "ses:UpdateConfigurationSetEventDestination",
  "ses:DeleteConfigurationSetEventDestination",
  "ses:CreateEmailTemplate",
  "ses:UpdateEmailTemplate",
  "ses:DeleteEmailTemplate",
  "ses:TagResource",
  "ses:UntagResource",
  "ses:SendEmail",
  "events:DescribeRule",
  "events:ListTargetsByRule",
];

/** The 10 SES event types as CloudFormation names them (MatchingEventTypes). */
export const CFN_EVENT_TYPES = ["send", "reject", "bounce", "complaint", "delivery", "open", "click", "renderingFailure", "deliveryDelay", "subscription"];
export const SES_DETAIL_TYPES = [
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

/** The template, as JSON, with `sendops-template-version=<version>` in the rule's description. */
export function sendopsTemplate(version = 2, actions: readonly string[] = SENDOPS_POLICY_ACTIONS) {
  const sesActions = actions.filter((a) => a.startsWith("ses:"));
  const eventsActions = actions.filter((a) => a.startsWith("events:"));
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: "SendOps: cross-account role, SES configuration set and the EventBridge pipeline to SendOps' ingest endpoint.",
    Parameters: {
      SendOpsAccountId: { Type: "String", AllowedPattern: "^\\d{12}$", Description: "SendOps' AWS account" },
      ExternalId: { Type: "String", Description: "The External ID SendOps shows for this workspace" },
      WebhookUrl: { Type: "String", Description: "SendOps' ingest endpoint" },
      WebhookApiKey: { Type: "String", NoEcho: true, Description: "The workspace's ingest key" },
    },
    Resources: {
      SendOpsRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: "SendOpsRole",
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::${SendOpsAccountId}:root" } },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "sts:ExternalId": { Ref: "ExternalId" } } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: "SendOpsSESAccess",
              PolicyDocument: {
                Version: "2012-10-17",
                Statement: [
                  { Effect: "Allow", Action: sesActions, Resource: "*" },
                  { Effect: "Allow", Action: eventsActions, Resource: { "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/sendops-ses-events" } },
                ],
              },
            },
          ],
        },
      },
      SendOpsConfigSet: { Type: "AWS::SES::ConfigurationSet", Properties: { Name: "sendops-events" } },
      SendOpsEventDestination: {
        Type: "AWS::SES::ConfigurationSetEventDestination",
        Properties: {
          ConfigurationSetName: { Ref: "SendOpsConfigSet" },
          EventDestination: {
            Name: "sendops-eventbridge",
            Enabled: true,
            MatchingEventTypes: CFN_EVENT_TYPES,
            EventBridgeDestination: { EventBusArn: { "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/default" } },
          },
        },
      },
      SendOpsConnection: {
        Type: "AWS::Events::Connection",
        Properties: { Name: "sendops-webhook", AuthorizationType: "API_KEY", AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "x-api-key", ApiKeyValue: { Ref: "WebhookApiKey" } } } },
      },
      SendOpsApiDestination: {
        Type: "AWS::Events::ApiDestination",
        Properties: { Name: "sendops-ingest", ConnectionArn: { "Fn::GetAtt": ["SendOpsConnection", "Arn"] }, InvocationEndpoint: { Ref: "WebhookUrl" }, HttpMethod: "POST", InvocationRateLimitPerSecond: 300 },
      },
      SendOpsEventBridgeRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: "SendOpsEventBridgeRole",
          AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }] },
          Policies: [
            {
              PolicyName: "SendOpsInvokeApiDestination",
              PolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:InvokeApiDestination", Resource: { "Fn::GetAtt": ["SendOpsApiDestination", "Arn"] } }] },
            },
          ],
        },
      },
      SendOpsEventRule: {
        Type: "AWS::Events::Rule",
        Properties: {
          Name: "sendops-ses-events",
          Description: `SendOps: SES events to SendOps' ingest endpoint (sendops-template-version=${version})`,
          EventBusName: "default",
          State: "ENABLED",
          EventPattern: { source: ["aws.ses"], "detail-type": SES_DETAIL_TYPES },
          Targets: [{ Id: "sendops-ingest", Arn: { "Fn::GetAtt": ["SendOpsApiDestination", "Arn"] }, RoleArn: { "Fn::GetAtt": ["SendOpsEventBridgeRole", "Arn"] } }],
        },
      },
    },
    Outputs: {
      RoleARN: { Value: { "Fn::GetAtt": ["SendOpsRole", "Arn"] } },
      ConfigurationSetName: { Value: { Ref: "SendOpsConfigSet" } },
      EventRuleName: { Value: { Ref: "SendOpsEventRule" } },
    },
  };
}
