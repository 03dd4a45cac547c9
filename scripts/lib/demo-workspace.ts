/**
 * The demo workspace's setup in D1 (scripts/lib/demo-world.ts): its channels (the four default channels
 * with their presets, synced, and one discovered in its SES account), its identities with their SES
 * status, DKIM tokens, channel and DNS check, and its tracking domain. Idempotent and converging: each run adds what is missing and brings what
 * differs (an older demo's) to the world's values, with an audit entry per change by the seeder; a run
 * with nothing to change writes nothing. A seed applies it when its state file does not name the current
 * DEMO_SETUP_VERSION (scripts/lib/demo-seed.ts), so an existing demo is upgraded by the next `npm start`
 * or `npm run admin -- seed-demo`, and a resumed seed does no database work for it otherwise.
 */
import { createHash } from "node:crypto";
import type { Actor } from "../../worker/context";
import type { Db } from "../../worker/db/client";
import { auditInsert } from "../../worker/db/audit";
import { claimDefaultChannelsProvisioning, clearDefaultChannelQuery, findChannelBySet } from "../../worker/db/channels";
import { findIdentityByName } from "../../worker/db/identities";
import { insertChannelQuery, insertIdentityQuery, updateChannelQuery, updateIdentityQuery, type ChannelRow, type IdentityRow } from "../../worker/db/ingest";
import { findTrackingDomainBySubdomain, insertTrackingDomainQuery } from "../../worker/db/tracking-domains";
import { newId } from "../../worker/lib/ids";
import { ensureDemoWorkspace } from "../../worker/services/demo";
import { demoNotifications, raiseDemoNotifications } from "./demo-notifications";
import type { DnsCheck } from "../../worker/services/identities/dns-check";
import { checkDomainDns } from "../../worker/services/identities/dns-checks";
import { DnsRecords, resolve, type RecordType } from "../../sim/dns";
import {
  channelOfIdentity,
  DEMO_CHANNELS,
  DEMO_DISCOVERED_CHANNEL,
  DEMO_DNS_ZONE,
  DEMO_IDENTITIES,
  DEMO_REGION,
  DEMO_TRACKING_DOMAIN,
  RETIRED_CHANNELS,
  type DemoChannel,
  type DemoIdentity,
} from "./demo-world";
import { DEMO_DELIVERIES, DEMO_WEBHOOK, setUpDemoWebhook } from "./demo-webhooks";

/** Changes whenever the world's setup does (a digest of it): an older demo is then set up again. */
export const DEMO_SETUP_VERSION = createHash("sha256")
  .update(JSON.stringify([RETIRED_CHANNELS, DEMO_CHANNELS, DEMO_DISCOVERED_CHANNEL, DEMO_IDENTITIES, DEMO_TRACKING_DOMAIN, DEMO_DNS_ZONE, DEMO_WEBHOOK, DEMO_DELIVERIES, demoNotifications(0)]))
  .digest("hex")
  .slice(0, 16);

/** The audit log of the demo workspace names this actor for its setup. */
export const SEEDER_ACTOR: Actor = { userId: null, name: "Demo data seeder", email: "" };

/**
 * DNS-over-HTTPS answers from the demo's zone, by the DNS stand-in's own resolution (CNAMEs followed,
 * TXT quoted): what the stand-in answers once `npm start` published the zone, without a resolver.
 */
function demoZoneFetcher(): typeof fetch {
  const records = new DnsRecords();
  for (const r of DEMO_DNS_ZONE) records.put(r.name, r.type, r.values);
  return async (input) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const answer = resolve(records, url.searchParams.get("name") ?? "", (url.searchParams.get("type") ?? "A") as RecordType);
    return Response.json(answer, { headers: { "content-type": "application/dns-json" } });
  };
}

/** The resolver URL is only the request's shape here: the fetcher answers every look-up itself. */
const ZONE_ENV = { DNS_RESOLVER_URL: "https://demo-zone.invalid/dns-query" };

/** The DNS check the identities service would store for a demo domain, over the demo's zone. */
function demoDnsCheck(i: DemoIdentity, at: number, fetcher = demoZoneFetcher()): Promise<DnsCheck> {
  return checkDomainDns(ZONE_ENV, i.identity, i.dkimTokens, i.status, at, fetcher);
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
/** A stored check's findings, whenever it ran (null when there is none, or it is not JSON). */
function findings(json: string | null): unknown {
  try {
    return json ? { ...(JSON.parse(json) as DnsCheck), checkedAt: 0 } : null;
  } catch {
    return null;
  }
}

type Change = { label: string; before: Record<string, unknown>; after: Record<string, unknown> };

/** The fields of `want` whose value differs from `row`'s. */
function diff<T extends Record<string, unknown>>(row: T, want: Partial<T>): Change["after"] {
  return Object.fromEntries(Object.entries(want).filter(([k, v]) => !sameJson(row[k], v)));
}

type ChannelWrite = ReturnType<typeof insertChannelQuery> | ReturnType<typeof updateChannelQuery>;

/** One batch: when the channel becomes the default, the old default gives the mark up first (a partial unique index allows one). */
function writeChannel(db: Db, orgId: string, becomesDefault: boolean, at: number, [write, audit]: [ChannelWrite, ReturnType<typeof auditInsert>]) {
  return becomesDefault ? db.batch([clearDefaultChannelQuery(db, orgId, at), write, audit]) : db.batch([write, audit]);
}

async function setUpChannel(db: Db, orgId: string, c: DemoChannel, at: number): Promise<void> {
  const want = {
    name: c.name,
    purpose: c.purpose,
    isDefault: c.isDefault,
    settingsJson: JSON.stringify(c.settings),
    syncStatus: "synced" as const,
    syncErrorCode: null,
    syncError: null,
    syncErrorAt: null,
    detachedAt: null,
    archivedAt: null,
  };
  const row = await findChannelBySet(db, orgId, c.configurationSet);
  if (!row) {
    const id = newId("chn", at);
    await writeChannel(db, orgId, c.isDefault, at, [
      insertChannelQuery(db, { id, orgId, configurationSetName: c.configurationSet, origin: "sendops", createdAt: at, updatedAt: at, ...want }),
      auditInsert(db, {
        orgId,
        actor: SEEDER_ACTOR,
        resourceType: "channel",
        resourceId: id,
        operation: "create",
        summary: `Added the channel ${c.name} (${c.configurationSet})${c.isDefault ? ", the default" : ""}`,
        after: { name: c.name, purpose: c.purpose, configurationSetName: c.configurationSet, isDefault: c.isDefault, settings: c.settings },
        at,
      }),
    ]);
    return;
  }
  const changed = diff(row as ChannelRow & Record<string, unknown>, want);
  if (!Object.keys(changed).length) return;
  await writeChannel(db, orgId, changed.isDefault === true, at, [
    updateChannelQuery(db, orgId, row.id, { ...want, updatedAt: at }),
    auditInsert(db, {
      orgId,
      actor: SEEDER_ACTOR,
      resourceType: "channel",
      resourceId: row.id,
      operation: "update",
      summary: `Brought the channel ${row.name} (${c.configurationSet}) to the demo's ${c.name} channel: ${Object.keys(changed).join(", ")}`,
      before: Object.fromEntries(Object.keys(changed).map((k) => [k, (row as Record<string, unknown>)[k]])),
      after: changed,
      at,
    }),
  ]);
}

/** The set an account sync found in the demo's SES account: a discovered channel with the settings it read. */
async function setUpDiscoveredChannel(db: Db, orgId: string, at: number): Promise<void> {
  const { configurationSet, settings } = DEMO_DISCOVERED_CHANNEL;
  if (await findChannelBySet(db, orgId, configurationSet)) return;
  const id = newId("chn", at);
  await db.batch([
    insertChannelQuery(db, { id, orgId, name: configurationSet, configurationSetName: configurationSet, origin: "discovered", createdAt: at, settingsJson: JSON.stringify(settings), updatedAt: at }),
    auditInsert(db, {
      orgId,
      actor: SEEDER_ACTOR,
      resourceType: "channel",
      resourceId: id,
      operation: "create",
      summary: `Added the channel ${configurationSet}, discovered in the demo's SES account`,
      at,
    }),
  ]);
}

/** A channel of an older demo, gone from its SES account: detached and archived, as the account sync and Archive would leave it. */
async function retireChannel(db: Db, orgId: string, configurationSet: string, at: number): Promise<void> {
  const row = await findChannelBySet(db, orgId, configurationSet);
  if (!row || row.archivedAt !== null) return;
  await db.batch([
    updateChannelQuery(db, orgId, row.id, { detachedAt: row.detachedAt ?? at, archivedAt: at, isDefault: false, updatedAt: at }),
    auditInsert(db, {
      orgId,
      actor: SEEDER_ACTOR,
      resourceType: "channel",
      resourceId: row.id,
      operation: "archived",
      summary: `Archived channel ${row.name} (${configurationSet}): the demo's SES account no longer has its configuration set`,
      at,
    }),
  ]);
}

async function setUpIdentity(db: Db, orgId: string, i: DemoIdentity, fetcher: typeof fetch, at: number): Promise<void> {
  const domain = i.kind === "domain";
  const check = domain ? await demoDnsCheck(i, at, fetcher) : null;
  const want = {
    kind: i.kind,
    verificationStatus: i.status,
    dkimStatus: domain ? i.status : null,
    dkimTokensJson: domain ? JSON.stringify(i.dkimTokens) : null,
    configurationSetName: channelOfIdentity(i).configurationSet,
    sendingEnabled: true,
    detachedAt: null,
    archivedAt: null,
    disconnectedAt: null,
  };
  const checked = check ? { dnsCheckJson: JSON.stringify(check), dnsCheckedAt: at } : {};
  const row = await findIdentityByName(db, orgId, i.identity);
  if (!row) {
    const id = newId("idn", at);
    await db.batch([
      insertIdentityQuery(db, { id, orgId, identity: i.identity, origin: "sendops", createdAt: at, lastSyncedAt: at, ...want, ...checked }),
      auditInsert(db, {
        orgId,
        actor: SEEDER_ACTOR,
        resourceType: "identity",
        resourceId: id,
        operation: "create",
        summary: `Added the ${i.kind} identity ${i.identity} (${i.status}) on channel ${channelOfIdentity(i).name}`,
        after: want,
        at,
      }),
    ]);
    return;
  }
  const changed = diff(row as IdentityRow & Record<string, unknown>, want);
  const recheck = domain && !sameJson(findings(row.dnsCheckJson), findings(JSON.stringify(check)));
  if (!Object.keys(changed).length && !recheck) return;
  await db.batch([
    updateIdentityQuery(db, orgId, row.id, { ...want, ...(recheck ? checked : {}), lastSyncedAt: at }),
    auditInsert(db, {
      orgId,
      actor: SEEDER_ACTOR,
      resourceType: "identity",
      resourceId: row.id,
      operation: "update",
      summary: `Brought the identity ${i.identity} to the demo's: ${[...Object.keys(changed), ...(recheck ? ["DNS check"] : [])].join(", ")}`,
      before: Object.fromEntries(Object.keys(changed).map((k) => [k, (row as Record<string, unknown>)[k]])),
      after: changed,
      at,
    }),
  ]);
}

/**
 * The demo's tracking domain, both halves verified. No background checks (`nextCheckAt` null): the
 * read-only demo's sample data stays as seeded, also where its DNS names resolve nowhere.
 */
async function setUpTrackingDomain(db: Db, orgId: string, at: number): Promise<void> {
  const t = DEMO_TRACKING_DOMAIN;
  if (await findTrackingDomainBySubdomain(db, orgId, t.subdomain)) return;
  const id = newId("trk", at);
  await db.batch([
    insertTrackingDomainQuery(db, {
      id,
      orgId,
      subdomain: t.subdomain,
      protocol: t.protocol,
      cdnDomain: null,
      region: DEMO_REGION,
      cnameStatus: "verified",
      cnameCheckedAt: at,
      cnameVerifiedAt: at,
      identityStatus: "verified",
      identityCheckedAt: at,
      identityVerifiedAt: at,
      dkimTokensJson: JSON.stringify(t.dkimTokens),
      nextCheckAt: null,
      createdAt: at,
      createdByName: SEEDER_ACTOR.name,
      updatedAt: at,
    }),
    auditInsert(db, {
      orgId,
      actor: SEEDER_ACTOR,
      resourceType: "tracking_domain",
      resourceId: id,
      operation: "create",
      summary: `Added tracking domain ${t.subdomain} (${t.protocol.toUpperCase()}), verified`,
      at,
    }),
  ]);
}

/** Creates or upgrades the demo workspace's setup; returns its id. */
export async function setUpDemoWorkspace(db: Db, at = Date.now()): Promise<string> {
  const orgId = await ensureDemoWorkspace(db, at);
  for (const c of RETIRED_CHANNELS) await retireChannel(db, orgId, c.configurationSet, at);
  for (const c of DEMO_CHANNELS) await setUpChannel(db, orgId, c, at);
  await setUpDiscoveredChannel(db, orgId, at);
  // The demo's channels are the default channels: nothing is left to provision for it.
  await claimDefaultChannelsProvisioning(db, orgId, at);
  const fetcher = demoZoneFetcher();
  for (const i of DEMO_IDENTITIES) await setUpIdentity(db, orgId, i, fetcher, at);
  await setUpTrackingDomain(db, orgId, at);
  await setUpDemoWebhook(db, orgId, SEEDER_ACTOR, at);
  await raiseDemoNotifications(db, orgId, at);
  return orgId;
}
