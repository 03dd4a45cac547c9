import type { OrgContext } from "../../context";
import { can } from "../../auth/permissions";

/**
 * Who reads a report: the org, and whether they may look people up by address (the Recipient Search
 * capability). Dashboard users get it from their role; a /v1 API key reads everything of its org.
 */
export interface ReportScope {
  orgId: string;
  recipientSearch: boolean;
}

export const scopeOfMember = (org: OrgContext): ReportScope => ({
  orgId: org.orgId,
  recipientSearch: can(org.role, "recipient_search.view"),
});

export const scopeOfApiKey = (orgId: string): ReportScope => ({ orgId, recipientSearch: true });
