import { useEffect, useId, useRef, type FormEvent, type ReactNode } from "react";
import { FormError, SubmitButton } from "./form";

/**
 * A modal on the native <dialog> element: focus is trapped and restored by the browser, Escape closes
 * it. The body is a form so Enter submits.
 */
export function Modal({
  open,
  title,
  onClose,
  onSubmit,
  children,
  footer,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  onSubmit: () => void;
  children: ReactNode;
  footer: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };

  return (
    <dialog
      ref={ref}
      className="modal"
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <form onSubmit={submit}>
          <div className="modal-header">
            <h2 id={titleId}>{title}</h2>
          </div>
          <div className="modal-body">{children}</div>
          <div className="modal-footer">{footer}</div>
        </form>
      )}
    </dialog>
  );
}

/** A form modal's footer: Cancel, and the submit button (SubmitButton: a spinner while `pending`). */
export function ModalFooter({
  onCancel,
  submitLabel,
  pending,
  disabled,
  danger = false,
}: {
  onCancel: () => void;
  submitLabel: string;
  pending: boolean;
  /** The form is incomplete. */
  disabled?: boolean;
  danger?: boolean;
}) {
  return (
    <>
      <button type="button" className="btn" onClick={onCancel}>
        Cancel
      </button>
      <SubmitButton pending={pending} disabled={disabled} variant={danger ? "danger" : "primary"}>
        {submitLabel}
      </SubmitButton>
    </>
  );
}

/** Asks before a destructive action: Cancel, or the danger button that submits; a failure shows below the text. */
export function ConfirmModal({
  open,
  title,
  confirmLabel,
  pending,
  error,
  onClose,
  onConfirm,
  children,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  pending: boolean;
  error: unknown;
  onClose: () => void;
  onConfirm: () => void;
  children: ReactNode;
}) {
  return (
    <Modal
      open={open}
      title={title}
      onClose={onClose}
      onSubmit={onConfirm}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={pending}>
            {confirmLabel}
          </button>
        </>
      }
    >
      {children}
      <FormError error={error} />
    </Modal>
  );
}
