import type { NotificationSeverity } from "../../../../worker/lib/notification-types";

export const SEVERITY_LABELS: Record<NotificationSeverity, string> = { info: "Info", warning: "Warning", error: "Error", critical: "Critical" };
