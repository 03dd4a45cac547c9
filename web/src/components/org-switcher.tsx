import { useCallback, useId, useRef, useState } from "react";
import { Link, useNavigate } from "@tanstack/react-router";
import { ROLE_LABELS } from "../../../worker/auth/permissions";
import type { MeWorkspace } from "../api/account";
import { errorMessage } from "../api/client";
import { useCreateWorkspace } from "../api/workspaces";
import { CheckIcon, ChevronsUpDownIcon, PlusIcon } from "./icons";
import { useDismiss } from "../lib/use-dismiss";
import { useToast } from "./toast";
import { WorkspaceMark } from "./workspace-mark";

/** Lists the user's workspaces; picking one opens it. Also creates a new workspace. */
export function OrgSwitcher({ current, workspaces }: { current: MeWorkspace; workspaces: MeWorkspace[] }) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const navigate = useNavigate();
  const notify = useToast();
  const create = useCreateWorkspace();

  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, close, rootRef, buttonRef);

  const createWorkspace = () =>
    create.mutate(
      {},
      {
        onSuccess: (ws) => {
          setOpen(false);
          void navigate({ to: "/w/$slug/setup", params: { slug: ws.slug } });
        },
        onError: (err) => notify(errorMessage(err), "error"),
      },
    );

  return (
    <div className="switcher" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="switcher-button"
        aria-expanded={open}
        aria-controls={panelId}
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
          <button type="button" className="menu-item" onClick={createWorkspace} disabled={create.isPending}>
            {create.isPending ? <span className="spinner" aria-hidden="true" /> : <PlusIcon />}
            <span className="menu-item-text">New workspace</span>
          </button>
        </div>
      )}
    </div>
  );
}
