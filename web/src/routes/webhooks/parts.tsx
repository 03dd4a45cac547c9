import type { WebhookEndpoint } from "../../api/webhooks";
import {
  NOTIFICATION_CATEGORIES,
  NOTIFICATION_CATEGORY_KEYS,
  NOTIFICATION_TYPE_KEYS,
  NOTIFICATION_TYPES,
  type NotificationCategory,
  type NotificationType,
} from "../../../../worker/lib/notification-types";
import { Alert } from "../../components/alert";
import { ChevronRightIcon } from "../../components/icons";
import { CopyButton } from "../../components/ingest/copy-button";
import { Modal } from "../../components/modal";
import { formatRelative } from "../../lib/time";

export interface Subscriptions {
  types: NotificationType[];
  categories: NotificationCategory[];
}

const typesOf = (category: NotificationCategory) => NOTIFICATION_TYPE_KEYS.filter((t) => NOTIFICATION_TYPES[t].category === category);

/**
 * The type/category picker: one expandable group per category, with a whole-category checkbox (which also
 * covers types added to the category later) and a checkbox per type.
 */
export function SubscriptionPicker({ value, onChange, error }: { value: Subscriptions; onChange: (v: Subscriptions) => void; error?: string }) {
  const toggleCategory = (c: NotificationCategory, on: boolean) =>
    onChange({
      categories: on ? [...value.categories, c] : value.categories.filter((x) => x !== c),
      // A whole category replaces its individual types.
      types: value.types.filter((t) => NOTIFICATION_TYPES[t].category !== c),
    });
  const toggleType = (t: NotificationType, on: boolean) => onChange({ ...value, types: on ? [...value.types, t] : value.types.filter((x) => x !== t) });
  return (
    <fieldset className="subscription-picker" aria-describedby={error ? "subscription-error" : undefined}>
      <legend>Notification types</legend>
      {NOTIFICATION_CATEGORY_KEYS.map((c) => {
        const whole = value.categories.includes(c);
        const types = typesOf(c);
        const picked = types.filter((t) => value.types.includes(t)).length;
        return (
          <details key={c} className="subscription-group">
            <summary>
              <ChevronRightIcon size={14} />
              <span className="subscription-group-label">{NOTIFICATION_CATEGORIES[c].label}</span>
              <span className="muted">{whole ? "all" : `${picked}/${types.length}`}</span>
            </summary>
            <label className="checkbox subscription-whole">
              <input type="checkbox" checked={whole} onChange={(e) => toggleCategory(c, e.target.checked)} />
              <span>
                All {NOTIFICATION_CATEGORIES[c].label} notifications <span className="muted">(including types added later)</span>
              </span>
            </label>
            <div className="subscription-types">
              {types.map((t) => (
                <label key={t} className="checkbox">
                  <input type="checkbox" checked={whole || value.types.includes(t)} disabled={whole} onChange={(e) => toggleType(t, e.target.checked)} />
                  <span>
                    {NOTIFICATION_TYPES[t].label}
                    <span className="mono subscription-key">{t}</span>
                  </span>
                </label>
              ))}
            </div>
          </details>
        );
      })}
      {error && (
        <p className="field-error" id="subscription-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}

export function subscriptionSummary(e: Pick<WebhookEndpoint, "types" | "categories">): string {
  const parts = [
    ...e.categories.map((c) => `All ${NOTIFICATION_CATEGORIES[c].label}`),
    ...(e.types.length ? [e.types.length === 1 ? NOTIFICATION_TYPES[e.types[0]!].label : `${e.types.length} types`] : []),
  ];
  return parts.join(", ");
}

export function EndpointStatusBadge({ status }: { status: WebhookEndpoint["status"] }) {
  if (status === "enabled") return <span className="badge badge-success">Enabled</span>;
  if (status === "auto_disabled") return <span className="badge badge-danger">Auto-disabled</span>;
  return <span className="badge">Disabled</span>;
}

export function DeliveryStateBadge({ state }: { state: "pending" | "succeeded" | "failed" }) {
  if (state === "succeeded") return <span className="badge badge-success">Delivered</span>;
  if (state === "failed") return <span className="badge badge-danger">Failed</span>;
  return <span className="badge badge-warning">Retrying</span>;
}

export function LastDelivery({ last }: { last: WebhookEndpoint["lastDelivery"] }) {
  if (!last) return <span className="muted">No deliveries yet</span>;
  return (
    <span className="row last-delivery">
      <DeliveryStateBadge state={last.state} />
      <span className="muted">
        {last.statusCode ?? last.error ?? ""} · {formatRelative(last.at)}
      </span>
    </span>
  );
}

/** The signing secret, shown once (after creation or rotation), with Copy. */
export function SecretDialog({ secret, rotated, onClose }: { secret: string | null; rotated: boolean; onClose: () => void }) {
  return (
    <Modal
      open={secret !== null}
      title={rotated ? "New signing secret" : "Endpoint created"}
      onClose={onClose}
      onSubmit={onClose}
      footer={
        <button type="submit" className="btn btn-primary">
          Done
        </button>
      }
    >
      <div className="stack-sm">
        <Alert variant="warning" title="Copy the signing secret now">
          This is the only time it is shown. Store it in your receiver's secrets; if you lose it, rotate the secret.
          {rotated && " The previous secret keeps signing (as the second signature) for 24 hours."}
        </Alert>
        <div className="input-group">
          <input
            className="input mono"
            readOnly
            value={secret ?? ""}
            aria-label="Signing secret"
            onFocus={(e) => e.currentTarget.select()}
          />
          <CopyButton text={secret ?? ""} what="signing secret" />
        </div>
        <p className="muted">
          Verify each request: <code>v1=</code> + hex HMAC-SHA256 of <code>timestamp + "." + raw body</code>, compared with
          every value of <code>X-SendOps-Signature</code>. See the webhooks guide in the docs.
        </p>
      </div>
    </Modal>
  );
}
