import { useEffect, useId, useRef, useState } from "react";
import {
  describeRange,
  fromDateInput,
  RANGE_LABELS,
  RANGE_PRESETS,
  resolveRange,
  toDateInput,
  type RangeSpec,
  type WeekStart,
} from "../../routes/reports/range";
import { CalendarIcon, ChevronDownIcon } from "../icons";

/**
 * The date range control: presets resolved in the viewer's timezone and week start, or a custom
 * from–to pair of calendar days (both inclusive on screen; the API range ends at midnight after "to").
 */
export function DateRangePicker({
  value,
  onChange,
  timeZone,
  weekStart,
}: {
  value: RangeSpec;
  onChange: (next: RangeSpec) => void;
  timeZone: string;
  weekStart: WeekStart;
}) {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const dialogId = useId();
  const resolved = resolveRange(value, timeZone, weekStart);
  const [fromDay, setFromDay] = useState(() => toDateInput(resolved.from, timeZone));
  const [toDay, setToDay] = useState(() => toDateInput(resolved.to - 1, timeZone));
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) return;
    const r = resolveRange(value, timeZone, weekStart);
    setFromDay(toDateInput(r.from, timeZone));
    setToDay(toDateInput(r.to - 1, timeZone));
    setError(null);
    const onDown = (e: MouseEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open, value, timeZone, weekStart]);

  const pick = (next: RangeSpec) => {
    onChange(next);
    setOpen(false);
    buttonRef.current?.focus();
  };

  const applyCustom = () => {
    const from = fromDateInput(fromDay, timeZone);
    const to = fromDateInput(toDay, timeZone, 1);
    if (from === null || to === null) return setError("Enter both dates.");
    if (to <= from) return setError("The end date must be on or after the start date.");
    pick({ range: "custom", from, to });
  };

  const today = toDateInput(Date.now(), timeZone);

  return (
    <div className="range-picker" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="btn range-button"
        aria-haspopup="dialog"
        aria-expanded={open}
        aria-controls={open ? dialogId : undefined}
        onClick={() => setOpen((o) => !o)}
      >
        <CalendarIcon />
        <span className="range-button-label">{RANGE_LABELS[value.range]}</span>
        <span className="range-button-dates">{describeRange(resolved, timeZone)}</span>
        <ChevronDownIcon />
      </button>
      {open && (
        <div className="popover range-popover" role="dialog" aria-label="Date range" id={dialogId}>
          <div className="range-presets" role="group" aria-label="Presets">
            {RANGE_PRESETS.map((p) => (
              <button
                key={p}
                type="button"
                className={`range-preset${value.range === p ? " active" : ""}`}
                aria-pressed={value.range === p}
                onClick={() => pick({ range: p })}
              >
                <span>{RANGE_LABELS[p]}</span>
                <span className="range-preset-dates">{describeRange(resolveRange({ range: p }, timeZone, weekStart), timeZone)}</span>
              </button>
            ))}
          </div>
          <form
            className="range-custom"
            onSubmit={(e) => {
              e.preventDefault();
              applyCustom();
            }}
          >
            <div className="range-custom-title">Custom range</div>
            <div className="field">
              <label className="field-label" htmlFor={`${dialogId}-from`}>
                From
              </label>
              <input
                id={`${dialogId}-from`}
                className="input"
                type="date"
                value={fromDay}
                max={today}
                onChange={(e) => setFromDay(e.target.value)}
              />
            </div>
            <div className="field">
              <label className="field-label" htmlFor={`${dialogId}-to`}>
                To (inclusive)
              </label>
              <input id={`${dialogId}-to`} className="input" type="date" value={toDay} onChange={(e) => setToDay(e.target.value)} />
            </div>
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
            <p className="field-hint">Days run midnight to midnight in {timeZone.replace(/_/g, " ")}.</p>
            <button type="submit" className="btn btn-primary btn-sm">
              Apply
            </button>
          </form>
        </div>
      )}
    </div>
  );
}
