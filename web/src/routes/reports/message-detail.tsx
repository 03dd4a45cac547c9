import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useMessageDetail, type MessageDetail } from "../../api/reports";
import { ApiError } from "../../api/client";
import { ChevronRightIcon, XIcon } from "../../components/icons";
import { QueryError, queryFailure } from "../../components/query-error";
import { EmptyState, LoadingState } from "../../components/states";
import { EventBadge, StatusBadge } from "../../components/reports/status-badge";
import { formatDuration } from "../../lib/format";
import { formatDateTime } from "../../lib/time";

type Detail = Record<string, unknown>;
const obj = (v: unknown): Detail | undefined => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Detail) : undefined);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const list = (v: unknown): Detail[] => (Array.isArray(v) ? v.map(obj).filter((x): x is Detail => x !== undefined) : []);

/** The recipient's own entry of a bounce or delay (a multi-recipient event lists every address). */
const entryFor = (entries: Detail[], recipient: string) =>
  entries.find((e) => str(e.emailAddress)?.toLowerCase() === recipient) ?? entries[0];

/** The facts of one SES event worth reading at a glance; the raw JSON has everything else. */
function factsOf(type: string, detail: unknown, recipient: string): [string, string][] {
  const d = obj(detail) ?? {};
  const facts: [string, string | undefined][] = [];
  switch (type) {
    case "Delivery": {
      const x = obj(d.delivery) ?? {};
      facts.push(["SMTP response", str(x.smtpResponse)], ["Remote MTA", str(x.remoteMtaIp)]);
      if (typeof x.processingTimeMillis === "number") facts.push(["Processing time", formatDuration(x.processingTimeMillis)]);
      break;
    }
    case "Bounce": {
      const x = obj(d.bounce) ?? {};
      const r = entryFor(list(x.bouncedRecipients), recipient);
      facts.push(["Type", [str(x.bounceType), str(x.bounceSubType)].filter(Boolean).join(" · ") || undefined]);
      facts.push(["Status", str(r?.status)], ["Diagnostic", str(r?.diagnosticCode)], ["Reporting MTA", str(x.reportingMTA)]);
      break;
    }
    case "Complaint": {
      const x = obj(d.complaint) ?? {};
      facts.push(["Feedback type", str(x.complaintFeedbackType) ?? "not given"], ["Sub-type", str(x.complaintSubType)], ["Reported by", str(x.userAgent)]);
      break;
    }
    case "DeliveryDelay": {
      const x = obj(d.deliveryDelay) ?? {};
      const r = entryFor(list(x.delayedRecipients), recipient);
      facts.push(["Delay type", str(x.delayType)], ["Diagnostic", str(r?.diagnosticCode)], ["Gives up at", str(x.expirationTime)]);
      break;
    }
    case "Open": {
      const x = obj(d.open) ?? {};
      facts.push(["User agent", str(x.userAgent)], ["IP address", str(x.ipAddress)]);
      break;
    }
    case "Click": {
      const x = obj(d.click) ?? {};
      facts.push(["Link", str(x.link)], ["User agent", str(x.userAgent)]);
      break;
    }
    case "Reject":
      facts.push(["Reason", str(obj(d.reject)?.reason)]);
      break;
    case "Rendering Failure": {
      const x = obj(d.failure) ?? {};
      facts.push(["Template", str(x.templateName)], ["Error", str(x.errorMessage)]);
      break;
    }
    case "Subscription": {
      const x = obj(d.subscription) ?? {};
      facts.push(["Contact list", str(x.contactList)], ["Source", str(x.source)]);
      break;
    }
  }
  return facts.filter((f): f is [string, string] => f[1] !== undefined);
}

/**
 * The message detail panel (a modal side drawer on the native <dialog>, so focus is trapped and Escape
 * closes it). Its message id lives in the URL, so a link opens the page with the panel open.
 */
export function MessageDrawer({
  orgId,
  id,
  live,
  timeZone,
  onClose,
}: {
  orgId: string;
  id: string | undefined;
  live: boolean;
  timeZone: string;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const detail = useMessageDetail(orgId, id, live);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (id !== undefined && !dialog.open) dialog.showModal();
    if (id === undefined && dialog.open) dialog.close();
  }, [id]);

  let body: ReactNode = null;
  if (id !== undefined) {
    if (detail.isError && detail.error instanceof ApiError && detail.error.status === 404)
      body = <EmptyState title="Message not found">It may be outside your plan's retention window, or the link is incomplete.</EmptyState>;
    else if (detail.isError || queryFailure(detail)) body = <QueryError query={detail} title="Could not load the message" />;
    else if (detail.isPending) body = <LoadingState label="Loading the message…" />;
    else body = <DetailBody data={detail.data} timeZone={timeZone} titleId={titleId} />;
  }

  return (
    <dialog
      ref={ref}
      className="drawer"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      onClick={(e) => {
        // A click on the backdrop (the dialog element itself, outside the panel) closes it.
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="drawer-panel">
        <div className="drawer-top">
          <span className="page-eyebrow">Message</span>
          <button type="button" className="btn btn-ghost btn-sm" onClick={onClose} aria-label="Close message details">
            <XIcon />
          </button>
        </div>
        {id !== undefined && !detail.isSuccess && (
          <h2 id={titleId} className="sr-only">
            Message details
          </h2>
        )}
        {body}
      </div>
    </dialog>
  );
}

/** Label/value pairs, without those that have no value for this message. */
const facts = (pairs: [string, ReactNode | undefined][]) => pairs.filter((p): p is [string, ReactNode] => p[1] !== undefined);

/** A titled section of the drawer; the title names the region. */
function DrawerSection({ id, title, children }: { id: string; title: ReactNode; children: ReactNode }) {
  return (
    <section aria-labelledby={id}>
      <h3 id={id} className="drawer-section-title">
        {title}
      </h3>
      {children}
    </section>
  );
}

function FactList({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="facts">
      {items.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function DetailBody({ data, timeZone, titleId }: { data: MessageDetail; timeZone: string; titleId: string }) {
  const m = data.message;
  const time = (at: number | null) => (at === null ? undefined : formatDateTime(at, timeZone));
  const delivery = facts([
    ["Sent", time(m.sentAt)],
    ["Delivered", time(m.deliveredAt)],
    ["Latency", m.latencyMs !== null ? formatDuration(m.latencyMs) : undefined],
    ["Remote MTA", m.remoteMta ?? undefined],
    ["SMTP response", m.smtpResponse ? <code className="wrap-anywhere">{m.smtpResponse}</code> : undefined],
    ["Bounce", m.bounce ? `${m.bounce.type} · ${m.bounce.subType}` : undefined],
    ["Bounced", time(m.bouncedAt)],
    ["Complaint", m.complaint ? (m.complaint.feedbackType ?? "no feedback type") : undefined],
    ["Complained", time(m.complainedAt)],
    ["Rejected", time(m.rejectedAt)],
    ["Last diagnostic", m.lastDiagnostic && m.lastDiagnostic !== m.smtpResponse ? <code className="wrap-anywhere">{m.lastDiagnostic}</code> : undefined],
  ]);
  const about = facts([
    ["From", m.from ?? undefined],
    ["Channel", m.channel?.name],
    ["Template", m.template ?? undefined],
    ["Provider", m.provider],
    ["SES message id", <code className="wrap-anywhere">{m.sesMessageId}</code>],
  ]);

  return (
    <div className="drawer-body">
      <header className="drawer-header">
        <StatusBadge status={m.status} />
        <h2 id={titleId} className="wrap-anywhere">
          {m.recipient}
        </h2>
        <p className="muted">{m.subject ?? "(no subject)"}</p>
      </header>

      <DrawerSection id={`${titleId}-delivery`} title="Delivery">
        <FactList items={delivery} />
      </DrawerSection>

      <DrawerSection
        id={`${titleId}-timeline`}
        title={
          <>
            Timeline <span className="subtle">({data.events.length} {data.events.length === 1 ? "event" : "events"})</span>
          </>
        }
      >
        <ol className="timeline">
          {data.events.map((e) => (
            <TimelineItem key={e.id} event={e} first={data.events[0]!.at} recipient={m.recipient} timeZone={timeZone} />
          ))}
        </ol>
      </DrawerSection>

      <DrawerSection id={`${titleId}-about`} title="Message">
        <FactList items={about} />
      </DrawerSection>

      <DrawerSection id={`${titleId}-headers`} title="Headers">
        {m.headers.length ? (
          <div className="table-wrap headers-table">
            <table className="table">
              <caption className="sr-only">Message headers</caption>
              <tbody>
                {m.headers.map((h, i) => (
                  <tr key={`${h.name}-${i}`}>
                    <th scope="row" className="mono">
                      {h.name}
                    </th>
                    <td className="mono wrap-anywhere">{h.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">SES did not include the headers (the configuration set publishes events without original headers).</p>
        )}
      </DrawerSection>
    </div>
  );
}

function TimelineItem({
  event,
  first,
  recipient,
  timeZone,
}: {
  event: MessageDetail["events"][number];
  first: number;
  recipient: string;
  timeZone: string;
}) {
  const [raw, setRaw] = useState(false);
  const rawId = useId();
  const facts = factsOf(event.type, event.detail, recipient);
  const offset = event.at - first;
  return (
    <li className={`timeline-item tl-${event.type.replace(/\s+/g, "").toLowerCase()}`}>
      <span className="timeline-dot" aria-hidden="true" />
      <div className="timeline-head">
        <EventBadge type={event.type} />
        <time dateTime={new Date(event.at).toISOString()}>{formatDateTime(event.at, timeZone)}</time>
        {offset > 0 && <span className="subtle">+{formatDuration(offset)}</span>}
      </div>
      {facts.length > 0 && (
        <dl className="timeline-facts">
          {facts.map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className="wrap-anywhere">{v}</dd>
            </div>
          ))}
        </dl>
      )}
      <button type="button" className="btn btn-ghost btn-sm expand-btn" aria-expanded={raw} aria-controls={rawId} onClick={() => setRaw((r) => !r)}>
        <ChevronRightIcon />
        Raw SES JSON
      </button>
      {raw && (
        <pre id={rawId} className="raw-json" tabIndex={0} aria-label={`Raw SES JSON of the ${event.type} event`}>
          {JSON.stringify(event.detail, null, 2)}
        </pre>
      )}
    </li>
  );
}
