import { useId, useState, type ReactNode } from "react";
import { Link } from "@tanstack/react-router";
import { can, ROLE_LABELS, ROLES } from "../../../../worker/auth/permissions";
import { Alert } from "../alert";
import { PageHeader } from "../page";
import type { WorkspaceScope } from "../../workspace";
import "./ingest.css";

const PAGES = [
  { to: "/w/$slug/ingest", label: "Webhook & keys" },
  { to: "/w/$slug/ingest/rejected", label: "Rejected payloads" },
  { to: "/w/$slug/ingest/dead-letters", label: "Dead letters" },
] as const;

const MANAGERS = new Intl.ListFormat("en", { type: "conjunction" }).format(
  ROLES.filter((r) => can(r, "aws.manage")).map((r) => `${ROLE_LABELS[r]}s`),
);

/**
 * Why the member cannot make ingest changes, or null when they can. The demo is not a reason here: its
 * buttons stay live so the API's own read-only answer is what the visitor sees.
 */
export const manageBlocker = ({ workspace, can: allowed }: WorkspaceScope, action: string): string | null =>
  allowed("aws.manage") ? null : `Only ${MANAGERS} can ${action}; your role is ${ROLE_LABELS[workspace.role]}.`;

/** The title, description and actions of one Ingest page, and the tabs between the three pages. */
export function IngestHeader({
  scope,
  title,
  description,
  actions,
}: {
  scope: WorkspaceScope;
  title: string;
  description: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <>
      <PageHeader title={title} description={description} actions={actions} />
      <nav className="tab-list ingest-tabs" aria-label="Ingest">
        {PAGES.map((p) => (
          <Link key={p.to} to={p.to} params={{ slug: scope.workspace.slug }} className="tab" activeOptions={{ exact: true }}>
            {p.label}
          </Link>
        ))}
      </nav>
      {scope.workspace.isDemo && (
        <Alert variant="locked" title="The demo workspace is read-only">
          Its sample data arrived through this webhook. Look around; switch to your workspace to rotate keys or replay messages.
        </Alert>
      )}
    </>
  );
}

/**
 * A button that may be unavailable: disabled, with the reason in a tooltip on hover and on keyboard
 * focus of the wrapper (which takes the focus the disabled button cannot). The tooltip is fixed to the
 * viewport so table wrappers with overflow do not clip it.
 */
export function GuardedButton({
  blocker,
  className,
  onClick,
  label,
  children,
}: {
  blocker: string | null;
  className: string;
  onClick: () => void;
  /** Accessible name when the visible text is not enough (e.g. "Replay" in a table row). */
  label?: string;
  children: ReactNode;
}) {
  const tipId = useId();
  const [tip, setTip] = useState<{ top: number; right: number } | null>(null);
  if (blocker === null)
    return (
      <button type="button" className={className} onClick={onClick} aria-label={label}>
        {children}
      </button>
    );
  const show = (e: { currentTarget: HTMLElement }) => {
    const r = e.currentTarget.getBoundingClientRect();
    setTip({ top: r.bottom + 6, right: window.innerWidth - r.right });
  };
  const hide = () => setTip(null);
  return (
    <span className="guarded" tabIndex={0} onMouseEnter={show} onMouseLeave={hide} onFocus={show} onBlur={hide}>
      <button type="button" className={className} disabled aria-label={label} aria-describedby={tipId}>
        {children}
      </button>
      <span className="guarded-tip" role="tooltip" id={tipId} hidden={tip === null} style={tip ?? undefined}>
        {blocker}
      </span>
    </span>
  );
}
