import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";
import { AlertIcon } from "./icons";
import { Alert } from "./alert";
import { ApiError } from "../api/client";

/** Form building blocks: every control has a visible label, a hint and an error wired with aria. */

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string;
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

export function Field({ label, hint, error, children }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children({ id, describedBy, invalid: Boolean(error) })}
      {error && (
        <span className="field-error" id={errorId}>
          <AlertIcon size={13} />
          {error}
        </span>
      )}
      {hint && (
        <span className="field-hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

type TextFieldProps = Omit<InputHTMLAttributes<HTMLInputElement>, "onChange" | "value"> & {
  label: string;
  hint?: ReactNode;
  error?: string;
  value: string;
  onValueChange: (value: string) => void;
  /** Text shown before the input, e.g. a URL prefix. */
  prefix?: string;
};

export function TextField({ label, hint, error, value, onValueChange, prefix, ...rest }: TextFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => {
        const input = (
          <input
            {...rest}
            id={id}
            className="input"
            value={value}
            onChange={(e) => onValueChange(e.target.value)}
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
          />
        );
        return prefix ? (
          <div className="input-group">
            <span className="input-addon" aria-hidden="true">
              {prefix}
            </span>
            {input}
          </div>
        ) : (
          input
        );
      }}
    </Field>
  );
}

type SelectFieldProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, "onChange" | "value"> & {
  label: string;
  hint?: ReactNode;
  error?: string;
  value: string;
  onValueChange: (value: string) => void;
  options: readonly { value: string; label: string }[];
};

export function SelectField({ label, hint, error, value, onValueChange, options, ...rest }: SelectFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {({ id, describedBy, invalid }) => (
        <select
          {...rest}
          id={id}
          className="select"
          value={value}
          onChange={(e) => onValueChange(e.target.value)}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
        >
          {options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
}

export function SubmitButton({
  pending,
  children,
  variant = "primary",
  disabled,
  block,
}: {
  pending: boolean;
  children: ReactNode;
  variant?: "primary" | "danger";
  disabled?: boolean;
  block?: boolean;
}) {
  return (
    <button
      type="submit"
      className={`btn btn-${variant}${block ? " btn-block" : ""}`}
      disabled={pending || disabled}
      aria-busy={pending || undefined}
    >
      {pending && <span className="spinner" aria-hidden="true" />}
      {children}
    </button>
  );
}

/** The message of a failed submit, unless every problem is already shown next to a field. */
export function FormError({ error, fieldNames = [] }: { error: unknown; fieldNames?: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const shown = Object.keys(error.fieldErrors);
    if (shown.length > 0 && shown.every((f) => fieldNames.includes(f))) return null;
  }
  return (
    <Alert variant="danger" role="alert">
      {error instanceof Error ? error.message : "Something went wrong."}
    </Alert>
  );
}

/** Field error from a failed API call, falling back to a client-side message. */
export function fieldError(error: unknown, field: string, local?: string): string | undefined {
  if (local) return local;
  return error instanceof ApiError ? error.fieldErrors[field] : undefined;
}
