import { useCallback, useId, useRef, useState } from "react";
import { Link } from "@tanstack/react-router";
import { ROLE_LABELS } from "../../../worker/auth/permissions";
import type { MeWorkspace } from "../api/account";
import { CreateWorkspaceDialog } from "./create-workspace-dialog";
import { CheckIcon, ChevronsUpDownIcon, PlusIcon } from "./icons";
import { useDismiss } from "../lib/use-dismiss";
import { WorkspaceMark } from "./workspace-mark";

/** Lists the user's workspaces (long names cut, whole in the tooltip); picking one opens it. Also creates a new workspace. */
export function OrgSwitcher({ current, workspaces }: { current: MeWorkspace; workspaces: MeWorkspace[] }) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const [creating, setCreating] = useState(false);

  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, close, rootRef, buttonRef);

  return (
    <div className="switcher" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="switcher-button"
        aria-expanded={open}
        aria-controls={panelId}
        title={current.name}
        onClick={() => setOpen((o) => !o)}
      >
        <WorkspaceMark workspace={current} />
        <span className="switcher-text">
          <strong>{current.name}</strong>
          <span>{ROLE_LABELS[current.role]}</span>
        </span>
        <span className="sr-only">Switch workspace</span>
        <ChevronsUpDownIcon className="subtle" />
      </button>
      {open && (
        <div className="menu" id={panelId}>
          <div className="menu-label">Workspaces</div>
          <ul className="nav-list" aria-label="Workspaces">
            {workspaces.map((ws) => (
              <li key={ws.id}>
                <Link
                  to="/w/$slug"
                  params={{ slug: ws.slug }}
                  className="menu-item"
                  aria-current={ws.id === current.id ? "true" : undefined}
                  title={ws.name}
                  onClick={() => setOpen(false)}
                >
                  <WorkspaceMark workspace={ws} />
                  <span className="menu-item-text">{ws.name}</span>
                  {ws.id === current.id && <CheckIcon className="subtle" />}
                </Link>
              </li>
            ))}
          </ul>
          <div className="menu-sep" />
          <button
            type="button"
            className="menu-item"
            onClick={() => {
              setOpen(false);
              setCreating(true);
            }}
          >
            <PlusIcon />
            <span className="menu-item-text">New workspace</span>
          </button>
        </div>
      )}
      <CreateWorkspaceDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}
