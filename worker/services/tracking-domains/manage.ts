/**
 * Tracking domains (product docs: domains__tracking-domains.md): created with an SES email identity for
 * the subdomain (its DKIM CNAMEs), edited (the CDN domain of an HTTPS one), deleted with that identity.
 * Verification lives in checks.ts.
 */
import { z } from "zod";
import type { OrgContext } from "../../context";
import type { Env } from "../../env";
import { getDb } from "../../db/client";
import { auditInsert } from "../../db/audit";
import {
  countTrackingDomains,
  deleteTrackingDomainQuery,
  findTrackingDomain,
  findTrackingDomainBySubdomain,
  insertTrackingDomainQuery,
  listTrackingDomainRows,
  updateTrackingDomainQuery,
  type TrackingDomainRow,
} from "../../db/tracking-domains";
import { AwsError } from "../../aws/common";
import type { CreatedEmailIdentity } from "../../aws/ses";
import { AppError, conflict, notFound, validationError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import { isUniqueViolation } from "../../db/workspaces";
import { awsFailure, sesForOrg } from "../aws-connection";
import { cnameTarget, isHostname, MAX_TRACKING_DOMAINS, nextCheckAt, type TrackingDnsRecord } from "./rules";
import { trackingDomainView, type TrackingDomainView } from "./views";

/** Host names are case-insensitive: stored lower-case, without a trailing dot. */
const hostname = (what: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .transform((v) => v.replace(/\.$/, ""))
    .refine(isHostname, `Give a valid ${what} host name, e.g. ${what === "CDN domain" ? "d1234567890.cloudfront.net" : "track.yourdomain.com"}.`);

const subdomain = hostname("subdomain");
const cdnDomain = hostname("CDN domain");

export const createTrackingDomainSchema = z
  .object({
    subdomain,
    protocol: z.enum(["http", "https"]),
    cdnDomain: cdnDomain.optional(),
  })
  .refine((v) => v.protocol === "http" || v.cdnDomain, { path: ["cdnDomain"], message: "HTTPS needs the CDN domain that terminates TLS." })
  .refine((v) => v.protocol === "http" || v.cdnDomain !== v.subdomain, { path: ["cdnDomain"], message: "The CDN domain is the distribution's own host name, not the tracking subdomain." });
export type CreateTrackingDomainInput = z.infer<typeof createTrackingDomainSchema>;

export const updateTrackingDomainSchema = z.object({ cdnDomain });

export const trackingDomainParam = z.object({ orgId: z.string(), id: z.string() });

const AUDIT = "tracking_domain";
const snapshot = (r: Pick<TrackingDomainRow, "subdomain" | "protocol" | "cdnDomain" | "region" | "cnameStatus" | "identityStatus">) => ({
  subdomain: r.subdomain,
  protocol: r.protocol,
  cdnDomain: r.cdnDomain,
  region: r.region,
  cnameStatus: r.cnameStatus,
  identityStatus: r.identityStatus,
});

export async function listTrackingDomains(env: Env, orgId: string): Promise<{ data: TrackingDomainView[]; limit: number }> {
  const rows = await listTrackingDomainRows(getDb(env.DB), orgId);
  return { data: rows.map(trackingDomainView), limit: MAX_TRACKING_DOMAINS };
}

export async function trackingDomainRow(env: Env, orgId: string, id: string): Promise<TrackingDomainRow> {
  const row = await findTrackingDomain(getDb(env.DB), orgId, id);
  if (!row) throw notFound("Tracking domain");
  return row;
}

export async function getTrackingDomain(env: Env, orgId: string, id: string): Promise<TrackingDomainView> {
  return trackingDomainView(await trackingDomainRow(env, orgId, id));
}

/** The identity SES created, or — when the subdomain already is one (e.g. an earlier attempt) — that one. */
async function createIdentity(ses: Awaited<ReturnType<typeof sesForOrg>>["ses"], name: string): Promise<CreatedEmailIdentity> {
  try {
    return await ses.createEmailIdentity(name);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    if (err.code !== "AlreadyExistsException") throw awsFailure(err);
  }
  try {
    return await ses.getEmailIdentity(name);
  } catch (err) {
    throw err instanceof AwsError ? awsFailure(err) : err;
  }
}

/**
 * Creates the tracking domain: the SES email identity for the subdomain (CreateEmailIdentity, in the
 * workspace's connected region), then the row with its first check scheduled. Answers the records to add.
 */
export async function createTrackingDomain(env: Env, org: OrgContext, input: CreateTrackingDomainInput, at = Date.now()): Promise<TrackingDomainView> {
  const db = getDb(env.DB);
  const duplicate = () => conflict(`${input.subdomain} is already a tracking domain of this workspace.`, { field: "subdomain" });
  if (await findTrackingDomainBySubdomain(db, org.orgId, input.subdomain)) throw duplicate();
  if ((await countTrackingDomains(db, org.orgId)) >= MAX_TRACKING_DOMAINS) {
    throw new AppError(
      "LIMIT_REACHED",
      409,
      `A workspace can have up to ${MAX_TRACKING_DOMAINS} tracking domains. Remove an unused one or consolidate subdomains.`,
      { limit: MAX_TRACKING_DOMAINS },
    );
  }
  const { ses, connection } = await sesForOrg(env, org.orgId);
  const region = connection.region!;
  const identity = await createIdentity(ses, input.subdomain);
  const row: TrackingDomainRow = {
    id: newId("trk", at),
    orgId: org.orgId,
    subdomain: input.subdomain,
    protocol: input.protocol,
    cdnDomain: input.protocol === "https" ? input.cdnDomain! : null,
    region,
    cnameStatus: "pending",
    cnameCheckedAt: null,
    cnameVerifiedAt: null,
    identityStatus: "pending",
    identityCheckedAt: null,
    identityVerifiedAt: null,
    dkimTokensJson: JSON.stringify(identity.dkim?.tokens ?? []),
    lastError: null,
    checksStartedAt: null,
    nextCheckAt: nextCheckAt(at, at, { cname: "pending", identity: "pending" }),
    lastManualCheckAt: null,
    createdAt: at,
    createdByUserId: org.actor.userId,
    createdByName: org.actor.name,
    updatedAt: at,
  };
  try {
    await db.batch([
      insertTrackingDomainQuery(db, row),
      auditInsert(db, {
        orgId: org.orgId,
        actor: org.actor,
        resourceType: AUDIT,
        resourceId: row.id,
        operation: "create",
        summary: `Added tracking domain ${row.subdomain} (${row.protocol.toUpperCase()}, CNAME → ${cnameTarget(row.protocol, region, row.cdnDomain)}) and its SES identity in ${region}`,
        after: snapshot(row),
        at,
      }),
    ]);
  } catch (err) {
    // Two requests for the same subdomain at once: the unique index lets one through.
    throw isUniqueViolation(err, "tracking_domains.subdomain") ? duplicate() : err;
  }
  return trackingDomainView(row);
}

/**
 * Saves a new CDN domain (HTTPS only). The CNAME must then point at it: CNAME verification starts over
 * (pending) and so does the decay schedule.
 */
export async function updateTrackingDomainCdn(env: Env, org: OrgContext, id: string, newCdn: string, at = Date.now()): Promise<TrackingDomainView> {
  const db = getDb(env.DB);
  const before = await trackingDomainRow(env, org.orgId, id);
  if (before.protocol !== "https") throw validationError("cdnDomain: Only an HTTPS tracking domain has a CDN domain.", { fields: [{ field: "cdnDomain", message: "Only an HTTPS tracking domain has a CDN domain." }] });
  if (before.cdnDomain === newCdn) return trackingDomainView(before);
  const patch = {
    cdnDomain: newCdn,
    cnameStatus: "pending" as const,
    cnameVerifiedAt: null,
    checksStartedAt: at,
    nextCheckAt: nextCheckAt(at, at, { cname: "pending", identity: before.identityStatus }),
    updatedAt: at,
  };
  const after = { ...before, ...patch };
  await db.batch([
    updateTrackingDomainQuery(db, org.orgId, id, patch),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: AUDIT,
      resourceId: id,
      operation: "update",
      summary: `Changed the CDN domain of tracking domain ${before.subdomain} from ${before.cdnDomain} to ${newCdn}: the CNAME must now point to ${newCdn}`,
      before: snapshot(before),
      after: snapshot(after),
      at,
    }),
  ]);
  return trackingDomainView(after);
}

export interface DeletedTrackingDomain {
  subdomain: string;
  /** False when SES no longer had the identity (deleted outside SendOps). */
  deletedInSes: boolean;
  /** The records the user must remove at their DNS provider: SendOps cannot. */
  recordsToRemove: TrackingDnsRecord[];
  message: string;
}

/** Deletes the subdomain's SES identity (DeleteEmailIdentity), then the row. */
export async function deleteTrackingDomain(env: Env, org: OrgContext, id: string, at = Date.now()): Promise<DeletedTrackingDomain> {
  const db = getDb(env.DB);
  const before = await trackingDomainRow(env, org.orgId, id);
  const { ses } = await sesForOrg(env, org.orgId);
  let deletedInSes = true;
  try {
    await ses.deleteEmailIdentity(before.subdomain);
  } catch (err) {
    if (!(err instanceof AwsError)) throw err;
    if (err.code !== "NotFoundException") throw awsFailure(err);
    deletedInSes = false;
  }
  await db.batch([
    deleteTrackingDomainQuery(db, org.orgId, id),
    auditInsert(db, {
      orgId: org.orgId,
      actor: org.actor,
      resourceType: AUDIT,
      resourceId: id,
      operation: "delete",
      summary: deletedInSes
        ? `Deleted tracking domain ${before.subdomain} and its SES identity`
        : `Deleted tracking domain ${before.subdomain} (its SES identity was already gone)`,
      before: snapshot(before),
      at,
    }),
  ]);
  const view = trackingDomainView(before);
  return {
    subdomain: before.subdomain,
    deletedInSes,
    recordsToRemove: view.records,
    message: `Tracking links that use ${before.subdomain} stop working now. Remove its CNAME record and the three DKIM CNAME records at your DNS provider: SendOps cannot do that for you.`,
  };
}
