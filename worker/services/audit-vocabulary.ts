/**
 * The words of the audit log (product docs: team__audit-log.md): each resource type and operation as
 * people read them. Pure, so the dashboard imports the labels from here too.
 *
 * Operations are past-tense verbs ("created", "rotated"). Some writers store the imperative ("create",
 * "rotate"); entries are append-only, so those rows stay as they are and every read reports the
 * past-tense form: the API, the filters and the dashboard see one operation per action.
 */

/** Stored imperative → the operation the API reports. */
const PAST_TENSE: Record<string, string> = {
  create: "created",
  update: "updated",
  delete: "deleted",
  revoke: "revoked",
  rotate: "rotated",
  allow: "allowed",
  relist: "relisted",
  relist_after_failure: "relisted_after_failure",
  replay: "replayed",
  connect: "connected",
  validate: "validated",
  validate_stack: "stack_validated",
  disconnect: "disconnected",
  sync: "synced",
  download_template: "template_downloaded",
  delegate: "delegated",
  send: "sent",
  check: "checked",
  verification_change: "verification_changed",
};

export const OPERATION_LABELS: Record<string, string> = {
  created: "Created",
  updated: "Updated",
  deleted: "Deleted",
  removed: "Removed",
  revoked: "Revoked",
  rotated: "Rotated",
  allowed: "Allowed",
  relisted: "Re-listed",
  relisted_after_failure: "Re-listed after a failure",
  replayed: "Replayed",
  connected: "Connected",
  validated: "Validated",
  stack_validated: "Stack validated",
  disconnected: "Disconnected",
  synced: "Synced",
  template_downloaded: "Template downloaded",
  delegated: "Delegated",
  sent: "Sent",
  checked: "Checked",
  verification_changed: "Verification changed",
  refreshed: "Refreshed",
  archived: "Archived",
  restored: "Restored",
  channel_assigned: "Channel assigned",
  renamed: "Renamed",
  made_default: "Made default",
  provisioned: "Provisioned",
  enabled: "Enabled",
  disabled: "Disabled",
  auto_disabled: "Disabled automatically",
  resent: "Resent",
  test_sent: "Test event sent",
  added: "Added",
  regenerated: "Regenerated",
  auto_paused: "Auto-paused",
  email_changed: "Email changed",
  closed: "Closed",
  accepted: "Accepted",
  declined: "Declined",
  expired: "Expired",
  initiated: "Initiated",
  cancelled: "Cancelled",
  applied: "Applied",
};

export const RESOURCE_LABELS: Record<string, string> = {
  workspace: "Workspace",
  settings: "Settings",
  team: "Team member",
  api_key: "API key",
  ingest_key: "Ingest key",
  identity: "Identity",
  channel: "Channel",
  aws_connection: "AWS connection",
  aws_account: "AWS account",
  test_send: "Test email",
  dead_letter: "Dead letter",
  suppressed_destination: "Suppressed address",
  undeliverable_address: "Undeliverable address",
  classification_rules: "Classification rules",
  tracking_domain: "Tracking domain",
  webhook_endpoint: "Webhook endpoint",
  mfa: "Multi-factor authentication",
  mfa_method: "MFA method",
  recovery_codes: "Recovery codes",
  two_factor_enforcement: "2FA enforcement",
  alert_thresholds: "Alert thresholds",
  user_account: "User account",
  invitation: "Invitation",
  ownership_transfer: "Ownership transfer",
  notification_preset: "Notification preset",
  notification_preferences: "Notification preferences",
  slack_integration: "Slack integration",
};

/** The operation as the API reports it. */
export const operationOf = (stored: string): string => PAST_TENSE[stored] ?? stored;

/** Every stored form of a reported operation (itself and the imperatives that read as it). */
export const storedFormsOf = (operation: string): string[] => [operation, ...Object.keys(PAST_TENSE).filter((k) => PAST_TENSE[k] === operation)];

/** A value no table names yet still reads as words: `some_thing` → "Some thing". */
const humanise = (v: string) => (v.charAt(0).toUpperCase() + v.slice(1)).replace(/[_-]/g, " ");

export const operationLabel = (operation: string): string => OPERATION_LABELS[operationOf(operation)] ?? humanise(operation);
export const resourceLabel = (resourceType: string): string => RESOURCE_LABELS[resourceType] ?? humanise(resourceType);
