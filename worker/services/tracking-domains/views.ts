import type { TrackingCheckStatus } from "../../db/schema";
import type { TrackingDomainRow } from "../../db/tracking-domains";
import { cnameTarget, combinedStatus, trackingDnsRecords, VERIFY_NOW_COOLDOWN_MS, type TrackingDnsRecord, type TrackingProtocol } from "./rules";

export interface TrackingCheckView {
  status: TrackingCheckStatus;
  checkedAt: number | null;
  verifiedAt: number | null;
}

/** A tracking domain as the API answers it (list rows and the detail page alike). */
export interface TrackingDomainView {
  id: string;
  subdomain: string;
  protocol: TrackingProtocol;
  /** HTTPS: the CDN distribution the CNAME points at. */
  cdnDomain: string | null;
  region: string;
  cnameTarget: string;
  /** The subdomain SES rewrites tracking links to (its email identity). */
  sesTrackingEndpoint: string;
  /** Invalid or failed when either half is; verified when both are; else pending. */
  status: TrackingCheckStatus;
  cname: TrackingCheckView;
  identity: TrackingCheckView;
  lastError: string | null;
  nextCheckAt: number | null;
  /** Verify Now is refused (429) before this. */
  verifyAvailableAt: number | null;
  records: TrackingDnsRecord[];
  createdAt: number;
  createdBy: string | null;
}

export function trackingDomainView(r: TrackingDomainRow): TrackingDomainView {
  const target = cnameTarget(r.protocol, r.region, r.cdnDomain);
  return {
    id: r.id,
    subdomain: r.subdomain,
    protocol: r.protocol,
    cdnDomain: r.cdnDomain,
    region: r.region,
    cnameTarget: target,
    sesTrackingEndpoint: r.subdomain,
    status: combinedStatus({ cname: r.cnameStatus, identity: r.identityStatus }),
    cname: { status: r.cnameStatus, checkedAt: r.cnameCheckedAt, verifiedAt: r.cnameVerifiedAt },
    identity: { status: r.identityStatus, checkedAt: r.identityCheckedAt, verifiedAt: r.identityVerifiedAt },
    lastError: r.lastError,
    nextCheckAt: r.nextCheckAt,
    verifyAvailableAt: r.lastManualCheckAt === null ? null : r.lastManualCheckAt + VERIFY_NOW_COOLDOWN_MS,
    records: trackingDnsRecords(r.subdomain, target, r.dkimTokensJson ? (JSON.parse(r.dkimTokensJson) as string[]) : []),
    createdAt: r.createdAt,
    createdBy: r.createdByName,
  };
}
