/**
 * The stored result of a domain's DNS check (`identities.dns_check_json`), defined once: the service
 * writes it through this schema and the dashboard reads the same type. Pure (zod only), so the web
 * imports it.
 */
import { z } from "zod";

/** `pending`: nothing to judge yet (e.g. DKIM records not added while SES still waits for them). */
export const DNS_CHECK_STATUSES = ["ok", "warning", "error", "pending"] as const;
export type DnsCheckStatus = z.infer<typeof dnsCheckStatusSchema>;
const dnsCheckStatusSchema = z.enum(DNS_CHECK_STATUSES);

/** One finding: its status, what was found or is wrong, and how to fix it (null when nothing is to do). */
const findingSchema = z.object({
  status: dnsCheckStatusSchema,
  message: z.string(),
  fix: z.string().nullable(),
});

export const dkimRecordCheckSchema = findingSchema.extend({
  name: z.string(),
  expected: z.string(),
  /** What the name resolved to as a CNAME (null: no CNAME there). */
  found: z.string().nullable(),
});
export type DkimRecordCheck = z.infer<typeof dkimRecordCheckSchema>;

export const dnsCheckSchema = z.object({
  checkedAt: z.number().int(),
  spf: findingSchema.extend({
    /** Every `v=spf1` TXT record at the domain (more than one is an SPF permerror). */
    records: z.array(z.string()),
  }),
  dmarc: findingSchema.extend({
    /** The DMARC record that applies (the domain's own, else its organizational domain's). */
    record: z.string().nullable(),
    /** Where it was found, e.g. `_dmarc.example.com`. */
    recordName: z.string().nullable(),
    /** The policy that applies to this domain (`sp=` when inherited from the parent, else `p=`). */
    policy: z.enum(["none", "quarantine", "reject"]).nullable(),
  }),
  dkim: findingSchema.extend({ records: z.array(dkimRecordCheckSchema) }),
});
export type DnsCheck = z.infer<typeof dnsCheckSchema>;

/** The stored JSON, or null when absent or unreadable (a shape from an older version is re-checked, not trusted). */
export function parseDnsCheck(json: string | null): DnsCheck | null {
  if (!json) return null;
  try {
    const parsed = dnsCheckSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
