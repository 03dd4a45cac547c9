import { useId, type KeyboardEvent, type ReactNode } from "react";

/**
 * A tab list with its panel (ARIA tabs: ←/→/Home/End move between tabs, only the selected one is in the
 * tab order). The caller owns which tab is selected.
 */
export function Tabs<T extends string>({
  label,
  tabs,
  value,
  onChange,
  children,
  small,
}: {
  label: string;
  tabs: readonly { id: T; label: ReactNode }[];
  value: T;
  onChange: (id: T) => void;
  /** The selected tab's panel. */
  children: ReactNode;
  small?: boolean;
}) {
  const id = useId();
  const tabId = (t: T) => `${id}-tab-${t}`;
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    const i = tabs.findIndex((t) => t.id === value);
    const next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : e.key === "Home" ? 0 : e.key === "End" ? tabs.length - 1 : null;
    if (next === null) return;
    e.preventDefault();
    const t = tabs[(next + tabs.length) % tabs.length]!.id;
    onChange(t);
    document.getElementById(tabId(t))?.focus();
  };
  return (
    <div className={`tabs${small ? " tabs-sm" : ""}`}>
      <div className="tab-list" role="tablist" aria-label={label}>
        {tabs.map((t) => (
          <button
            key={t.id}
            id={tabId(t.id)}
            type="button"
            role="tab"
            className="tab"
            aria-selected={t.id === value}
            aria-controls={`${id}-panel`}
            tabIndex={t.id === value ? 0 : -1}
            onClick={() => onChange(t.id)}
            onKeyDown={onKeyDown}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div className="tab-panel" id={`${id}-panel`} role="tabpanel" aria-labelledby={tabId(value)}>
        {children}
      </div>
    </div>
  );
}
