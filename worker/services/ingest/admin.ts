import { z } from "zod";
import type { Actor } from "../../context";
import { auditInsert } from "../../db/audit";
import type { Db } from "../../db/client";
import { findChannelByConfigurationSet, findIdentity, listRejectedPayloadsPage } from "../../db/ingest";
import { channels, identities, type IdentityKind, type VerificationStatus } from "../../db/schema";
import { conflict } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { decodeCursor, paginate } from "../../lib/pagination";
import { DEFAULT_COUNTER_HOURS, getIngestCounters, resolveCounterRange } from "./counters";
import { listIngestKeys } from "./keys";

/** Webhook URL, valid keys and the last 24 h of counters (the same counters as `GET /v1/ingest/counters`). */
export async function getIngestOverview(db: Db, appUrl: string, orgId: string, now = Date.now()) {
  const range = resolveCounterRange({}, now);
  const [keys, { from, to: _to, ...counters }] = await Promise.all([listIngestKeys(db, orgId, now), getIngestCounters(db, orgId, range)]);
  return {
    webhookUrl: new URL("/ingest/eventbridge", appUrl).toString(),
    keys: keys.map((k) => ({ id: k.id, prefix: k.prefix, createdAt: k.createdAt, expiresAt: k.expiresAt })),
    counters: { ...counters, since: from, windowHours: DEFAULT_COUNTER_HOURS },
  };
}
export type IngestOverview = Awaited<ReturnType<typeof getIngestOverview>>;

/** Rejected request bodies (400 / 413), newest first, one page. */
export async function listRejectedPayloads(db: Db, orgId: string, q: { cursor?: string; limit: number }) {
  const after = decodeCursor(q.cursor, z.tuple([z.string()]));
  const rows = await listRejectedPayloadsPage(db, orgId, after?.[0], q.limit + 1);
  return paginate(
    rows.map((r) => ({
      id: r.id,
      receivedAt: r.receivedAt,
      status: r.status,
      reason: r.reason,
      body: r.body,
      bodyBytes: r.bodyBytes,
      truncated: r.truncated,
    })),
    q.limit,
    (r) => [r.id],
  );
}

/** Adds a managed identity (a domain or an address, stored lowercase). One audit entry. */
export async function addManagedIdentity(
  db: Db,
  orgId: string,
  input: { identity: string; verificationStatus?: VerificationStatus },
  actor: Actor,
  now = Date.now(),
) {
  const identity = input.identity.trim().toLowerCase();
  const kind: IdentityKind = identity.includes("@") ? "email" : "domain";
  const id = newId("idn", now);
  const row = { id, orgId, identity, kind, verificationStatus: input.verificationStatus ?? ("PENDING" as const), createdAt: now };
  if (await findIdentity(db, orgId, identity)) throw conflict(`${identity} is already an identity of this workspace.`);
  await db.batch([
    db.insert(identities).values(row),
    auditInsert(db, { orgId, actor, at: now, resourceType: "identity", resourceId: id, operation: "create", summary: `Added the ${kind} identity ${identity}`, after: row }),
  ]);
  return row;
}

/** Adds a channel for an SES configuration set. One audit entry. */
export async function addChannel(db: Db, orgId: string, input: { name: string; configurationSetName: string }, actor: Actor, now = Date.now()) {
  const id = newId("chn", now);
  const row = { id, orgId, name: input.name.trim(), configurationSetName: input.configurationSetName.trim(), createdAt: now };
  if (await findChannelByConfigurationSet(db, orgId, row.configurationSetName)) throw conflict(`A channel for the configuration set ${row.configurationSetName} already exists.`);
  await db.batch([
    db.insert(channels).values(row),
    auditInsert(db, { orgId, actor, at: now, resourceType: "channel", resourceId: id, operation: "create", summary: `Added the channel ${row.name} (${row.configurationSetName})`, after: row }),
  ]);
  return row;
}
