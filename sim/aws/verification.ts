/**
 * Identity verification as SES does it, for identities made by CreateEmailIdentity.
 *
 * A domain (while a DNS resolver is configured) is verified by its three Easy DKIM CNAMEs
 * `{token}._domainkey.<domain>` → `{token}.dkim.amazonses.com`, looked up through the DNS-over-HTTPS
 * resolver (sim/dns) each time the identity is read: PENDING until all three resolve, then SUCCESS;
 * FAILED when they have not appeared 72 hours after creation. A verified domain whose records disappear
 * reads TEMPORARY_FAILURE, SUCCESS again if they come back, FAILED after 72 more hours. SES stops looking
 * at a FAILED identity: delete it and create it again (new tokens).
 *
 * An email address gets SES's verification mail (in the account's outbox, /__sim/outbox) whose link
 * (`/__sim/verify-email?token=…` on the stand-in) verifies it; unclicked for 24 hours it is FAILED.
 */
import { randomBytes } from "node:crypto";
import { AWS_REGIONS } from "../../worker/aws/regions";
import type { Runtime } from "./runtime";
import { sesMessageId } from "./mail";
import { EMAIL_LINK_VALID_MS, identityStatus, type Identity, type RegionState, type SentMail } from "./state";

const RCODE_NXDOMAIN = 3;
const TYPE_CNAME = 5;
const LOOKUP_TIMEOUT_MS = 3_000;
const VERIFICATION_FROM = "no-reply-aws@amazon.com";
export const VERIFY_EMAIL_PATH = "/__sim/verify-email";

export const dkimRecordName = (token: string, domain: string) => `${token}._domainkey.${domain}`;
export const dkimRecordTarget = (token: string) => `${token}.dkim.amazonses.com`;

/** Puts a new identity on its verification path: DNS for a domain (when a resolver is configured), the mailed link for an address. */
export function startVerification(rt: Runtime, state: RegionState, identity: Identity, endpoint: string): void {
  const now = rt.now();
  if (identity.type === "EMAIL_ADDRESS") {
    identity.verifiedBy = "link";
    identity.verificationToken = randomBytes(24).toString("hex");
    state.sent.push(verificationMail(state, identity, `${endpoint}${VERIFY_EMAIL_PATH}?token=${identity.verificationToken}`, now));
  } else if (rt.dnsResolverUrl) {
    identity.verifiedBy = "dns";
    identity.dkim = { status: "PENDING", since: now, lastCheckedAt: null, lastSuccessAt: null, errorType: null };
  }
}

/** VerificationInfo.ErrorType of one DKIM record, or null when it points where SES wants it. */
async function recordError(resolverUrl: string, domain: string, token: string): Promise<string | null> {
  const url = new URL(resolverUrl);
  url.searchParams.set("name", dkimRecordName(token, domain));
  url.searchParams.set("type", "CNAME");
  try {
    const res = await fetch(url, { headers: { accept: "application/dns-json" }, signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) });
    if (!res.ok) return "DNS_SERVER_ERROR";
    const body = (await res.json()) as { Status: number; Answer?: { type: number; data: string }[] };
    if (body.Status === RCODE_NXDOMAIN) return "HOST_NOT_FOUND";
    if (body.Status !== 0) return "DNS_SERVER_ERROR";
    const target = (body.Answer ?? []).find((a) => a.type === TYPE_CNAME)?.data.toLowerCase().replace(/\.$/, "");
    if (target === undefined) return "TYPE_NOT_FOUND";
    return target === dkimRecordTarget(token) ? null : "INVALID_VALUE";
  } catch {
    return "DNS_SERVER_ERROR";
  }
}

async function checkDomain(rt: Runtime, identity: Identity): Promise<void> {
  const now = rt.now();
  if (identityStatus(identity, now) === "FAILED") return;
  const errors = await Promise.all(identity.dkimTokens.map((token) => recordError(rt.dnsResolverUrl!, identity.name, token)));
  const errorType = errors.includes("DNS_SERVER_ERROR") ? "DNS_SERVER_ERROR" : (errors.find((e) => e !== null) ?? null);
  const dkim = identity.dkim!;
  dkim.lastCheckedAt = now;
  dkim.errorType = errorType;
  if (errorType === null) {
    if (dkim.status !== "SUCCESS") Object.assign(dkim, { status: "SUCCESS", since: now });
    dkim.lastSuccessAt = now;
  } else if (errorType !== "DNS_SERVER_ERROR" && dkim.status === "SUCCESS") {
    // A resolver that cannot answer says nothing about the records; records that are gone do.
    Object.assign(dkim, { status: "TEMPORARY_FAILURE", since: now });
  }
}

/** Looks up the DKIM records of the DNS-verified domains among `identities` (the ones a read is about to show). */
export async function checkDkim(rt: Runtime, identities: Iterable<Identity>): Promise<void> {
  await Promise.all([...identities].filter((i) => i.verifiedBy === "dns").map((i) => checkDomain(rt, i)));
}

/** GetEmailIdentity's VerificationInfo. */
export function verificationInfo(i: Identity, now: number) {
  const status = identityStatus(i, now);
  const seconds = (ms: number | null) => (ms === null ? undefined : ms / 1000);
  if (i.verifiedBy === "dns") {
    const d = i.dkim!;
    return { LastCheckedTimestamp: seconds(d.lastCheckedAt), LastSuccessTimestamp: seconds(d.lastSuccessAt), ErrorType: status === "SUCCESS" ? undefined : (d.errorType ?? undefined) };
  }
  if (i.verifiedBy === "link") return { LastCheckedTimestamp: seconds(i.verifiedAt ?? i.createdAt), LastSuccessTimestamp: seconds(i.verifiedAt) };
  return { LastCheckedTimestamp: Math.min(now, Math.max(i.createdAt, i.pendingUntil)) / 1000, LastSuccessTimestamp: status === "SUCCESS" ? i.pendingUntil / 1000 : undefined };
}

function verificationMail(state: RegionState, identity: Identity, link: string, now: number): SentMail {
  const region = AWS_REGIONS.find((r) => r.code === state.region)?.name ?? state.region;
  const text = `Dear Amazon Web Services Customer,

We have received a request to authorize this email address for use with Amazon SES in region ${region}. If you requested this verification, please go to the following URL to confirm that you are authorized to use this email address:

${link}

Your request will not be processed unless you confirm the address using this URL. This link expires 24 hours after your original verification request.

If you did NOT request to verify this email address, do not click on the link.

Sincerely,

The Amazon Web Services Team.`;
  return {
    messageId: sesMessageId(now),
    account: state.account,
    region: state.region,
    from: VERIFICATION_FROM,
    to: [identity.name],
    cc: [],
    bcc: [],
    subject: `Amazon Web Services – Email Address Verification Request in region ${region}`,
    text,
    html: null,
    configurationSet: null,
    sentAt: now,
    // AWS's own mail: no quota.
    counted: 0,
  };
}

/** Following the verification mail's link: the address whose token it is becomes verified, unless 24 hours have passed. */
export function followVerificationLink(rt: Runtime, token: string): { status: number; identity: string | null; message: string } {
  const now = rt.now();
  const identity = token ? rt.world.all().flatMap((s) => [...s.identities.values()]).find((i) => i.verifiedBy === "link" && i.verificationToken === token) : undefined;
  if (!identity) return { status: 404, identity: null, message: "This verification link is not valid. Ask for a new verification email." };
  if (identity.verifiedAt === null && now - identity.createdAt >= EMAIL_LINK_VALID_MS) {
    return { status: 410, identity: identity.name, message: "This verification link has expired: it was valid for 24 hours. Ask for a new verification email." };
  }
  identity.verifiedAt ??= now;
  return { status: 200, identity: identity.name, message: `Congratulations! You have successfully verified ${identity.name}. You can now start sending email from this address.` };
}
