/**
 * Infrastructure rows for a workspace without an AWS connection, written to the instance's local D1 (as
 * reports-seed.ts writes its identity and channels): the states that stretch the Identities, Channels and
 * Tracking Domains pages — long names, a pending domain whose DNS check found an error and a warning, a
 * disconnected address, the default channel with a failed push, an HTTPS tracking domain half verified.
 * The DNS check is the Worker's own, run against records published in sim/dns.
 */
import { wranglerDb } from "../../scripts/lib/d1";
import { channels, identities, trackingDomains } from "../../worker/db/schema";
import { configurationSetNameFor, PURPOSE_PRESETS } from "../../worker/lib/channels";
import { newId } from "../../worker/lib/ids";
import { checkDomainDns } from "../../worker/services/identities/dns-checks";

const MINUTE = 60_000;
const token = (seed: string, i: number) => `${seed}${i}`.padEnd(32, "x").slice(0, 32);

async function putDns(dnsUrl: string, name: string, type: string, values: string[]) {
  const res = await fetch(`${dnsUrl}/__sim/dns/records`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ name, type, values }) });
  if (!res.ok) throw new Error(`sim/dns PUT ${name} → ${res.status} ${await res.text()}`);
}

export interface SeededInfrastructure {
  channelId: string;
  trackingDomainId: string;
  domain: string;
}

export async function seedInfrastructure(persistDir: string, dnsUrl: string, orgId: string, now = Date.now()): Promise<SeededInfrastructure> {
  const run = now.toString(36);
  const domain = `notifications-${run}.subsidiary.example-enterprise.co.uk`;
  const tokens = [0, 1, 2].map((i) => token(`v${run}`, i));
  // Two SPF records (an error), DMARC p=none (a warning), one DKIM CNAME right, one wrong, one missing.
  await putDns(dnsUrl, domain, "TXT", ["v=spf1 include:_spf.google.com ~all", "v=spf1 include:amazonses.com ~all"]);
  await putDns(dnsUrl, `_dmarc.${domain}`, "TXT", ["v=DMARC1; p=none; rua=mailto:dmarc-reports@example-enterprise.co.uk"]);
  await putDns(dnsUrl, `${tokens[0]}._domainkey.${domain}`, "CNAME", [`${tokens[0]}.dkim.amazonses.com`]);
  await putDns(dnsUrl, `${tokens[1]}._domainkey.${domain}`, "CNAME", [`${tokens[1]}.dkim.example-dns-host.net`]);
  const check = await checkDomainDns({ DNS_RESOLVER_URL: `${dnsUrl}/dns-query` }, domain, tokens, "PENDING", now - 5 * MINUTE);

  const name = "Password Resets & Receipts";
  const channel = {
    id: newId("chn", now),
    orgId,
    name,
    configurationSetName: configurationSetNameFor(name),
    createdAt: now - 60 * MINUTE,
    purpose: "transactional" as const,
    isDefault: true,
    settingsJson: JSON.stringify(PURPOSE_PRESETS.transactional),
    syncStatus: "error" as const,
    syncErrorCode: "TooManyRequestsException",
    syncError: "Rate exceeded: SES throttled PutConfigurationSetSuppressionOptions for the configuration set sesmail-password-resets-receipts. Retry Sync pushes every setting again.",
    syncErrorAt: now - 10 * MINUTE,
    updatedAt: now - 10 * MINUTE,
  };
  const trackingDomain = {
    id: newId("trk", now),
    orgId,
    subdomain: `links-${run}.notifications.example-enterprise.co.uk`,
    protocol: "https" as const,
    cdnDomain: "d1a2b3c4d5e6f7g8h9.cloudfront.net",
    region: "eu-west-1",
    cnameStatus: "verified" as const,
    cnameCheckedAt: now - 2 * MINUTE,
    cnameVerifiedAt: now - 30 * MINUTE,
    identityStatus: "pending" as const,
    identityCheckedAt: now - 2 * MINUTE,
    dkimTokensJson: JSON.stringify([0, 1, 2].map((i) => token(`t${run}`, i))),
    lastError: `SES has not found the DKIM records of links-${run}.notifications.example-enterprise.co.uk yet: publish the three CNAME records below.`,
    nextCheckAt: now + 8 * MINUTE,
    createdAt: now - 60 * MINUTE,
    createdByName: "e2e seed",
    updatedAt: now - 2 * MINUTE,
  };
  const db = wranglerDb({ persistDir });
  await db.batch([
    db.insert(channels).values(channel),
    db.insert(trackingDomains).values(trackingDomain),
    db.insert(identities).values({
      id: newId("idn", now),
      orgId,
      identity: domain,
      kind: "domain",
      verificationStatus: "PENDING",
      createdAt: now - 60 * MINUTE,
      configurationSetName: channel.configurationSetName,
      dkimStatus: "PENDING",
      dkimTokensJson: JSON.stringify(tokens),
      dnsCheckJson: JSON.stringify(check),
      dnsCheckedAt: check.checkedAt,
    }),
    db.insert(identities).values({
      id: newId("idn", now + 1),
      orgId,
      identity: "firstname.middlename.lastname@subsidiary.example-enterprise.co.uk",
      kind: "email",
      verificationStatus: "SUCCESS",
      createdAt: now - 60 * MINUTE,
      disconnectedAt: now - 20 * MINUTE,
    }),
  ]);
  return { channelId: channel.id, trackingDomainId: trackingDomain.id, domain };
}
