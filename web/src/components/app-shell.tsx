import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Link, Outlet, useLocation, useParams, useRouter } from "@tanstack/react-router";
import { ROLE_LABELS } from "../../../worker/auth/permissions";
import { useMe } from "../api/account";
import { useSetupProgress } from "../api/setup";
import { useUnreadCount } from "../api/notifications";
import { rememberWorkspace } from "../lib/last-workspace";
import { useDismiss } from "../lib/use-dismiss";
import { canSee, NAV, NAV_SECTIONS, navItemFor, type NavItem } from "../nav";
import { scopeOf, WorkspaceContext, type WorkspaceScope } from "../workspace";
import { AwsStatusBadge } from "./aws-status-badge";
import { DemoBanner } from "./demo-banner";
import { AccessBanners } from "./access-banners";
import { LockIcon, LogOutIcon, MenuIcon } from "./icons";
import { OrgSwitcher } from "./org-switcher";
import { useSignOutAndLeave } from "./sign-out";
import { EmptyState, FullPageLoading } from "./states";
import { WorkspaceMark } from "./workspace-mark";
import { TwoFactorBanner, twoFactorBlocked, TwoFactorRequiredPage } from "./two-factor-gate";

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join("");

/**
 * The sidebar's live counters by kind: the Setup Guide's "2/4" until all four phases are done, the
 * Notifications' unread count while there is any. The
 * count is described to assistive technology, not part of the link's name.
 */
function useNavCounters(scope: WorkspaceScope | null): Partial<Record<NonNullable<NavItem["counter"]>, { text: string; description: string }>> {
  const progress = useSetupProgress(scope?.workspace.id ?? "", scope?.can("setup.view") ?? false).data;
  const unread = useUnreadCount(scope?.workspace.id ?? "", scope?.can("notifications.view") ?? false).data?.unread ?? 0;
  const counters: ReturnType<typeof useNavCounters> = {};
  if (progress && !progress.done) {
    const total = progress.phases.length;
    counters["setup-progress"] = { text: `${progress.completed}/${total}`, description: `${progress.completed} of ${total} phases done` };
  }
  if (unread > 0) counters["notifications-unread"] = { text: unread > 99 ? "99+" : String(unread), description: `${unread} unread` };
  return counters;
}

/**
 * On narrow screens (where styles.css shows the menu button) the sidebar is a drawer over the page. It
 * closes on navigation, on Escape and on a pointer down outside it; while it is open the page behind it
 * is inert, so focus and assistive technology stay in the drawer.
 */
function useNavDrawer(pathname: string) {
  const [open, setOpen] = useState(false);
  const drawerRef = useRef<HTMLElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, close, drawerRef, buttonRef);

  useEffect(() => close(), [pathname, close]);

  useEffect(() => {
    if (!open) return;
    drawerRef.current?.querySelector<HTMLElement>('.nav-link[aria-current="page"], .nav-link')?.focus();
    // Widening the window past the breakpoint turns the drawer back into the sidebar: nothing stays inert.
    const onResize = () => {
      if (buttonRef.current && getComputedStyle(buttonRef.current).display === "none") close();
    };
    window.addEventListener("resize", onResize);
    return () => window.removeEventListener("resize", onResize);
  }, [open, close]);

  return { open, toggle: () => setOpen((o) => !o), drawerRef, buttonRef };
}

/** The signed-in layout of a workspace: sidebar (switcher, nav, user), demo banner, page. */
export function AppShell() {
  const me = useMe();
  const { slug } = useParams({ strict: false });
  const router = useRouter();
  const { pathname } = useLocation();
  const signOut = useSignOutAndLeave();
  const found = me.workspaces.find((w) => w.slug === slug);
  // While a renamed or deleted slug is being re-resolved, the page keeps its workspace (no unmount).
  const lastFound = useRef(found);
  if (found) lastFound.current = found;
  const workspace = found ?? lastFound.current;
  const scope = useMemo(() => (workspace ? scopeOf(workspace) : null), [workspace]);

  useEffect(() => {
    if (found) rememberWorkspace(me.user.id, found.slug);
  }, [me.user.id, found]);

  // The slug left the user's list (renamed, deleted, left): let the route redirect or report it.
  useEffect(() => {
    if (!found) void router.invalidate();
  }, [found, router]);

  const counters = useNavCounters(scope);
  const drawer = useNavDrawer(pathname);

  if (!workspace || !scope) return <FullPageLoading />;

  const item = navItemFor(pathname);
  const allowed = !item || canSee(item, workspace.permissions);
  let page: ReactNode = <Outlet />;
  if (twoFactorBlocked(workspace) && item?.to !== "/w/$slug/profile") {
    page = <TwoFactorRequiredPage workspace={workspace} />;
  } else if (!allowed) {
    page = (
      <EmptyState icon={LockIcon} title="No access">
        Your role ({ROLE_LABELS[workspace.role]}) does not include {item.label}. Ask an Owner or Org Admin if you need it.
      </EmptyState>
    );
  }

  return (
    <WorkspaceContext.Provider value={scope}>
      <div className={`app${drawer.open ? " nav-open" : ""}`}>
        <header className="topbar">
          <button
            ref={drawer.buttonRef}
            type="button"
            className="btn btn-ghost menu-button"
            aria-label="Menu"
            aria-expanded={drawer.open}
            aria-controls="app-sidebar"
            onClick={drawer.toggle}
          >
            <MenuIcon size={20} />
          </button>
          <WorkspaceMark workspace={workspace} />
          <strong className="topbar-title">{workspace.name}</strong>
        </header>
        <aside className="sidebar" id="app-sidebar" ref={drawer.drawerRef}>
          <div className="sidebar-top">
            <OrgSwitcher current={workspace} workspaces={me.workspaces} />
            {scope.can("aws.view") && <AwsStatusBadge key={workspace.id} />}
          </div>
          <nav className="sidebar-nav" aria-label="Main">
            {NAV_SECTIONS.map((section) => {
              const items = NAV.filter((i) => i.section === section.id && canSee(i, workspace.permissions));
              if (!items.length) return null;
              return (
                <div className="nav-section" key={section.id}>
                  {section.heading && <div className="nav-heading">{section.heading}</div>}
                  <ul className="nav-list">
                    {items.map((i) => {
                      const Icon = i.icon;
                      const counter = i.counter && counters[i.counter];
                      const counterId = `nav-counter-${i.counter}`;
                      return (
                        <li key={i.to}>
                          <Link
                            to={i.to}
                            params={{ slug: workspace.slug }}
                            className="nav-link"
                            aria-current={item === i ? "page" : undefined}
                            aria-describedby={counter ? counterId : undefined}
                          >
                            <Icon />
                            {i.label}
                            {counter && (
                              <>
                                <span className="nav-counter" aria-hidden="true">
                                  {counter.text}
                                </span>
                                <span id={counterId} hidden>
                                  {counter.description}
                                </span>
                              </>
                            )}
                          </Link>
                        </li>
                      );
                    })}
                  </ul>
                </div>
              );
            })}
          </nav>
          <div className="sidebar-bottom row-between">
            <div className="user-chip">
              <span className="avatar" aria-hidden="true">
                {initials(me.user.name)}
              </span>
              <span className="user-chip-text">
                <strong>{me.user.name}</strong>
                <span>{me.user.email}</span>
              </span>
            </div>
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={signOut.run}
              disabled={signOut.pending}
              aria-label="Sign out"
              title="Sign out"
            >
              <LogOutIcon />
            </button>
          </div>
        </aside>
        {drawer.open && <div className="nav-backdrop" aria-hidden="true" />}
        <div className="main" inert={drawer.open}>
          {workspace.isDemo && <DemoBanner workspaces={me.workspaces} />}
          <TwoFactorBanner workspace={workspace} />
          <AccessBanners slug={workspace.slug} />
          <main className="content" key={workspace.id}>
            {page}
          </main>
        </div>
      </div>
    </WorkspaceContext.Provider>
  );
}
