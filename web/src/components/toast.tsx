import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from "react";
import { AlertIcon, CheckIcon } from "./icons";

interface Toast {
  id: number;
  message: string;
  kind: "success" | "error";
}

type Notify = (message: string, kind?: Toast["kind"]) => void;

const ToastContext = createContext<Notify>(() => {});

/** Short confirmations ("Saved") announced politely to screen readers. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);

  const notify = useCallback<Notify>((message, kind = "success") => {
    const id = next.current++;
    setToasts((t) => [...t, { id, message, kind }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 4000);
  }, []);

  const value = useMemo(() => notify, [notify]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toasts" role="status" aria-live="polite">
        {toasts.map((t) => (
          <div key={t.id} className={`toast${t.kind === "error" ? " toast-error" : ""}`}>
            {t.kind === "error" ? <AlertIcon /> : <CheckIcon />}
            {t.message}
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export const useToast = () => useContext(ToastContext);
