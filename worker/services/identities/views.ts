/**
 * What the Identities page, the Setup Guide and /v1 show of an identity (docs/identities.md). Pure, so
 * the dashboard imports the types and the derived labels from here.
 */
import type { ChannelRow, IdentityRow } from "../../db/ingest";
import type { VerificationStatus } from "../../db/schema";
import { NEW_AFTER_DISCOVERY } from "../setup/discovery";
import { parseDnsCheck, type DnsCheck } from "./dns-check";
import { domainOf } from "./names";
import { recommendedRecords, type DnsRecordView } from "./records";


/** The Status column: SES's five values in the three the docs name. */
export type IdentityStatus = "pending" | "verified" | "failed";
/** Domains only: healthy = DKIM verified, critical = DKIM failed, pending otherwise. */
export type IdentityHealth = "healthy" | "critical" | "pending";
/**
 * The lifecycle badge: `new` (found by a sync in the last 7 days), `detached` (gone from SES; its events
 * still count until archived), `archived` (hidden; its events no longer count), or none.
 */
export type IdentityMarker = "new" | "detached" | "archived" | null;

export interface IdentityChannelView {
  id: string;
  name: string;
  configurationSetName: string;
}

export interface IdentityView {
  id: string;
  identity: string;
  kind: "domain" | "email";
  /** The domain itself, or an address's domain. */
  domain: string;
  origin: "sendops" | "ses";
  status: IdentityStatus;
  verificationStatus: VerificationStatus;
  /** SES DKIM status (domains; null before SES reported it). Email addresses have none of their own. */
  dkimStatus: VerificationStatus | null;
  health: IdentityHealth | null;
  marker: IdentityMarker;
  /** Managed: its events are ingested. Disconnected identities are left alone in SES but not managed. */
  managed: boolean;
  detachedAt: number | null;
  archivedAt: number | null;
  disconnectedAt: number | null;
  /** The configuration set SES applies to its mail, and the channel that set belongs to (null: none, or not a channel). */
  configurationSetName: string | null;
  channel: IdentityChannelView | null;
  /** Domains: the records to publish (three DKIM CNAMEs, SPF, DMARC). */
  records: DnsRecordView[];
  dnsCheck: DnsCheck | null;
  sendingEnabled: boolean | null;
  createdAt: number;
  lastSyncedAt: number | null;
}

export interface IdentitiesView {
  domains: IdentityView[];
  emails: IdentityView[];
  /** The channels an identity can be assigned to (not archived, not detached), by name. */
  channels: (IdentityChannelView & { isDefault: boolean })[];
  /** How many archived identities the "Show archived" toggle would add. */
  archivedCount: number;
  /** Whether SES can be called (adding, refreshing, deleting and assigning need a validated AWS connection). */
  awsConnected: boolean;
  /** The connected SES region (identities are per region). */
  region: string | null;
}

export function identityStatus(row: Pick<IdentityRow, "kind" | "verificationStatus" | "dkimStatus">): IdentityStatus {
  const dkim = row.kind === "domain" ? row.dkimStatus : null;
  if (row.verificationStatus === "FAILED" || dkim === "FAILED") return "failed";
  // A domain counts as verified only once its DKIM reached Success (troubleshooting__domain-verification.md).
  if (row.verificationStatus === "SUCCESS" && (dkim === null || dkim === "SUCCESS")) return "verified";
  return "pending";
}

export function identityHealth(row: Pick<IdentityRow, "kind" | "dkimStatus" | "verificationStatus">): IdentityHealth | null {
  if (row.kind !== "domain") return null;
  const dkim = row.dkimStatus ?? row.verificationStatus;
  return dkim === "SUCCESS" ? "healthy" : dkim === "FAILED" ? "critical" : "pending";
}

export function identityMarker(row: Pick<IdentityRow, "origin" | "createdAt" | "detachedAt" | "archivedAt">, at: number): IdentityMarker {
  if (row.archivedAt !== null) return "archived";
  if (row.detachedAt !== null) return "detached";
  return row.origin === "ses" && row.createdAt >= at - NEW_AFTER_DISCOVERY ? "new" : null;
}

export const dkimTokensOf = (row: Pick<IdentityRow, "dkimTokensJson">): string[] => {
  try {
    const tokens: unknown = JSON.parse(row.dkimTokensJson ?? "[]");
    return Array.isArray(tokens) ? tokens.map(String) : [];
  } catch {
    return [];
  }
};

const channelView = (c: ChannelRow): IdentityChannelView => ({ id: c.id, name: c.name, configurationSetName: c.configurationSetName });

export function identityView(row: IdentityRow, channels: readonly ChannelRow[], at: number): IdentityView {
  const dnsCheck = row.kind === "domain" ? parseDnsCheck(row.dnsCheckJson) : null;
  const channel = row.configurationSetName ? channels.find((c) => c.configurationSetName === row.configurationSetName) : undefined;
  return {
    id: row.id,
    identity: row.identity,
    kind: row.kind,
    domain: row.kind === "domain" ? row.identity : domainOf(row.identity),
    origin: row.origin,
    status: identityStatus(row),
    verificationStatus: row.verificationStatus,
    dkimStatus: row.kind === "domain" ? row.dkimStatus : null,
    health: identityHealth(row),
    marker: identityMarker(row, at),
    managed: row.disconnectedAt === null && row.archivedAt === null,
    detachedAt: row.detachedAt,
    archivedAt: row.archivedAt,
    disconnectedAt: row.disconnectedAt,
    configurationSetName: row.configurationSetName,
    channel: channel ? channelView(channel) : null,
    records: row.kind === "domain" ? recommendedRecords(row.identity, dkimTokensOf(row), dnsCheck?.spf.records ?? []) : [],
    dnsCheck,
    sendingEnabled: row.sendingEnabled,
    createdAt: row.createdAt,
    lastSyncedAt: row.lastSyncedAt,
  };
}

/** The channels an identity may be assigned to. */
export const assignableChannels = (channels: readonly ChannelRow[]) =>
  channels
    .filter((c) => c.archivedAt === null && c.detachedAt === null)
    .map((c) => ({ ...channelView(c), isDefault: c.isDefault }))
    .sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
