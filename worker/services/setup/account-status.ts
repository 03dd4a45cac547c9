/** The SES account's status as SendOps stores and shows it (the badge, validation, the account sync). */
import type { SesAccount } from "../../aws/ses";
import type { SesAccountStatus } from "./views";

/** The account as SendOps shows it, from SES GetAccount. */
export function accountStatusOf(a: SesAccount): SesAccountStatus {
  return {
    mode: a.productionAccessEnabled ? "production" : "sandbox",
    sendingEnabled: a.sendingEnabled,
    enforcementStatus: a.enforcementStatus,
    reviewStatus: a.review?.status ?? null,
    quota: a.sendQuota,
  };
}

export function parseAccountStatus(json: string | null): SesAccountStatus | null {
  return json ? (JSON.parse(json) as SesAccountStatus) : null;
}
