/**
 * The identity actions that call SES (domains__adding-a-domain.md, domains__email-identities.md) through
 * the workspace's role: Add (CreateEmailIdentity, on the default channel's configuration set when the
 * workspace has one), Refresh (GetEmailIdentity + the DNS check), Delete (DeleteEmailIdentity, then the
 * row) and the channel assignment (PutEmailIdentityConfigurationSetAttributes). SES is called first and
 * the row and its audit entry are written in one batch after it answered.
 */
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb, type Db } from "../../db/client";
import { deleteIdentityQuery, findIdentityByName, listAllIdentities } from "../../db/identities";
import { insertIdentityQuery, listOrgChannels, updateIdentityQuery, type IdentityRow } from "../../db/ingest";
import type { IdentityKind } from "../../db/schema";
import type { EmailIdentityDetails, SesClient } from "../../aws/ses";
import { AppError, notFound } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { sesForOrg } from "../aws-connection";
import { defaultConfigurationSetName } from "../channels/manage";
import { identityAudit, identitySnapshot, kindLabel } from "./audit";
import { identityAwsError, isAlreadyExists, isNotFound } from "./aws-errors";
import { checkDomainDns } from "./dns-checks";
import { identityOr404, viewOf } from "./list";
import { queueDefaultChannelsIfFirst } from "./provision";
import { dkimTokensOf, identityView, type IdentityView } from "./views";
import { raiseAfterChange } from "../alerts/raise";

type Org = Pick<OrgContext, "orgId" | "actor">;

async function ses(env: Env, orgId: string): Promise<{ ses: SesClient; region: string }> {
  const { ses, connection } = await sesForOrg(env, orgId);
  return { ses, region: connection.region ?? "" };
}

/** What SES reports of an identity, as columns. */
function fromSes(kind: IdentityKind, d: Pick<EmailIdentityDetails, "verificationStatus" | "dkim" | "configurationSetName">) {
  return {
    verificationStatus: d.verificationStatus,
    dkimStatus: kind === "domain" ? (d.dkim?.status ?? null) : null,
    dkimTokensJson: kind === "domain" ? JSON.stringify(d.dkim?.tokens ?? []) : null,
    configurationSetName: d.configurationSetName,
  };
}

/** The DNS check of a domain, or null when the resolver could not answer (the check is re-run on Refresh). */
async function dnsCheckOrNull(env: Env, row: Pick<IdentityRow, "identity" | "dkimStatus">, tokens: string[], at: number) {
  try {
    return JSON.stringify(await checkDomainDns(env, row.identity, tokens, row.dkimStatus, at));
  } catch (err) {
    if (err instanceof AppError && err.code === "DNS_UNAVAILABLE") return null;
    throw err;
  }
}

async function afterStatusChange(env: Env, db: Db, orgId: string, before: IdentityRow[], changed: IdentityRow) {
  const after = [...before.filter((r) => r.id !== changed.id), changed];
  await queueDefaultChannelsIfFirst(env, db, orgId, before, after);
}

/**
 * Add Domain / Add Email Identity. An identity SES already holds (created outside SendOps and not yet
 * synced) is adopted as it is instead of failing.
 */
export async function addIdentity(env: Env, org: Org, kind: IdentityKind, name: string, at = Date.now()): Promise<IdentityView> {
  const db = getDb(env.DB);
  const existing = await findIdentityByName(db, org.orgId, name);
  if (existing) {
    throw new AppError(
      "IDENTITY_EXISTS",
      409,
      existing.archivedAt !== null ? `${name} is already an identity of this workspace (archived: restore it to see it again).` : `${name} is already an identity of this workspace.`,
      { id: existing.id },
    );
  }
  const client = await ses(env, org.orgId);
  const [channels, defaultSet] = await Promise.all([listOrgChannels(db, org.orgId), defaultConfigurationSetName(db, org.orgId)]);
  let details: Parameters<typeof fromSes>[1];
  let origin: IdentityRow["origin"] = "sendops";
  try {
    const created = await client.ses.createEmailIdentity(name, defaultSet ? { configurationSetName: defaultSet } : {});
    details = {
      verificationStatus: created.verifiedForSending ? "SUCCESS" : "PENDING",
      dkim: created.dkim,
      configurationSetName: defaultSet,
    };
  } catch (err) {
    if (!isAlreadyExists(err)) throw identityAwsError(err, env, client.region);
    origin = "ses";
    details = await client.ses.getEmailIdentity(name).catch((e: unknown) => {
      throw identityAwsError(e, env, client.region);
    });
  }
  const before = await listAllIdentities(db, org.orgId);
  const row: IdentityRow = {
    id: newId("idn", at),
    orgId: org.orgId,
    identity: name,
    kind,
    origin,
    createdAt: at,
    sendingEnabled: null,
    lastSyncedAt: at,
    detachedAt: null,
    archivedAt: null,
    disconnectedAt: null,
    dnsCheckJson: null,
    dnsCheckedAt: null,
    ...fromSes(kind, details),
  };
  if (kind === "domain") {
    row.dnsCheckJson = await dnsCheckOrNull(env, row, details.dkim?.tokens ?? [], at);
    row.dnsCheckedAt = row.dnsCheckJson ? at : null;
  }
  const how = origin === "ses" ? "already in SES, now managed" : defaultSet ? `created in SES on ${defaultSet}` : "created in SES";
  await db.batch([
    insertIdentityQuery(db, row),
    identityAudit(db, { orgId: org.orgId, actor: org.actor, row, operation: "created", summary: `Added ${kindLabel(row)} ${name} (${how})`, after: row, at }),
  ]);
  await afterStatusChange(env, db, org.orgId, before, row);
  return identityView(row, channels, at);
}

/** What changed between two snapshots, for the refresh's audit summary (empty: nothing). */
function changesOf(before: IdentityRow, after: IdentityRow): string[] {
  const b = identitySnapshot(before);
  const a = identitySnapshot(after);
  const out: string[] = [];
  if (b.verificationStatus !== a.verificationStatus) out.push(`status ${b.verificationStatus} → ${a.verificationStatus}`);
  if (b.dkimStatus !== a.dkimStatus) out.push(`DKIM ${b.dkimStatus ?? "unknown"} → ${a.dkimStatus ?? "unknown"}`);
  if (b.configurationSetName !== a.configurationSetName) out.push(`configuration set ${b.configurationSetName ?? "none"} → ${a.configurationSetName ?? "none"}`);
  if ((b.detachedAt === null) !== (a.detachedAt === null)) out.push(a.detachedAt === null ? "back in SES" : "no longer in SES (detached)");
  return out;
}

/** Refresh: reads the identity from SES and, for a domain, checks its DNS records. */
export async function refreshIdentity(env: Env, org: Org, id: string, at = Date.now()): Promise<IdentityView> {
  const db = getDb(env.DB);
  const row = await identityOr404(db, org.orgId, id);
  const client = await ses(env, org.orgId);
  let after: IdentityRow;
  try {
    const details = await client.ses.getEmailIdentity(row.identity);
    after = { ...row, ...fromSes(row.kind, details), detachedAt: null, lastSyncedAt: at };
  } catch (err) {
    if (!isNotFound(err)) throw identityAwsError(err, env, client.region);
    after = { ...row, detachedAt: row.detachedAt ?? at, lastSyncedAt: at };
  }
  if (row.kind === "domain" && after.detachedAt === null) {
    after.dnsCheckJson = JSON.stringify(await checkDomainDns(env, row.identity, dkimTokensOf(after), after.dkimStatus, at));
    after.dnsCheckedAt = at;
  }
  const before = await listAllIdentities(db, org.orgId);
  const changes = changesOf(row, after);
  await db.batch([
    updateIdentityQuery(db, org.orgId, row.id, {
      verificationStatus: after.verificationStatus,
      dkimStatus: after.dkimStatus,
      dkimTokensJson: after.dkimTokensJson,
      configurationSetName: after.configurationSetName,
      detachedAt: after.detachedAt,
      lastSyncedAt: at,
      dnsCheckJson: after.dnsCheckJson,
      dnsCheckedAt: after.dnsCheckedAt,
    }),
    ...(changes.length
      ? [identityAudit(db, { orgId: org.orgId, actor: org.actor, row, operation: "refreshed", summary: `Refreshed ${row.identity} from SES: ${changes.join(", ")}`, before: row, after, at })]
      : []),
  ]);
  await afterStatusChange(env, db, org.orgId, before, after);
  return viewOf(db, org.orgId, after, at);
}

/** Delete: removes the identity from SES (already gone is fine) and from SendOps. Cannot be undone. */
export async function deleteIdentity(env: Env, org: Org, id: string, at = Date.now()): Promise<{ deleted: true; id: string }> {
  const db = getDb(env.DB);
  const row = await identityOr404(db, org.orgId, id);
  const client = await ses(env, org.orgId);
  let wasInSes = true;
  try {
    await client.ses.deleteEmailIdentity(row.identity);
  } catch (err) {
    if (!isNotFound(err)) throw identityAwsError(err, env, client.region);
    wasInSes = false;
  }
  await db.batch([
    deleteIdentityQuery(db, org.orgId, row.id),
    identityAudit(db, {
      orgId: org.orgId,
      actor: org.actor,
      row,
      operation: "deleted",
      summary: `Deleted ${kindLabel(row)} ${row.identity} ${wasInSes ? "from SES and SendOps" : "from SendOps (it was no longer in SES)"}`,
      before: row,
      at,
    }),
  ]);
  return { deleted: true, id: row.id };
}

/** The Channel dropdown: SES applies the channel's configuration set to the identity's mail; null clears it. */
export async function assignChannel(env: Env, org: Org, id: string, channelId: string | null, at = Date.now()): Promise<IdentityView> {
  const db = getDb(env.DB);
  const row = await identityOr404(db, org.orgId, id);
  const channels = await listOrgChannels(db, org.orgId);
  const channel = channelId === null ? null : channels.find((c) => c.id === channelId);
  if (channel === undefined) throw notFound("Channel");
  if (channel && (channel.archivedAt !== null || channel.detachedAt !== null)) {
    throw new AppError("CHANNEL_UNAVAILABLE", 409, `Channel ${channel.name} is ${channel.archivedAt !== null ? "archived" : "detached (its configuration set is gone from SES)"}: choose another one.`);
  }
  if (row.detachedAt !== null) {
    throw new AppError("IDENTITY_DETACHED", 409, `${row.identity} is no longer in SES, so SES cannot apply a channel to it. Refresh it, or archive it.`);
  }
  const setName = channel?.configurationSetName ?? null;
  if (setName === row.configurationSetName) return identityView(row, channels, at);
  const client = await ses(env, org.orgId);
  try {
    await client.ses.putEmailIdentityConfigurationSet(row.identity, setName);
  } catch (err) {
    throw identityAwsError(err, env, client.region);
  }
  const after = { ...row, configurationSetName: setName };
  await db.batch([
    updateIdentityQuery(db, org.orgId, row.id, { configurationSetName: setName }),
    identityAudit(db, {
      orgId: org.orgId,
      actor: org.actor,
      row,
      operation: "channel_assigned",
      summary: channel ? `Assigned ${row.identity} to channel ${channel.name} (${setName})` : `Removed ${row.identity} from its channel (no configuration set)`,
      before: row,
      after,
      at,
    }),
  ]);
  const previous = channels.find((c) => c.configurationSetName === row.configurationSetName);
  if (previous && row.kind === "domain") {
    await raiseAfterChange(env, {
      orgId: org.orgId,
      type: "channel_events.domain_removed",
      params: { identity: row.identity, channel: previous.name, actor: org.actor.name },
      payload: { identityId: row.id, channelId: previous.id, newChannelId: channel?.id ?? null },
      link: `channels/${previous.id}`,
      dedupeKey: `${org.orgId}:domain_removed:${row.id}:${at}`,
    });
  }
  return identityView(after, channels, at);
}
