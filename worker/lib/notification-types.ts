/**
 * The notification catalogue (product docs: notifications__notification-types.md): every type SendOps can
 * raise, once. The schema, the evaluators, the delivery channels, webhooks' subscriptions and the
 * dashboard all import it; the keys are a public contract (webhook payloads carry them) and stay exactly
 * as the docs write them.
 *
 * Title and body are templates with `{name}` placeholders filled from the notification's params
 * (`renderNotificationText`). `source` is the dashboard page, relative to the workspace (`/w/<slug>/…`),
 * that a notification links to unless it carries a more precise link of its own.
 */

export const NOTIFICATION_SEVERITIES = ["info", "warning", "error", "critical"] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

export const NOTIFICATION_CATEGORIES = {
  deliverability: { label: "Deliverability" },
  ses_account_health: { label: "SES Account Health" },
  template_lifecycle: { label: "Template Lifecycle" },
  channel_events: { label: "Channel Events" },
  reporting_digests: { label: "Reporting Digests" },
  system_infrastructure: { label: "System & Infrastructure" },
  user_access: { label: "User Access" },
  billing: { label: "Billing" },
} as const;
export type NotificationCategory = keyof typeof NOTIFICATION_CATEGORIES;
export const NOTIFICATION_CATEGORY_KEYS = Object.keys(NOTIFICATION_CATEGORIES) as NotificationCategory[];

interface NotificationTypeFacts {
  label: string;
  description: string;
  severity: NotificationSeverity;
  title: string;
  body: string;
  source: string;
}

function types<C extends NotificationCategory, T extends Record<string, NotificationTypeFacts>>(category: C, entries: T) {
  return Object.fromEntries(
    Object.entries(entries).map(([name, facts]) => [`${category}.${name}`, { ...facts, category }]),
  ) as { [K in keyof T & string as `${C}.${K}`]: NotificationTypeFacts & { category: C } };
}

export const NOTIFICATION_TYPES = {
  ...types("deliverability", {
    bounce_rate_threshold: {
      label: "Bounce rate threshold",
      description: "The bounce rate for a domain or channel has exceeded the configured threshold.",
      severity: "error",
      title: "Bounce rate {rate} on {scope}",
      body: "The bounce rate of {scope} reached {rate} over the last {window} ({bounces} bounces in {sends} sends), above the {threshold} threshold. Review the bounces and clean the list before SES reviews the account.",
      source: "reports",
    },
    complaint_rate_threshold: {
      label: "Complaint rate threshold",
      description: "The complaint (spam report) rate has exceeded the configured threshold.",
      severity: "critical",
      title: "Complaint rate {rate} on {scope}",
      body: "The complaint rate of {scope} reached {rate} over the last {window} ({complaints} complaints in {sends} sends), above the {threshold} threshold. Check what was sent and to whom.",
      source: "reports",
    },
    bounce_rate_trend: {
      label: "Bounce rate trend",
      description: "An upward trend in bounce rates has been detected over the evaluation window.",
      severity: "warning",
      title: "Bounce rate rising on {scope}",
      body: "The bounce rate of {scope} rose from {previous} to {rate} over the last {window}.",
      source: "reports",
    },
    complaint_rate_trend: {
      label: "Complaint rate trend",
      description: "An upward trend in complaint rates has been detected over the evaluation window.",
      severity: "warning",
      title: "Complaint rate rising on {scope}",
      body: "The complaint rate of {scope} rose from {previous} to {rate} over the last {window}.",
      source: "reports",
    },
    blocklist_detection: {
      label: "Blocklist detection",
      description: "An IP address or domain associated with your sending has been found on a blocklist.",
      severity: "critical",
      title: "{target} is listed on {blocklist}",
      body: "{target} was found on the {blocklist} blocklist. Mail from it may be rejected or filed as spam until it is delisted.",
      source: "identities",
    },
    suppression_list_growth_spike: {
      label: "Suppression list growth spike",
      description: "Your SES suppression list is growing faster than normal, indicating a potential list quality issue.",
      severity: "warning",
      title: "Suppression list grew by {added} in {window}",
      body: "{added} addresses were added to the suppression list in the last {window}, against a usual {usual}. This points at a list quality problem.",
      source: "undeliverable",
    },
  }),
  ...types("ses_account_health", {
    sending_quota_approaching: {
      label: "Sending quota approaching",
      description: "Your account is using 85% or more of its 24-hour SES sending quota.",
      severity: "warning",
      title: "SES quota {percent} used",
      body: "{sent} of the {quota} messages SES allows in 24 hours in {region} are used. Request a higher quota before sending stops.",
      source: "aws-connection",
    },
    sending_quota_reached: {
      label: "Sending quota reached",
      description: "Your account has hit the SES sending quota. No further emails can be sent until the quota resets.",
      severity: "critical",
      title: "SES sending quota reached in {region}",
      body: "All {quota} messages SES allows in 24 hours in {region} are used. SES refuses further sends until the quota resets.",
      source: "aws-connection",
    },
    account_review_probation: {
      label: "Account review / probation",
      description: "AWS has placed your SES account under review or probation. Sending may still work, but you should address the underlying issue.",
      severity: "critical",
      title: "SES account {status} in {region}",
      body: "AWS placed the SES account under {status} in {region}. Address the bounce and complaint causes in Deliverability Reports before AWS pauses sending.",
      source: "aws-connection",
    },
    sandbox_status_change: {
      label: "Sandbox status change",
      description: "Your SES account's sandbox status has changed (e.g., moved to production access or back to sandbox).",
      severity: "warning",
      title: "SES {region}: {status}",
      body: "The SES account in {region} is now {status} (it was {previous}).",
      source: "aws-connection",
    },
    ses_config_sync_failure: {
      label: "SES config sync failure",
      description: "SendOps was unable to sync your SES configuration. This may indicate a permissions issue or API error.",
      severity: "error",
      title: "SES configuration sync failed",
      body: "SendOps could not read the SES configuration: {error}",
      source: "aws-connection",
    },
  }),
  ...types("template_lifecycle", {
    sync_completed: {
      label: "Sync completed",
      description: "A GitHub sync completed successfully and templates have been updated.",
      severity: "info",
      title: "Templates synced from {repository}",
      body: "{count} templates were updated from {repository}.",
      source: "templates",
    },
    sync_failed: {
      label: "Sync failed",
      description: "A sync from your connected GitHub repository failed. Error details are included.",
      severity: "error",
      title: "Template sync from {repository} failed",
      body: "The sync from {repository} failed: {error}",
      source: "templates",
    },
    pr_opened: {
      label: "PR opened",
      description: "A pull request has been opened for template changes.",
      severity: "info",
      title: "Template PR opened: {title}",
      body: "{author} opened pull request #{number} in {repository}.",
      source: "templates",
    },
    pr_approved: {
      label: "PR approved",
      description: "A template pull request has been approved.",
      severity: "info",
      title: "Template PR approved: {title}",
      body: "Pull request #{number} in {repository} was approved by {reviewer}.",
      source: "templates",
    },
    pr_merged: {
      label: "PR merged",
      description: "A template pull request has been merged.",
      severity: "info",
      title: "Template PR merged: {title}",
      body: "Pull request #{number} in {repository} was merged.",
      source: "templates",
    },
    validation_error: {
      label: "Validation error",
      description: "A template failed validation after sync. Check the template for syntax or variable errors.",
      severity: "error",
      title: "Template {template} failed validation",
      body: "{template} failed validation after the sync: {error}",
      source: "templates",
    },
    github_disconnected: {
      label: "GitHub disconnected",
      description: "The connection to your GitHub repository has been lost. Re-connect from Templates to resume syncing.",
      severity: "error",
      title: "GitHub disconnected",
      body: "The connection to {repository} was lost. Re-connect from Templates to resume syncing.",
      source: "templates",
    },
  }),
  ...types("channel_events", {
    channel_created: {
      label: "Channel created",
      description: "A new channel has been created.",
      severity: "info",
      title: "Channel {channel} created",
      body: "{actor} created the channel {channel} ({configurationSet}).",
      source: "channels",
    },
    channel_settings_changed: {
      label: "Channel settings changed",
      description: "A channel's configuration (engagement tracking, event destinations, etc.) has been updated.",
      severity: "info",
      title: "Channel {channel} settings changed",
      body: "{actor} changed {setting} on {channel}.",
      source: "channels",
    },
    channel_health_degraded: {
      label: "Channel health degraded",
      description: "A channel's health metrics have degraded below acceptable thresholds.",
      severity: "warning",
      title: "Channel {channel} health degraded",
      body: "{metric} on {channel} is {rate} over the last {window}, past the {threshold} warning level.",
      source: "channels",
    },
    channel_paused: {
      label: "Channel paused",
      description: "A channel has been automatically paused due to health issues.",
      severity: "critical",
      title: "Channel {channel} paused",
      body: "SendOps disabled sending on {channel} because its {metric} reached {rate} over {sends} sends, past the {threshold} critical level. Re-enable sending on the channel once the cause is fixed.",
      source: "channels",
    },
    domain_removed: {
      label: "Domain removed",
      description: "A domain has been removed from a channel.",
      severity: "info",
      title: "{identity} removed from {channel}",
      body: "{actor} removed {identity} from the channel {channel}.",
      source: "channels",
    },
    tracking_domain_verified: {
      label: "Tracking domain verified",
      description: "A custom tracking domain has been successfully verified.",
      severity: "info",
      title: "Tracking domain {domain} verified",
      body: "{domain} is verified and can carry open and click tracking.",
      source: "tracking-domains",
    },
    tracking_domain_failed: {
      label: "Tracking domain failed",
      description: "A tracking domain verification attempt has failed. Check your DNS records.",
      severity: "error",
      title: "Tracking domain {domain} failed verification",
      body: "{domain} could not be verified: {reason}. Check its DNS records.",
      source: "tracking-domains",
    },
    tracking_domain_drift: {
      label: "Tracking domain drift",
      description: "A previously verified tracking domain's DNS records are no longer valid.",
      severity: "error",
      title: "Tracking domain {domain} DNS changed",
      body: "{domain} was verified, but its DNS no longer matches: {reason}. Tracked links may break.",
      source: "tracking-domains",
    },
  }),
  ...types("reporting_digests", {
    daily_digest: {
      label: "Daily digest",
      description: "Your daily sending summary is available.",
      severity: "info",
      title: "Daily digest for {period}",
      body: "{sends} sent, {deliveryRate} delivered, {bounceRate} bounced, {complaintRate} complaints, {openRate} opened.",
      source: "reports",
    },
    weekly_digest: {
      label: "Weekly digest",
      description: "Your weekly deliverability and engagement report is available.",
      severity: "info",
      title: "Weekly digest for {period}",
      body: "{sends} sent, {deliveryRate} delivered, {bounceRate} bounced, {complaintRate} complaints, {openRate} opened, {clickRate} clicked.",
      source: "reports",
    },
    monthly_executive_summary: {
      label: "Monthly executive summary",
      description: "Your monthly executive report is available with full metrics for the period.",
      severity: "info",
      title: "Monthly executive summary for {period}",
      body: "{sends} sent ({sendsChange} on the previous month), {deliveryRate} delivered, {bounceRate} bounced, {complaintRate} complaints, {openRate} opened, {clickRate} clicked.",
      source: "reports",
    },
  }),
  ...types("system_infrastructure", {
    eventbridge_connection_issue: {
      label: "EventBridge connection issue",
      description: "The EventBridge connection to your AWS account has been lost. Events may not be reaching SendOps.",
      severity: "critical",
      title: "No SES events received for {silence}",
      body: "SendOps has received no events from {region} for {silence} while sends were expected. Check the EventBridge rule and API destination.",
      source: "ingest",
    },
    clickhouse_ingestion_lag: {
      label: "Event ingestion lag",
      description: "Event ingestion is lagging behind. Recent events may take longer to appear in reports.",
      severity: "warning",
      title: "Event ingestion is {lag} behind",
      body: "Events are reaching reports {lag} after SES published them. Recent figures are incomplete until ingestion catches up.",
      source: "ingest",
    },
    api_error_rate_spike: {
      label: "API error rate spike",
      description: "The SendOps API is experiencing an elevated error rate.",
      severity: "error",
      title: "API error rate {rate}",
      body: "{errors} of {requests} API requests in the last {window} failed with a server error.",
      source: "api-keys",
    },
    scheduled_maintenance: {
      label: "Scheduled maintenance",
      description: "A maintenance window has been scheduled.",
      severity: "info",
      title: "Maintenance scheduled {start}",
      body: "{message} ({start} to {end}).",
      source: "settings",
    },
    aws_template_drift: {
      label: "CloudFormation drift",
      description: "The CloudFormation stack has drifted from its expected configuration.",
      severity: "warning",
      title: "CloudFormation stack {stack} drifted",
      body: "{stack} no longer matches the template SendOps expects: {drift}. Update the stack from AWS Connection.",
      source: "aws-connection",
    },
    webhook_endpoint_disabled: {
      label: "Webhook endpoint disabled",
      description: "An outbound webhook endpoint failed 10 deliveries in a row and was disabled.",
      severity: "error",
      title: "Webhook endpoint disabled: {url}",
      body: "SendOps disabled the webhook endpoint {url} after 10 failed deliveries in a row ({reason}). Fix the receiver, then re-enable it under Connections → Webhooks.",
      source: "webhooks",
    },
    duplicate_event_rate: {
      label: "High duplicate event rate",
      description: "A higher than normal rate of duplicate events is being detected.",
      severity: "warning",
      title: "{rate} of events are duplicates",
      body: "{duplicates} of {events} events received in the last {window} were duplicates. Check for a second EventBridge rule sending the same events.",
      source: "ingest",
    },
  }),
  ...types("user_access", {
    user_invited: {
      label: "User invited",
      description: "A new team member has been invited to the workspace.",
      severity: "info",
      title: "{email} invited as {role}",
      body: "{actor} invited {email} to the workspace as {role}.",
      source: "team",
    },
    role_changed: {
      label: "Role changed",
      description: "A team member's role has been changed (e.g., from Marketer to Admin).",
      severity: "warning",
      title: "{member} is now {role}",
      body: "{actor} changed {member}'s role from {previous} to {role}.",
      source: "team",
    },
  }),
  ...types("billing", {
    payment_failed: {
      label: "Payment failed",
      description: "A payment attempt was unsuccessful. Update your payment method to avoid service interruption.",
      severity: "critical",
      title: "Payment of {amount} failed",
      body: "The payment of {amount} failed: {reason}. Update the payment method to avoid service interruption.",
      source: "settings",
    },
    payment_action_required: {
      label: "Payment action required",
      description: "A payment requires additional authentication (e.g., 3D Secure). Complete the action to process the payment.",
      severity: "error",
      title: "Payment of {amount} needs your action",
      body: "The payment of {amount} needs additional authentication. Complete it to process the payment.",
      source: "settings",
    },
    invoice_overdue: {
      label: "Invoice overdue",
      description: "An invoice is overdue. Update your payment method or contact support.",
      severity: "critical",
      title: "Invoice {invoice} is overdue",
      body: "Invoice {invoice} for {amount} was due {due}. Update the payment method or contact support.",
      source: "settings",
    },
    payment_method_expiring: {
      label: "Payment method expiring",
      description: "Your payment method is expiring soon. Update it to avoid failed payments.",
      severity: "warning",
      title: "Payment method expires {expires}",
      body: "The {brand} card ending {last4} expires {expires}. Update it to avoid failed payments.",
      source: "settings",
    },
    plan_limit_approaching: {
      label: "Plan limit approaching",
      description: "You are approaching the limits of your current plan (seats, templates, or event retention).",
      severity: "warning",
      title: "{limit} at {used} of {max}",
      body: "The workspace uses {used} of the {max} {limit} the {plan} plan includes.",
      source: "settings",
    },
  }),
};

export type NotificationType = keyof typeof NOTIFICATION_TYPES;
export const NOTIFICATION_TYPE_KEYS = Object.keys(NOTIFICATION_TYPES) as NotificationType[];

export type NotificationParams = Record<string, string | number>;

/** Fills `{name}` placeholders; a missing param stays visible as `{name}` rather than vanishing. */
export function renderNotificationText(template: string, params: NotificationParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export function renderNotification(type: NotificationType, params: NotificationParams): { title: string; body: string } {
  const facts = NOTIFICATION_TYPES[type];
  return { title: renderNotificationText(facts.title, params), body: renderNotificationText(facts.body, params) };
}

export function isNotificationType(key: string): key is NotificationType {
  return Object.hasOwn(NOTIFICATION_TYPES, key);
}

/** Types whose delivery to Owners and Org Admins cannot be turned off (configuring-notifications.md). */
export function isAlwaysDelivered(type: NotificationType): boolean {
  const facts = NOTIFICATION_TYPES[type];
  return (facts.category === "ses_account_health" && facts.severity === "critical") || facts.category === "billing";
}

/**
 * A raised notification as every delivery channel sees it (in-app, email, Slack, outbound webhooks).
 * The webhook payload (notifications__webhooks.md) is built from it.
 */
export interface OutboundNotification {
  id: string;
  orgId: string;
  type: NotificationType;
  severity: NotificationSeverity;
  /** Epoch ms. */
  createdAt: number;
  title: string;
  body: string;
  /** Workspace-relative dashboard path, e.g. `channels/ch_123`. */
  link: string;
  /** The type's structured details (the params it was rendered from, and more). */
  payload: Record<string, unknown>;
}
