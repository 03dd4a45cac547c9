import { useId, useState, type ReactNode } from "react";
import "./tooltip.css";

type Anchor = { top: number; left?: number; right?: number };

/**
 * Where a tooltip goes: just under its anchor, on the side of the anchor with more room. It is fixed to
 * the viewport, so table wrappers with overflow do not clip it.
 */
export function useTipAnchor() {
  const [anchor, setAnchor] = useState<Anchor | null>(null);
  const show = (e: { currentTarget: HTMLElement }) => {
    const r = e.currentTarget.getBoundingClientRect();
    const top = r.bottom + 6;
    setAnchor(r.left + r.width / 2 < window.innerWidth / 2 ? { top, left: r.left } : { top, right: window.innerWidth - r.right });
  };
  return { anchor, show, hide: () => setAnchor(null) };
}

export function TipBubble({ id, anchor, children }: { id: string; anchor: Anchor | null; children: ReactNode }) {
  return (
    <span className="tip-bubble" role="tooltip" id={id} hidden={anchor === null} style={anchor ?? undefined}>
      {children}
    </span>
  );
}

/** An "i" next to a label whose meaning needs a sentence: the sentence on hover, keyboard focus and tap. */
export function InfoTip({ about, children }: { about: string; children: ReactNode }) {
  const id = useId();
  const tip = useTipAnchor();
  return (
    <>
      <button
        type="button"
        className="info-tip"
        aria-label={`About ${about}`}
        aria-describedby={id}
        onMouseEnter={tip.show}
        onMouseLeave={tip.hide}
        onFocus={tip.show}
        onBlur={tip.hide}
      >
        i
      </button>
      <TipBubble id={id} anchor={tip.anchor}>
        {children}
      </TipBubble>
    </>
  );
}
