/** Message status and event type badges, coloured by what they mean for delivery. */

const STATUS: Record<string, { label: string; cls: string }> = {
  sent: { label: "Sent", cls: "" },
  delayed: { label: "Delayed", cls: "badge-warning" },
  delivered: { label: "Delivered", cls: "badge-success" },
  rendering_failed: { label: "Rendering failed", cls: "badge-danger" },
  rejected: { label: "Rejected", cls: "badge-danger" },
  bounced: { label: "Bounced", cls: "badge-danger" },
  complained: { label: "Complained", cls: "badge-warning" },
};

export const MESSAGE_STATUS_OPTIONS = Object.entries(STATUS).map(([value, s]) => ({ value, label: s.label }));

export function StatusBadge({ status }: { status: string }) {
  const s = STATUS[status] ?? { label: status, cls: "" };
  return (
    <span className={`badge status-badge ${s.cls}`}>
      <span className="status-dot" aria-hidden="true" />
      {s.label}
    </span>
  );
}

/** SES event types, in the order of a message's life (the Event Log filter lists them in this order). */
export const EVENT_TYPES = [
  { type: "Send", label: "Send", cls: "badge-primary" },
  { type: "Delivery", label: "Delivery", cls: "badge-success" },
  { type: "Open", label: "Open", cls: "badge-info" },
  { type: "Click", label: "Click", cls: "badge-info" },
  { type: "Bounce", label: "Bounce", cls: "badge-danger" },
  { type: "Complaint", label: "Complaint", cls: "badge-warning" },
  { type: "Reject", label: "Reject", cls: "badge-danger" },
  { type: "DeliveryDelay", label: "Delivery delay", cls: "badge-warning" },
  { type: "Rendering Failure", label: "Rendering failure", cls: "badge-danger" },
  { type: "Subscription", label: "Subscription", cls: "" },
] as const;

const EVENT = new Map<string, { label: string; cls: string }>(EVENT_TYPES.map((e) => [e.type, e]));

export const eventLabel = (type: string) => EVENT.get(type)?.label ?? type;

export function EventBadge({ type }: { type: string }) {
  const e = EVENT.get(type) ?? { label: type, cls: "" };
  return <span className={`badge event-badge ${e.cls}`}>{e.label}</span>;
}
