import type { ReactNode } from "react";
import { AlertIcon, CheckIcon, InfoIcon, LockIcon } from "./icons";

type Variant = "info" | "success" | "warning" | "danger" | "locked";

const ICONS = { info: InfoIcon, success: CheckIcon, warning: AlertIcon, danger: AlertIcon, locked: LockIcon };

export function Alert({
  variant = "info",
  title,
  children,
  role,
}: {
  variant?: Variant;
  title?: string;
  children?: ReactNode;
  role?: "alert" | "status";
}) {
  const Icon = ICONS[variant];
  const cls = variant === "info" ? "alert" : variant === "locked" ? "alert alert-warning" : `alert alert-${variant}`;
  return (
    <div className={cls} role={role}>
      <Icon size={16} />
      <div>
        {title && <div className="alert-title">{title}</div>}
        {children}
      </div>
    </div>
  );
}
