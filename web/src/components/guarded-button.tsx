import { useId, type ReactNode } from "react";
import { TipBubble, useTipAnchor } from "./tooltip";
import "./guarded-button.css";

/**
 * A button that may be unavailable: disabled, with the reason (a blocker from lib/blocker.ts, or a
 * passing state such as "A sync is running.") in a tooltip on hover and on keyboard focus of the
 * wrapper, which takes the focus the disabled button cannot.
 */
export function GuardedButton({
  blocker,
  className,
  onClick,
  type = "button",
  disabled,
  label,
  title,
  children,
}: {
  blocker: string | null;
  className: string;
  onClick?: () => void;
  /** "submit" for a form's own button (the form's onSubmit acts). */
  type?: "button" | "submit";
  /** Unavailable for a reason the button shows itself (nothing changed yet, a request in flight). */
  disabled?: boolean;
  /** Accessible name when the visible text is not enough (e.g. "Replay" in a table row). */
  label?: string;
  /** What the button does, when it is available. */
  title?: string;
  children: ReactNode;
}) {
  if (blocker === null)
    return (
      <button type={type} className={className} onClick={onClick} disabled={disabled} aria-label={label} title={title}>
        {children}
      </button>
    );
  return (
    <Guarded blocker={blocker}>
      {(tipId) => (
        <button type={type} className={className} disabled aria-label={label} aria-describedby={tipId}>
          {children}
        </button>
      )}
    </Guarded>
  );
}

/**
 * The blocker's tooltip around any disabled control (a select, a switch): the control gets the tooltip's
 * id for its aria-describedby, and must render itself disabled.
 */
export function Guarded({ blocker, children }: { blocker: string; children: (tipId: string) => ReactNode }) {
  const tipId = useId();
  const tip = useTipAnchor();
  return (
    <span className="guarded" tabIndex={0} onMouseEnter={tip.show} onMouseLeave={tip.hide} onFocus={tip.show} onBlur={tip.hide}>
      {children(tipId)}
      <TipBubble id={tipId} anchor={tip.anchor}>
        {blocker}
      </TipBubble>
    </span>
  );
}
