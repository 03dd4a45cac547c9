/**
 * What the `SendOpsSESAccess` policy grants (product docs aws-setup__connecting-aws.md and
 * aws-setup__iam-permissions.md), one entry per action with the reason SendOps needs it. The template,
 * the manual snippets, the Setup Guide's permission breakdown and the validation probes all read this.
 * Beyond the docs' list it holds the actions SendOps calls that the list forgot (ListContactLists,
 * GetConfigurationSetEventDestinations, GetSuppressedDestination): every SES/EventBridge call SendOps
 * makes must be allowed by the role. Version 3 adds the stack's own drift detection (CloudFormation, and
 * the reads of the stack's resources that drift detection makes with the caller's permissions).
 */

/** The version of the CloudFormation template and role policy this build generates. */
export const TEMPLATE_VERSION = 3;

export interface Permission {
  action: string;
  why: string;
  /** The template version that first granted it (absent: version 1). */
  since?: number;
}

export interface PermissionCategory {
  id: "account" | "configuration-sets" | "templates" | "suppression" | "tagging" | "eventbridge" | "drift-detection" | "drift-status" | "stack-resources";
  name: string;
  /** The policy statement's Sid (alphanumeric, as IAM requires). */
  sid: string;
  /**
   * The statement's resources as `Fn::Sub` ARN patterns (absent: `*`). A category with resources is about
   * the stack itself, so only the stack's template grants it: a manually created role has no stack.
   */
  resources?: readonly string[];
  permissions: readonly Permission[];
}

/** ARN patterns of the stack and of the resources it creates (names from STACK_NAMES in template.ts). */
const STACK_ARN = "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/${AWS::StackName}/*";
const STACK_RESOURCE_ARNS = [
  "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/SendOpsRole",
  "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/SendOpsEventBridgeRole",
  "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:connection/sendops-webhook/*",
  "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:api-destination/sendops-ingest/*",
] as const;
const DRIFT_READ = "Drift detection reads each resource of the stack with the caller's permissions; AWS requires this read";

export const PERMISSION_CATEGORIES: readonly PermissionCategory[] = [
  {
    id: "account",
    name: "Account & Identities",
    sid: "AccountAndIdentities",
    permissions: [
      { action: "ses:GetAccount", why: "Displays your account health and sending limits on the dashboard" },
      { action: "ses:GetSendQuota", why: "Powers the sending quota widget and quota-based alerts" },
      { action: "ses:GetSendStatistics", why: "Feeds the deliverability overview charts" },
      { action: "ses:ListEmailIdentities", why: "Populates the Identities page in SendOps" },
      { action: "ses:GetEmailIdentity", why: "Shows verification status, DKIM configuration, and MAIL FROM status on identity detail pages" },
      { action: "ses:CreateEmailIdentity", why: "Starts the domain or email verification workflow from the SendOps dashboard" },
      { action: "ses:DeleteEmailIdentity", why: "Lets you clean up identities you no longer use" },
      { action: "ses:SendEmail", why: "Used exclusively for the onboarding test send" },
      { action: "ses:ListContactLists", why: "Verifies contact list access so your SES contact list can sync", since: 2 },
    ],
  },
  {
    id: "configuration-sets",
    name: "Configuration Sets",
    sid: "ConfigurationSets",
    permissions: [
      { action: "ses:ListConfigurationSets", why: "Verifies the sendops-events configuration set exists" },
      { action: "ses:GetConfigurationSet", why: "Confirms the configuration set is correctly configured" },
      { action: "ses:CreateConfigurationSet", why: "Creates the sendops-events configuration set if it does not exist" },
      { action: "ses:DeleteConfigurationSet", why: "Removes configuration sets during cleanup or reconfiguration" },
      { action: "ses:PutConfigurationSetTrackingOptions", why: "Configures tracking domains for open and click tracking" },
      { action: "ses:PutConfigurationSetReputationOptions", why: "Enables reputation monitoring for SendOps-managed configuration sets" },
      { action: "ses:PutConfigurationSetSendingOptions", why: "Controls whether a configuration set is active for sending" },
      { action: "ses:PutConfigurationSetDeliveryOptions", why: "Configures delivery options like TLS enforcement", since: 2 },
      { action: "ses:PutConfigurationSetSuppressionOptions", why: "Controls how bounces and complaints are handled at the configuration set level" },
      { action: "ses:PutEmailIdentityConfigurationSetAttributes", why: "Links identities to the sendops-events configuration set for event tracking" },
      { action: "ses:CreateConfigurationSetEventDestination", why: "Routes SES events to EventBridge for the SendOps pipeline" },
      { action: "ses:UpdateConfigurationSetEventDestination", why: "Modifies event routing when configuration changes" },
      { action: "ses:DeleteConfigurationSetEventDestination", why: "Cleans up event destinations during reconfiguration" },
      { action: "ses:GetConfigurationSetEventDestinations", why: "Verifies the sendops-eventbridge event destination routes events to EventBridge" },
    ],
  },
  {
    id: "templates",
    name: "Email Templates",
    sid: "EmailTemplates",
    permissions: [
      { action: "ses:CreateEmailTemplate", why: "Powers template creation from the SendOps dashboard or GitHub sync" },
      { action: "ses:UpdateEmailTemplate", why: "Powers template editing and version promotion" },
      { action: "ses:DeleteEmailTemplate", why: "Lets you remove templates you no longer need" },
      { action: "ses:GetEmailTemplate", why: "Displays template content for preview and version comparison" },
      { action: "ses:ListEmailTemplates", why: "Populates the Templates section in SendOps", since: 2 },
    ],
  },
  {
    id: "suppression",
    name: "Suppression List",
    sid: "SuppressionList",
    permissions: [
      { action: "ses:ListSuppressedDestinations", why: "Displays suppressed addresses so you can review and manage them" },
      { action: "ses:DeleteSuppressedDestination", why: "Lets you unsuppress addresses that were previously bounced or complained" },
      { action: "ses:GetSuppressedDestination", why: "Reads a suppressed address before removing it, so the audit log records what was removed" },
    ],
  },
  {
    id: "tagging",
    name: "Resource Tagging",
    sid: "ResourceTagging",
    permissions: [
      { action: "ses:TagResource", why: "Tags resources created by SendOps for identification and organization" },
      { action: "ses:UntagResource", why: "Manages tags on SendOps-created resources" },
    ],
  },
  {
    id: "eventbridge",
    name: "EventBridge",
    sid: "EventBridgeReadOnly",
    permissions: [
      { action: "events:DescribeRule", why: "Verifies the sendops-ses-events rule exists and is enabled" },
      { action: "events:ListTargetsByRule", why: "Confirms the rule is routing events to the SendOps API destination" },
    ],
  },
  {
    id: "drift-detection",
    name: "Drift Detection",
    sid: "DriftDetection",
    resources: [STACK_ARN],
    permissions: [
      { action: "cloudformation:DetectStackDrift", why: "Checks once a day whether the SendOps stack's resources were changed outside CloudFormation", since: 3 },
      { action: "cloudformation:DescribeStackResourceDrifts", why: "Names the resources that drifted in the CloudFormation drift alert", since: 3 },
    ],
  },
  {
    id: "drift-status",
    name: "Drift Detection Status",
    sid: "DriftDetectionStatus",
    // AWS takes no resource for this action (it names a detection id, not a stack): it is allowed on * only.
    resources: ["*"],
    permissions: [{ action: "cloudformation:DescribeStackDriftDetectionStatus", why: "Reads whether the daily drift check found the stack drifted or in sync", since: 3 }],
  },
  {
    id: "stack-resources",
    name: "Stack Resources (read-only)",
    sid: "StackResourcesReadOnly",
    resources: STACK_RESOURCE_ARNS,
    permissions: [
      { action: "iam:GetRole", why: `${DRIFT_READ} for the stack's two IAM roles`, since: 3 },
      { action: "iam:ListRolePolicies", why: `${DRIFT_READ} for the roles' inline policies`, since: 3 },
      { action: "iam:GetRolePolicy", why: `${DRIFT_READ} for the roles' inline policies`, since: 3 },
      { action: "iam:ListAttachedRolePolicies", why: `${DRIFT_READ} for the roles' managed policies`, since: 3 },
      { action: "events:DescribeConnection", why: `${DRIFT_READ} for the sendops-webhook connection`, since: 3 },
      { action: "events:DescribeApiDestination", why: `${DRIFT_READ} for the sendops-ingest API destination`, since: 3 },
    ],
  },
];

/** AWS services the role grants nothing on (the Setup Guide's "never accessed" badges). */
export const NEVER_ACCESSED_SERVICES = ["EC2", "S3", "RDS", "Lambda", "Billing", "IAM (write)", "CloudWatch Logs"] as const;

const grantedIn = (p: Permission, version: number) => (p.since ?? 1) <= version;

function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version < 1 || version > TEMPLATE_VERSION) {
    throw new RangeError(`Template version must be an integer from 1 to ${TEMPLATE_VERSION}, got ${version}.`);
  }
}

/** Whose policy: the stack's role (the template) or a manually created role, which has no stack to read. */
export interface PolicyScope {
  stack?: boolean;
}

/** The categories as a given template version's policy grants them (empty categories dropped). */
export function permissionCategories(version = TEMPLATE_VERSION, { stack = true }: PolicyScope = {}): PermissionCategory[] {
  checkVersion(version);
  return PERMISSION_CATEGORIES.filter((c) => stack || !c.resources)
    .map((c) => ({ ...c, permissions: c.permissions.filter((p) => grantedIn(p, version)) }))
    .filter((c) => c.permissions.length > 0);
}

/** Every action the role policy of `version` allows, in catalog order. */
export function policyActions(version = TEMPLATE_VERSION, scope: PolicyScope = {}): string[] {
  return permissionCategories(version, scope).flatMap((c) => c.permissions.map((p) => p.action));
}

/** The actions a stack deployed from `deployedVersion` lacks compared with the current template. */
export function missingActions(deployedVersion: number): string[] {
  checkVersion(deployedVersion);
  return PERMISSION_CATEGORIES.flatMap((c) => c.permissions)
    .filter((p) => !grantedIn(p, deployedVersion))
    .map((p) => p.action);
}

/** Version → the actions that version added (version 1: the original policy). */
export function templateHistory(): { version: number; added: string[] }[] {
  return Array.from({ length: TEMPLATE_VERSION }, (_, i) => ({
    version: i + 1,
    added: PERMISSION_CATEGORIES.flatMap((c) => c.permissions)
      .filter((p) => (p.since ?? 1) === i + 1)
      .map((p) => p.action),
  }));
}

const statementResource = (resources: readonly string[] | undefined) => {
  if (!resources || (resources.length === 1 && resources[0] === "*")) return "*";
  return resources.map((r) => ({ "Fn::Sub": r }));
};

/** The IAM policy document of the `SendOpsSESAccess` inline policy: one statement per category. */
export function sesAccessPolicyDocument(version = TEMPLATE_VERSION, scope: PolicyScope = {}) {
  return {
    Version: "2012-10-17",
    Statement: permissionCategories(version, scope).map((c) => ({
      Sid: c.sid,
      Effect: "Allow",
      Action: c.permissions.map((p) => p.action),
      Resource: statementResource(c.resources),
    })),
  };
}
