import { useId, useMemo, useRef, useState, type KeyboardEvent } from "react";
import { AWS_REGIONS, type AwsRegion } from "../../../worker/aws/regions";
import { ChevronDownIcon } from "./icons";

const matches = (query: string) => {
  const q = query.trim().toLowerCase();
  return q ? AWS_REGIONS.filter((r) => r.code.includes(q) || r.name.toLowerCase().includes(q)) : AWS_REGIONS;
};

/**
 * The searchable AWS region dropdown (ARIA combobox with a listbox popup): type a name or code to
 * filter, ↑/↓ to move, Enter to pick, Escape to close. The input shows the chosen region when closed.
 */
export function RegionPicker({
  value,
  onChange,
  label = "AWS Region",
  hint,
  disabled,
}: {
  value: AwsRegion;
  onChange: (region: AwsRegion) => void;
  label?: string;
  hint?: string;
  disabled?: boolean;
}) {
  const id = useId();
  const listId = `${id}-list`;
  const hintId = `${id}-hint`;
  const inputRef = useRef<HTMLInputElement>(null);
  const [open, setOpen] = useState(false);
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const options = useMemo(() => matches(query), [query]);
  const selected = AWS_REGIONS.find((r) => r.code === value);
  const shown = open ? query : selected ? `${selected.name} — ${selected.code}` : value;

  const openList = () => {
    setQuery("");
    setActive(Math.max(0, AWS_REGIONS.findIndex((r) => r.code === value)));
    setOpen(true);
  };
  const pick = (code: AwsRegion) => {
    onChange(code);
    setOpen(false);
  };
  const move = (to: number) => {
    const next = Math.min(Math.max(to, 0), options.length - 1);
    setActive(next);
    document.getElementById(`${id}-opt-${next}`)?.scrollIntoView({ block: "nearest" });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (!open) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp" || (e.key === "Enter" && !e.nativeEvent.isComposing)) {
        e.preventDefault();
        openList();
      }
      return;
    }
    if (e.key === "ArrowDown") move(active + 1);
    else if (e.key === "ArrowUp") move(active - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(options.length - 1);
    else if (e.key === "Enter") {
      const option = options[active];
      if (option) pick(option.code);
    } else if (e.key === "Escape") setOpen(false);
    else return;
    e.preventDefault();
  };

  return (
    <div className="field combobox">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      <div className="combobox-control">
        <input
          ref={inputRef}
          id={id}
          className="input"
          role="combobox"
          aria-expanded={open}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={open && options[active] ? `${id}-opt-${active}` : undefined}
          aria-describedby={hint ? hintId : undefined}
          autoComplete="off"
          spellCheck={false}
          placeholder="Search regions"
          value={shown}
          disabled={disabled}
          onFocus={(e) => e.currentTarget.select()}
          onClick={() => !open && openList()}
          onChange={(e) => {
            if (!open) setOpen(true);
            setQuery(e.target.value);
            setActive(0);
          }}
          onBlur={() => setOpen(false)}
          onKeyDown={onKeyDown}
        />
        <ChevronDownIcon className="combobox-chevron" />
        <ul className="combobox-list" id={listId} role="listbox" aria-label={label} hidden={!open}>
          {options.map((r, i) => (
            <li
              key={r.code}
              id={`${id}-opt-${i}`}
              role="option"
              aria-selected={r.code === value}
              className={`combobox-option${i === active ? " is-active" : ""}`}
              // mousedown, not click: picking must happen before the input's blur closes the list.
              onMouseDown={(e) => {
                e.preventDefault();
                pick(r.code);
              }}
              onMouseMove={() => setActive(i)}
            >
              <span>{r.name}</span>
              <code>{r.code}</code>
            </li>
          ))}
          {!options.length && <li className="combobox-empty">No region matches “{query}”.</li>}
        </ul>
      </div>
      {hint && (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}
