import { useCallback, useEffect, useId, useRef, useState } from "react";
import { Link } from "@tanstack/react-router";
import { useAwsStatus, type AwsBadgeState, type AwsStatusView } from "../api/setup";
import { formatCount } from "../lib/format";
import { formatDateTime } from "../lib/time";
import { useDismiss } from "../lib/use-dismiss";
import { useTimeZone } from "../lib/use-timezone";
import { useWorkspace } from "../workspace";
import { regionLabel } from "./aws-connection";
import { ChevronDownIcon } from "./icons";
import { QueryError } from "./query-error";
import "./aws.css";

/** The documented labels (troubleshooting__connection-issues.md) and the dot's tone. */
const STATES: Record<AwsBadgeState, { label: string; tone: "neutral" | "busy" | "danger" | "warning" | "success" }> = {
  not_connected: { label: "Not Connected", tone: "neutral" },
  connecting: { label: "Connecting...", tone: "busy" },
  validating: { label: "Validating...", tone: "busy" },
  error: { label: "Connection Error", tone: "danger" },
  update_available: { label: "Update Available", tone: "warning" },
  sandbox: { label: "Sandbox", tone: "warning" },
  connected: { label: "AWS Connected", tone: "success" },
};

const unlimited = (n: number) => (n === -1 ? "Unlimited" : formatCount(n));

function Details({ status, onNavigate }: { status: AwsStatusView; onNavigate: () => void }) {
  const { workspace, can } = useWorkspace();
  const tz = useTimeZone();
  // Not connected yet, or the role failed: straight to the AWS Integration phase; otherwise where they left off.
  const phase = status.state === "not_connected" || status.state === "connecting" || status.state === "error" ? "aws" : undefined;
  return (
    <>
      <dl className="aws-status-kv">
        <dt>Region</dt>
        <dd>{status.region ? regionLabel(status.region) : "—"}</dd>
        <dt>Account ID</dt>
        <dd className="mono">{status.awsAccountId ?? "—"}</dd>
        <dt>Mode</dt>
        <dd>{status.mode === "sandbox" ? "Sandbox" : status.mode === "production" ? "Production" : "—"}</dd>
        <dt>Daily quota</dt>
        <dd>{status.quota ? unlimited(status.quota.max24HourSend) : "—"}</dd>
        <dt>Max send rate</dt>
        <dd>{status.quota ? `${unlimited(status.quota.maxSendRate)} / s` : "—"}</dd>
        <dt>Sent (24 h)</dt>
        <dd>{status.quota ? formatCount(status.quota.sentLast24Hours) : "—"}</dd>
        <dt>Last validated</dt>
        <dd>{status.lastValidatedAt ? formatDateTime(status.lastValidatedAt, tz) : "Never"}</dd>
      </dl>
      {status.state === "update_available" && status.stackUpdateUrl ? (
        <a className="btn btn-sm btn-primary btn-block" href={status.stackUpdateUrl} target="_blank" rel="noopener noreferrer">
          Update the stack<span className="sr-only"> (opens in a new tab)</span>
        </a>
      ) : (
        can("setup.view") && (
          <Link to="/w/$slug/setup" params={{ slug: workspace.slug }} search={{ phase }} className="btn btn-sm btn-block" onClick={onNavigate}>
            Open the Setup Guide
          </Link>
        )
      )}
    </>
  );
}

/**
 * The AWS status badge in the sidebar header: the connection's state at a glance; a click opens its
 * details (region, account, mode, quota, last validation) with the way to fix or finish it.
 */
export function AwsStatusBadge() {
  const { workspace } = useWorkspace();
  const status = useAwsStatus(workspace.id);
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const close = useCallback(() => setOpen(false), []);
  const panelId = useId();

  useDismiss(open, close, rootRef, buttonRef);
  useEffect(() => {
    if (open) panelRef.current?.focus();
  }, [open]);

  const state = status.data ? STATES[status.data.state] : null;
  return (
    <div className="aws-status" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="aws-status-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
        disabled={!status.data && !status.isError}
      >
        <span className={`aws-dot aws-dot-${state?.tone ?? "neutral"}`} aria-hidden="true" />
        <span className="aws-status-label">
          <span className="sr-only">AWS status: </span>
          {state?.label ?? (status.isError ? "Status unavailable" : "Checking AWS…")}
        </span>
        <ChevronDownIcon size={14} className="subtle" />
      </button>
      {open && (
        <div className="aws-status-panel" id={panelId} ref={panelRef} tabIndex={-1} role="group" aria-label="AWS connection details">
          {status.data ? (
            <Details status={status.data} onNavigate={() => setOpen(false)} />
          ) : (
            <QueryError query={status} inline title="Could not load the AWS status." />
          )}
        </div>
      )}
    </div>
  );
}
