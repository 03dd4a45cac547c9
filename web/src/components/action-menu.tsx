import { createContext, useCallback, useContext, useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { useDismiss } from "../lib/use-dismiss";
import { MoreIcon } from "./icons";
import { TipBubble, useTipAnchor } from "./tooltip";
import "./action-menu.css";

type Place = { right: number } & ({ top: number } | { bottom: number });

const CloseMenu = createContext<() => void>(() => undefined);

/**
 * A row's less frequent actions behind a "⋯" button (the WAI-ARIA menu button): the arrow keys, Home and
 * End move between the items, Escape closes and gives focus back to the button. The menu is fixed to the
 * viewport, so a table scrolling inside its card does not clip it; it opens upwards when there is no room
 * below, and follows its button when something scrolls.
 */
export function ActionMenu({ label, children }: { label: string; children: ReactNode }) {
  const [place, setPlace] = useState<Place | null>(null);
  const open = place !== null;
  const root = useRef<HTMLSpanElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const menuId = useId();
  const close = useCallback(() => setPlace(null), []);
  useDismiss(open, close, root, button);

  const items = () => Array.from(menu.current?.querySelectorAll<HTMLElement>("[role='menuitem']") ?? []);
  /** Under the button, right-aligned with it; above it when there is no room below. */
  const placeFor = (height: number): Place => {
    const r = button.current!.getBoundingClientRect();
    const right = window.innerWidth - r.right;
    return r.bottom + 4 + height > window.innerHeight && r.top - 4 - height >= 0 ? { bottom: window.innerHeight - r.top + 4, right } : { top: r.bottom + 4, right };
  };
  const toggle = () => (open ? close() : setPlace(placeFor(0)));

  // Once rendered, its height says whether it fits below the button.
  useLayoutEffect(() => {
    if (!open || !menu.current) return;
    setPlace(placeFor(menu.current.getBoundingClientRect().height));
    items()[0]?.focus({ preventScroll: true });
  }, [open]);

  // The menu follows its button when the page or the table scrolls under it.
  useEffect(() => {
    if (!open) return;
    const follow = () => setPlace(placeFor(menu.current?.getBoundingClientRect().height ?? 0));
    window.addEventListener("scroll", follow, true);
    window.addEventListener("resize", follow);
    return () => {
      window.removeEventListener("scroll", follow, true);
      window.removeEventListener("resize", follow);
    };
  }, [open]);

  const onKeyDown = (e: KeyboardEvent) => {
    const all = items();
    const at = all.indexOf(document.activeElement as HTMLElement);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: all.length - 1 }[e.key];
    if (to === undefined) {
      if (e.key === "Tab") close();
      return;
    }
    e.preventDefault();
    all[(to + all.length) % all.length]?.focus();
  };

  return (
    <span className="action-menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="btn btn-sm btn-icon"
        aria-label={label}
        title={label}
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={toggle}
      >
        <MoreIcon size={16} />
      </button>
      {place && (
        <CloseMenu.Provider value={close}>
          <ul ref={menu} id={menuId} className="menu action-menu-list" role="menu" aria-label={label} style={{ top: "auto", bottom: "auto", ...place }} onKeyDown={onKeyDown}>
            {children}
          </ul>
        </CloseMenu.Provider>
      )}
    </span>
  );
}

/**
 * One item of an ActionMenu. With a `blocker` it stays focusable but does nothing (aria-disabled), and
 * shows the reason in a tooltip on hover and focus, as GuardedButton does; `disabled` is a passing state
 * the row shows itself (a request in flight).
 */
export function MenuAction({
  blocker,
  disabled,
  danger,
  title,
  onSelect,
  children,
}: {
  blocker: string | null;
  disabled?: boolean;
  danger?: boolean;
  /** What the item does, when it is available. */
  title?: string;
  onSelect: () => void;
  children: ReactNode;
}) {
  const close = useContext(CloseMenu);
  const tipId = useId();
  const tip = useTipAnchor();
  const blocked = blocker !== null;
  const tipHandlers = blocked ? { onMouseEnter: tip.show, onMouseLeave: tip.hide, onFocus: tip.show, onBlur: tip.hide } : {};
  return (
    <li role="none">
      <button
        type="button"
        role="menuitem"
        tabIndex={-1}
        className={danger ? "menu-item menu-item-danger" : "menu-item"}
        aria-disabled={blocked || disabled || undefined}
        aria-describedby={blocked ? tipId : undefined}
        title={blocked ? undefined : title}
        {...tipHandlers}
        onClick={() => {
          if (blocked || disabled) return;
          close();
          onSelect();
        }}
      >
        {children}
      </button>
      {blocked && (
        <TipBubble id={tipId} anchor={tip.anchor}>
          {blocker}
        </TipBubble>
      )}
    </li>
  );
}
